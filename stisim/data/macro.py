"""Annual country series (2000-2023) for every country: GDP, population, structure, labour,
business owners, with how each value was obtained.

Built by ``tools/build_country_series.py`` from World Bank WDI, ILOSTAT, UN WPP 2019 and the
shipped UNSD / SDR extracts (``SOURCES.md``). The loaders never look past ``up_to``: gaps are
filled from the country's own earlier observations (linear between two observed years, then
the last observation carried forward) and otherwise from the median of the countries of its
UN sub-region (continent, world; at least three countries) in the same year, computed from
their data up to ``up_to`` as well, so a back-cast that starts in ``up_to`` sees nothing after it.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from stisim.data import countries, path

FIRST_YEAR = 2000
# Fewest countries with their own value whose median may stand in for a country (as in
# stisim.baseline); below that the next wider group is used.
MIN_PEERS = 3

# variable -> (unit, source key in SOURCES_MACRO, description)
VARIABLES: dict[str, tuple[str, str, str]] = {
    "population": ("persons", "wdi", "Total midyear population (WDI SP.POP.TOTL)"),
    "gdp_current_usd": ("USD", "wdi", "GDP at current US$ (WDI NY.GDP.MKTP.CD)"),
    "gdp_per_capita_current_usd": ("USD", "wdi",
                                   "GDP per capita at current US$ (GDP / population)"),
    "gdp_per_capita_const2015_usd": ("USD 2015", "wdi",
                                     "GDP per capita at constant 2015 US$ (WDI NY.GDP.PCAP.KD)"),
    "usd_deflator": ("ratio", "derived", "Current / constant-2015 US$ GDP per capita"),
    "gdp_deflator_growth": ("%", "wdi", "GDP deflator growth, local currency "
                            "(WDI NY.GDP.DEFL.KD.ZG)"),
    "urban_share": ("%", "wdi", "Urban population, % of total (WDI SP.URB.TOTL.IN.ZS)"),
    "agriculture_va_share": ("% of GDP", "wdi", "Agriculture, forestry, fishing value added "
                             "(WDI NV.AGR.TOTL.ZS)"),
    "industry_va_share": ("% of GDP", "wdi", "Industry incl. construction value added "
                          "(WDI NV.IND.TOTL.ZS)"),
    "manufacturing_va_share": ("% of GDP", "unsd", "Manufacturing value added, constant 2015 "
                               "prices (SDG 9.2.1 NV_IND_MANF)"),
    "services_va_share": ("% of GDP", "wdi", "Services value added (WDI NV.SRV.TOTL.ZS)"),
    "pop_15plus_share": ("fraction", "wpp", "Share of the population aged 15+ (WPP 2019)"),
    "employment_rate_15plus": ("%", "ilo", "Employment-to-population ratio, 15+ (ILOSTAT)"),
    "labour_force_participation_15plus": ("%", "ilo",
                                          "Labour force participation rate, 15+ (ILOSTAT)"),
    "employment": ("persons", "derived", "employment_rate_15plus x population aged 15+"),
    "labour_force": ("persons", "derived",
                     "labour_force_participation_15plus x population aged 15+"),
    "self_employed_share": ("% of employment", "ilo", "Self-employed (WDI SL.EMP.SELF.ZS)"),
    "family_workers_share": ("% of employment", "ilo",
                             "Contributing family workers (WDI SL.FAM.WORK.ZS)"),
    "agriculture_employment_share": ("% of employment", "ilo",
                                     "Employment in agriculture (WDI SL.AGR.EMPL.ZS)"),
    "business_owners": ("persons", "derived", "Employers and own-account workers: "
                        "(self-employed - family workers) x employment"),
    "business_owners_per_1000": ("per 1,000 inhabitants", "derived",
                                 "business_owners per 1,000 inhabitants"),
    "nonfarm_business_owners": ("persons", "derived", "business_owners x non-agricultural "
                                "share of employment"),
    "researchers_per_million": ("per million", "unsd",
                                "Researchers (FTE) per million inhabitants (SDG 9.5.2)"),
    "clean_cooking_access": ("%", "sdr2022", "Population with access to clean fuels and "
                             "technology for cooking (SDR sdg7_cleanfuel, SDG 7.1.2)"),
}
SOURCES_MACRO = {
    "wdi": "World Bank, World Development Indicators (CC BY 4.0), via datasets/gdp and "
           "datasets/population (datahub) and Gapminder Systema Globalis (CC BY 4.0)",
    "ilo": "ILOSTAT modelled estimates, via Gapminder Systema Globalis",
    "wpp": "UN DESA Population Division, World Population Prospects 2019",
    "unsd": "UN Statistics Division, Global SDG Indicators Database",
    "sdr2022": "Sachs et al. (2022), Sustainable Development Report 2022",
    "derived": "stisim, from the series named in the description (SOURCES.md)",
}
# Levels: never taken from other countries; recomputed from per-capita values x population.
EXTENSIVE = {"population", "gdp_current_usd", "employment", "labour_force", "business_owners",
             "nonfarm_business_owners"}
# How a value was obtained, best first; the flag of a recomputed level is its worst input.
FILLS = ("observed", "interpolated", "carried_forward", "alternative_source", "regional",
         "continent", "world", "missing")
_RANK = {f: i for i, f in enumerate(FILLS)}
_LEVELS = {  # extensive variable -> (per-person or ratio variable, how to rebuild it)
    "gdp_current_usd": ("gdp_per_capita_current_usd", lambda v, p: v * p),
    "employment": ("employment_rate_15plus", None),
    "labour_force": ("labour_force_participation_15plus", None),
    "business_owners": ("business_owners_per_1000", lambda v, p: v * p / 1000.0),
}


@cache
def table() -> pd.DataFrame:
    """The shipped table: (m49, year) index, one column per variable, observed values only."""
    t = pd.read_csv(path("series", "country_series.csv")).set_index(["m49", "year"])
    return t.sort_index()


def last_year() -> int:
    return int(table().index.get_level_values("year").max())


def _check(m49: int, up_to: int | None) -> int:
    from stisim.errors import DataError

    if int(m49) not in countries().index:
        raise DataError(f"country_series: M49 code {m49} is not in stisim/data/countries.csv "
                        "(allowed: a country code listed there, e.g. 404 for Kenya)")
    end = last_year() if up_to is None else int(up_to)
    if end < FIRST_YEAR:
        raise DataError(f"country_series: up_to={up_to} is before the first year of the "
                        f"shipped series ({FIRST_YEAR})")
    return min(end, last_year())


def _own(end: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every country's values up to ``end`` filled from its own past only, and the flags."""
    t = table()
    t = t[t.index.get_level_values("year") <= end]
    cols = [c for c in t.columns if c != "population_wpp2019"]
    years = pd.RangeIndex(FIRST_YEAR, end + 1, name="year")
    grid = pd.MultiIndex.from_product([countries().index, years], names=["m49", "year"])
    raw = t.reindex(grid)
    values = raw[cols].copy()
    flags = pd.DataFrame(np.where(values.notna(), "observed", "missing"), index=grid,
                         columns=cols)
    by = values.groupby(level="m49")
    inner = by.transform(lambda s: s.interpolate(limit_area="inside"))
    carried = inner.groupby(level="m49").ffill()
    flags = flags.mask(values.isna() & inner.notna(), "interpolated")
    flags = flags.mask(inner.isna() & carried.notna(), "carried_forward")
    # Levels other than population are rebuilt from filled rates x population, not carried.
    derived = sorted(EXTENSIVE - {"population"})
    carried[derived] = values[derived]
    flags[derived] = flags[derived].where(values[derived].notna(), "missing")
    # Population: UN WPP 2019 where the World Bank has none (six small territories).
    wpp = raw["population_wpp2019"]
    use = carried["population"].isna() & wpp.notna()
    carried.loc[use, "population"] = wpp[use]
    flags.loc[use, "population"] = "alternative_source"
    return carried, flags


@cache
def _resolved(end: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    values, flags = _own(end)
    c = countries()
    intensive = [v for v in values.columns if v not in EXTENSIVE]
    m49 = values.index.get_level_values("m49")
    year = values.index.get_level_values("year")
    for level, key in (("regional", "un_region"), ("continent", "continent"),
                       ("world", None)):
        group = pd.Series(c[key].reindex(m49).to_numpy() if key else "world", index=values.index)
        own = values[intensive].where(
            flags[intensive].isin(("observed", "interpolated", "carried_forward")))
        peers = own.groupby([group, year])
        medians = peers.transform("median").where(peers.transform("count") >= MIN_PEERS)
        fill = values[intensive].isna() & medians.notna()
        values[intensive] = values[intensive].mask(fill, medians)
        flags[intensive] = flags[intensive].mask(fill, level)
    pop, pop_flag = values["population"], flags["population"]
    for var, (per, rebuild) in _LEVELS.items():
        gap = values[var].isna()
        if rebuild is None:  # rates of the population aged 15+
            rebuilt = values[per] / 100.0 * values["pop_15plus_share"] * pop
            worst = _worst(flags[per], _worst(flags["pop_15plus_share"], pop_flag))
        else:
            rebuilt = rebuild(values[per], pop)
            worst = _worst(flags[per], pop_flag)
        values.loc[gap, var] = rebuilt[gap]
        flags.loc[gap & rebuilt.notna(), var] = worst[gap & rebuilt.notna()]
    gap = values["nonfarm_business_owners"].isna()
    rebuilt = values["business_owners"] * (1.0 - values["agriculture_employment_share"] / 100.0)
    worst = _worst(flags["business_owners"], flags["agriculture_employment_share"])
    values.loc[gap, "nonfarm_business_owners"] = rebuilt[gap]
    flags.loc[gap & rebuilt.notna(), "nonfarm_business_owners"] = worst[gap & rebuilt.notna()]
    return values, flags


def _worst(a: pd.Series, b: pd.Series) -> pd.Series:
    ra, rb = a.map(_RANK), b.map(_RANK)
    return a.where(ra >= rb, b)


def country_series(m49: int, up_to: int | None = None) -> pd.DataFrame:
    """Year x variable values for one country, 2000 to ``up_to`` (default: the last shipped
    year), using only data up to ``up_to``. Columns are :data:`VARIABLES`."""
    end = _check(m49, up_to)
    values, _ = _resolved(end)
    return values.xs(int(m49), level="m49").copy()


def country_series_fill(m49: int, up_to: int | None = None) -> pd.DataFrame:
    """How each value of :func:`country_series` was obtained (one of :data:`FILLS`)."""
    end = _check(m49, up_to)
    _, flags = _resolved(end)
    return flags.xs(int(m49), level="m49").copy()


def country_inputs_at(m49: int, year: int) -> pd.DataFrame:
    """Every variable at ``year`` from data up to ``year``: value, fill, unit, source."""
    values = country_series(m49, up_to=year)
    flags = country_series_fill(m49, up_to=year)
    row = int(min(year, last_year()))
    return pd.DataFrame({
        "value": values.loc[row], "fill": flags.loc[row],
        "unit": [VARIABLES[v][0] for v in values.columns],
        "source": [SOURCES_MACRO[VARIABLES[v][1]] for v in values.columns],
    })


def fallback_flags(m49: int, year: int) -> list[str]:
    """Variables whose value at ``year`` came from other countries or is missing."""
    fill = country_series_fill(m49, up_to=year).loc[min(year, last_year())]
    return sorted(fill[fill.isin(("regional", "continent", "world", "missing"))].index)
