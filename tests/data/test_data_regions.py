"""Sub-national regions of the pilots (GDL Area Database)."""

from __future__ import annotations

import numpy as np
import pytest

from stisim.data import macro, regions

PILOTS = {"ethiopia": 231, "ghana": 288, "india": 356, "kenya": 404, "serbia": 688,
          "ukraine": 804}


def test_the_six_pilots_and_only_they_have_regions():
    assert regions.countries_with_regions() == sorted(PILOTS.values())
    assert regions.country_regions(276) is None  # Germany keeps the generic regions


@pytest.mark.parametrize(("name", "n_regions", "year"), [
    ("ethiopia", 11, 2016), ("ghana", 10, 2017), ("india", 36, 2016), ("kenya", 8, 2014),
    ("serbia", 4, 2019), ("ukraine", 5, 2012)])
def test_latest_regions(name, n_regions, year):
    r = regions.country_regions(PILOTS[name])
    assert len(r) == n_regions and set(r.year) == {year}
    assert r.population_share.sum() == pytest.approx(1.0)
    for col in ("population_share", "urban_share", "electricity", "cellphone"):
        assert r[col].between(0.0, 1.0).all(), col
    assert r.region.str.len().gt(0).all()


def test_up_to_picks_the_latest_survey_before_it():
    assert set(regions.country_regions(404, up_to=2013).year) == {2008}
    assert set(regions.country_regions(404, up_to=2014).year) == {2014}
    assert regions.country_regions(688, up_to=2004) is None
    assert regions.survey_years(404) == [1993, 1998, 2003, 2008, 2014]


def test_kenya_capital_leads_on_access():
    r = regions.country_regions(404)
    off = regions.access_offset(r, "electricity")
    assert off.idxmax() == "KENr101"  # Nairobi
    assert float(np.dot(off, r.population_share)) == pytest.approx(0.0, abs=1e-12)
    assert regions.access_offset(r, "internet") is None  # not asked in the 2014 DHS


def test_offsets_reproduce_the_regional_shares():
    """expit(offset + c) gives back the survey shares, with c the mean logit."""
    r = regions.country_regions(288)
    off = regions.access_offset(r, "electricity")
    x = r.electricity.clip(regions.LOGIT_CLIP, 1 - regions.LOGIT_CLIP)
    logit = np.log(x / (1 - x))
    c = float(np.dot(logit, r.population_share))
    assert np.allclose(1 / (1 + np.exp(-(off + c))), x)


@pytest.mark.parametrize("name", sorted(PILOTS))
def test_survey_urban_share_is_near_the_national_series(name):
    """The survey's urban share (population-weighted over regions) against WDI in the survey
    year; differences up to 9 points reflect survey sampling and urban definitions."""
    r = regions.country_regions(PILOTS[name])
    year = int(r.year.iloc[0])
    wdi = macro.country_series(PILOTS[name], up_to=year).urban_share[year]
    assert 100 * regions.national_mean(r, "urban_share") == pytest.approx(wdi, abs=9.0)
