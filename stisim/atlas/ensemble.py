"""The atlas ensemble: business as usual and every (instrument, dose) run, replicated with
common random numbers, each through the one simulation (:func:`stisim.pipeline.simulate`).

A dose ``d`` (% of GDP per year) of instrument ``i`` is an exogenous budget line of the
ministries (:class:`stisim.agents.policy.Budgets`) in every budget year ``y`` from the year
after the base year to the end year:

    amount_r(y) = d / 100 x GDP_BAU,r(y)

where ``GDP_BAU,r(y)`` is GDP at the start of year ``y`` in business-as-usual replicate ``r``
(base-year USD), so the money is the same share of GDP in every year and replicate ``r`` of a
dosed run shares its seed, and its money, with replicate ``r`` of business as usual. A
regional instrument's national money is split over regions by the model's own rule
(population; adoption subsidies by firms); ``adoption_subsidy.<technology>`` targets one
technology and ``adoption_subsidy`` follows ``ministries.adoption_split``.

Each run is reduced to its end-year state (:func:`end_state`) in the worker, so only a few
hundred numbers per run travel back.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

from stisim.agents.catalog import INSTRUMENTS, TECHNOLOGIES
from stisim.agents.policy import Budgets
from stisim.agents.region_set import region_labels
from stisim.pipeline import RunInputs, simulate
from stisim.sdg.scores import add_scores
from stisim.seeds import common_seeds

EXECUTOR = "ministry"  # extra money enters as the ministries' own budget lines


def split_instrument(name: str) -> tuple[str, str]:
    """``adoption_subsidy.clean_energy`` -> (``adoption_subsidy``, ``clean_energy``);
    other names -> (name, ``all``)."""
    base, _, technology = name.partition(".")
    if base not in INSTRUMENTS or (technology and technology not in TECHNOLOGIES):
        raise ValueError(f"unknown atlas instrument {name!r}")
    return base, technology or "all"


def budget_years(cfg) -> list[int]:
    """Budget years that receive the extra money: base year + 1 ... end year."""
    return list(range(int(cfg.time.base_year) + 1, int(cfg.time.end_year) + 1))


def dose_budgets(cfg, name: str, dose: float, gdp: dict[int, float]) -> Budgets:
    """The budget lines of ``dose`` % of GDP of atlas instrument ``name`` (see module doc)."""
    instrument, technology = split_instrument(name)
    out = Budgets(region_labels(cfg), cfg.time.base_year, cfg.time.end_year)
    for year in budget_years(cfg):
        out.add(
            instrument, year, dose / 100.0 * gdp[year], executor=EXECUTOR, technology=technology
        )
    return out


# -- what a run leaves behind ------------------------------------------------------------


def _end(ds: xr.Dataset, name: str) -> xr.DataArray:
    return ds[name].isel(time=-1)


def _share(part: xr.DataArray, whole: xr.DataArray) -> float:
    return float(100.0 * part / whole)


def _skilled(ds: xr.Dataset) -> float:
    """Employment-weighted national skilled share (%)."""
    skilled = _end(ds, "skilled_share")
    emp = _end(ds, "employment").sum("sector")
    return float(100.0 * (skilled * emp).sum("region") / emp.sum("region"))


def _agent(ds: xr.Dataset, name: str, agent: str) -> xr.DataArray:
    return _end(ds, name).sel(agent_type=agent)


def _adopters(ds: xr.Dataset) -> float:
    """Adoptions of the technologies the matching platform matches (all of them), pooled
    over technologies: real eligible firms that have adopted, summed."""
    return float(_end(ds, "adopters").sum("technology"))


def _matched(ds: xr.Dataset) -> float:
    """Adoptions attributable to platform matches over the horizon (firms)."""
    times = ds["time"].values
    dt = float(times[1] - times[0]) if times.size > 1 else 1.0
    return float(ds["matched_adoptions"].isel(time=slice(1, None)).sum()) * dt


# Mechanism outcomes read at the end year besides the SDG indicators: name -> (unit,
# description, reader). A reader that finds its variables missing gives NaN.
OUTCOMES: dict[str, tuple[str, str, Callable[[xr.Dataset], float]]] = {
    "business_rd": (
        "% of GDP",
        "R&D performed by firms (own funds, grants, tax credits)",
        lambda ds: _share(_agent(ds, "rd_expenditure", "firms"), _end(ds, "gdp")),
    ),
    "institute_rd": (
        "% of GDP",
        "R&D performed by research institutes",
        lambda ds: _share(_agent(ds, "rd_expenditure", "research_institutes"), _end(ds, "gdp")),
    ),
    "business_rd_usd": (
        "USD per year",
        "R&D performed by firms",
        lambda ds: float(_agent(ds, "rd_expenditure", "firms")),
    ),
    "firm_support_usd": (
        "USD per year",
        "Public support received by firms (R&D grants, tax "
        "credits, procurement, adoption subsidies)",
        lambda ds: float(_agent(ds, "funding", "firms")),
    ),
    "researchers": (
        "full-time equivalent",
        "Researchers in institutes and firms",
        lambda ds: float(_end(ds, "researchers").sum("agent_type", skipna=True)),
    ),
    "skilled_share": (
        "%",
        "Employment-weighted skilled share of firms' workers (absorptive capacity)",
        _skilled,
    ),
    **{
        f"adoption_share.{t}": (
            "% of eligible firms",
            f"Firms that have adopted {t}",
            lambda ds, t=t: float(100 * _end(ds, "adoption_share").sel(technology=t)),
        )
        for t in TECHNOLOGIES
    },
    "matched_technology_adopters": (
        "firms",
        "Adoptions of the technologies the matching platform matches, pooled over "
        "technologies (adoption share x eligible firms)",
        _adopters,
    ),
    "matched_adopters": (
        "firms",
        "Adopters at the end year attributable to matching-platform matches (adopted "
        "through a match, would not have adopted yet on their own hazard)",
        lambda ds: float(_end(ds, "matched_adopters").sum("technology")),
    ),
    "matched_adoptions": (
        "firms",
        "Adoptions attributable to matching-platform matches over the horizon",
        _matched,
    ),
    "collaborations": (
        "per year",
        "Institute-firm collaborations",
        lambda ds: float(_end(ds, "collaborations")),
    ),
    "gdp_per_capita": (
        "100 x ln(USD per person)",
        "GDP per capita on a log scale (a difference of 1 is about 1 %)",
        lambda ds: float(100 * np.log(_end(ds, "gdp_per_capita"))),
    ),
    "population": ("persons", "Population", lambda ds: float(_end(ds, "population"))),
}


def outcome_names() -> list[str]:
    """The atlas's outcome dimension: OUTCOMES and the mean adoption share over technologies
    (``adoption_share.mean``, added by stisim.atlas.measures)."""
    return [*OUTCOMES, "adoption_share.mean"]


def _outcome(ds: xr.Dataset, reader: Callable[[xr.Dataset], float]) -> float:
    try:
        return float(reader(ds))
    except (KeyError, ValueError):
        return float("nan")


def end_state(ds: xr.Dataset, years: Sequence[int]) -> dict[str, Any]:
    """A run reduced to what the atlas needs: end-year indicator values, scores, goal
    scores, SDG index and outcomes; GDP at the start of each budget year; extra-money audit
    totals (money disbursed over the horizon, all instruments and executors)."""
    scored = add_scores(ds[["indicator_value"]])
    times = ds["time"].values
    gdp = {y: float(ds["gdp"].sel(time=float(y))) for y in years if float(y) in times}
    dt = float(times[1] - times[0]) if times.size > 1 else 1.0
    disbursed = ds["disbursed"].isel(time=slice(1, None)).sum(("instrument", "executor"))
    return {
        "indicator": scored["indicator"].values.astype(str),
        "value": scored["indicator_value"].isel(time=-1).values.astype(float),
        "score": scored["indicator_score"].isel(time=-1).values.astype(float),
        "goal": scored["goal"].values.astype(int),
        "goal_score": scored["goal_score"].isel(time=-1).values.astype(float),
        "sdg_index": float(scored["sdg_index"].isel(time=-1)),
        "outcomes": np.array([_outcome(ds, f) for _, _, f in OUTCOMES.values()]),
        "gdp": gdp,
        "disbursed": float(disbursed.sum()) * dt,
        "end_time": float(times[-1]),
    }


# -- execution -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Task:
    """One run: ``instrument`` None is business as usual."""

    index: int
    replicate: int
    seed: int
    instrument: str | None = None
    dose: float = 0.0
    gdp: tuple[tuple[int, float], ...] = ()


_INPUTS: RunInputs | None = None  # the worker's inputs (set once per worker process)


def _init_worker(inputs: RunInputs) -> None:
    global _INPUTS
    _INPUTS = inputs


def run_task(task: Task, inputs: RunInputs | None = None) -> tuple[int, dict[str, Any]]:
    """Simulate one task and reduce it to its end state."""
    inputs = inputs or _INPUTS
    if inputs is None:
        raise RuntimeError("atlas worker started without inputs")
    cfg = inputs.cfg
    budgets = None
    if task.instrument is not None:
        budgets = dose_budgets(cfg, task.instrument, task.dose, dict(task.gdp))
    ds = simulate(inputs, budgets, seed=task.seed)
    return task.index, end_state(ds, budget_years(cfg))


def worker_count(requested: int, tasks: int) -> int:
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    return max(1, min(requested or cores, tasks))


class Runner:
    """Runs tasks in this process (one worker) or on one process pool kept for the whole
    ensemble, whose workers receive the inputs once (a context manager)."""

    def __init__(self, inputs: RunInputs, workers: int, tasks: int, bar: Any = None):
        self.inputs, self.bar = inputs, bar
        self.workers = worker_count(workers, tasks)
        self.pool: cf.ProcessPoolExecutor | None = None
        if self.workers > 1:
            method = (
                "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
            )
            self.pool = cf.ProcessPoolExecutor(
                self.workers,
                mp_context=multiprocessing.get_context(method),
                initializer=_init_worker,
                initargs=(inputs,),
            )

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def _done(self) -> None:
        if self.bar is not None:
            self.bar.update(1)

    def map(self, tasks: list[Task]) -> list[dict[str, Any]]:
        """End states of ``tasks``, in task order."""
        out: dict[int, dict[str, Any]] = {}
        if self.pool is None:
            for task in tasks:
                i, state = run_task(task, self.inputs)
                out[i] = state
                self._done()
        else:
            futures = [self.pool.submit(run_task, t) for t in tasks]
            for fut in cf.as_completed(futures):
                i, state = fut.result()
                out[i] = state
                self._done()
        return [out[t.index] for t in tasks]


@dataclass
class Ensemble:
    """Raw end states: ``bau[r]`` and ``dosed[(instrument, dose)][r]``."""

    seeds: list[int]
    bau: list[dict[str, Any]]
    dosed: dict[tuple[str, float], list[dict[str, Any]]]


def run_ensemble(
    inputs: RunInputs,
    instruments: Sequence[str],
    doses: Sequence[float],
    replicates: int,
    workers: int = 1,
    progress: bool = False,
) -> Ensemble:
    """Business as usual, then every (instrument, dose), ``replicates`` times each."""
    from tqdm import tqdm

    cfg = inputs.cfg
    seeds = common_seeds(int(cfg.seed), int(replicates))
    years = budget_years(cfg)
    total = replicates * (1 + len(instruments) * len(doses))
    with (
        tqdm(
            total=total,
            desc=f"atlas {cfg.country.name}",
            unit="run",
            disable=not progress,
            file=sys.stderr,
            dynamic_ncols=True,
            smoothing=0.05,
        ) as bar,
        Runner(inputs, workers, total, bar) as runner,
    ):
        bau = runner.map([Task(r, r, s) for r, s in enumerate(seeds)])
        for r, state in enumerate(bau):
            missing = [y for y in years if y not in state["gdp"]]
            if missing:
                raise RuntimeError(
                    f"business-as-usual replicate {r} has no GDP at the start "
                    f"of budget years {missing}"
                )
        tasks, keys = [], []
        for name in instruments:
            for dose in doses:
                for r, s in enumerate(seeds):
                    gdp = tuple((y, bau[r]["gdp"][y]) for y in years)
                    tasks.append(Task(len(tasks), r, s, name, float(dose), gdp))
                    keys.append((name, float(dose)))
        states = runner.map(tasks)
    dosed: dict[tuple[str, float], list[dict[str, Any]]] = {}
    for key, state in zip(keys, states, strict=True):
        dosed.setdefault(key, []).append(state)
    return Ensemble(seeds, bau, dosed)
