"""The simulators a calibration fits: the one simulation path of stisim, or the interlinkage
dynamics alone.

* :func:`pipeline_simulator` runs :func:`stisim.pipeline.simulate` (agents, then
  interlinkages, first step pinned to the baseline): exactly what ``stisim run`` computes;
* :func:`hindcast_simulator` runs the interlinkage dynamics alone, the agent-driven
  indicators forced by their observed history.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import xarray as xr

from stisim.calibrate.search import Simulator
from stisim.config.validate import StisimConfig, validate
from stisim.data.indicators import registry


def _get(container: Mapping[str, Any], path: str) -> Any:
    node: Any = container
    for part in path.split("."):
        node = node[part]
    return node


def with_overrides(cfg: StisimConfig, overrides: Mapping[str, Any]) -> StisimConfig:
    """A validated copy of ``cfg`` with ``overrides`` (dotted path -> value) applied."""
    return container_with(cfg.to_container(), overrides)


def container_with(container: Mapping[str, Any], overrides: Mapping[str, Any]
                   ) -> StisimConfig:
    """The validated config of a copy of ``container`` with ``overrides`` (dotted path ->
    value) applied; ``container`` is left as it is."""
    import copy

    container = copy.deepcopy(dict(container))
    for path, value in overrides.items():
        *parents, leaf = path.split(".")
        node = container
        for part in parents:
            node = node[part]
        node[leaf] = value
    return validate(container)


def pipeline_simulator(cfg: StisimConfig, replicates: int = 1,
                       data_until: int | None = None) -> Simulator:
    """The full model (agent model, then interlinkages) as a simulator, its start state
    built from data up to ``data_until`` (:func:`stisim.pipeline.build`).

    With ``replicates > 1`` each evaluation averages the runs of the common replicate seeds
    of ``cfg.seed`` (:func:`stisim.seeds.averaged_seeds`; the same seeds at every
    evaluation).
    """
    from stisim.pipeline import build, simulate
    from stisim.seeds import averaged_seeds

    seeds = averaged_seeds(cfg.seed, replicates)

    def run(overrides: dict[str, Any]) -> xr.Dataset:
        runs = []
        for seed in seeds:
            c = with_overrides(cfg, {**overrides, "seed": seed})
            runs.append(simulate(build(c, data_until))["indicator_value"])
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
    agent-driven indicators forced by their observed history (:func:`forced_history`) up to
    ``end_year``."""
    from stisim.baseline import load_baseline
    from stisim.sdg.interlinkages import apply_interlinkages

    baseline = load_baseline(cfg.country.m49, cfg.time.base_year, cfg.time.end_year)
    reg = registry()
    agents = list(reg.index[reg.driver == "agents"])
    forced = forced_history(baseline, agents, cfg.time.end_year)
    values = forced.reindex(indicator=list(reg.index))

    def run(overrides: dict[str, Any]) -> xr.Dataset:
        c = with_overrides(cfg, overrides) if overrides else cfg
        return xr.Dataset({"indicator_value": apply_interlinkages(values, baseline, c)})

    return run
