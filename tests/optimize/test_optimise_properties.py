"""Property-based tests: random small portfolios, rules checked independently in numpy and
the optimum compared with greedy and equal-split allocations of the same budgets."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from optimise_cases import portfolio, solve
from optimise_reference import check_allocation, equal_split, financing, greedy


@st.composite
def portfolios(draw):
    n_years = draw(st.integers(1, 3))
    n_actions = draw(st.integers(2, 6))
    money = st.floats(0.5, 12.0, allow_nan=False).map(lambda x: round(x, 2))
    sources = [{"id": "pub", "kind": "public",
                "budget": [draw(st.floats(2.0, 20.0).map(lambda x: round(x, 2)))
                           for _ in range(n_years)]}]
    with_donor = draw(st.booleans())
    with_private = draw(st.booleans())
    if with_donor:
        sources.append({"id": "don", "kind": "donor",
                        "budget": draw(st.floats(0.0, 10.0).map(lambda x: round(x, 2)))})
    if with_private:
        sources.append({"id": "biz", "kind": "private"})
    actions = []
    for k in range(n_actions):
        cost = [draw(money) if draw(st.booleans()) or y == 0 else 0.0 for y in range(n_years)]
        srcs = {"pub": 1.0}
        if with_donor and draw(st.booleans()):
            srcs["don"] = draw(st.sampled_from([0.5, 1.0]))
        act = {"id": f"A{k}", "name": f"a{k}", "instrument": "research_grants",
               "lead": draw(st.sampled_from(["ag1", "ag2"])), "cost": cost,
               "value": draw(st.floats(0.0, 20.0).map(lambda x: round(x, 2)))}
        if with_private and draw(st.booleans()):
            srcs["biz"] = draw(st.sampled_from([0.3, 0.6, 1.0]))
            act["leverage"] = draw(st.sampled_from([0.5, 1.0, 2.0]))
        act["sources"] = srcs
        if draw(st.floats(0, 1)) < 0.4:
            act["indivisible"] = True
        else:
            act["max_scale"] = draw(st.sampled_from([1.0, 1.5]))
            act["min_scale"] = draw(st.sampled_from([0.0, 0.0, 0.3]))
        if k > 0 and draw(st.floats(0, 1)) < 0.25:
            act["depends_on"] = [f"A{draw(st.integers(0, k - 1))}"]
        actions.append(act)
    if draw(st.booleans()):
        a, b = draw(st.lists(st.integers(0, n_actions - 1), min_size=2, max_size=2,
                             unique=True))
        actions[a]["exclusive_group"] = "alt"
        actions[b]["exclusive_group"] = "alt"
    extra = {}
    if draw(st.booleans()):
        extra["agencies"] = [{"id": "ag1", "capacity": draw(st.floats(3.0, 15.0))},
                             {"id": "ag2"}]
    return portfolio(actions, sources, horizon=(2025, 2024 + n_years), **extra)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(portfolios())
def test_optimum_respects_rules_and_beats_heuristics(p):
    ds, _ = solve(p)
    assert ds.attrs["status"] == "optimal"
    check_allocation(p, ds)
    values = p.actions["value"].to_numpy(float)
    best = ds.attrs["objective_value"]
    assert abs(best - values @ ds["scale"].values) < 1e-6
    for heuristic in (greedy, equal_split):
        scales = heuristic(p)
        assert financing(p, scales), f"{heuristic.__name__} allocation is not financeable"
        assert best >= values @ scales - 1e-6, heuristic.__name__
