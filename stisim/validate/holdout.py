"""``stisim validate``: fit on the years up to ``fit_end``, predict the held-out years, score
the prediction and statistical baselines by NRMSE.

For each country: the calibration (:func:`stisim.calibrate.run_calibration`) fits the
``calibrate`` parameters on ``fit_start .. fit_end`` with a baseline and country inputs built
from data up to ``fit_end`` only (:func:`stisim.baseline.load_baseline` with ``data_until``,
:mod:`stisim.data.macro` with ``up_to``); the model then starts again in ``fit_end`` from the
data known then, with the fitted parameters, and runs to the last held-out year for
``validate.replicates`` seeds. The baselines (:mod:`stisim.validate.baselines`) see the same
observations. Scores: NRMSE = 100 x RMSE / |optimum - lower| (the SDR normalisation span) over
the held-out years with observations; skill = 1 - NRMSE(model) / NRMSE(best baseline).
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from stisim.config.validate import StisimConfig
from stisim.errors import ConfigError, Problem
from stisim.validate.params import BASELINES, find_country


@dataclass
class CountryValidation:
    """One country's held-out validation (arrays over ``years`` x ``indicators``)."""

    m49: int
    iso3: str
    name: str
    years: list[int]
    indicators: list[str]
    test_end: int
    observed: np.ndarray
    fitted: np.ndarray
    predicted: np.ndarray
    predicted_se: np.ndarray
    baselines: dict[str, np.ndarray]
    baseline_notes: dict[str, list[str]]
    parameters: dict[int, dict[str, float]]  # window end -> path -> value
    held: dict[int, dict[str, str]]  # window end -> path -> why not fitted
    fit_nrmse: np.ndarray
    fallbacks: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def country_section(spec: str) -> dict[str, Any]:
    """The ``country`` config section of a preset name, slug or M49 code."""
    import yaml

    from stisim.config.compose import config_dir
    from stisim.data import countries

    m49 = find_country(spec)
    if m49 is None:
        raise ConfigError([Problem("validate.countries", "not a known country", spec,
                                   "a preset (e.g. kenya), a slug of the shipped data (e.g. "
                                   "south_africa) or an M49 code")])
    row = countries().loc[m49]
    preset = config_dir() / "country" / f"{row['slug']}.yaml"
    if preset.exists():
        with preset.open(encoding="utf-8") as fh:
            return dict(yaml.safe_load(fh))
    return {"m49": m49, "name": row["name"], "iso3": row["iso3"],
            "un_region": row["un_region"], "laumann_region": row["laumann_region"]}


def _with(container: dict[str, Any], overrides: dict[str, Any]) -> StisimConfig:
    from stisim.calibrate.simulators import container_with

    return container_with(container, overrides)


def _fit(container: dict[str, Any], start: int, end: int, run_dir: Path, progress: bool):
    from stisim.calibrate import run_calibration

    fixed = [dict(f) for f in container["calibrate"]["fixed"]]
    for f in fixed:  # trend end years follow the window (``${time.end_year}`` in the presets)
        if str(f["path"]).endswith("_end_year"):
            f["value"] = end
    cfg = _with(container, {"time.base_year": start, "time.end_year": end,
                            "calibrate.save": False, "calibrate.fixed": fixed})
    return run_calibration(cfg, run_dir, progress=progress).result


def _predict(container: dict[str, Any], parameters: dict[str, float], window, codes: list[str],
             years: list[int], fit_end: int, v: dict[str, Any],
             bounds: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The model's held-out prediction (mean and standard error over the replicate seeds).

    ``validate.start = fit_start``: the fitted back-cast run continued past ``fit_end``, each
    replicate moved by the gap between the last observation of the window and its own value
    in that year (intercept correction; Clements & Hendry 1998, Forecasting Economic Time
    Series, ch. 8), so the forecast keeps the model's path and the observed level; rates of
    change (indicators that may be negative) keep the fitted level instead.
    ``validate.start = fit_end``: the model started again in ``fit_end`` from the data known
    then (its first step pinned to them). In both, the fitted business-as-usual trends (R&D
    budget share, researcher cost, renewable share of the energy mix) are damped after
    ``fit_end`` by ``validate.trend_damping`` per year (:mod:`stisim.agents.trends`).
    """
    from stisim.pipeline import build, simulate
    from stisim.seeds import averaged_seeds

    fit_start, test_end = years[0], years[-1]
    restart = v["start"] == "fit_end"
    phi = float(v["trend_damping"])
    overrides = {**parameters, "time.base_year": fit_end if restart else fit_start,
                 "time.end_year": test_end,
                 "ministries.rd_budget_trend_end_year": fit_end,
                 "ministries.rd_budget_trend_damping": phi,
                 "institutes.researcher_cost_trend_end_year": fit_end,
                 "institutes.researcher_cost_trend_damping": phi,
                 "macro.grid_renewable_trend_end_year": fit_end,
                 "macro.grid_renewable_trend_damping": phi}
    last = {}
    for j, code in enumerate(codes):
        seen = window[code].dropna()
        # Levels are moved onto their last observation; rates of change (those that may be
        # negative, e.g. 8.2.1) are not: one year's rate is noise around the fitted level.
        if len(seen) and not restart and bounds[0][j] >= 0:
            last[j] = (float(seen.index[-1]), float(seen.iloc[-1]))
    runs = []
    for seed in averaged_seeds(int(container["seed"]), int(v["replicates"])):
        cfg = _with(container, {**overrides, "seed": seed})
        sim = simulate(build(cfg, data_until=fit_end))["indicator_value"].sel(indicator=codes)
        path = np.full((len(years), len(codes)), np.nan)
        times = sim["time"].to_numpy()
        for i, y in enumerate(years):
            if float(y) in times:
                path[i] = sim.sel(time=float(y)).to_numpy()
        for j, (year, value) in last.items():
            path[:, j] += value - path[years.index(int(year)), j]
        runs.append(np.clip(path, bounds[0], bounds[1]))
    stack = np.stack(runs)
    se = (stack.std(axis=0, ddof=1) / np.sqrt(len(runs)) if len(runs) > 1
          else np.zeros_like(stack[0]))
    return stack.mean(axis=0), se


def validate_country(container: dict[str, Any], spec: str, run_dir: str | Path,
                     progress: bool = False) -> CountryValidation:
    """Fit, predict and score one country (``container``: the resolved validate config)."""
    from stisim.baseline import observed_series
    from stisim.data.indicators import registry
    from stisim.pipeline import build
    from stisim.validate import baselines as bl

    v = container["validate"]
    container = {**container, "country": country_section(spec)}
    m49 = int(container["country"]["m49"])
    codes = [str(c) for c in v["indicators"]]
    fit_start, fit_end = int(v["fit_start"]), int(v["fit_end"])
    truth = observed_series(m49, codes)  # scoring only: never handed to the fit
    seen_after = truth.loc[truth.index > fit_end].dropna(how="all")
    test_end = int(v["test_end"] or (seen_after.index.max() if len(seen_after) else fit_end + 1))
    years = list(range(fit_start, test_end + 1))
    held_years = [y for y in years if y > fit_end]
    run_dir = Path(run_dir)
    iso3 = str(container["country"]["iso3"])

    result = _fit(container, fit_start, fit_end, run_dir / "fits" / f"{iso3}_{fit_end}",
                  progress)
    parameters = {fit_end: dict(result.parameters)}
    held = {fit_end: dict(result.held)}
    sim = result.simulated.sel(indicator=codes)
    fitted = np.full((len(years), len(codes)), np.nan)
    for i, y in enumerate(years):
        if y <= fit_end and float(y) in sim["time"].values:
            fitted[i] = sim.sel(time=float(y)).to_numpy()

    observed = truth.reindex(index=years, columns=codes).to_numpy(float)
    reg = registry().loc[codes]
    low, high = reg["valid_min"].to_numpy(float), reg["valid_max"].to_numpy(float)
    window = truth.loc[(truth.index >= fit_start) & (truth.index <= fit_end)]
    k = len(years) - len(held_years)
    predicted, se = _predict(container, result.parameters, window, codes, years, fit_end,
                             v, (low, high))
    predicted[:k] = np.nan
    se[:k] = np.nan

    forecasts: dict[str, np.ndarray] = {}
    notes: dict[str, list[str]] = {}
    for method in BASELINES:
        out = np.full((len(years), len(codes)), np.nan)
        notes[method] = []
        for j, code in enumerate(codes):
            series = window[code].dropna()
            values, how = bl.forecast(
                method, series.index.to_numpy(float), series.to_numpy(float), fit_end,
                held_years, int(v["trend_years"]),
                (float(reg.loc[code, "valid_min"]), float(reg.loc[code, "valid_max"])))
            out[k:, j] = values
            notes[method].append(how)
        forecasts[method] = out

    if v["refit_end"] is not None and int(v["refit_end"]) != fit_end:
        end = int(v["refit_end"])
        second = _fit(container, fit_start, end, run_dir / "fits" / f"{iso3}_{end}", progress)
        parameters[end] = dict(second.parameters)
        held[end] = dict(second.held)

    from stisim.agents.country import country_inputs

    base_cfg = _with(container, {"time.base_year": fit_end, "time.end_year": test_end})
    inputs = build(base_cfg, data_until=fit_end)
    flags = country_inputs(base_cfg, inputs.baseline).flags
    return CountryValidation(
        m49=m49, iso3=iso3, name=str(container["country"]["name"]), years=years,
        indicators=codes, test_end=test_end, observed=observed, fitted=fitted,
        predicted=predicted, predicted_se=se, baselines=forecasts, baseline_notes=notes,
        parameters=parameters, held=held,
        fit_nrmse=result.fit.reindex(codes)["nrmse"].to_numpy(float), fallbacks=flags)


def _one(container: dict[str, Any], spec: str, run_dir: str | Path, progress: bool
         ) -> CountryValidation | str:
    from stisim.errors import StisimError

    try:
        return validate_country(container, spec, run_dir, progress)
    except StisimError as exc:  # a country whose data cannot be fitted: reported, not fatal
        return f"{spec}: {exc}"


def run_validation(cfg: StisimConfig, run_dir: str | Path, progress: bool = True
                   ) -> tuple[list[CountryValidation], list[str]]:
    """Every country of ``cfg.validate.countries`` (in parallel with ``validate.workers``):
    the validations, and why any country could not be validated."""
    container = cfg.to_container()
    specs = [str(c) for c in cfg.validate.countries]
    for spec in specs:  # fail before any fit on an unknown name
        country_section(spec)
    if cfg.validate.workers > 1 and len(specs) > 1:
        import multiprocessing

        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(min(cfg.validate.workers, len(specs)), mp_context=ctx) as ex:
            futures = [ex.submit(_one, container, s, run_dir, False) for s in specs]
            done = [f.result() for f in futures]
    else:
        done = [_one(container, s, run_dir, progress) for s in specs]
    results = [r for r in done if isinstance(r, CountryValidation)]
    failed = [r for r in done if isinstance(r, str)]
    if not results:
        from stisim.errors import DataError

        raise DataError("no country could be validated: " + "; ".join(failed))
    return results, failed
