"""Real baselines: values equal the shipped UN SDG database; gaps are imputed and flagged."""

from __future__ import annotations

import pandas as pd
import pytest

from stisim import data
from stisim.baseline import load_baseline
from stisim.errors import DataError


def latest_unsd(series: str, m49: int, base_year: int) -> tuple[float, int]:
    raw = pd.read_csv(data.path("unsd", "sdg_selected_long.csv"), low_memory=False)
    rows = raw[(raw.series == series) & (raw.geo_area_m49 == m49) & (raw.year <= base_year)]
    last = rows.sort_values("year").iloc[-1]
    return float(last.value), int(last.year)


@pytest.mark.parametrize("code,series", [("9.5.1", "GB_XPD_RSDV"), ("9.5.2", "GB_POP_SCIERD"),
                                         ("17.8.1", "IT_USE_II99")])
def test_ghana_baseline_equals_unsd(code, series):
    b = load_baseline(288, 2022)
    value, year = latest_unsd(series, 288, 2022)
    assert b.value[code] == pytest.approx(value)
    assert b.year[code] == year and not b.imputed[code]
    assert series in b.source[code]


def test_base_year_limits_observations():
    b = load_baseline(288, 2009)
    value, year = latest_unsd("GB_XPD_RSDV", 288, 2009)
    assert (b.value["9.5.1"], b.year["9.5.1"]) == (pytest.approx(value), year)


def test_censored_values_are_read_as_their_bound():
    unsd = data.unsd()
    censored = unsd[unsd.censored]
    assert len(censored) and (censored.value == 2.5).all()


def test_missing_data_is_imputed_and_flagged():
    # Find a country without any 9.5.1 observation in the shipped data.
    unsd = data.unsd()
    observed = set(unsd.loc[unsd.series == "GB_XPD_RSDV", "geo_area_m49"])
    countries = data.countries()
    missing = [m for m in countries.index if m not in observed]
    b = load_baseline(int(missing[0]), 2022)
    assert b.imputed["9.5.1"] and pd.isna(b.year["9.5.1"])
    assert b.method["9.5.1"].startswith("imputed: median")
    assert b.provenance()["9.5.1"]["imputed"] is True


def test_unknown_country_is_a_data_error():
    with pytest.raises(DataError, match="999"):
        load_baseline(999, 2022)


def test_data_until_hides_later_years():
    """A baseline for a window ending in 2016 knows nothing observed later: its table stops
    there and no later observation is carried back; a series that starts after the base year
    is imputed from other countries' first observations up to 2016 (Morocco, 8.10.2)."""
    from stisim.baseline import load_baseline

    full = load_baseline(504, 2010)
    cut = load_baseline(504, 2010, 2016)
    assert cut.observed.index.max() <= 2016 < full.observed.index.max()
    assert "2017" in full.method["8.10.2"]  # carried back from a later year
    assert cut.method["8.10.2"].startswith("imputed: median of first observations (2011-2016)")
    assert cut.data_until == 2016 and full.data_until is None
