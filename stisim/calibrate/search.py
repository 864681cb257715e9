"""Fitting config parameters of a simulator to observed indicator series.

The machinery works on any simulator ``simulate(overrides: dict[path, value]) -> Dataset``
holding ``indicator_value(time, indicator)``. The loss is the mean over fitted indicators of
the squared normalised RMSE, where an indicator's RMSE over its observed years is divided by
its SDR normalisation span ``|optimum - lower|`` and expressed in score points (0-100), so
indicators in different units weigh alike. Parameters are searched in the unit cube mapped
linearly onto their intervals, with a bounded ``scipy.optimize`` method and a fixed budget of
evaluations shown by a ``tqdm`` progress bar. Every evaluation of a stochastic simulator uses
the same seeds (common random numbers), so the loss surface is deterministic.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr
from scipy import optimize
from tqdm.auto import tqdm

from stisim.data.indicators import check_codes, registry
from stisim.errors import ConfigError, DataError, Problem

Simulator = Callable[[dict[str, Any]], xr.Dataset]


@dataclass(frozen=True)
class Parameter:
    """A fitted parameter: config path, search interval and the indicators it governs."""

    path: str
    lower: float
    upper: float
    initial: float | None = None
    indicators: tuple[str, ...] = ()

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
    # The config as given (no parameter changed), for comparison; set by run_calibration.
    uncalibrated_fit: pd.DataFrame | None = None
    uncalibrated_loss: float | None = None
    held: dict[str, str] = field(default_factory=dict)  # path -> why it was not fitted
    imputed: dict[str, str] = field(default_factory=dict)  # fitted code -> baseline method
    fixed: dict[str, float] = field(default_factory=dict)  # set, not fitted (calibrate.fixed)


class _BudgetExhausted(Exception):
    pass


class _BlockDone(Exception):
    pass


ROUNDS = 2  # sweeps over the blocks of the block-coordinate search


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


def parameter_blocks(specs: Sequence[Parameter], codes: Sequence[str]
                     ) -> list[tuple[list[int], list[str]]]:
    """Blocks of the block-coordinate search: connected groups of parameters and the
    indicators (among ``codes``) they govern. A parameter without declared indicators governs
    all of them, so with one such parameter there is a single block."""
    codes = [str(c) for c in codes]
    governs = [[c for c in (s.indicators or codes) if c in codes] or codes for s in specs]
    blocks: list[tuple[set[int], set[str]]] = []
    for i, mine in enumerate(governs):
        merged = ({i}, set(mine))
        for b in [b for b in blocks if b[1] & merged[1]]:
            blocks.remove(b)
            merged = (merged[0] | b[0], merged[1] | b[1])
        blocks.append(merged)
    blocks.sort(key=lambda b: min(b[0]))
    return [(sorted(i), [c for c in codes if c in cs]) for i, cs in blocks]


def _nelder_mead(f: Callable[[np.ndarray], float], x0: np.ndarray, max_evals: int,
                 tolerance: float, step: float = 1.5) -> Any:
    # Nelder-Mead runs unbounded on z = logit(x): clipping vertices to the box would collapse
    # the simplex on a bound and stop the search early.
    z0 = _logit(x0)
    simplex = np.vstack([z0, z0 + np.eye(len(x0)) * np.where(z0 > 0, -step, step)])
    return optimize.minimize(lambda z: f(_expit(z)), z0, method="Nelder-Mead",
                             options={"maxfev": max_evals, "xatol": 1e-3, "fatol": tolerance,
                                      "initial_simplex": simplex})


def calibrate(simulate: Simulator, observed: xr.DataArray, parameters: Sequence[Parameter],
              *, method: str = "nelder-mead", max_evals: int = 200, tolerance: float = 1e-4,
              seed: int = 0, current: Mapping[str, float] | None = None, progress: bool = True,
              desc: str = "calibrate", prior_weight: float = 0.0) -> CalibrationResult:
    """Fit ``parameters`` of ``simulate`` to ``observed`` (time, indicator).

    ``method``: ``nelder-mead`` or ``powell`` (local, bounded ``scipy.optimize.minimize``)
    or ``differential-evolution`` (global, ``scipy.optimize.differential_evolution`` seeded
    with ``seed``): the best point seen is returned. ``blocks``: block-coordinate search
    (:func:`parameter_blocks`): each block of parameters in turn is fitted to the loss of
    the indicators it governs, the others held, in :data:`ROUNDS` sweeps (the first over
    the whole interval, the next around the current values); the point it ends at is
    returned, or the start where that point's total loss is worse. It keeps the noise of
    one indicator (e.g. yearly growth rates of a stochastic model) out of the fit of
    parameters that do not act on it. At most ``max_evals`` simulations are run.
    ``current`` holds the parameters' present values, the default start.

    ``prior_weight`` > 0 regularises the fit towards the start (the sourced config values):
    the loss gains ``prior_weight x sum((u - u0)^2)`` over the parameters (of the block),
    ``u`` each parameter's position in its interval (0-1), so a parameter moves away from
    its prior only as far as the data pay for it (a Gaussian prior, MAP estimate).
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

    def penalty(x: np.ndarray, idx: Sequence[int] | None = None) -> float:
        if prior_weight <= 0:
            return 0.0
        d = (np.clip(np.asarray(x, float), 0.0, 1.0) - x0)
        return float(prior_weight * np.sum(d[list(idx)] ** 2 if idx is not None else d ** 2))

    def evaluate(x: np.ndarray) -> float:
        return evaluate_fit(x)[0]

    def evaluate_fit(x: np.ndarray) -> tuple[float, pd.DataFrame]:
        x = np.clip(np.asarray(x, float), 0.0, 1.0)
        key = tuple(np.round(x, 12))
        if key in cache:
            return cache[key][0], cache[key][1]
        if len(cache) >= max_evals:
            raise _BudgetExhausted
        overrides = {s.path: s.value(u) for s, u in zip(specs, x, strict=True)}
        ds = simulate(overrides)
        if "indicator_value" not in ds:
            raise DataError("the simulator returned no indicator_value variable")
        sim = ds["indicator_value"]
        fit = fit_errors(sim, observed)
        loss = loss_of(fit) + penalty(x)
        cache[key] = (loss, fit, sim)
        rows.append({"loss": loss, **overrides})
        if loss < best["loss"]:
            best.update(loss=loss, x=x)
        bar.update(1)
        bar.set_postfix(loss=f"{best['loss']:.4g}")
        return loss, fit

    def block_search(x: np.ndarray, idx: list[int], codes: list[str], budget: int,
                     sweep: int) -> tuple[np.ndarray, bool]:
        """Fit parameters ``idx`` of ``x`` to the loss of ``codes``: the block's best point
        (never worse than ``x`` for that loss) and whether the whole budget is spent."""
        state = {"x": x.copy(), "loss": math.inf, "start": len(cache)}

        def block_loss(u: np.ndarray) -> float:
            if len(cache) - state["start"] >= budget:
                raise _BlockDone
            trial = x.copy()
            trial[idx] = np.clip(np.atleast_1d(u), 0.0, 1.0)
            fit = evaluate_fit(trial)[1]
            loss = loss_of(fit.loc[codes]) + penalty(trial, idx)
            if loss < state["loss"]:
                state.update(loss=loss, x=trial)
            return loss

        try:
            block_loss(x[idx])
            if len(idx) == 1:
                # Golden section / parabolic search on the interval (first sweep) or around
                # the current value (later sweeps).
                half = 0.5 / 2**sweep
                lo, hi = max(0.0, x[idx[0]] - half), min(1.0, x[idx[0]] + half)
                if sweep == 0:
                    lo, hi = 0.0, 1.0
                optimize.minimize_scalar(block_loss, bounds=(lo, hi), method="bounded",
                                         options={"xatol": 1e-3, "maxiter": budget})
            else:
                _nelder_mead(block_loss, x[idx], budget, tolerance, 1.5 / 2**sweep)
        except _BlockDone:
            pass
        except _BudgetExhausted:
            return state["x"], True
        return state["x"], False

    message = ""
    end = None
    try:
        evaluate(x0)
        bounds = [(0.0, 1.0)] * len(specs)
        if method == "blocks":
            codes = [str(c) for c in observed["indicator"].values
                     if np.isfinite(observed.sel(indicator=c).to_numpy()).any()]
            blocks = parameter_blocks(specs, codes)
            end, spent = x0.copy(), False
            for sweep in range(ROUNDS):
                left = max_evals - len(cache)
                share = left if sweep == ROUNDS - 1 else left // (ROUNDS - sweep)
                for idx, block_codes in blocks:
                    budget = max(3, round(share * len(idx) / len(specs)))
                    end, spent = block_search(end, idx, block_codes, budget, sweep)
                    if spent:
                        break
                if spent:
                    break
            message = (f"block-coordinate search, {sweep + 1} of {ROUNDS} sweep(s) over "
                       f"{len(blocks)} block(s): " + "; ".join(
                           "+".join(specs[i].path for i in idx) + " -> " + ",".join(c)
                           for idx, c in blocks)
                       + (f" (stopped by the budget of {max_evals} evaluations)"
                          if spent else ""))
        elif method == "nelder-mead":
            res = _nelder_mead(evaluate, x0, max_evals, tolerance)
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
                                       "blocks, nelder-mead, powell, differential-evolution")])
        if method != "blocks":
            message = str(res.message)
    except _BudgetExhausted:
        message = f"stopped after the budget of {max_evals} evaluations"
    finally:
        bar.close()
    start_key = tuple(np.round(np.clip(x0, 0.0, 1.0), 12))
    init_loss, init_fit, _ = cache[start_key]
    if end is not None:  # block-coordinate search: where it ended, not the luckiest point
        end_key = tuple(np.round(np.clip(end, 0.0, 1.0), 12))
        if cache[end_key][0] > init_loss:
            # Each block improved its own indicators at the others' expense: keep the start.
            message += (f"; its end point (loss {cache[end_key][0]:.4g}) is worse overall than "
                        f"the start ({init_loss:.4g}), so the start is kept")
            end = x0
        best["x"] = end
    key = tuple(np.round(np.clip(best["x"], 0.0, 1.0), 12))
    loss, fit, sim = cache[key]
    return CalibrationResult(
        parameters={s.path: s.value(u) for s, u in zip(specs, best["x"], strict=True)},
        initial={s.path: s.value(u) for s, u in zip(specs, x0, strict=True)},
        loss=loss, initial_loss=init_loss, fit=fit, initial_fit=init_fit,
        simulated=sim.sel(indicator=[str(c) for c in observed["indicator"].values]),
        observed=observed, history=pd.DataFrame(rows), specs=specs, method=method,
        n_evals=len(cache), message=message)
