"""The one pipeline: compose → validate → build → simulate → Dataset → write.

Each arrow is a plain function usable from a notebook::

    import stisim
    cfg = stisim.load_config("run", ["country=kenya", "seed=3"])
    ds = stisim.run(cfg)
    stisim.write_dataset(ds, "kenya.nc")

The command line (:mod:`stisim.cli`) and the drivers (comparison, closed loop, adaptive
roadmaps, response curves, calibration, sweeps) are thin layers over these functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

from stisim.baseline import Baseline, load_baseline
from stisim.config.validate import StisimConfig
from stisim.data.indicators import registry
from stisim.dataset import annotate, provenance_attrs
from stisim.sdg.scores import goal_scores, index_score, normalise


@dataclass
class RunInputs:
    """Everything a simulation needs, built from a validated config."""

    cfg: StisimConfig
    baseline: Baseline


def build(cfg: StisimConfig) -> RunInputs:
    """Load the country's real baseline for the configured base year."""
    return RunInputs(cfg=cfg, baseline=load_baseline(cfg.country.m49, cfg.time.base_year))


def baseline_values(inputs: RunInputs) -> xr.DataArray:
    """The real baseline as ``indicator_value(time=[base_year], indicator)``."""
    b = inputs.baseline
    return xr.DataArray(b.value.to_numpy(float)[None, :], dims=("time", "indicator"),
                        coords={"time": [float(b.base_year)], "indicator": list(b.value.index)})


def simulate(inputs: RunInputs) -> xr.Dataset:
    """Run the agent model of the innovation system from the baseline.

    Returns a Dataset with at least ``indicator_value(time, indicator)``; its first time step
    equals the real baseline.
    """
    try:
        from stisim.agents.model import simulate_agents
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("stisim.agents"):
            ds = xr.Dataset({"indicator_value": baseline_values(inputs)})
            ds.attrs["coverage"] = ("base year only: this build has no agent model, so no "
                                    "trajectory is simulated")
            return ds
        raise
    return pin_baseline(interlink(simulate_agents(inputs), inputs), inputs)


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


def interlink(ds: xr.Dataset, inputs: RunInputs) -> xr.Dataset:
    """Move the network-driven indicators through the SDG interlinkages
    (:func:`stisim.sdg.interlinkages.apply_interlinkages`); a base-year-only result is
    returned unchanged."""
    if "indicator_value" not in ds or ds.sizes.get("time", 0) < 2:
        return ds
    from stisim.sdg.interlinkages import apply_interlinkages

    values = apply_interlinkages(ds["indicator_value"], inputs.baseline, inputs.cfg)
    ds = ds.reindex(indicator=values["indicator"].values).assign(indicator_value=values)
    ds.attrs["sdg_interlinkages"] = values.attrs["sdg_interlinkages"]
    return ds


def finalize(ds: xr.Dataset, inputs: RunInputs, extra_attrs: dict[str, Any] | None = None
             ) -> xr.Dataset:
    """Add scores, indicator metadata and provenance; document every variable."""
    reg = registry().loc[ds["indicator"].values]
    b = inputs.baseline
    scores = normalise(ds["indicator_value"])
    goals = goal_scores(scores)
    ds = ds.assign(
        indicator_score=scores,
        goal_score=goals,
        sdg_index=index_score(goals),
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
