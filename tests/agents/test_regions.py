"""Real sub-national regions for the pilots, the generic three elsewhere (region_set)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy.stats import spearmanr

from stisim.agents.model import build_model, simulate_agents
from stisim.agents.policy import Budgets
from stisim.agents.region_set import GENERIC, region_labels, resolve_regions
from stisim.config import load_config
from stisim.data import regions as gdl
from stisim.errors import ConfigError
from tests.agents.conftest import PILOTS, small_inputs

M49 = {"ethiopia": 231, "ghana": 288, "india": 356, "kenya": 404, "serbia": 688,
       "ukraine": 804}
SHORT = ("time.end_year=2025", "firms.count=1500")


@pytest.mark.parametrize("name", PILOTS)
def test_pilots_get_their_first_level_regions(name):
    cfg = load_config("run", [f"country={name}"])
    table = gdl.country_regions(M49[name], up_to=cfg.time.base_year)
    regions = resolve_regions(cfg, 0.5)
    assert regions.source == "gdl"
    assert regions.names == list(table.region)
    assert regions.population_share.sum() == pytest.approx(1.0)
    assert np.all(regions.population_share > 0)
    cap = regions.index("capital")
    assert regions.names[cap] in {"Addis", "Greater Accra", "New Delhi", "Nairobi",
                                  "Belgrade", "North"}
    # Firm density, productivity and capacity rise with the survey's urban share.
    order = np.argsort(regions.urban_share)
    for arr in (regions.productivity, regions.firm_density, regions.capacity):
        assert np.all(np.diff(arr[order]) >= 0)
    # Budget lines may name a real region or a generic label.
    assert set(region_labels(cfg)) == {*regions.names, *GENERIC}


def test_other_countries_keep_the_generic_regions_flagged():
    ds = simulate_agents(small_inputs("country=germany", *SHORT))
    assert list(ds["region"].values) == list(GENERIC)
    assert ds.attrs["region_source"] == "generic"
    assert "no sub-national data" in json.loads(ds.attrs["regions"])["note"]
    ken = load_config("run", ["country=kenya", "regions.source=generic"])
    assert resolve_regions(ken, 0.3).names == list(GENERIC)


def test_regional_values_follow_the_survey_and_average_to_the_nation():
    inputs = small_inputs("country=kenya", *SHORT)
    ds = simulate_agents(inputs)
    assert ds.attrs["region_source"] == "gdl"
    assert json.loads(ds.attrs["regions"])["survey_year"] == 2014
    w = ds["region_population_share"]
    reg = ds["indicator_value_region"]
    for code in ("7.1.1", "9.c.1", "17.8.1", "7.1.2"):
        national = (reg.sel(regional_indicator=code) * w).sum("region")
        np.testing.assert_allclose(national, ds["indicator_value"].sel(indicator=code),
                                   rtol=1e-9)
    # The ranking of electricity access at the base year is the survey's.
    table = gdl.country_regions(404, up_to=2022)
    rho = spearmanr(reg.sel(regional_indicator="7.1.1").isel(time=0), table.electricity)
    assert rho.statistic == pytest.approx(1.0)
    assert float(ds["region_urban_share"].sel(region="Nairobi")) == pytest.approx(1.0)


def test_money_for_a_named_region_lands_there_and_is_conserved():
    inputs = small_inputs("country=ghana", *SHORT)
    base = simulate_agents(inputs)
    b = Budgets(region_labels(inputs.cfg), 2022, 2025)
    gdp = float(base["gdp"].isel(time=0))
    for year in (2022, 2023, 2024):
        b.add("infrastructure_energy", year, 0.01 * gdp, executor="local_government",
              region="Upper East")
    more = simulate_agents(inputs, b)  # the money accounts are checked at the end
    gain = (more["electricity_access"] - base["electricity_access"]).isel(time=-1)
    assert float(gain.sel(region="Upper East")) > 1.0
    others = gain.drop_sel(region="Upper East")
    assert float(abs(others).max()) < 0.1 * float(gain.sel(region="Upper East"))


def test_generic_labels_spread_over_real_regions():
    model = build_model(small_inputs("country=kenya", *SHORT))
    r = model.regions
    rural = r.weights("rural")
    assert rural.sum() == pytest.approx(1.0)
    assert rural[r.names.index("Nairobi")] == 0.0
    expected = r.population_share * (1.0 - r.urban_share)
    np.testing.assert_allclose(rural, expected / expected.sum())
    assert list(r.members("capital")) == [r.names.index("Nairobi")]


def test_unknown_region_names_the_real_ones():
    with pytest.raises(ConfigError) as err:
        load_config("run", ["country=kenya",
                            "+policy.budgets=[{instrument: skills, year: 2025, amount: 1e6, "
                            "region: Narnia}]"])
    assert "Narnia" in str(err.value) and "Rift Valley" in str(err.value)
    cfg = load_config("run", ["country=kenya",
                              "+policy.budgets=[{instrument: skills, year: 2025, "
                              "amount: 1e6, region: Western}]"])
    assert cfg.policy.budgets[0].region == "Western"
