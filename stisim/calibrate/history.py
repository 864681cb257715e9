"""``stisim calibrate``: fit config parameters to a country's observed history.

:func:`run_calibration` ties a validated config to a simulator
(:mod:`stisim.calibrate.simulators`), checks the fitted parameters against the config schema,
runs the search (:mod:`stisim.calibrate.search`), writes ``calibration.nc`` and a scenario
file that selects the fit (:mod:`stisim.calibrate.outputs`).
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xarray as xr

from stisim.calibrate.outputs import fit_table, to_dataset, write_scenario
from stisim.calibrate.search import (
    CalibrationResult,
    Parameter,
    calibrate,
    fit_errors,
    loss_of,
    observed_table,
)
from stisim.calibrate.simulators import (
    _get,
    hindcast_simulator,
    pipeline_simulator,
    with_overrides,
)
from stisim.config.kernel import interval_violations
from stisim.config.validate import StisimConfig
from stisim.errors import ConfigError, DataError, Problem


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
        broken = interval_violations(spec.lower, spec.upper, fields[name].metadata)
        if broken:
            problems.append(Problem(where, f"interval outside the allowed range of {spec.path}",
                                    (spec.lower, spec.upper), " and ".join(broken)))
    return problems


def specs_of(cfg: StisimConfig) -> list[Parameter]:
    return [Parameter(p.path, float(p.lower), float(p.upper),
                      None if p.initial is None else float(p.initial),
                      tuple(str(c) for c in (p.indicators or [])))
            for p in cfg.calibrate.parameters]


def identified(specs: Sequence[Parameter], observed: xr.DataArray
               ) -> tuple[list[Parameter], dict[str, str]]:
    """Split ``specs`` into those to fit and those to hold: a parameter whose governed
    indicators (``Parameter.indicators``) are all unobserved in ``observed`` cannot be
    identified from the data, so it keeps its config value."""
    seen = {str(c) for c in observed["indicator"].values
            if np.isfinite(observed.sel(indicator=c).to_numpy()).any()}
    fit, held = [], {}
    for spec in specs:
        if spec.indicators and not seen.intersection(spec.indicators):
            t = observed["time"].to_numpy()
            held[spec.path] = (f"no observation of {', '.join(spec.indicators)} in "
                               f"{t[0]:g}-{t[-1]:g}")
        else:
            fit.append(spec)
    return fit, held


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
    fixed = {f.path: float(f.value) for f in c.fixed}
    problems = parameter_problems(cfg, specs) + [
        Problem(p.path.replace("calibrate.parameters", "calibrate.fixed"), p.message, p.value,
                p.allowed)
        for p in parameter_problems(cfg, [Parameter(k, v, v + 1.0) for k, v in fixed.items()])
        if not p.message.startswith("interval")]
    if problems:
        raise ConfigError(problems, title="cannot calibrate")
    if fixed:
        cfg = with_overrides(cfg, fixed)
    t = cfg.time
    # Nothing observed after the end of the window reaches the fit or the start state.
    baseline = load_baseline(cfg.country.m49, t.base_year, t.end_year)
    observed = observed_table(baseline.observed, c.indicators, t.base_year, t.end_year)
    if not np.isfinite(observed.to_numpy()).any():
        raise DataError(f"{baseline.name} has no observations of {', '.join(c.indicators)} in "
                        f"{t.base_year + 1}-{t.end_year}: nothing to fit")
    fitted, held = identified(specs, observed)
    if not fitted:
        raise DataError(f"{baseline.name}: none of the parameters can be fitted ("
                        + "; ".join(f"{k}: {v}" for k, v in held.items()) + ")")
    if c.simulator == "hindcast":
        simulate = hindcast_simulator(cfg)
    else:
        simulate = pipeline_simulator(cfg, c.replicates, t.end_year)
    # The config as given: the uncalibrated trajectory the fit is compared with.
    probe = simulate({})["indicator_value"]
    if probe.sizes.get("time", 0) < 2:
        raise DataError("this build has no agent model (stisim.agents): the pipeline "
                        "simulates the base year only, so there is no trajectory to fit. "
                        "Use calibration=interlinkages to fit the interlinkage "
                        "parameters on history, or run with the agent model installed.")
    uncalibrated = fit_errors(probe, observed)
    current = {s.path: _get(cfg.to_container(), s.path) for s in fitted}
    result = calibrate(simulate, observed, fitted, method=c.method, max_evals=c.max_evals,
                       tolerance=c.tolerance, seed=cfg.seed, current=current,
                       progress=progress, desc=f"calibrate {baseline.iso3}",
                       prior_weight=c.prior_weight)
    result.uncalibrated_fit = uncalibrated
    result.uncalibrated_loss = loss_of(uncalibrated)
    result.held = held
    result.fixed = fixed
    # Base-year values not observed in the base year (flagged by the baseline loader).
    result.imputed = {code: str(baseline.method[code]) for code in c.indicators
                      if bool(baseline.imputed[code])}
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
        preset = "agents" if c.simulator == "pipeline" else "interlinkages"
        size = f", firms.count={cfg.firms.count}" if hasattr(cfg, "firms") and \
            c.simulator == "pipeline" else ""
        header = (f"Calibrated by `stisim calibrate country={slug} calibration={preset}` "
                  f"({c.method}, {result.n_evals} runs, seed={cfg.seed}{size})\n"
                  f"to {baseline.name}'s observed {t.base_year + 1}-{t.end_year} series.\n"
                  f"Loss (mean squared NRMSE, score points^2): {result.uncalibrated_loss:.4g} "
                  f"uncalibrated, {result.initial_loss:.4g} at the search start, "
                  f"{result.loss:.4g} fitted.\n"
                  + "".join(f"Not fitted: {k} ({v}).\n" for k, v in held.items())
                  + "".join(f"Set, not fitted: {k} = {v:g}.\n" for k, v in fixed.items())
                  + "".join(f"Base-year {k} {v}.\n" for k, v in result.imputed.items())
                  + "\n" + fit_table(result))
        scenario_path = write_scenario(
            result, root / f"{name}.yaml", name.replace("/", "_"),
            f"Parameters fitted to {baseline.name}'s {t.base_year + 1}-{t.end_year} history "
            f"({', '.join(c.indicators)}).", header)
    if scenario_path is not None:
        # Make the new scenario selectable in this process too (notebooks, multiruns).
        importlib.import_module("stisim.config.compose").rescan()
    return CalibrationRun(result, dataset_path, scenario_path, name if c.save else None)
