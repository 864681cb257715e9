"""The shipped country portfolios: realistic size, sourced costs, every finance kind, solvable."""

from __future__ import annotations

import pytest

from stisim.data.indicators import codes
from stisim.roadmap import instruments, load_portfolio
from stisim.roadmap.portfolio import SCENARIO_DIR

COUNTRIES = ["ethiopia", "ghana", "india", "kenya", "serbia", "ukraine"]


@pytest.mark.parametrize("country", COUNTRIES)
def test_country_portfolio(country):
    path = SCENARIO_DIR / f"{country}.yaml"
    assert not path.read_text().lstrip().startswith("# @package")
    p = load_portfolio(path)
    assert 20 <= len(p.actions) <= 40
    assert p.country_name is not None and country in p.country_name.lower()
    assert set(p.sources["kind"]) >= {"public", "donor", "partner", "private"}
    assert all(len(note) > 20 for note in p.actions["cost_note"]), "every cost is explained"
    assert set(p.effects["indicator"]) <= set(codes())
    assert set(p.actions["instrument"]) <= set(instruments().index)
    assert p.actions["indivisible"].any() and p.exclusive_groups()
    assert len(p.floors) and len(p.scenarios) and len(p.agencies) and len(p.regions)


@pytest.mark.parametrize("country", COUNTRIES)
def test_country_portfolio_solves(country):
    from stisim.optimize.api import optimise

    for objective in ("value", "sdg", "min_cost"):
        ds = optimise(country, objective=objective)
        assert ds.attrs["status"] == "optimal", objective
        assert 0 < int(ds["funded"].sum()) <= ds.sizes["action"]
