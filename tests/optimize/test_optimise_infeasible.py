"""Infeasible portfolios name their conflicting constraints in roadmap terms."""

from __future__ import annotations

import pytest
from optimise_cases import action, portfolio, solve

from stisim.optimize.iis import InfeasibleError


def _electrification(budget: float, target: float):
    return portfolio([action("E01", {2026: 10, 2027: 10}, 1,
                             effects=[{"indicator": "7.1.1", "change": 4.0, "lag": 0}])],
                     [{"id": "pub", "kind": "public", "budget": budget}],
                     horizon=(2025, 2028), country="kenya",
                     floors=[{"indicator": "7.1.1", "target": target, "year": 2027}])


def test_floor_conflicts_with_the_budget():
    """Kenya 7.1.1 (baseline 76.5) must reach 80 by 2027: +3.5 needs E01 at scale 0.875,
    i.e. 8.75 a year, but the public budget is 5 a year. The IIS is the floor and one year's
    budget (the scale is the same every year), linked by E01's financing."""
    with pytest.raises(InfeasibleError) as err:
        solve(_electrification(5, 80), "value")
    text = str(err.value)
    explanation = err.value.explanation
    assert explanation.method.startswith("HiGHS IIS")
    assert {c.family for c in explanation.rules} == {"floor", "budget"}
    assert ("infeasible: the floor of 7.1.1 (Population with access to electricity) of at "
            "least 80 % by 2027 conflicts with the pub (public) budget in 20") in text
    assert "linked through: the financing of action E01" in text
    assert err.value.exit_code == 3


def test_floor_conflicts_with_the_maximum_scale():
    """With money enough, reaching 81 (+4.5) needs more than E01's full effect (+4)."""
    with pytest.raises(InfeasibleError) as err:
        solve(_electrification(50, 81), "value")
    text = str(err.value)
    assert {c.family for c in err.value.explanation.rules} == {"floor", "max_scale"}
    assert "conflicts with the maximum scale 1 of action E01 (action E01)" in text


def test_budget_range_is_merged_over_years():
    """E01 spends in 2025, E02 in 2026, each +2 at full scale for 10 and expandable to
    scale 2; budgets of 5 a year cap both at half, +2 in all, but the floor needs +4: only
    both years' budgets together conflict with it, reported as one range."""
    p = portfolio([action("E01", {2025: 10}, 1, max_scale=2,
                          effects=[{"indicator": "7.1.1", "change": 2.0, "lag": 0}]),
                   action("E02", {2026: 10}, 1, max_scale=2,
                          effects=[{"indicator": "7.1.1", "change": 2.0, "lag": 0}])],
                  [{"id": "pub", "kind": "public", "budget": 5}],
                  horizon=(2025, 2027), country="kenya",
                  floors=[{"indicator": "7.1.1", "target": 80.5, "year": 2027}])
    with pytest.raises(InfeasibleError) as err:
        solve(p, "value")
    assert "conflicts with the pub (public) budget in 2025-2026" in str(err.value)


def test_integrality_conflict_found_by_deletion_filter():
    """A floor needs half of an indivisible action's effect; the budget pays 60% of it. The
    LP relaxation is feasible (scale 0.6), the MILP is not: the explanation names the floor,
    the budget and the all-or-nothing rule."""
    p = portfolio([action("X", 10, 1, indivisible=True,
                          effects=[{"indicator": "7.1.1", "change": 4.0, "lag": 0}])],
                  [{"id": "pub", "kind": "public", "budget": 6}], country="kenya",
                  floors=[{"indicator": "7.1.1", "target": 78.5, "year": 2025}])
    with pytest.raises(InfeasibleError) as err:
        solve(p, "value")
    explanation = err.value.explanation
    assert "deletion filter" in explanation.method
    families = {c.family for c in explanation.conflicts}
    assert families == {"floor", "budget", "indivisible"}


def test_mandatory_actions_over_budget():
    """Two mandatory actions cost 12 together; the budget is 10."""
    p = portfolio([action("M1", 6, 1, indivisible=True, mandatory=True),
                   action("M2", 6, 1, indivisible=True, mandatory=True),
                   action("Z", 1, 1)])
    with pytest.raises(InfeasibleError) as err:
        solve(p, "value")
    text = str(err.value)
    assert "budget in 2025" in text
    assert "commitment to fund action M1" in text and "commitment to fund action M2" in text
    assert "Z" not in text.split("infeasible:")[1].split("(irreducible")[0]


def test_exclusive_mandatory_and_dependency():
    """B is mandatory and depends on A; A is excluded by C which is also mandatory."""
    p = portfolio([action("A", 1, 1, indivisible=True, exclusive_group="g"),
                   action("C", 1, 1, indivisible=True, mandatory=True, exclusive_group="g"),
                   action("B", 1, 1, indivisible=True, mandatory=True, depends_on=["A"])])
    with pytest.raises(InfeasibleError) as err:
        solve(p, "value")
    families = {c.family for c in err.value.explanation.rules}
    assert {"exclusive", "dependency", "mandatory"} <= families


@pytest.mark.parametrize(("source", "named"), [
    ({"id": "donor", "kind": "donor", "name": "Donor trust fund"}, "the Donor trust fund [donor] "
     "budget"),
    ({"id": "dtf", "kind": "donor", "name": "Donor trust fund"}, "the Donor trust fund "
     "[dtf, donor] budget"),
    ({"id": "donor", "kind": "donor"}, "the donor budget")])
def test_a_source_is_named_without_repeating_its_kind(source, named):
    """A source whose id is its kind is not written "[donor, donor]"."""
    p = portfolio([action("E01", {2026: 10, 2027: 10}, 1,
                          sources=(source["id"],),
                          effects=[{"indicator": "7.1.1", "change": 4.0, "lag": 0}])],
                  [{**source, "budget": 5}], horizon=(2025, 2028), country="kenya",
                  floors=[{"indicator": "7.1.1", "target": 80, "year": 2027}])
    with pytest.raises(InfeasibleError) as err:
        solve(p, "value")
    text = str(err.value)
    assert named in text, text
    assert "donor, donor" not in text
