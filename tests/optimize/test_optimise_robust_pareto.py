"""Robust allocation measures and the Pareto front."""

from __future__ import annotations

import numpy as np
import pytest
from optimise_cases import action, portfolio, solve

from stisim.optimize.robust import compare_measures, cvar

SCENARIOS = [{"id": "bad", "probability": 0.3, "effect_factor": 0.5,
              "budget_factors": {"don": 0.5}},
             {"id": "mid", "probability": 0.5},
             {"id": "good", "probability": 0.2, "effect_factor": 1.5,
              "action_factors": {"B": 2.0}}]


def robust_portfolio():
    sources = [{"id": "pub", "kind": "public", "budget": 6},
               {"id": "don", "kind": "donor", "budget": 6}]
    eff = lambda i, c: [{"indicator": i, "change": c, "lag": 0}]  # noqa: E731
    return portfolio([action("A", 6, 3, sources=["pub", "don"], effects=eff("9.5.1", 0.04)),
                      action("B", 6, 2, sources=["pub", "don"], effects=eff("9.c.1", 3.0)),
                      action("C", 6, 1, sources=["pub"], effects=eff("17.8.1", 4.0))],
                     sources, country="kenya", scenarios=SCENARIOS)


def test_cvar_by_hand():
    z = np.array([1.0, 2.0, 3.0, 4.0])
    p = np.full(4, 0.25)
    assert cvar(z, p, 0.5) == pytest.approx(1.5)  # mean of the worst half
    assert cvar(z, p, 0.75) == pytest.approx(1.0)
    assert cvar(z, p, 0.6) == pytest.approx((0.25 * 1 + 0.15 * 2) / 0.4)


@pytest.mark.parametrize("measure", ["expected", "worst", "cvar", "regret"])
def test_robust_measures_are_consistent(measure):
    p = robust_portfolio()
    ds, _model = solve(p, "sdg", robust={"measure": measure, "alpha": 0.6})
    z = ds["scenario_outcome"].values
    prob = ds["scenario_probability"].values
    value = ds.attrs["objective_value"]
    if measure == "expected":
        assert value == pytest.approx(z @ prob)
    elif measure == "worst":
        assert value == pytest.approx(z.min())
    elif measure == "cvar":
        assert value == pytest.approx(cvar(z, prob, 0.6))
    else:
        regret = ds["regret"].values
        assert (regret >= -1e-9).all() and value == pytest.approx(regret.max())
    # Budgets vary by scenario: spending has a scenario dim and each scenario's budget holds.
    assert "scenario" in ds["spend"].dims
    used = ds["spend"].sum("action")
    factor = {"bad": 0.5, "mid": 1.0, "good": 1.0}
    for s in ds["scenario"].values:
        assert float(used.sel(source="don", scenario=s).max()) <= 6 * factor[s] + 1e-7
    assert ds.attrs["robust_measure"] == measure
    if "sdg_index_gain" in ds and "scenario" in ds["sdg_index_gain"].dims:
        from stisim.optimize.results import allocation_table

        assert "expected over 3 scenarios" in allocation_table(ds)  # it crashed here


def test_price_of_robustness_table():
    p = robust_portfolio()
    _, model = solve(p, "sdg", robust={"measure": "expected"})
    table = compare_measures(model)
    assert table.loc["expected", "expected"] >= table["expected"].max() - 1e-9
    assert table.loc["worst", "worst"] >= table["worst"].max() - 1e-9
    assert table.loc["regret", "max_regret"] <= table["max_regret"].min() + 1e-9
    assert table.loc["cvar", "cvar"] >= table["cvar"].max() - 1e-9


def test_sampled_scenarios_are_reproducible():
    p = portfolio([action("A", 6, 3, effects=[{"indicator": "9.5.1", "change": 0.04,
                                                "lag": 0}]),
                   action("B", 6, 2, effects=[{"indicator": "9.c.1", "change": 3.0,
                                                "lag": 0}])], country="kenya")
    a, _ = solve(p, "sdg", robust={"measure": "cvar", "samples": 20}, seed=7)
    b, _ = solve(p, "sdg", robust={"measure": "cvar", "samples": 20}, seed=7)
    c, _ = solve(p, "sdg", robust={"measure": "cvar", "samples": 20}, seed=8)
    assert np.array_equal(a["scenario_outcome"].values, b["scenario_outcome"].values)
    assert not np.array_equal(a["scenario_outcome"].values, c["scenario_outcome"].values)
    assert a.sizes["scenario"] == 20


def test_pareto_front_between_value_and_cost():
    from stisim.optimize.api import trade_off

    p = portfolio([action("A", 6, 12), action("B", 8, 8), action("C", 4, 3)],
                  [{"id": "pub", "kind": "public", "budget": 18}])
    front = trade_off(p, "value", "min_cost", points=5)
    value, cost = front["pareto_primary"].values, front["pareto_secondary"].values
    # From the value optimum (all funded: 23 at cost 18) to zero cost, both fall together.
    assert value[0] == pytest.approx(23.0) and cost[0] == pytest.approx(18.0)
    assert cost[-1] == pytest.approx(0.0, abs=1e-6) and value[-1] == pytest.approx(0.0, abs=1e-6)
    assert (np.diff(cost) <= 1e-9).all() and (np.diff(value) <= 1e-9).all()
    # Intermediate point by hand: cost <= 9 buys A (ratio 2) fully and 3/8 of B = 15.
    assert front.sizes["point"] == 5
    mid = np.interp(9.0, cost[::-1], value[::-1])
    assert mid == pytest.approx(15.0)
