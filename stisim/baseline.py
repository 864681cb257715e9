"""Real country baselines: observed series and base-year values per indicator.

The baseline value of an indicator is its latest observation at or before the base year, with
the year used. When a country has no observation, the value is imputed — never silently — as
the country's first later observation carried back (for early base years), else the median
of the latest values of countries in the same UN sub-region, else the same continent, else
all countries; the method and the number of countries are recorded and
written into every output's provenance.

``data_until`` makes a baseline that knows nothing after that year (held-out validation,
calibration windows): the observed table stops there, and no later observation is carried
back to fill the base year.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pandas as pd

from stisim import data
from stisim.data.indicators import registry
from stisim.errors import DataError

# Observations older than this many years before the base year are not used for imputation.
IMPUTATION_WINDOW = 10


@dataclass
class Baseline:
    """A country's real starting point."""

    m49: int
    iso3: str
    name: str
    base_year: int
    value: pd.Series  # indicator -> value
    year: pd.Series  # indicator -> year of the observation used (NaN when imputed)
    source: pd.Series  # indicator -> "UNSD <series>" / "SDR 2022 <code>"
    imputed: pd.Series  # indicator -> bool
    method: pd.Series  # indicator -> "observed" / "median of N countries in <region>"
    observed: pd.DataFrame  # year x indicator, NaN where not observed
    population: float  # persons, base year (SDR 2022 panel)
    population_year: int
    extra: dict = field(default_factory=dict)
    data_until: int | None = None  # last year of data used (None: all shipped data)

    def provenance(self) -> dict[str, dict]:
        """Per-indicator provenance for dataset attributes."""
        return {
            code: {
                "source": self.source[code],
                "year": None if pd.isna(self.year[code]) else int(self.year[code]),
                "imputed": bool(self.imputed[code]),
                "method": self.method[code],
            }
            for code in self.value.index
        }


@cache
def _long_series() -> pd.DataFrame:
    """All registry series for all areas in one long table: indicator, m49, year, value."""
    reg = registry()
    frames = []
    unsd = data.unsd()
    unsd_rows = reg[reg.source == "unsd"]
    sub = unsd[unsd.series.isin(unsd_rows.series)]
    code_of = dict(zip(unsd_rows.series, unsd_rows.code, strict=True))
    frames.append(pd.DataFrame({"indicator": sub.series.map(code_of), "m49": sub.geo_area_m49,
                                "year": sub.year, "value": sub.value}))
    sdr = data.sdr_panel()
    sdr_rows = reg[reg.source == "sdr"]
    iso_to_m49 = pd.Series(data.countries().index, index=data.countries().iso3)
    sub = sdr[sdr.series.isin(sdr_rows.series) & sdr.iso3.isin(iso_to_m49.index)]
    code_of = dict(zip(sdr_rows.series, sdr_rows.code, strict=True))
    frames.append(pd.DataFrame({"indicator": sub.series.map(code_of),
                                "m49": sub.iso3.map(iso_to_m49).astype(int),
                                "year": sub.year, "value": sub.value.astype(float)}))
    return pd.concat(frames, ignore_index=True)


def _source_label(code: str) -> str:
    row = registry().loc[code]
    if row.source == "unsd":
        return f"UNSD Global SDG Indicators Database, series {row.series}"
    return f"SDR 2022 panel (Sachs et al. 2022), series {row.series}"


def observed_series(m49: int, indicators: list[str] | None = None,
                    data_until: int | None = None) -> pd.DataFrame:
    """Observed values of a country: a year x indicator table (NaN where missing), up to
    ``data_until`` when given."""
    long = _long_series()
    sub = long[long.m49 == m49]
    if data_until is not None:
        sub = sub[sub.year <= data_until]
    if indicators is not None:
        sub = sub[sub.indicator.isin(indicators)]
    table = sub.pivot_table(index="year", columns="indicator", values="value", aggfunc="mean")
    cols = indicators if indicators is not None else list(registry().index)
    return table.reindex(columns=cols).sort_index()


def _latest(long: pd.DataFrame, base_year: int) -> pd.DataFrame:
    recent = long[(long.year <= base_year) & (long.year > base_year - IMPUTATION_WINDOW)]
    return recent.sort_values("year").groupby(["indicator", "m49"]).tail(1)


@cache
def _latest_of_all(base_year: int, data_until: int | None = None) -> pd.DataFrame:
    """The latest observation of every indicator and country in the imputation window (the
    pool of regional medians; the same for every country, so computed once per base year and
    data horizon), from data up to ``data_until``."""
    long = _long_series()
    if data_until is not None:
        long = long[long.year <= data_until]
    return _latest(long[long.m49.isin(data.countries().index)], base_year)


@cache
def load_baseline(m49: int, base_year: int, data_until: int | None = None) -> Baseline:
    """The baseline of country ``m49`` at ``base_year`` for every registry indicator,
    from data up to ``data_until`` (default: all shipped data).

    Cached per (country, year, data_until): treat the result as read-only.
    """
    table = data.countries()
    if m49 not in table.index:
        raise DataError(f"country M49 {m49} is not in the shipped data (countries.csv)")
    if data_until is not None and data_until < base_year:
        raise DataError(f"data_until={data_until} is before the base year {base_year}: the "
                        "base year's own data would be hidden")
    country = table.loc[m49]
    reg = registry()
    long = _long_series()
    if data_until is not None:
        long = long[long.year <= data_until]
    own = long[long.m49 == m49]
    mine = own[own.year <= base_year]
    latest_all = _latest_of_all(base_year, data_until)
    later_all = long[long.m49.isin(table.index) & (long.year > base_year)
                     & (long.year < base_year + IMPUTATION_WINDOW)]
    first_later = later_all.sort_values("year").groupby(["indicator", "m49"]).head(1)

    values, years, imputed, method = {}, {}, {}, {}
    for code in reg.index:
        obs = mine[mine.indicator == code].sort_values("year")
        if len(obs):
            last = obs.iloc[-1]
            values[code], years[code] = float(last.value), int(last.year)
            imputed[code], method[code] = False, "observed"
            continue
        later = own[(own.indicator == code) & (own.year > base_year)
                    & (own.year < base_year + IMPUTATION_WINDOW)].sort_values("year")
        if len(later):
            # Early base years (back-casts) predate some series: carry the first value back.
            first = later.iloc[0]
            values[code], years[code], imputed[code] = float(first.value), np.nan, True
            method[code] = f"imputed: first observation ({int(first.year)}) carried back"
            continue
        pool = latest_all[latest_all.indicator == code]
        first = base_year - IMPUTATION_WINDOW + 1
        what = f"latest values ({first}-{base_year})"
        if pool.m49.nunique() < 3:
            # A series that starts after the base year (back-casts): the peers' first
            # observations within the imputation window (and before data_until).
            pool = first_later[first_later.indicator == code]
            last = base_year + IMPUTATION_WINDOW - 1
            last = last if data_until is None else min(data_until, last)
            what = f"first observations ({base_year + 1}-{last})"
        for level in ("un_region", "continent", None):
            if level is None:
                peers, label = pool, "all countries"
            else:
                members = table.index[table[level] == country[level]]
                peers, label = pool[pool.m49.isin(members)], country[level]
            if len(peers) >= 3:
                values[code] = float(np.median(peers.value))
                method[code] = f"imputed: median of {what} of {len(peers)} countries in {label}"
                break
        else:
            raise DataError(f"indicator {code}: no data for {country['name']} and too few "
                            "countries to impute from")
        years[code], imputed[code] = np.nan, True

    pop = data.sdr_panel()
    pop = pop[(pop.iso3 == country.iso3) & (pop.series == "Population") & (pop.year <= base_year)]
    if pop.empty:
        raise DataError(f"no population for {country['name']} ({country.iso3}) in the SDR panel")
    pop_row = pop.sort_values("year").iloc[-1]
    codes = list(reg.index)
    return Baseline(
        m49=int(m49), iso3=country.iso3, name=country["name"], base_year=base_year,
        value=pd.Series(values)[codes], year=pd.Series(years, dtype=float)[codes],
        source=pd.Series({c: _source_label(c) for c in codes}),
        imputed=pd.Series(imputed)[codes], method=pd.Series(method)[codes],
        observed=observed_series(m49, data_until=data_until),
        population=float(pop_row.value), population_year=int(pop_row.year),
        data_until=data_until,
    )
