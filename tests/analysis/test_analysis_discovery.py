"""Scenario discovery: PRIM and CART recover planted boxes; bookkeeping of cases."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from stisim.analysis.discovery import cart, cases, in_box, prim


def planted(n: int = 800, replicates: int = 2, seed: int = 0) -> xr.Dataset:
    """A sweep where the outcome fails inside 0.6 <= a and b <= 0.3 (any c, k), and, for
    strategy 'greedy', whenever c > 0.8 — with 3% label noise."""
    rng = np.random.default_rng(seed)
    a, b, c = rng.uniform(0, 1, (3, n))
    k = rng.integers(1, 6, n)
    s = rng.choice(["equal", "greedy", "optimal"], n)
    fail = ((a >= 0.6) & (b <= 0.3))[:, None] | ((s == "greedy") & (c > 0.8))[:, None]
    flip = rng.uniform(size=(n, replicates)) < 0.03
    fail = fail ^ flip
    score = np.where(fail, 40.0, 60.0)
    status = np.full((n, replicates), "ok")
    status[::50, 0] = "failed"
    return xr.Dataset(
        {"score": (("run", "replicate"), score), "run_status": (("run", "replicate"), status)},
        coords={"run": np.arange(n), "replicate": np.arange(replicates), "p.a": ("run", a),
                "p.b": ("run", b), "p.c": ("run", c), "p.k": ("run", k),
                "strategy": ("run", s)})


@pytest.fixture(scope="module")
def planted_ds():
    return planted()


def test_cases_exclude_failed_runs(planted_ds):
    x, y = cases(planted_ds, "score < 50")
    assert len(x) == len(y) == planted_ds.sizes["run"] * 2 - 16
    assert list(x.columns) == ["p.a", "p.b", "p.c", "p.k", "strategy"]
    assert x["p.k"].dtype == float and str(x["strategy"].dtype) == "category"


def _restricted(r, i: int) -> set[str]:
    box = r.isel(box=i)
    return {str(p) for p in r["parameter"].values if bool(box["box_restricted"].sel(parameter=p))}


def test_prim_recovers_both_planted_boxes(planted_ds):
    r = prim(planted_ds, "score < 50", max_boxes=3)
    found = {frozenset(_restricted(r, i)): i for i in range(r.sizes["box"])}
    assert frozenset({"p.a", "p.b"}) in found
    assert frozenset({"p.c", "strategy"}) in found
    ab = r.isel(box=found[frozenset({"p.a", "p.b"})])
    assert float(ab["box_lower"].sel(parameter="p.a")) == pytest.approx(0.6, abs=0.05)
    assert float(ab["box_upper"].sel(parameter="p.b")) == pytest.approx(0.3, abs=0.05)
    assert float(ab["box_density"]) > 0.9
    assert "p.b <= 0.29" in str(ab["box_rule"].values)
    cs = r.isel(box=found[frozenset({"p.c", "strategy"})])
    assert str(cs["box_categories"].sel(parameter="strategy").values) == "greedy"
    assert float(cs["box_lower"].sel(parameter="p.c")) == pytest.approx(0.8, abs=0.05)
    assert float(r["box_coverage"].sum()) > 0.75  # together they explain most failures
    # quasi-p-values of the kept restrictions are significant
    assert float(r["box_quasi_p"].max()) < 0.05
    # the trade-off curve starts from the whole space and gains density as it peels
    traj = r["trajectory_density"].isel(search=0).dropna("step")
    assert float(r["trajectory_coverage"].isel(search=0, step=0)) == 1.0
    assert float(traj[-1]) > float(traj[0])
    assert r.attrs["n_of_interest"] == int(cases(planted_ds, "score < 50")[1].sum())
    assert r["box_coverage"].attrs["units"] == "1"
    # each reported box is a point of its search's stored trajectory (dropping restrictions
    # extends the trajectory after the search)
    for i in range(r.sizes["box"]):
        step = int(r["box_step"][i])
        stored = r["trajectory_coverage"].isel(search=i)
        assert np.isfinite(float(stored[step]))
        assert float(stored[step]) == pytest.approx(float(r["box_coverage"][i]))


def test_prim_without_significance_keeps_trivial_restrictions(planted_ds):
    raw = prim(planted_ds, "score < 50", max_boxes=1, significance=None)
    clean = prim(planted_ds, "score < 50", max_boxes=1)
    assert _restricted(raw, 0) >= _restricted(clean, 0)


def test_prim_min_density_picks_a_point_on_the_tradeoff(planted_ds):
    loose = prim(planted_ds, "score < 50", max_boxes=1, min_density=0.5)
    tight = prim(planted_ds, "score < 50", max_boxes=1)
    assert float(loose["box_coverage"][0]) >= float(tight["box_coverage"][0])
    assert float(loose["box_density"][0]) >= 0.5


def test_cart_boxes_match_the_tree(planted_ds):
    r = cart(planted_ds, "score < 50", mass_min=0.03)
    assert r.sizes["box"] >= 2
    best = r.isel(box=0)
    assert float(best["box_density"]) > 0.85
    assert {"p.a", "p.b"} <= {str(p) for p in r["parameter"].values
                              if bool(best["box_restricted"].sel(parameter=p))}
    # coverage and mass recomputed from the runs inside the box agree with the result
    inside = in_box(r, planted_ds, 0)
    ok = (planted_ds["run_status"] == "ok")
    n_in = int((inside & ok).sum())
    assert n_in == int(best["box_n"])
    assert r.attrs["tree_accuracy"] > 0.9
    assert any("strategy in {greedy}" in str(v) for v in r["box_rule"].values)


def test_condition_never_met_gives_no_box(planted_ds):
    for method in (prim, cart):
        r = method(planted_ds, "score < 0")
        assert r.sizes["box"] == 0
        assert "no case" in r.attrs["note"]


def test_trade_off_plot_of_a_condition_without_search(planted_ds):
    """Nothing to bound (the condition holds nowhere): the result still has the trajectory
    variables, with no search, and the trade-off plot says why instead of failing."""
    from stisim.analysis import sweep_plots

    r = prim(planted_ds, "score < 0")
    assert r.sizes["search"] == 0 and "trajectory_coverage" in r
    fig = sweep_plots.prim_tradeoff(r)
    shown = " ".join(t.get_text() for t in fig.axes[0].texts)
    assert "nothing to bound" in shown.replace("\n", " ")


def test_sweep_dataset_discovery(sweep_ds):
    r = prim(sweep_ds, "goal_score(goal=9, time=2030) < quantile(goal_score(goal=9, "
                       "time=2030), 0.2)")
    assert r.attrs["n_failed_runs_excluded"] > 0
    assert r.sizes["box"] >= 1
    restricted = r["box_restricted"].isel(box=0)
    assert bool(restricted.sel(parameter="diffusion.p"))


def test_rejected_search_keeps_its_tradeoff_curve(sweep_ds):
    rare = "goal_score(goal=9, time=2030) < 45"  # ~4% of cases: no box reaches 0.8
    r = prim(sweep_ds, rare)
    assert r.sizes["box"] == 0
    curve = r["trajectory_density"].isel(search=0).dropna("step")
    assert curve.size > 5 and float(curve.max()) > 0.3
    assert f"best on the trajectory: {float(curve.max()):.2f}" in r.attrs["note"]
    loose = prim(sweep_ds, rare, threshold=0.5)
    assert loose.sizes["box"] == 1 and float(loose["box_density"][0]) >= 0.5
