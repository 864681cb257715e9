"""Persistent re-solves: parameter changes update the loaded model (no rebuild) and give the
same answer as building the changed portfolio from scratch."""

from __future__ import annotations

import pytest
from optimise_cases import action, portfolio, solve

from stisim.roadmap import build_portfolio


def _raw(budget):
    return {"name": "t", "horizon": [2025, 2026], "country": "kenya",
            "sources": [{"id": "pub", "kind": "public", "budget": budget},
                        {"id": "don", "kind": "donor", "budget": [2, 2]}],
            "actions": [
                action("A", [4, 4], 6, sources={"pub": 1, "don": 0.5},
                       effects=[{"indicator": "9.5.1", "change": 0.03, "lag": 0,
                                 "response": "concave"}]),
                action("B", [5, 1], 5, sources=["pub"], indivisible=True,
                       effects=[{"indicator": "7.1.1", "change": 3, "lag": 1}]),
                action("C", [2, 2], 3, sources=["pub", "don"],
                       effects=[{"indicator": "17.8.1", "change": 2, "lag": 0}])],
            "floors": [{"indicator": "7.1.1", "target": 77, "year": 2026}]}


@pytest.mark.parametrize("objective", ["value", "sdg"])
def test_budget_change_resolve_equals_rebuild(objective):
    p = build_portfolio(_raw([6, 6]))
    _, model = solve(p, objective)
    solver = model.solver
    highs_before, rows_before = solver.h, solver.loaded_rows
    for budget in ([8, 3], [12, 12], [6, 6]):
        model.set_param("budget_amount", {("pub", 2025): budget[0], ("pub", 2026): budget[1]})
        again = solver.solve()
        fresh, _ = solve(build_portfolio(_raw(budget)), objective)
        assert again.objective == pytest.approx(fresh.attrs["objective_value"], abs=1e-8)
    assert solver.h is highs_before and solver.loaded_rows == rows_before


def test_weight_and_floor_changes_resolve():
    p = build_portfolio(_raw([6, 6]))
    _, model = solve(p, "sdg")
    base = model.solver.solve().objective
    weights = model.param("weight").copy()
    weights.loc["17.8.1"] *= 10
    model.set_param("weight", weights)
    heavier = model.solver.solve()
    assert heavier.objective > base
    fresh, _ = solve(p, "sdg", indicator_weights={"17.8.1": 10.0})
    assert heavier.objective == pytest.approx(fresh.attrs["objective_value"], abs=1e-8)
    # A direct edit of the Pyomo Param is picked up as well.
    model.m.floor_target[model.param("floor_target")["floor"].values[0]] = 200.0
    assert model.solver.solve().status == "infeasible"


def test_pyomo_interface_agrees_with_direct_interface():
    """Pyomo's own persistent HiGHS interface solves the same Pyomo model to the same value."""
    p = portfolio([action("A", 6, 12), action("B", 8, 8), action("C", 3, 2, indivisible=True)])
    direct, _ = solve(p, "value")
    via_pyomo, _ = solve(p, "value", interface="pyomo")
    assert via_pyomo.attrs["objective_value"] == pytest.approx(
        direct.attrs["objective_value"])
