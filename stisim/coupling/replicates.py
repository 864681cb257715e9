"""Replicated runs of executed allocations through the one simulation
(:func:`stisim.pipeline.simulate`), scored, and their discounted gain.

Every coupled run — strategies compared, the closed loop, adaptive roadmaps, ABM response
curves — is a :func:`stisim.pipeline.simulate` run with the allocation's budget lines and a
replicate seed: the agent model with the SDG interlinkages, its first step pinned to the
baseline, exactly what ``stisim run`` computes for the same config and seed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

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
    return run_batches(inputs, [budgets], [seed])[0].isel(replicate=0, drop=True)


def run_replicates(inputs: RunInputs, budgets: Budgets | None, replicate_seeds_: list[int]
                   ) -> xr.Dataset:
    """One run per seed, stacked along ``replicate``."""
    return run_batches(inputs, [budgets], replicate_seeds_)[0]


def _raw(args) -> xr.Dataset:
    """One unscored run (the variables coupled drivers read)."""
    from stisim.coupling.runcache import essential

    inputs, budgets, seed = args
    return essential(simulate(inputs, budgets, seed=seed))


_POOL: dict[str, object] = {}


def _warm() -> None:
    """Import what a run needs (a worker's start-up, done while the parent works)."""
    import stisim.agents.model
    import stisim.sdg.interlinkages  # noqa: F401


@contextmanager
def shared_pool(workers: int, warm: bool = False) -> Iterator[None]:
    """Within the block, :func:`run_batches` with ``workers > 1`` uses one process pool
    instead of starting one per call. It starts at the first uncached run, or at once with
    ``warm`` (the workers then import the model while the parent optimises)."""
    _POOL.update(workers=int(workers), pool=None)
    if warm and workers > 1:
        pool, _ = _pool(int(workers))
        for _ in range(int(workers)):
            pool.submit(_warm)
    try:
        yield
    finally:
        pool = _POOL.pop("pool", None)
        _POOL.clear()
        if pool is not None:
            pool.shutdown()


def _pool(workers: int):
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    if _POOL.get("workers") == workers:
        if _POOL.get("pool") is None:
            _POOL["pool"] = ProcessPoolExecutor(max_workers=workers,
                                                mp_context=mp.get_context("spawn"))
        return _POOL["pool"], False
    return ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn")), True


def _execute(jobs: list, workers: int) -> list[xr.Dataset]:
    if workers > 1 and len(jobs) > 1:
        pool, own = _pool(workers)
        try:
            return list(pool.map(_raw, jobs))
        finally:
            if own:
                pool.shutdown()
    return [_raw(j) for j in jobs]


def run_batches(inputs: RunInputs, budgets: list[Budgets | list[Budgets] | None],
                replicate_seeds_: list[int], workers: int = 1) -> list[xr.Dataset]:
    """:func:`run_replicates` for several allocations, the runs spread over ``workers``
    processes (each run is seeded, so the result does not depend on ``workers``). An
    allocation given as a list holds one :class:`Budgets` per replicate (money executed with
    that replicate's draws, e.g. finance-channel disbursement). Workers are
    spawned (not forked: the parent may hold solver and BLAS threads). With
    ``coupling.run_cache_dir`` set, runs are read from and written to the run cache
    (:mod:`stisim.coupling.runcache`) and only the missing ones are simulated."""
    from stisim.coupling.runcache import RunCache, inputs_digest, run_key

    jobs = [(inputs, b[r] if isinstance(b, list) else b, s)
            for b in budgets for r, s in enumerate(replicate_seeds_)]
    cache = RunCache.of(inputs.cfg)
    done: list[xr.Dataset | None] = [None] * len(jobs)
    keys: list[str] = []
    if cache is not None:
        base = inputs_digest(inputs)
        keys = [run_key(inputs, b, s, base) for _, b, s in jobs]
        done = [cache.get(k) for k in keys]
    todo = [i for i, d in enumerate(done) if d is None]
    for i, raw in zip(todo, _execute([jobs[i] for i in todo], workers)):
        if cache is not None:
            cache.put(keys[i], raw)
        done[i] = raw
    STATS["runs"] += len(todo)
    STATS["cached"] += len(jobs) - len(todo)
    n = len(replicate_seeds_)
    scored_ = [scored(d) for d in done]
    return [xr.concat(scored_[i * n:(i + 1) * n], dim="replicate", coords="minimal",
                      compat="override").assign_coords(replicate=np.arange(n))
            for i in range(len(budgets))]


# Runs simulated and read from the run cache in this process (progress reports).
STATS = {"runs": 0, "cached": 0}


def discounted_gain(index: xr.DataArray, reference: xr.DataArray, years: np.ndarray,
                    rate: float) -> xr.DataArray:
    """Sum over the roadmap years of (1+r)^-(t - t0) x (index - reference): SDG-index
    points x years, the agent-model counterpart of the optimiser's sdg objective."""
    t = index["time"].values
    sel = (t >= years[0]) & (t <= years[-1])
    w = xr.DataArray(discount_factors(rate, t[sel], years[0]), dims="time",
                     coords={"time": t[sel]})
    return ((index - reference).isel(time=np.where(sel)[0]) * w).sum("time")
