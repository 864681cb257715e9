"""Same config and seed: identical dataset; different seeds: different trajectories."""

from __future__ import annotations

import numpy as np

from stisim.dataset import identical_results
from stisim.pipeline import finalize, simulate
from tests.agents.conftest import small_inputs

ARGS = ("country=ghana", "time.end_year=2030")


def _run(*extra: str):
    inputs = small_inputs(*ARGS, *extra)
    return finalize(simulate(inputs), inputs)


def test_same_seed_same_dataset():
    a, b = _run("seed=7"), _run("seed=7")
    assert identical_results(a, b)


def test_different_seeds_different_trajectories():
    a, b = _run("seed=7"), _run("seed=8")
    va, vb = a["indicator_value"], b["indicator_value"]
    # Same baseline, then the trajectories part.
    np.testing.assert_allclose(va.isel(time=0).values, vb.isel(time=0).values, rtol=1e-6)
    assert not np.array_equal(va.isel(time=-1).values, vb.isel(time=-1).values)
    assert not np.array_equal(a["adoption_share"].values, b["adoption_share"].values)
    assert a.attrs["seed"] == 7 and b.attrs["seed"] == 8
