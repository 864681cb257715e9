"""The one pipeline: compose → validate → build → simulate → Dataset → write.

Each arrow is a plain function usable from a notebook::

    import stisim
    cfg = stisim.load_config("run", ["country=kenya", "seed=3"])
    ds = stisim.run(cfg)
    stisim.write_dataset(ds, "kenya.nc")

:func:`simulate` is the one simulation of stisim: ``stisim run``, strategy comparisons, the
closed loop, adaptive roadmaps (step by step, through ``on_step``), ABM response curves,
calibration and sweeps all run the model through it, so every entry point gets the same
Dataset for the same config and seed. The command line (:mod:`stisim.cli`) and the drivers
(:mod:`stisim.coupling`, :mod:`stisim.sweep`, :mod:`stisim.calibrate`) are thin layers over
these functions.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

from stisim.baseline import Baseline, load_baseline
from stisim.config.validate import StisimConfig
from stisim.data.indicators import registry
from stisim.dataset import annotate, provenance_attrs
from stisim.sdg.scores import add_scores


@dataclass
class RunInputs:
    """Everything a simulation needs, built from a validated config."""

    cfg: StisimConfig
    baseline: Baseline


def build(cfg: StisimConfig, data_until: int | None = None) -> RunInputs:
    """Load the country's real baseline for the configured base year, from data up to
    ``data_until`` (default: all shipped data; calibration windows and held-out validation
    pass the last year they may see)."""
    return RunInputs(cfg=cfg, baseline=load_baseline(cfg.country.m49, cfg.time.base_year,
                                                     data_until))


def with_seed(inputs: RunInputs, seed: int) -> RunInputs:
    """The same inputs with another seed (the baseline is shared: it does not depend on it)."""
    return RunInputs(cfg=dataclasses.replace(inputs.cfg, seed=int(seed)),
                     baseline=inputs.baseline)


def baseline_values(inputs: RunInputs) -> xr.DataArray:
    """The real baseline as ``indicator_value(time=[base_year], indicator)``."""
    b = inputs.baseline
    return xr.DataArray(b.value.to_numpy(float)[None, :], dims=("time", "indicator"),
                        coords={"time": [float(b.base_year)], "indicator": list(b.value.index)})


class Simulation:
    """One run in progress: the agent model and the SDG interlinkages advancing together.

    Each :meth:`step` advances the Mesa model by ``1 / time.steps_per_year`` years and hands
    the indicators it computed to the SDG layer, which moves the network-driven ones
    (:class:`stisim.sdg.interlinkages.Interlinkages`). Between steps a driver may read
    :meth:`indicators` and change ``model.budgets`` (adaptive re-planning); :meth:`dataset`
    is the run's Dataset, its first step pinned to the real baseline.
    """

    def __init__(self, inputs: RunInputs, budgets: Any = None):
        from stisim.agents import build_model
        from stisim.sdg.interlinkages import Interlinkages, laumann_region_of

        self.inputs = inputs
        self.model = model = build_model(inputs, budgets)
        recorder = model.recorder
        self.codes = [str(c) for c in recorder.indicators]
        # The model's clock: time t0 + k dt at step k (checked at every step).
        self.times = model.t0 + np.arange(model.n_steps + 1) * model.dt
        self.values = np.full((self.times.size, len(self.codes)), np.nan)
        cfg = inputs.cfg
        self.links = Interlinkages(inputs.baseline, cfg.sdg, laumann_region_of(cfg),
                                   self.codes, self.times)
        self.values[0] = self.links.start(recorder.data["indicator_value"][0])

    @property
    def done(self) -> bool:
        return self.model.k >= self.model.n_steps

    def step(self) -> None:
        """Advance the model and the interlinkages by one step."""
        model = self.model
        model.step()
        k = model.k
        if model.t != self.times[k]:
            raise RuntimeError(f"the model's clock ({model.t}) left its grid ({self.times[k]})")
        self.values[k] = self.links.advance(model.recorder.data["indicator_value"][k])

    def indicators(self) -> xr.DataArray:
        """Indicator values now (network-driven ones moved by the interlinkages)."""
        k = self.model.k
        return xr.DataArray(self.values[k], dims="indicator",
                            coords={"indicator": self.codes, "time": self.times[k]})

    def dataset(self) -> xr.Dataset:
        """The run's Dataset so far: the model's records with the interlinked indicator
        values, the first step pinned to the baseline (:func:`pin_baseline`)."""
        from stisim.sdg.interlinkages import apply_interlinkages

        ds = self.model.recorder.dataset()
        k = self.model.k
        if k == 0:
            return pin_baseline(ds, self.inputs)
        ds = ds.isel(time=slice(0, k + 1)) if k < self.model.n_steps else ds
        recorded = ds["indicator_value"]
        agents = self.links.agents
        if np.isfinite(recorded.to_numpy()[:, agents]).all():
            values = recorded.copy(data=self.values[: k + 1].copy())
            values.attrs = dict(recorded.attrs)
            values.attrs["sdg_interlinkages"] = json.dumps(self.links.info(), sort_keys=True)
        else:  # an agent-driven path with gaps is moved like a network-driven one, whole
            values = apply_interlinkages(recorded, self.inputs.baseline, self.inputs.cfg)
        ds = ds.reindex(indicator=values["indicator"].values).assign(indicator_value=values)
        ds.attrs["sdg_interlinkages"] = values.attrs["sdg_interlinkages"]
        return pin_baseline(ds, self.inputs)


def simulate(inputs: RunInputs, budgets: Any = None, *, seed: int | None = None,
             on_step: Callable[[Simulation], None] | None = None) -> xr.Dataset:
    """The one simulation: the agent model of the innovation system from the baseline, the
    SDG interlinkages moving the network-driven indicators at every step.

    ``budgets`` (:class:`stisim.agents.policy.Budgets`) adds exogenous budget lines such as
    executed roadmap allocations; ``seed`` replaces the config's seed (replicates);
    ``on_step(simulation)`` runs after every step (monitoring, re-planning). Returns a
    Dataset with at least ``indicator_value(time, indicator)``; its first time step equals
    the real baseline.
    """
    if seed is not None:
        inputs = with_seed(inputs, seed)
    try:
        import stisim.agents  # noqa: F401
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("stisim.agents"):
            ds = xr.Dataset({"indicator_value": baseline_values(inputs)})
            ds.attrs["coverage"] = ("base year only: this build has no agent model, so no "
                                    "trajectory is simulated")
            return ds
        raise
    sim = Simulation(inputs, budgets)
    while not sim.done:
        sim.step()
        if on_step is not None:
            on_step(sim)
    return sim.dataset()


def pin_baseline(ds: xr.Dataset, inputs: RunInputs, rtol: float = 1e-4) -> xr.Dataset:
    """Make the first time step hold the real baseline exactly.

    The model's initial state is calibrated to the baseline, so its computed indicators agree
    up to floating-point round-off; a larger gap is a model error and is raised, not hidden.
    """
    base = inputs.baseline.value
    first = ds["indicator_value"].isel(time=0).sel(indicator=list(base.index))
    gap = np.abs(first.to_numpy() - base.to_numpy()) > rtol * np.maximum(np.abs(base.to_numpy()),
                                                                          1e-9)
    if gap.any():
        bad = {c: (float(first.sel(indicator=c)), float(base[c]))
               for c in np.asarray(base.index)[gap]}
        raise RuntimeError(f"first simulated step differs from the baseline: {bad}")
    values = ds["indicator_value"].copy()
    values.loc[{"time": values["time"][0], "indicator": list(base.index)}] = base.to_numpy()
    return ds.assign(indicator_value=values)


def finalize(ds: xr.Dataset, inputs: RunInputs, extra_attrs: dict[str, Any] | None = None
             ) -> xr.Dataset:
    """Add scores, indicator metadata and provenance; document every variable."""
    reg = registry().loc[ds["indicator"].values]
    b = inputs.baseline
    ds = add_scores(ds).assign(
        indicator_unit=("indicator", reg["unit"].to_numpy(str)),
        indicator_name=("indicator", reg["name"].to_numpy(str)),
        indicator_goal=("indicator", reg["goal"].to_numpy(np.int64)),
        baseline_year=("indicator", b.year[ds["indicator"].values].to_numpy(float)),
        baseline_imputed=("indicator", b.imputed[ds["indicator"].values].to_numpy(bool)),
        baseline_source=("indicator", np.array(
            [f"{b.source[c]} ({b.method[c]})" for c in ds["indicator"].values], dtype=str)),
    )
    attrs = provenance_attrs(
        inputs.cfg.to_container(), inputs.cfg.seed, b.provenance(),
        country=b.name, country_m49=b.m49, base_year=b.base_year, scenario=inputs.cfg.scenario.name,
        population=b.population, population_year=b.population_year,
    )
    attrs.update(ds.attrs)
    attrs.update(extra_attrs or {})
    ds.attrs = attrs
    return annotate(ds, "run")


def run(cfg: StisimConfig) -> xr.Dataset:
    """Build, simulate and finalise one run."""
    inputs = build(cfg)
    return finalize(simulate(inputs), inputs)
