"""Small allocation problems whose optimum is worked out by hand (in each docstring)."""

from __future__ import annotations

import numpy as np
import pytest
from optimise_cases import action, portfolio, solve


def scale(ds, a):
    return float(ds["scale"].sel(action=a))


def test_fractional_knapsack_and_its_shadow_price():
    """Budget 10. A: cost 6, value 12 (ratio 2); B: cost 8, value 8 (ratio 1).
    LP optimum: A fully (6), B with the remaining 4 -> scale 0.5: value 12 + 4 = 16.
    One more unit of money buys 1/8 of B = 1 value point: shadow price 1."""
    p = portfolio([action("A", 6, 12), action("B", 8, 8)])
    ds, _ = solve(p)
    assert ds.attrs["objective_value"] == pytest.approx(16.0)
    assert scale(ds, "A") == pytest.approx(1.0) and scale(ds, "B") == pytest.approx(0.5)
    assert float(ds["budget_shadow_price"].sel(source="pub", year=2025)) == pytest.approx(1.0)
    assert ds.attrs["status"] == "optimal" and ds.attrs["is_mip"] == 0


def test_indivisible_projects_pick_the_best_subset():
    """Budget 10; indivisible A (6, 12), B (8, 8), C (4, 5). Subsets within 10:
    {A, C} = 17, {A} = 12, {B} = 8, {C} = 5 -> {A, C} with value 17."""
    p = portfolio([action("A", 6, 12, indivisible=True), action("B", 8, 8, indivisible=True),
                   action("C", 4, 5, indivisible=True)])
    ds, _ = solve(p)
    assert ds.attrs["objective_value"] == pytest.approx(17.0)
    assert ds["scale"].values.tolist() == [1.0, 0.0, 1.0]
    assert ds.attrs["is_mip"] == 1 and ds.attrs["duals_from"] == "fixed_integer_lp"


def test_leverage_stretches_public_money():
    """Cost 10, public budget 4, private co-finance <= leverage x public.
    leverage 1.5: 4 public + 6 private = 10 -> scale 1; leverage 1.0: 4 + 4 = 8 -> 0.8."""
    sources = [{"id": "pub", "kind": "public", "budget": 4}, {"id": "biz", "kind": "private"}]
    for lev, expected in ((1.5, 1.0), (1.0, 0.8)):
        p = portfolio([action("A", 10, 5, sources=["pub", "biz"], leverage=lev)], sources)
        ds, _ = solve(p)
        assert scale(ds, "A") == pytest.approx(expected)
        spend = ds["spend"].sel(action="A", year=2025)
        assert float(spend.sel(source="biz")) <= lev * float(spend.sel(source="pub")) + 1e-9


def test_dependency_limits_the_dependent_fraction():
    """Budget 6; A (5, value 1), B (5, value 10) depends on A: b <= a and 5a + 5b <= 6 ->
    a = b = 0.6, value 0.6 + 6 = 6.6 (without the dependency B alone gives 10 + 0.2)."""
    p = portfolio([action("A", 5, 1), action("B", 5, 10, depends_on=["A"])],
                  [{"id": "pub", "kind": "public", "budget": 6}])
    ds, _ = solve(p)
    assert ds.attrs["objective_value"] == pytest.approx(6.6)
    assert scale(ds, "A") == pytest.approx(0.6) and scale(ds, "B") == pytest.approx(0.6)


def test_exclusive_group_keeps_one_alternative():
    """Budget 20; alternatives A (5, value 5) and B (8, value 7) in one group, C (4, 2).
    Best: B + C = 9 (A + B would be 12 but they exclude each other)."""
    p = portfolio([action("A", 5, 5, exclusive_group="g"), action("B", 8, 7,
                   exclusive_group="g"), action("C", 4, 2)],
                  [{"id": "pub", "kind": "public", "budget": 20}])
    ds, _ = solve(p)
    assert ds.attrs["objective_value"] == pytest.approx(9.0)
    assert scale(ds, "A") == 0.0 and scale(ds, "B") == pytest.approx(1.0)


def test_minimum_viable_scale_is_all_or_above():
    """Budget 3, cost 10, min_scale 0.5: 0.3 would fit but is below the viable minimum
    -> the action is not funded; with budget 6 it runs at 0.6."""
    for budget, expected in ((3, 0.0), (6, 0.6)):
        p = portfolio([action("A", 10, 1, min_scale=0.5)],
                      [{"id": "pub", "kind": "public", "budget": budget}])
        ds, _ = solve(p)
        assert scale(ds, "A") == pytest.approx(expected)


def test_carry_over_moves_unspent_money_forward():
    """Budget 5 in each of two years; the action costs 8 in the second year only.
    Without carry-over it gets 5/8 = 0.625; with carry-over 10 >= 8 -> 1."""
    for carry, expected in ((False, 0.625), (True, 1.0)):
        p = portfolio([action("A", {2026: 8}, 1)],
                      [{"id": "pub", "kind": "public", "budget": 5, "carry_over": carry}],
                      horizon=(2025, 2026))
        ds, _ = solve(p)
        assert scale(ds, "A") == pytest.approx(expected)


def test_source_share_cap_and_capacity():
    """Donor pays at most 50% of A's cost; public budget 2, donor budget 10; cost 10.
    scale s needs 10s <= 2 + min(10, 5s) -> 5s <= 2 -> s = 0.4. Agency capacity 3 per year
    then caps spending at 3 -> s = 0.3."""
    sources = [{"id": "pub", "kind": "public", "budget": 2},
               {"id": "don", "kind": "donor", "budget": 10}]
    p = portfolio([action("A", 10, 1, sources={"pub": 1.0, "don": 0.5})], sources)
    ds, _ = solve(p)
    assert scale(ds, "A") == pytest.approx(0.4)
    p = portfolio([action("A", 10, 1, sources={"pub": 1.0, "don": 0.5}, lead="ag")], sources,
                  agencies=[{"id": "ag", "capacity": 3}])
    ds, _ = solve(p)
    assert scale(ds, "A") == pytest.approx(0.3)


def test_regional_equity_share():
    """Budget 10; A in north (cost 10, value 10), B in south (cost 10, value 1); the south
    must receive at least 40% of spending: b = 0.4 (4), a = 0.6 (6): value 6.4."""
    p = portfolio([action("A", 10, 10, region="north"), action("B", 10, 1, region="south")],
                  regions=[{"id": "north"}, {"id": "south", "min_share": 0.4}])
    ds, _ = solve(p)
    assert scale(ds, "B") == pytest.approx(0.4) and scale(ds, "A") == pytest.approx(0.6)
    assert ds.attrs["objective_value"] == pytest.approx(6.4)


def test_sdg_objective_by_hand():
    """Kenya, 9.5.1 (R&D % GDP; SDR bounds 0 and 3.7): an action raising it by 0.037 at full
    scale, lag 0, one year, no discounting -> 1 score point; the weight of 9.5.1 is
    1/(14 goals x 6 indicators of SDG 9) -> objective 1/84 SDG-index points."""
    p = portfolio([action("A", 10, 0, effects=[{"indicator": "9.5.1", "change": 0.037,
                                                 "lag": 0}])], country="kenya")
    ds, _ = solve(p, "sdg")
    assert ds.attrs["objective_value"] == pytest.approx(1 / 84, rel=1e-9)
    assert float(ds["indicator_gain"].sel(indicator="9.5.1", year=2025)) == pytest.approx(0.037)
    assert float(ds["score_gain"].sel(indicator="9.5.1", year=2025)) == pytest.approx(1.0)


def test_concave_response_by_hand():
    """Budget 5 for two identical actions of cost 10 with concave responses
    [[0, 0], [0.5, 0.8], [1, 1]] on 9.5.1 (0.037 per full effect = 1 score point).
    Spreading is better: a = b = 0.25 gives 2 x 0.4 = 0.8 points, versus 0.8 for one at 0.5
    -- equal; the hypograph must give 0.8 points either way (not more)."""
    eff = [{"indicator": "9.5.1", "change": 0.037, "lag": 0,
            "response": [[0, 0], [0.5, 0.8], [1, 1]]}]
    p = portfolio([action("A", 10, effects=eff), action("B", 10, effects=eff)],
                  [{"id": "pub", "kind": "public", "budget": 5}], country="kenya")
    ds, _ = solve(p, "sdg")
    assert ds.attrs["objective_value"] == pytest.approx(0.8 / 84, rel=1e-8)
    assert float(ds["score_gain"].sel(indicator="9.5.1", year=2025)) == pytest.approx(0.8)


def test_min_cost_meets_a_floor_at_least_public_cost():
    """Kenya 7.1.1 baseline 76.5; floor 78.5 by 2025 needs +2. A: +4 at full scale for cost
    10 (public), B: +2 for cost 6 but donors pay half. Cheapest public cost for +2:
    A at 0.5 costs 5 public; B at 1 costs 3 public -> B, public cost 3."""
    sources = [{"id": "pub", "kind": "public", "budget": 20},
               {"id": "don", "kind": "donor", "budget": 20}]
    p = portfolio([action("A", 10, effects=[{"indicator": "7.1.1", "change": 4, "lag": 0}]),
                   action("B", 6, sources={"pub": 1.0, "don": 0.5},
                          effects=[{"indicator": "7.1.1", "change": 2, "lag": 0}])],
                  sources, country="kenya",
                  floors=[{"indicator": "7.1.1", "target": 78.5, "year": 2025}])
    ds, _ = solve(p, "min_cost")
    assert ds.attrs["objective_value"] == pytest.approx(3.0)
    assert scale(ds, "B") == pytest.approx(1.0) and scale(ds, "A") == pytest.approx(0.0)
    level = float(ds["indicator_level"].sel(indicator="7.1.1", year=2025))
    assert level == pytest.approx(78.5)
    # The optimum is degenerate (B at its bound meets the floor exactly), so the floor's dual
    # is any value between the left derivative (B's 1.5 public money per point) and the right
    # one (A's next point: 0.4 points per unit of public money -> 2.5); which one HiGHS
    # returns depends on the simplex path.
    price = float(ds["floor_shadow_price"].sel(floor=ds["floor"].values[0]))
    assert 1.5 - 1e-6 <= price <= 2.5 + 1e-6


def test_floor_on_an_indicator_where_lower_is_better():
    """Kenya 2.1.1 (undernourishment, lower is better) baseline 27.8; floor 'at most 26.8'
    needs -1; A gives -2 at full scale for cost 10 -> scale 0.5, cost 5."""
    p = portfolio([action("A", 10, effects=[{"indicator": "2.1.1", "change": -2, "lag": 0}])],
                  country="kenya", floors=[{"indicator": "2.1.1", "target": 26.8,
                                            "year": 2025}])
    ds, _ = solve(p, "min_cost")
    assert scale(ds, "A") == pytest.approx(0.5)
    assert ds.attrs["objective_value"] == pytest.approx(5.0)


def test_goal_score_floor():
    """Kenya SDG 7 has three indicators (7.1.1, 7.1.2, 7.2.1). Raising the goal score by 1
    point needs 3 score points on one indicator: 7.1.2 (bounds 2-100) moves 3 points per
    2.94 percentage points. A raises 7.1.2 by 5.88 pp at full scale -> scale 0.5."""
    import xarray as xr

    from stisim.baseline import load_baseline
    from stisim.sdg.scores import goal_scores, normalise

    b = load_baseline(404, 2022)
    codes = ["7.1.1", "7.1.2", "7.2.1"]
    vals = xr.DataArray(b.value[codes].to_numpy(float), dims="indicator",
                        coords={"indicator": codes})
    g7 = float(goal_scores(normalise(vals)).sel(goal=7))
    p = portfolio([action("A", 10, effects=[{"indicator": "7.1.2", "change": 5.88,
                                              "lag": 0}])],
                  country="kenya", floors=[{"goal": 7, "target": g7 + 1.0, "year": 2025}])
    ds, _ = solve(p, "min_cost")
    assert scale(ds, "A") == pytest.approx(0.5, rel=1e-6)
    assert float(ds["goal_score"].sel(goal=7, year=2025)) == pytest.approx(g7 + 1.0)


def test_shadow_prices_match_finite_differences():
    """Two years, two sources: d objective / d budget equals a re-solve with budget + 1."""
    sources = [{"id": "pub", "kind": "public", "budget": [6, 5]},
               {"id": "don", "kind": "donor", "budget": [3, 3]}]
    acts = [action("A", [4, 4], 9, sources={"pub": 1.0, "don": 0.5}),
            action("B", [5, 3], 7, sources=["pub"]),
            action("C", [2, 6], 4, sources=["pub", "don"])]
    p = portfolio(acts, sources, horizon=(2025, 2026))
    ds, model = solve(p)
    base = ds.attrs["objective_value"]
    step = 1e-3
    for s in ("pub", "don"):
        for y in (2025, 2026):
            moved = []
            for delta in (step, -step):
                budget = p.budget.copy()
                budget.loc[{"source": s, "year": y}] += delta
                model.set_param("budget_amount", budget)
                moved.append(model.solver.solve().objective)
            model.set_param("budget_amount", p.budget)
            right, left = (moved[0] - base) / step, (base - moved[1]) / step
            price = float(ds["budget_shadow_price"].sel(source=s, year=y))
            # The dual is a subgradient: between the left and right derivatives.
            assert min(left, right) - 1e-6 <= price <= max(left, right) + 1e-6, (s, y)
    assert np.isfinite(ds["budget_shadow_price"]).all()
