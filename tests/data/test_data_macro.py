"""Annual country series: coverage of every country, sanity ranges, leak-free filling, the
pilot presets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from stisim.data import countries, macro
from stisim.errors import DataError

OWN = ("observed", "interpolated", "carried_forward")


@pytest.fixture(scope="module")
def latest():
    """Every country's 2022 values and fills, from data up to 2022."""
    values = {m: macro.country_series(m, up_to=2022).loc[2022] for m in countries().index}
    fills = {m: macro.country_series_fill(m, up_to=2022).loc[2022] for m in countries().index}
    return pd.DataFrame(values).T, pd.DataFrame(fills).T


def test_every_country_has_every_variable_and_year():
    for m49 in countries().index:
        s = macro.country_series(m49)
        assert list(s.index) == list(range(2000, macro.last_year() + 1))
        assert list(s.columns) == list(macro.VARIABLES)
        assert set(macro.country_series_fill(m49).stack()) <= set(macro.FILLS)


@pytest.mark.parametrize(("variable", "at_least"), [
    ("population", 220), ("gdp_per_capita_current_usd", 205),
    ("gdp_per_capita_const2015_usd", 205), ("urban_share", 210),
    ("agriculture_va_share", 195), ("industry_va_share", 195), ("services_va_share", 195),
    ("manufacturing_va_share", 200), ("employment", 180), ("business_owners", 180),
])
def test_coverage_from_own_data(latest, variable, at_least):
    _, fills = latest
    assert fills[variable].isin((*OWN, "alternative_source")).sum() >= at_least


def test_countries_without_own_data_fall_back_to_their_region(latest):
    values, fills = latest
    regional = fills.urban_share.isin(("regional", "continent", "world"))
    assert regional.any() and values.urban_share[regional].notna().all()
    # Levels are never borrowed from other countries.
    assert not fills.population.isin(("regional", "continent", "world")).any()


def test_values_within_sane_ranges(latest):
    v, fills = latest
    own = fills.isin(OWN)
    shares = ["urban_share", "agriculture_va_share", "industry_va_share",
              "services_va_share", "manufacturing_va_share", "employment_rate_15plus",
              "self_employed_share", "clean_cooking_access"]
    assert ((v[shares] >= 0) & (v[shares] <= 100) | v[shares].isna()).all().all()
    gdp = v.gdp_per_capita_current_usd[own.gdp_per_capita_current_usd]
    assert gdp.between(100, 250_000).all()
    sectors = (v.agriculture_va_share + v.industry_va_share + v.services_va_share)[
        own.agriculture_va_share & own.industry_va_share & own.services_va_share]
    # The rest is taxes less subsidies on products; WDI has Sudan 2021-22 at 16 % and
    # Kuwait at 111 % (net product subsidies): at most those two outside the band.
    assert (~sectors.between(70, 106)).sum() <= 2
    ok = own.employment & own.labour_force
    assert (v.employment[ok] <= v.labour_force[ok] + 1).all()
    assert (v.labour_force[ok] < v.population[ok]).all()
    assert v.business_owners_per_1000[own.business_owners_per_1000].between(0, 600).all()
    both = v.business_owners.notna()
    assert (v.nonfarm_business_owners[both] <= v.business_owners[both] + 1e-6).all()
    assert v.nonfarm_business_owners[~both].isna().all()


def test_usd_deflator_is_one_in_2015_up_to_vintage_differences():
    d = pd.Series({m: macro.country_series(m, up_to=2015).usd_deflator[2015] for m in
                   countries().index
                   if macro.country_series_fill(m, up_to=2015).usd_deflator[2015] == "observed"})
    assert len(d) >= 200
    assert d.median() == pytest.approx(1.0, abs=1e-3)
    assert d.between(0.6, 1.2).all()


def test_unknown_country_and_year_are_refused():
    with pytest.raises(DataError, match="M49 code 999"):
        macro.country_series(999)
    with pytest.raises(DataError, match="before the first year"):
        macro.country_series(404, up_to=1990)


def _noisy_after(year: int) -> pd.DataFrame:
    """The shipped table with every value after ``year`` replaced by noise."""
    t = macro.table().copy()
    late = t.index.get_level_values("year") > year
    rng = np.random.default_rng(0)
    t.loc[late] = t.loc[late] * rng.uniform(0.2, 5.0, size=t.loc[late].shape)
    return t


@pytest.mark.parametrize("m49", [404, 804, 336, 231])
def test_no_value_after_up_to_reaches_the_series(m49, monkeypatch):
    """Kenya, Ukraine (ILO series end 2021), Holy See (all regional), Ethiopia."""
    clean = macro.country_series(m49, up_to=2016), macro.country_series_fill(m49, up_to=2016)
    noisy = _noisy_after(2016)
    macro._resolved.cache_clear()
    monkeypatch.setattr(macro, "table", lambda: noisy)
    try:
        pd.testing.assert_frame_equal(macro.country_series(m49, up_to=2016), clean[0])
        pd.testing.assert_frame_equal(macro.country_series_fill(m49, up_to=2016), clean[1])
        # The noise does reach a series that may see those years.
        assert not macro.country_series(m49).equals(macro.country_series(m49, up_to=2016))
    finally:
        macro._resolved.cache_clear()


def _synthetic(monkeypatch, rows):
    cols = list(macro.table().columns)
    t = pd.DataFrame(rows, columns=["m49", "year", "urban_share"]).set_index(["m49", "year"])
    t = t.reindex(columns=cols)
    macro._resolved.cache_clear()
    monkeypatch.setattr(macro, "table", lambda: t)
    return t


def test_gaps_are_interpolated_carried_forward_or_regional(monkeypatch):
    kenya, uganda, tanzania = 404, 800, 834  # all in Eastern Africa
    _synthetic(monkeypatch, [(kenya, 2000, 20.0), (kenya, 2004, 28.0),
                             (uganda, 2000, 10.0), (uganda, 2023, 10.0),
                             (tanzania, 2000, 30.0), (tanzania, 2023, 30.0)])
    try:
        v = macro.country_series(kenya, up_to=2006).urban_share
        f = macro.country_series_fill(kenya, up_to=2006).urban_share
        assert v[2002] == pytest.approx(24.0) and f[2002] == "interpolated"
        assert v[2006] == pytest.approx(28.0) and f[2006] == "carried_forward"
        # Ethiopia has no value: median of its sub-region's own values in that year.
        eth = macro.country_series(231, up_to=2006).urban_share
        assert eth[2000] == pytest.approx(20.0)  # median of 20, 10, 30
        assert macro.country_series_fill(231, up_to=2006).urban_share[2000] == "regional"
        assert "urban_share" in macro.fallback_flags(231, 2006)
        assert "urban_share" not in macro.fallback_flags(kenya, 2006)
    finally:
        macro._resolved.cache_clear()
