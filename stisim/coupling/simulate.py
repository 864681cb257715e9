"""Agent-model runs of executed allocations, with replicate seeds and SDG scores."""

from __future__ import annotations

import dataclasses

import numpy as np
import xarray as xr

from stisim.agents.model import build_model
from stisim.agents.policy import Budgets
from stisim.pipeline import RunInputs
from stisim.roadmap.discount import discount_factors
from stisim.sdg.scores import goal_scores, index_score, normalise
from stisim.seeds import common_seeds

KEEP = ("indicator_value", "disbursed", "delivered")


def seeds(seed: int, replicates: int) -> list[int]:
    """Replicate seeds (common random numbers: replicate r has the same seed everywhere)."""
    return common_seeds(seed, replicates)


def with_seed(inputs: RunInputs, seed: int) -> RunInputs:
    return RunInputs(cfg=dataclasses.replace(inputs.cfg, seed=int(seed)),
                     baseline=inputs.baseline)


def rebind(inputs: RunInputs, cfg) -> RunInputs:
    """Inputs with this config (the baseline is the same for a country and base year)."""
    if inputs.cfg is cfg:
        return inputs
    return RunInputs(cfg=cfg, baseline=inputs.baseline)


def scored(ds: xr.Dataset) -> xr.Dataset:
    """Indicator values with SDR scores, goal scores and the SDG index."""
    out = ds[[v for v in KEEP if v in ds]]
    score = normalise(out["indicator_value"])
    goals = goal_scores(score)
    return out.assign(indicator_score=score, goal_score=goals, sdg_index=index_score(goals))


def run_once(inputs: RunInputs, budgets: Budgets | None, seed: int) -> xr.Dataset:
    model = build_model(with_seed(inputs, seed), budgets)
    return scored(model.run().recorder.dataset())


def run_replicates(inputs: RunInputs, budgets: Budgets | None, replicate_seeds_: list[int]
                   ) -> xr.Dataset:
    """One run per seed, stacked along ``replicate``."""
    runs = [run_once(inputs, budgets, s) for s in replicate_seeds_]
    return xr.concat(runs, dim="replicate", coords="minimal", compat="override").assign_coords(
        replicate=np.arange(len(runs)))


def discounted_gain(index: xr.DataArray, reference: xr.DataArray, years: np.ndarray,
                    rate: float) -> xr.DataArray:
    """Sum over the roadmap years of (1+r)^-(t - t0) x (index - reference): SDG-index
    points x years, the agent-model counterpart of the optimiser's sdg objective."""
    t = index["time"].values
    sel = (t >= years[0]) & (t <= years[-1])
    w = xr.DataArray(discount_factors(rate, t[sel], years[0]), dims="time",
                     coords={"time": t[sel]})
    return ((index - reference).isel(time=np.where(sel)[0]) * w).sum("time")
