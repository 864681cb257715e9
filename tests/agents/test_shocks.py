"""Shock scenarios: each moves the economy in the expected direction (same seed)."""

from __future__ import annotations

import pytest

from stisim.agents.model import simulate_agents
from stisim.config import load_config
from tests.agents.conftest import small_inputs

ARGS = ("country=kenya", "time.end_year=2030", "seed=11")


@pytest.fixture(scope="module")
def base():
    return simulate_agents(small_inputs(*ARGS))


def _run(name: str):
    inputs = small_inputs(*ARGS, f"scenario=shocks/{name}")
    assert inputs.cfg.scenario.name == name
    return simulate_agents(inputs)


def test_scenario_files_compose():
    for name in ("pandemic", "disaster", "funding_cut", "brain_drain"):
        cfg = load_config("run", [f"scenario=shocks/{name}"])
        assert cfg.shocks.events[0].kind == name


def test_pandemic(base):
    ds = _run("pandemic")
    assert float(ds["gdp"].sel(time=2026)) < 0.95 * float(base["gdp"].sel(time=2026))
    u = ds["indicator_value"].sel(indicator="8.5.2")
    assert float(u.sel(time=2026)) > float(base["indicator_value"].sel(
        indicator="8.5.2", time=2026))
    assert float(ds["shock_intensity"].sel(shock="pandemic", time=2026)) == pytest.approx(0.15)


def test_disaster(base):
    ds = _run("disaster")
    # A disaster in "rural" hits the regions where most people are rural (Kenya: all
    # provinces but Nairobi), not the capital.
    rural = str(base["region_urban_share"].idxmin("region").values)
    e = ds["electricity_access"].sel(region=rural, time=2028)
    assert float(e) < float(base["electricity_access"].sel(region=rural, time=2028)) - 2
    va = ds["value_added"].sel(region=rural, time=2028).sum()
    assert float(va) < float(base["value_added"].sel(region=rural, time=2028).sum())
    nairobi = {"region": "Nairobi", "time": 2028}
    assert float(ds["electricity_access"].sel(**nairobi)) >= float(
        base["electricity_access"].sel(**nairobi)) - 0.5


def test_funding_cut(base):
    ds = _run("funding_cut")
    sel = {"agent_type": "ministries", "time": 2027}
    assert float(ds["funding"].sel(**sel)) < 0.7 * float(base["funding"].sel(**sel))
    r = {"agent_type": "research_institutes", "time": 2029}
    assert float(ds["researchers"].sel(**r)) < float(base["researchers"].sel(**r))


def test_brain_drain(base):
    ds = _run("brain_drain")
    r = {"agent_type": "research_institutes", "time": 2026}
    assert float(ds["researchers"].sel(**r)) < 0.85 * float(base["researchers"].sel(**r))
    assert float(ds["indicator_value"].sel(indicator="9.5.2", time=2026)) < float(
        base["indicator_value"].sel(indicator="9.5.2", time=2026))
