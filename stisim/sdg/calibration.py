"""Calibration to history: fit config parameters to observed indicator series.

The machinery works on any simulator ``simulate(overrides: dict[path, value]) -> Dataset``
holding ``indicator_value(time, indicator)``. The loss is the mean over fitted indicators of
the squared normalised RMSE, where an indicator's RMSE over its observed years is divided by
its SDR normalisation span ``|optimum - lower|`` and expressed in score points (0-100), so
indicators in different units weigh alike. Parameters are searched in the unit cube mapped
linearly onto their intervals, with a bounded ``scipy.optimize`` method and a fixed budget of
evaluations shown by a ``tqdm`` progress bar. Every evaluation of a stochastic simulator uses
the same seeds (common random numbers), so the loss surface is deterministic.

Two simulators are provided: :func:`pipeline_simulator` (the full model: agents, then
interlinkages) and :func:`hindcast_simulator` (the interlinkage dynamics alone, agent-driven
indicators forced by their observed history), and :func:`run_calibration` ties one to a
validated config, writes the result dataset and a scenario file that selects the fit.
"""

from __future__ import annotations

import importlib
import math
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr
import yaml
from scipy import optimize
from tqdm.auto import tqdm

from stisim.config.validate import StisimConfig, validate
from stisim.errors import ConfigError, DataError, Problem
from stisim.sdg import variables as _variables  # noqa: F401  (documents the outputs)
from stisim.sdg.registry import check_codes, registry

Simulator = Callable[[dict[str, Any]], xr.Dataset]


@dataclass(frozen=True)
class Parameter:
    """A fitted parameter: config path and search interval."""

    path: str
    lower: float
    upper: float
    initial: float | None = None

    def value(self, unit: float) -> float:
        return self.lower + float(unit) * (self.upper - self.lower)

    def unit(self, value: float) -> float:
        return (float(value) - self.lower) / (self.upper - self.lower)


@dataclass
class CalibrationResult:
    """The outcome of :func:`calibrate`."""

    parameters: dict[str, float]
    initial: dict[str, float]
    loss: float
    initial_loss: float
    fit: pd.DataFrame  # per indicator: n_obs, rmse, nrmse, bias, unit
    initial_fit: pd.DataFrame
    simulated: xr.DataArray  # (time, indicator) at the fitted parameters
    observed: xr.DataArray  # (time, indicator)
    history: pd.DataFrame  # one row per evaluation: loss and parameter values
    specs: list[Parameter]
    method: str
    n_evals: int
    message: str
    attrs: dict[str, Any] = field(default_factory=dict)


class _BudgetExhausted(Exception):
    pass


_EDGE = 1e-6


def _logit(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, _EDGE, 1 - _EDGE)
    return np.log(x / (1 - x))


def _expit(z: np.ndarray) -> np.ndarray:
    # Snap to the bounds so that an interval's end is reachable.
    x = 1.0 / (1.0 + np.exp(-np.asarray(z, float)))
    return np.where(x < _EDGE, 0.0, np.where(x > 1 - _EDGE, 1.0, x))


def observed_table(observed: pd.DataFrame, indicators: Sequence[str], start: int, end: int
                   ) -> xr.DataArray:
    """Observations of ``indicators`` in the years (start, end] as ``(time, indicator)``."""
    check_codes(indicators, where="calibrate.indicators")
    years = np.arange(start + 1, end + 1)
    table = observed.reindex(index=years, columns=list(indicators))
    return xr.DataArray(table.to_numpy(float), dims=("time", "indicator"),
                        coords={"time": years.astype(float), "indicator": list(indicators)})


def fit_errors(simulated: xr.DataArray, observed: xr.DataArray) -> pd.DataFrame:
    """Fit of ``simulated`` to ``observed`` per indicator over the observed years.

    Columns: ``n_obs``; ``rmse`` (indicator unit); ``nrmse`` (RMSE / |optimum - lower| x 100,
    SDR score points); ``bias`` (mean simulated - observed); ``unit``. Indicators without
    observations have ``n_obs = 0`` and NaN errors.
    """
    codes = [str(c) for c in observed["indicator"].values]
    missing = [c for c in codes if c not in simulated["indicator"].values]
    if missing:
        raise DataError(f"the simulation has no values for fitted indicator(s) "
                        f"{', '.join(missing)}")
    years = observed["time"].to_numpy().astype(float)
    sim_times = simulated["time"].to_numpy().astype(float)
    index = np.searchsorted(sim_times, years)
    ok = (index < sim_times.size) & np.isclose(sim_times[np.minimum(index, sim_times.size - 1)],
                                               years)
    if not ok.all():
        raise DataError(f"the simulation does not cover the observed years "
                        f"{', '.join(f'{y:g}' for y in years[~ok])} (simulated "
                        f"{sim_times[0]:g}-{sim_times[-1]:g})")
    sim = simulated.transpose("time", "indicator").sel(indicator=codes).to_numpy()[index]
    obs = observed.transpose("time", "indicator").to_numpy()
    reg = registry().loc[codes]
    span = np.abs(reg["optimum"] - reg["lower"]).to_numpy(float)
    seen = np.isfinite(obs)
    n_obs = seen.sum(axis=0)
    diff = np.where(seen, sim - obs, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        rmse = np.where(n_obs > 0, np.sqrt((diff**2).sum(axis=0) / n_obs), np.nan)
        bias = np.where(n_obs > 0, diff.sum(axis=0) / n_obs, np.nan)
    return pd.DataFrame({"n_obs": n_obs, "rmse": rmse, "nrmse": 100.0 * rmse / span,
                         "bias": bias, "unit": reg["unit"].to_numpy(str)},
                        index=pd.Index(codes, name="indicator"))


def loss_of(fit: pd.DataFrame) -> float:
    """Mean squared normalised RMSE (score points²) over indicators with observations."""
    values = fit.loc[fit["n_obs"] > 0, "nrmse"].to_numpy(float)
    if values.size == 0:
        raise DataError("no observations to fit: none of the fitted indicators is observed "
                        "in the calibration window")
    if not np.isfinite(values).all():
        return math.inf
    return float(np.mean(values**2))


def _start(spec: Parameter, current: float | None) -> float:
    if spec.initial is not None:
        return spec.unit(spec.initial)
    if current is not None and spec.lower <= current <= spec.upper:
        return spec.unit(current)
    return 0.5


def calibrate(simulate: Simulator, observed: xr.DataArray, parameters: Sequence[Parameter],
              *, method: str = "nelder-mead", max_evals: int = 200, tolerance: float = 1e-4,
              seed: int = 0, current: Mapping[str, float] | None = None, progress: bool = True,
              desc: str = "calibrate") -> CalibrationResult:
    """Fit ``parameters`` of ``simulate`` to ``observed`` (time, indicator).

    ``method``: ``nelder-mead`` or ``powell`` (local, bounded ``scipy.optimize.minimize``)
    or ``differential-evolution`` (global, ``scipy.optimize.differential_evolution`` seeded
    with ``seed``). At most ``max_evals`` simulations are run; the best point seen is
    returned. ``current`` holds the parameters' present values, the default start.
    """
    specs = list(parameters)
    if not specs:
        raise ConfigError([Problem("calibrate.parameters", "at least one parameter is needed")])
    current = dict(current or {})
    x0 = np.array([_start(s, current.get(s.path)) for s in specs])
    cache: dict[tuple, tuple[float, pd.DataFrame, xr.DataArray]] = {}
    rows: list[dict[str, float]] = []
    best: dict[str, Any] = {"loss": math.inf, "x": x0}
    bar = tqdm(total=max_evals, desc=desc, unit="run", disable=not progress, leave=True)

    def evaluate(x: np.ndarray) -> float:
        x = np.clip(np.asarray(x, float), 0.0, 1.0)
        key = tuple(np.round(x, 12))
        if key in cache:
            return cache[key][0]
        if len(cache) >= max_evals:
            raise _BudgetExhausted
        overrides = {s.path: s.value(u) for s, u in zip(specs, x, strict=True)}
        ds = simulate(overrides)
        if "indicator_value" not in ds:
            raise DataError("the simulator returned no indicator_value variable")
        sim = ds["indicator_value"]
        fit = fit_errors(sim, observed)
        loss = loss_of(fit)
        cache[key] = (loss, fit, sim)
        rows.append({"loss": loss, **overrides})
        if loss < best["loss"]:
            best.update(loss=loss, x=x)
        bar.update(1)
        bar.set_postfix(loss=f"{best['loss']:.4g}")
        return loss

    message = ""
    try:
        evaluate(x0)
        bounds = [(0.0, 1.0)] * len(specs)
        if method == "nelder-mead":
            # Nelder-Mead runs unbounded on z = logit(x): clipping vertices to the box would
            # collapse the simplex on a bound and stop the search early.
            z0 = _logit(x0)
            simplex = np.vstack([z0, z0 + np.eye(len(specs)) * np.where(z0 > 0, -1.5, 1.5)])
            res = optimize.minimize(lambda z: evaluate(_expit(z)), z0, method="Nelder-Mead",
                                    options={"maxfev": max_evals, "xatol": 1e-3,
                                             "fatol": tolerance, "initial_simplex": simplex})
        elif method == "powell":
            res = optimize.minimize(evaluate, x0, method="Powell", bounds=bounds,
                                    options={"maxfev": max_evals, "xtol": 1e-4,
                                             "ftol": tolerance})
        elif method == "differential-evolution":
            popsize = max(5, math.ceil(15 / len(specs)))
            maxiter = max(1, max_evals // (popsize * len(specs)) - 1)
            res = optimize.differential_evolution(
                evaluate, bounds, x0=x0, seed=seed, popsize=popsize, maxiter=maxiter,
                tol=tolerance, polish=False, init="latinhypercube", updating="immediate")
        else:
            raise ConfigError([Problem("calibrate.method", "unknown method", method,
                                       "nelder-mead, powell, differential-evolution")])
        message = str(res.message)
    except _BudgetExhausted:
        message = f"stopped after the budget of {max_evals} evaluations"
    finally:
        bar.close()
    key = tuple(np.round(np.clip(best["x"], 0.0, 1.0), 12))
    loss, fit, sim = cache[key]
    init_loss, init_fit, _ = cache[tuple(np.round(np.clip(x0, 0.0, 1.0), 12))]
    return CalibrationResult(
        parameters={s.path: s.value(u) for s, u in zip(specs, best["x"], strict=True)},
        initial={s.path: s.value(u) for s, u in zip(specs, x0, strict=True)},
        loss=loss, initial_loss=init_loss, fit=fit, initial_fit=init_fit,
        simulated=sim.sel(indicator=[str(c) for c in observed["indicator"].values]),
        observed=observed, history=pd.DataFrame(rows), specs=specs, method=method,
        n_evals=len(cache), message=message)


# -- config plumbing -------------------------------------------------------------------------

def _get(container: Mapping[str, Any], path: str) -> Any:
    node: Any = container
    for part in path.split("."):
        node = node[part]
    return node


def with_overrides(cfg: StisimConfig, overrides: Mapping[str, Any]) -> StisimConfig:
    """A validated copy of ``cfg`` with ``overrides`` (dotted path -> value) applied."""
    container = cfg.to_container()
    for path, value in overrides.items():
        *parents, leaf = path.split(".")
        node = container
        for part in parents:
            node = node[part]
        node[leaf] = value
    return validate(container)


def parameter_problems(cfg: StisimConfig, specs: Sequence[Parameter]) -> list[Problem]:
    """Problems with fitted parameter paths: unknown sections or fields, non-numeric fields,
    intervals outside the field's allowed range."""
    import dataclasses

    from stisim.config.sections import SECTIONS

    problems = []
    for i, spec in enumerate(specs):
        where = f"calibrate.parameters[{i}]"
        section, _, name = spec.path.partition(".")
        if section not in SECTIONS:
            problems.append(Problem(
                f"{where}.path", f"no config section {section!r} in this build (sections "
                "come from the engines present; the agent model provides e.g. 'diffusion' "
                "and 'firms')", spec.path, ", ".join(sorted(SECTIONS))))
            continue
        fields = {f.name: f for f in dataclasses.fields(SECTIONS[section])}
        if "." in name or name not in fields:
            problems.append(Problem(f"{where}.path", f"not a parameter of section {section!r}",
                                    spec.path, ", ".join(f"{section}.{n}" for n in fields)))
            continue
        value = _get(cfg.to_container(), spec.path)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            problems.append(Problem(f"{where}.path", "not a numeric parameter", spec.path))
            continue
        meta = fields[name].metadata
        checks = (("ge", spec.lower, lambda v, b: v >= b), ("gt", spec.lower, lambda v, b: v > b),
                  ("le", spec.upper, lambda v, b: v <= b), ("lt", spec.upper, lambda v, b: v < b))
        for key, end, ok in checks:
            bound = meta.get(key)
            if bound is not None and not ok(end, bound):
                problems.append(Problem(where, f"interval outside the allowed range of "
                                        f"{spec.path} ({key} {bound})", (spec.lower, spec.upper)))
    return problems


def specs_of(cfg: StisimConfig) -> list[Parameter]:
    return [Parameter(p.path, float(p.lower), float(p.upper),
                      None if p.initial is None else float(p.initial))
            for p in cfg.calibrate.parameters]


# -- simulators ------------------------------------------------------------------------------

def pipeline_simulator(cfg: StisimConfig, replicates: int = 1) -> Simulator:
    """The full model (agent model, then interlinkages) as a simulator.

    With ``replicates > 1`` each evaluation averages the runs of seeds spawned from
    ``cfg.seed`` by ``numpy.random.SeedSequence`` (the same seeds at every evaluation).
    """
    from stisim.pipeline import build, simulate

    seeds = [int(s) for s in np.random.SeedSequence(cfg.seed).generate_state(replicates)] \
        if replicates > 1 else [cfg.seed]

    def run(overrides: dict[str, Any]) -> xr.Dataset:
        runs = []
        for seed in seeds:
            c = with_overrides(cfg, {**overrides, "seed": seed})
            runs.append(simulate(build(c))["indicator_value"])
        return xr.Dataset({"indicator_value": xr.concat(runs, "replicate").mean("replicate")})

    return run


def forced_history(baseline, codes: Sequence[str], end_year: int) -> xr.DataArray:
    """Observed paths (base_year .. end_year) of ``codes``: the baseline value, then the
    observations, linearly interpolated between years and held after the last one."""
    years = np.arange(baseline.base_year, end_year + 1)
    obs = baseline.observed.reindex(index=years, columns=list(codes))
    obs.iloc[0] = baseline.value[list(codes)].to_numpy(float)
    filled = obs.interpolate(method="index", limit_area="inside").ffill()
    return xr.DataArray(filled.to_numpy(float), dims=("time", "indicator"),
                        coords={"time": years.astype(float), "indicator": list(codes)})


def hindcast_simulator(cfg: StisimConfig) -> Simulator:
    """The interlinkage dynamics alone from ``cfg.time.base_year`` to ``end_year``, the
    agent-driven indicators forced by their observed history (:func:`forced_history`)."""
    from stisim.baseline import load_baseline
    from stisim.sdg.interlinkages import apply_interlinkages

    baseline = load_baseline(cfg.country.m49, cfg.time.base_year)
    reg = registry()
    agents = list(reg.index[reg.driver == "agents"])
    forced = forced_history(baseline, agents, cfg.time.end_year)
    values = forced.reindex(indicator=list(reg.index))

    def run(overrides: dict[str, Any]) -> xr.Dataset:
        c = with_overrides(cfg, overrides) if overrides else cfg
        return xr.Dataset({"indicator_value": apply_interlinkages(values, baseline, c)})

    return run


# -- outputs ---------------------------------------------------------------------------------

def to_dataset(result: CalibrationResult) -> xr.Dataset:
    """The calibration result as a documented Dataset."""
    from stisim.dataset import annotate

    paths = [s.path for s in result.specs]
    fit = result.fit
    ds = xr.Dataset({
        "observed_value": result.observed,
        "calibrated_value": result.simulated.sel(time=result.observed["time"]),
        "fit_n_obs": ("indicator", fit["n_obs"].to_numpy(np.int64)),
        "fit_rmse": ("indicator", fit["rmse"].to_numpy(float)),
        "fit_nrmse": ("indicator", fit["nrmse"].to_numpy(float)),
        "fit_bias": ("indicator", fit["bias"].to_numpy(float)),
        "initial_nrmse": ("indicator", result.initial_fit["nrmse"].to_numpy(float)),
        "parameter_value": ("parameter", [result.parameters[p] for p in paths]),
        "parameter_initial": ("parameter", [result.initial[p] for p in paths]),
        "parameter_lower": ("parameter", [s.lower for s in result.specs]),
        "parameter_upper": ("parameter", [s.upper for s in result.specs]),
        "calibration_loss": ("evaluation", result.history["loss"].to_numpy(float)),
    }, coords={"parameter": paths, "evaluation": np.arange(len(result.history))})
    ds.attrs.update(result.attrs)
    ds.attrs.update(method=result.method, n_evals=result.n_evals, message=result.message,
                    loss=result.loss, initial_loss=result.initial_loss)
    return annotate(ds)


def _nest(flat: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for path, value in flat.items():
        *parents, leaf = path.split(".")
        node = out
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return out


def fit_table(result: CalibrationResult) -> str:
    from stisim.summary import table

    rows = []
    for code, r in result.fit.iterrows():
        init = result.initial_fit.loc[code, "nrmse"]
        rows.append([code, str(int(r.n_obs)),
                     "-" if r.n_obs == 0 else f"{r.rmse:.4g}", r.unit,
                     "-" if r.n_obs == 0 else f"{r.nrmse:.2f}",
                     "-" if r.n_obs == 0 else f"{init:.2f}"])
    return table(rows, ["indicator", "n", "RMSE", "unit", "NRMSE (score pts)", "at start"])


def write_scenario(result: CalibrationResult, path: str | Path, name: str,
                   description: str, header: str = "") -> Path:
    """Write the fitted parameters as a scenario file (``# @package _global_``), atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    content = _nest({k: float(f"{v:.6g}") for k, v in result.parameters.items()})
    content["scenario"] = {"name": name, "description": description}
    comment = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
    text = "# @package _global_\n" + comment + yaml.safe_dump(content, sort_keys=False)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


@dataclass
class CalibrationRun:
    result: CalibrationResult
    dataset_path: Path
    scenario_path: Path | None
    scenario_name: str | None


def run_calibration(cfg: StisimConfig, run_dir: str | Path, progress: bool = True
                    ) -> CalibrationRun:
    """``stisim calibrate``: fit ``cfg.calibrate.parameters`` to the country's history.

    Writes ``calibration.nc`` into ``run_dir`` and, with ``calibrate.save``, a scenario file
    ``calibrated/<country>.yaml`` (``calibrated/<country>_interlinkages.yaml`` for the
    hindcast simulator) that ``stisim run scenario=calibrated/<country>`` selects.
    """
    from stisim.baseline import load_baseline
    from stisim.config.compose import scenario_dirs
    from stisim.data import countries
    from stisim.io import write_dataset

    c = cfg.calibrate
    specs = specs_of(cfg)
    problems = parameter_problems(cfg, specs)
    if problems:
        raise ConfigError(problems, title="cannot calibrate")
    t = cfg.time
    baseline = load_baseline(cfg.country.m49, t.base_year)
    observed = observed_table(baseline.observed, c.indicators, t.base_year, t.end_year)
    if not np.isfinite(observed.to_numpy()).any():
        raise DataError(f"{baseline.name} has no observations of {', '.join(c.indicators)} in "
                        f"{t.base_year + 1}-{t.end_year}: nothing to fit")
    if c.simulator == "hindcast":
        simulate = hindcast_simulator(cfg)
    else:
        simulate = pipeline_simulator(cfg, c.replicates)
        probe = simulate({})["indicator_value"]
        if probe.sizes.get("time", 0) < 2:
            raise DataError("this build has no agent model (stisim.agents): the pipeline "
                            "simulates the base year only, so there is no trajectory to fit. "
                            "Use calibration=interlinkages to fit the interlinkage "
                            "parameters on history, or run with the agent model installed.")
    current = {s.path: _get(cfg.to_container(), s.path) for s in specs}
    result = calibrate(simulate, observed, specs, method=c.method, max_evals=c.max_evals,
                       tolerance=c.tolerance, seed=cfg.seed, current=current,
                       progress=progress, desc=f"calibrate {baseline.iso3}")
    slug = countries().loc[cfg.country.m49, "slug"]
    suffix = "_interlinkages" if c.simulator == "hindcast" else ""
    name = f"calibrated/{slug}{suffix}"
    from stisim.dataset import provenance_attrs

    result.attrs = provenance_attrs(
        cfg.to_container(), cfg.seed, baseline.provenance(), title="stisim calibration",
        country=baseline.name, country_m49=baseline.m49, base_year=t.base_year,
        end_year=t.end_year, simulator=c.simulator, scenario_file=name)
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    dataset_path = write_dataset(to_dataset(result), run_dir / "calibration.nc", "netcdf")
    scenario_path = None
    if c.save:
        root = Path(c.save_dir) if c.save_dir else scenario_dirs()[0]
        header = (f"Calibrated by `stisim calibrate country={slug} "
                  f"calibrate.simulator={c.simulator}` ({c.method}, {result.n_evals} runs)\n"
                  f"to {baseline.name}'s observed {t.base_year + 1}-{t.end_year} series.\n"
                  f"Loss (mean squared NRMSE, score points^2): {result.initial_loss:.4g} at "
                  f"start, {result.loss:.4g} fitted.\n\n" + fit_table(result))
        scenario_path = write_scenario(
            result, root / f"{name}.yaml", name.replace("/", "_"),
            f"Parameters fitted to {baseline.name}'s {t.base_year + 1}-{t.end_year} history "
            f"({', '.join(c.indicators)}).", header)
    if scenario_path is not None:
        # Make the new scenario selectable in this process too (notebooks, multiruns).
        importlib.import_module("stisim.config.compose").register.cache_clear()
    return CalibrationRun(result, dataset_path, scenario_path, name if c.save else None)
