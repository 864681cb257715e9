"""The run cache: a cached run is the run, and every input that changes a run changes its key."""

from __future__ import annotations

import pandas as pd
import pytest
import xarray as xr

from stisim.coupling import replicates as sm
from stisim.coupling import runcache as rc
from stisim.coupling.execute import execute
from stisim.coupling.strategies import spend_of_scales
from stisim.pipeline import RunInputs, build
from tests.coupling.conftest import tiny_cfg


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    from stisim.roadmap.portfolio import load_portfolio

    cache = tmp_path_factory.mktemp("runs")
    cfg = tiny_cfg("firms.count=200", "time.end_year=2026", f"coupling.run_cache_dir={cache}")
    portfolio = load_portfolio("kenya")
    budgets = execute(spend_of_scales(portfolio, pd.Series({"KE01": 1.0})), portfolio,
                      cfg).budgets
    return cfg, build(cfg), portfolio, budgets, cache


def test_a_cached_run_is_identical_to_the_simulated_one(setup):
    _, inputs, _, budgets, cache = setup
    before = dict(sm.STATS)
    fresh = sm.run_batches(inputs, [None, budgets], [11, 12])
    assert sm.STATS["runs"] - before["runs"] == 4
    assert len(list(cache.rglob("*.nc"))) == 4
    again = sm.run_batches(inputs, [None, budgets], [11, 12])
    assert sm.STATS["runs"] - before["runs"] == 4 and sm.STATS["cached"] - before["cached"] == 4
    for a, b in zip(fresh, again):
        xr.testing.assert_identical(a, b)
    # the same runs without a cache
    plain = RunInputs(cfg=tiny_cfg("firms.count=200", "time.end_year=2026"),
                      baseline=inputs.baseline)
    for a, b in zip(fresh, sm.run_batches(plain, [None, budgets], [11, 12])):
        xr.testing.assert_identical(a, b)


def test_every_input_of_a_run_is_in_its_key(setup):
    cfg, inputs, portfolio, budgets, _ = setup
    key = rc.run_key(inputs, budgets, 11)
    assert key == rc.run_key(inputs, budgets, 11)
    assert key != rc.run_key(inputs, budgets, 12)  # seed
    assert key != rc.run_key(inputs, None, 11)  # allocation
    other = execute(spend_of_scales(portfolio, pd.Series({"KE01": 1.0 + 1e-12})), portfolio,
                    cfg).budgets
    assert key != rc.run_key(inputs, other, 11)  # any bit of an amount
    for override in ("firms.count=201", "time.end_year=2027", "country=ghana",
                     "time.base_year=2021", "scenario=shocks/funding_cut"):
        changed = tiny_cfg("firms.count=200", "time.end_year=2026", override)
        assert key != rc.run_key(build(changed), budgets, 11), override
    # what no simulation reads does not change it: the loops' settings, the root seed
    same = tiny_cfg("firms.count=200", "time.end_year=2026", "compare.replicates=9",
                    "optimise.objective=sdg", "coupling.response_replicates=5", "seed=7",
                    "coupling.run_cache_dir=elsewhere")
    assert key == rc.run_key(RunInputs(cfg=same, baseline=inputs.baseline), budgets, 11)


def test_code_and_baseline_are_in_the_key(setup, monkeypatch):
    import dataclasses

    _, inputs, _, budgets, _ = setup
    key = rc.run_key(inputs, budgets, 11)
    shifted = dataclasses.replace(inputs.baseline, value=inputs.baseline.value * 1.0001)
    assert key != rc.run_key(RunInputs(cfg=inputs.cfg, baseline=shifted), budgets, 11)
    monkeypatch.setattr(rc, "environment", lambda: {"code": "edited"})
    assert key != rc.run_key(inputs, budgets, 11)


def test_a_file_under_the_wrong_name_is_not_used(setup):
    _, inputs, _, budgets, cache = setup
    sm.run_batches(inputs, [budgets], [13])
    store = rc.RunCache(cache)
    key = rc.run_key(inputs, budgets, 13)
    wrong = rc.run_key(inputs, budgets, 14)
    store.path(wrong).parent.mkdir(parents=True, exist_ok=True)
    store.path(key).replace(store.path(wrong))
    assert store.get(wrong) is None  # its stored key says 13
    store.path(key).parent.mkdir(parents=True, exist_ok=True)
    store.path(key).write_bytes(b"not netCDF")
    assert store.get(key) is None
