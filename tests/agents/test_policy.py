"""The policy input: budgets per instrument, year, region, technology and executor."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from stisim.agents.model import simulate_agents
from stisim.agents.policy import Budgets, disbursement_rate
from stisim.errors import ConfigError
from tests.agents.conftest import small_inputs

ARGS = ("country=kenya", "time.end_year=2030", "seed=5")


def test_disbursement_rate_spreads_a_year_after_the_delay():
    amounts = {2025: 12.0}.get
    # Delay 0.5: the 2025 budget is spent over [2025.5, 2026.5).
    assert disbursement_rate(lambda y: amounts(y, 0.0), 2025.0, 2026.0, 0.5) == 6.0
    assert disbursement_rate(lambda y: amounts(y, 0.0), 2026.0, 2027.0, 0.5) == 6.0
    assert disbursement_rate(lambda y: amounts(y, 0.0), 2025.5, 2025.75, 0.5) == 12.0
    assert disbursement_rate(lambda y: amounts(y, 0.0), 2027.0, 2028.0, 0.5) == 0.0


def test_budget_validation_reports_every_problem():
    b = Budgets(["capital", "rural"], 2022, 2040)
    with pytest.raises(ConfigError) as info:
        b.add("adoption_subsidy", 2050, 1.0, executor="donor", region="moon",
              technology="robots")
    paths = {p.path for p in info.value.problems}
    assert {"budget.year", "budget.executor", "budget.region", "budget.technology"} <= paths
    with pytest.raises(ConfigError):
        b.add("rd_grants", 2030, 1.0, executor="local_government")
    frame = pd.DataFrame({"instrument": ["skills", "nope"], "year": [2030, 2030],
                          "amount": [1.0, 2.0]})
    with pytest.raises(ConfigError) as info:
        Budgets.from_frame(frame, ["capital", "rural"], 2022, 2040)
    assert info.value.problems[0].path == "budgets[row 1].instrument"


def _run(budgets: Budgets | None = None, *extra: str):
    inputs = small_inputs(*ARGS, *extra)
    return simulate_agents(inputs, budgets=budgets), inputs


def _budgets(inputs) -> Budgets:
    cfg = inputs.cfg
    return Budgets(cfg.regions.names, cfg.time.base_year, cfg.time.end_year)


def test_grants_raise_business_rd_and_research_intensity():
    base, inputs = _run()
    gdp = float(base["gdp"].isel(time=0))
    b = _budgets(inputs)
    for year in range(2023, 2031):
        b.add("rd_grants", year, 0.003 * gdp)  # +0.3% of GDP a year
    more, _ = _run(b)
    assert float(more["indicator_value"].sel(indicator="9.5.1", time=2028)) > float(
        base["indicator_value"].sel(indicator="9.5.1", time=2028)) + 0.1
    disbursed = more["disbursed"].sel(instrument="rd_grants", executor="ministry")
    assert float(disbursed.sel(time=2026)) > float(
        base["disbursed"].sel(instrument="rd_grants", executor="ministry", time=2026))
    # The first step is the baseline whatever the future budgets.
    np.testing.assert_allclose(more["indicator_value"].isel(time=0),
                               base["indicator_value"].isel(time=0))


def test_regional_subsidy_raises_adoption_in_that_region():
    base, inputs = _run()
    b = _budgets(inputs)
    gdp = float(base["gdp"].isel(time=0))
    for year in range(2022, 2030):
        b.add("adoption_subsidy", year, 0.01 * gdp, executor="local_government",
              region="rural", technology="clean_energy")
    more, _ = _run(b)
    sel = {"technology": "clean_energy", "time": 2030}
    gain = more["adoption_share_region"].sel(**sel) - base["adoption_share_region"].sel(**sel)
    # Kenya's real regions: "rural" money goes to each province's rural population, none to
    # Nairobi (all urban).
    assert base.attrs["region_source"] == "gdl"
    rural = str(base["region_urban_share"].idxmin("region").values)
    assert float(gain.sel(region=rural)) > 0.05
    assert float(gain.sel(region=rural)) > float(gain.sel(region="Nairobi")) + 0.04
    lg = more["disbursed"].sel(instrument="adoption_subsidy", executor="local_government")
    assert float(lg.sel(time=2025)) > float(base["disbursed"].sel(
        instrument="adoption_subsidy", executor="local_government", time=2025))


def test_infrastructure_and_skills_money_move_their_indicators():
    base, inputs = _run()
    b = _budgets(inputs)
    gdp = float(base["gdp"].isel(time=0))
    for year in range(2022, 2030):
        b.add("infrastructure_energy", year, 0.005 * gdp, executor="partner")
        b.add("infrastructure_broadband", year, 0.003 * gdp)
        b.add("institutional_funding", year, 0.002 * gdp)
    more, _ = _run(b)
    v0, v1 = base["indicator_value"], more["indicator_value"]
    for code in ("7.1.1", "9.c.1", "9.5.2"):
        assert float(v1.sel(indicator=code, time=2030)) > float(
            v0.sel(indicator=code, time=2030)), code


def test_config_budget_lines_and_negative_cuts():
    cut = ["policy.budgets=[{instrument: institutional_funding, year: 2023, amount: -1e12}, "
           "{instrument: institutional_funding, year: 2024, amount: -1e12}]"]
    base, _ = _run()
    less, _ = _run(None, *cut)
    sel = {"instrument": "institutional_funding", "executor": "ministry", "time": 2024.0}
    assert float(less["disbursed"].sel(**sel)) < float(base["disbursed"].sel(**sel))
    assert float(less["disbursed"].sel(**sel)) >= 0.0


def test_no_business_as_usual():
    ds, _ = _run(None, "policy.business_as_usual=false")
    assert float(ds["disbursed"].isel(time=-1).sum()) == 0.0
