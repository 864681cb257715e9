"""Replicated runs of executed allocations through the one simulation
(:func:`stisim.pipeline.simulate`), scored, and their discounted gain.

Every coupled run — strategies compared, the closed loop, adaptive roadmaps, ABM response
curves — is a :func:`stisim.pipeline.simulate` run with the allocation's budget lines and a
replicate seed: the agent model with the SDG interlinkages, its first step pinned to the
baseline, exactly what ``stisim run`` computes for the same config and seed.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from stisim.agents.policy import Budgets
from stisim.pipeline import RunInputs, simulate
from stisim.roadmap.discount import discount_factors
from stisim.sdg.scores import add_scores
from stisim.seeds import common_seeds

KEEP = ("indicator_value", "disbursed", "delivered")


def seeds(seed: int, replicates: int) -> list[int]:
    """Replicate seeds (common random numbers: replicate r has the same seed everywhere)."""
    return common_seeds(seed, replicates)


def rebind(inputs: RunInputs, cfg) -> RunInputs:
    """Inputs with this config (the baseline is the same for a country and base year)."""
    if inputs.cfg is cfg:
        return inputs
    return RunInputs(cfg=cfg, baseline=inputs.baseline)


def scored(ds: xr.Dataset) -> xr.Dataset:
    """Indicator values with SDR scores, goal scores and the SDG index."""
    return add_scores(ds[[v for v in KEEP if v in ds]])


def run_replicate(inputs: RunInputs, budgets: Budgets | None, seed: int) -> xr.Dataset:
    """One scored run of the allocation ``budgets`` (None: no roadmap) with ``seed``."""
    return scored(simulate(inputs, budgets, seed=seed))


def run_replicates(inputs: RunInputs, budgets: Budgets | None, replicate_seeds_: list[int]
                   ) -> xr.Dataset:
    """One run per seed, stacked along ``replicate``."""
    runs = [run_replicate(inputs, budgets, s) for s in replicate_seeds_]
    return xr.concat(runs, dim="replicate", coords="minimal", compat="override").assign_coords(
        replicate=np.arange(len(runs)))


def _one(args) -> xr.Dataset:
    inputs, budgets, seed = args
    return run_replicate(inputs, budgets, seed)


def run_batches(inputs: RunInputs, budgets: list[Budgets | None], replicate_seeds_: list[int],
                workers: int = 1) -> list[xr.Dataset]:
    """:func:`run_replicates` for several allocations, the runs spread over ``workers``
    processes (each run is seeded, so the result does not depend on ``workers``). Workers are
    spawned (not forked: the parent may hold solver and BLAS threads)."""
    jobs = [(inputs, b, s) for b in budgets for s in replicate_seeds_]
    if workers > 1 and len(jobs) > 1:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=workers,
                                 mp_context=mp.get_context("spawn")) as pool:
            done = list(pool.map(_one, jobs))
    else:
        done = [_one(j) for j in jobs]
    n = len(replicate_seeds_)
    return [xr.concat(done[i * n:(i + 1) * n], dim="replicate", coords="minimal",
                      compat="override").assign_coords(replicate=np.arange(n))
            for i in range(len(budgets))]


def discounted_gain(index: xr.DataArray, reference: xr.DataArray, years: np.ndarray,
                    rate: float) -> xr.DataArray:
    """Sum over the roadmap years of (1+r)^-(t - t0) x (index - reference): SDG-index
    points x years, the agent-model counterpart of the optimiser's sdg objective."""
    t = index["time"].values
    sel = (t >= years[0]) & (t <= years[-1])
    w = xr.DataArray(discount_factors(rate, t[sel], years[0]), dims="time",
                     coords={"time": t[sel]})
    return ((index - reference).isel(time=np.where(sel)[0]) * w).sum("time")
