"""What a calibration writes: the result Dataset, the fit table and the scenario file."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr
import yaml

from stisim.calibrate.search import CalibrationResult
from stisim.dataset import annotate, register_variables

KIND = "calibration"  # the kind of Dataset variables.yml beside this module documents
with (Path(__file__).with_name("variables.yml")).open(encoding="utf-8") as _fh:
    register_variables(yaml.safe_load(_fh), kind=KIND)


def to_dataset(result: CalibrationResult) -> xr.Dataset:
    """The calibration result as a documented Dataset."""
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
    if result.uncalibrated_fit is not None:
        ds["uncalibrated_rmse"] = ("indicator", result.uncalibrated_fit["rmse"].to_numpy(float))
        ds["uncalibrated_nrmse"] = ("indicator",
                                    result.uncalibrated_fit["nrmse"].to_numpy(float))
        ds.attrs["uncalibrated_loss"] = result.uncalibrated_loss
    ds.attrs.update(result.attrs)
    ds.attrs.update(method=result.method, n_evals=result.n_evals, message=result.message,
                    loss=result.loss, initial_loss=result.initial_loss,
                    held_parameters="; ".join(f"{k}: {v}" for k, v in result.held.items()),
                    fixed_parameters="; ".join(f"{k} = {v:g}" for k, v in result.fixed.items()),
                    baseline_imputed="; ".join(f"{k}: {v}" for k, v in result.imputed.items()))
    return annotate(ds, KIND)


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
    """Fit per indicator: RMSE, NRMSE fitted, at the search start and uncalibrated."""
    from stisim.summary import table

    unc = result.uncalibrated_fit
    rows = []
    for code, r in result.fit.iterrows():
        init = result.initial_fit.loc[code, "nrmse"]
        row = [code, str(int(r.n_obs)),
               "-" if r.n_obs == 0 else f"{r.rmse:.4g}", r.unit,
               "-" if r.n_obs == 0 else f"{r.nrmse:.2f}",
               "-" if r.n_obs == 0 else f"{init:.2f}"]
        if unc is not None:
            row.append("-" if r.n_obs == 0 else f"{unc.loc[code, 'nrmse']:.2f}")
        rows.append(row)
    head = ["indicator", "n", "RMSE", "unit", "NRMSE (score pts)", "at start"]
    return table(rows, head + (["uncalibrated"] if unc is not None else []))


def write_scenario(result: CalibrationResult, path: str | Path, name: str,
                   description: str, header: str = "") -> Path:
    """Write the fitted parameters as a scenario file (``# @package _global_``), atomically."""
    values = {**result.fixed, **result.parameters}
    content = _nest({k: float(f"{v:.6g}") for k, v in values.items()})
    content["scenario"] = {"name": name, "description": description}
    comment = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
    text = "# @package _global_\n" + comment + yaml.safe_dump(content, sort_keys=False)
    from stisim.io import write_text

    return write_text(path, text)
