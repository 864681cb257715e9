"""Verdicts with power: sample size from a pilot batch, measured variance reduction,
response curves by bounded concave fits, actions without an agent mechanism reported."""

from __future__ import annotations

import json

import numpy as np
from scipy import stats

from stisim.coupling import compare as cmp
from stisim.coupling import power
from stisim.coupling import replicates as sm
from stisim.coupling.abm_responses import concave_fit, shrinkage
from stisim.coupling.execute import mechanism, without_mechanism
from stisim.roadmap.responses import is_concave
from tests.coupling.conftest import tiny_cfg


def test_replicates_for_is_the_smallest_n_with_the_half_width():
    n = power.replicates_for(1.0, 0.5)
    assert stats.t.ppf(0.975, n - 1) / np.sqrt(n) <= 0.5
    assert stats.t.ppf(0.975, n - 2) / np.sqrt(n - 1) > 0.5
    assert power.replicates_for(0.0, 0.1) == 2


def test_concave_fit_is_concave_through_zero_and_exact_on_concave_points():
    levels = np.array([0.5, 1.0, 2.0])
    concave = np.array([[1.0, 1.6, 2.0]])
    np.testing.assert_allclose(concave_fit(levels, concave), concave[0], atol=1e-9)
    convex = np.array([[0.1, 0.3, 2.0], [0.0, 0.4, 1.6]])
    fit = concave_fit(levels, convex)
    assert is_concave(np.r_[0.0, levels], np.r_[0.0, fit])
    # the least-squares line through 0 of these points (their fit is linear)
    slopes = fit / levels
    np.testing.assert_allclose(slopes, slopes[0], rtol=1e-6)


def test_shrinkage_drops_noise_and_keeps_signal():
    assert shrinkage(np.array([1.0, -1.2, 0.9, -0.8])) == 0.0
    assert shrinkage(np.array([1.0, 1.01, 0.99, 1.0])) > 0.99


def test_actions_without_their_own_mechanism_are_listed():
    from stisim.roadmap.portfolio import load_portfolio

    assert mechanism("research_grants")[0] == "own"
    assert mechanism("incubation")[0] == "proxy"
    assert mechanism("governance")[0] == "none"
    p = load_portfolio("kenya")
    table = without_mechanism(p)
    assert set(table["status"]) <= {"proxy", "none"}
    for a in table["action"]:
        assert mechanism(p.actions.loc[a, "instrument"])[0] != "own"


def test_workers_do_not_change_the_runs(tiny):
    cfg, portfolio, inputs = tiny
    from stisim.coupling.execute import execute
    from stisim.coupling.strategies import allocate

    budgets = [None, execute(allocate("equal_split", portfolio, cfg), portfolio, cfg).budgets]
    seeds = sm.seeds(1, 2)
    one = sm.run_batches(inputs, budgets, seeds, workers=1)
    two = sm.run_batches(inputs, budgets, seeds, workers=2)
    for a, b in zip(one, two):
        np.testing.assert_array_equal(a["sdg_index"].values, b["sdg_index"].values)


def test_powered_compare_sizes_and_measures(tmp_path):
    cfg = tiny_cfg("strategies=[equal_split,expert_ranking,greedy]", "compare.power=true",
                   "compare.pilot_replicates=3", "replicates=3", "compare.max_replicates=6",
                   "compare.max_seconds=10000", "time.end_year=2027")
    notes = []
    ds = cmp.run_compare(cfg, log=notes.append)
    plan = json.loads(ds.attrs["power"])
    assert plan["pilot_replicates"] == 3 and 3 <= plan["replicates"] <= 6
    assert ds.sizes["replicate"] == plan["replicates"]
    assert plan["needed"] >= plan["replicates"] or plan["warning"]
    assert any(note.startswith("pilot batch") for note in notes)
    vr = json.loads(ds.attrs["variance_reduction"])
    assert vr["common_random_numbers"] > 0 and vr["no_roadmap_twin"] > 0
    # the verdict's replicates never reuse the pilot's seeds
    from stisim.seeds import pilot_seeds

    assert not set(pilot_seeds(int(cfg.seed), 3)) & set(ds.attrs["replicate_seeds"])


def test_a_tight_time_budget_warns(tmp_path):
    cfg = tiny_cfg("strategies=[equal_split,greedy]", "compare.power=true",
                   "compare.pilot_replicates=2", "replicates=2", "compare.resolution=0.0001",
                   "compare.max_seconds=0.001", "time.end_year=2026")
    # A budget no run fits, so the warning does not depend on how fast this machine is.
    notes = []
    ds = cmp.run_compare(cfg, log=notes.append)
    plan = json.loads(ds.attrs["power"])
    assert plan["warning"] and "compare.max_seconds" in plan["warning"]
    assert any(n.startswith("warning:") for n in notes)
    assert ds.sizes["replicate"] == 2
    vr = json.loads(ds.attrs.get("variance_reduction", "{}"))
    assert all(np.isnan(v) for k, v in vr.items() if k != "pair")  # 2 replicates: not measured
