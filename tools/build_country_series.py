"""Regenerate ``stisim/data/series/country_series.csv`` from the source extracts in shared data.

One row per (m49, year) for every country of ``stisim/data/countries.csv`` and 2000-2023,
one column per variable, observed values only (empty where the source has none; the loader
``stisim.data.macro.country_series`` fills gaps and flags regional fallbacks). Sources are in
``stisim/data/SOURCES.md``:

- World Bank WDI via datahub (``wb_datahub/``): GDP at current US$ and population; GDP per
  capita at current US$ is their ratio (the WDI definition of NY.GDP.PCAP.CD).
- World Bank WDI and ILOSTAT via Gapminder Systema Globalis (``wdi_gapminder/``): GDP per
  capita at constant 2015 US$, GDP deflator growth, sector value-added shares, urban share,
  status in employment, employment and participation rates.
- UN SDG Global Database extract (shipped ``unsd/``): manufacturing value-added share (9.2.1),
  researchers per million (9.5.2); SDR 2022 panel (shipped ``sdr2022/``): clean cooking fuels.
- UN World Population Prospects 2019 (``wpp2019/``): share of the population aged 15+.

Derived columns (stated in SOURCES.md): usd_deflator (current / constant-2015 US$ GDP per
capita, 2015 = 1 by construction), employment and labour force (ILO rates x population aged
15+), business_owners (employers and own-account workers: self-employed minus contributing
family workers, x employment), business_owners_per_1000 and nonfarm_business_owners
(x the non-agricultural share of employment); population_wpp2019 only where the World Bank
has no population.

Run with ``python tools/build_country_series.py [SHARED_DATA_DIR]`` (default
``/work/shared/data``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

DATA = Path(__file__).resolve().parents[1] / "stisim" / "data"
YEARS = range(2000, 2024)

# Gapminder Systema Globalis concept -> stisim variable (WDI / ILOSTAT series in the README).
GAPMINDER = {
    "gdppercapita_us_inflation_adjusted": "gdp_per_capita_const2015_usd",
    "inflation_annual_percent": "gdp_deflator_growth",
    "agriculture_percent_of_gdp": "agriculture_va_share",
    "industry_percent_of_gdp": "industry_va_share",
    "services_percent_of_gdp": "services_va_share",
    "urban_population_percent_of_total": "urban_share",
    "self_employed_percent_of_employment": "self_employed_share",
    "family_workers_percent_of_employment": "family_workers_share",
    "aged_15plus_employment_rate_percent": "employment_rate_15plus",
    "aged_15plus_labour_force_participation_rate_percent": "labour_force_participation_15plus",
    "agriculture_workers_percent_of_employment": "agriculture_employment_share",
}
UNSD = {"NV_IND_MANF": "manufacturing_va_share", "GB_POP_SCIERD": "researchers_per_million"}
SDR = {"sdg7_cleanfuel": "clean_cooking_access"}
COLUMNS = [
    "population", "gdp_current_usd", "gdp_per_capita_current_usd",
    "gdp_per_capita_const2015_usd", "usd_deflator", "gdp_deflator_growth", "urban_share",
    "agriculture_va_share", "industry_va_share", "manufacturing_va_share", "services_va_share",
    "pop_15plus_share", "employment_rate_15plus", "labour_force_participation_15plus",
    "employment", "labour_force", "self_employed_share", "family_workers_share",
    "agriculture_employment_share", "business_owners", "business_owners_per_1000",
    "nonfarm_business_owners", "researchers_per_million", "clean_cooking_access",
    "population_wpp2019",
]


def _long(frame: pd.DataFrame, variable: str) -> pd.DataFrame:
    return frame.assign(variable=variable)[["m49", "year", "variable", "value"]]


def gapminder(shared: Path, countries: pd.DataFrame) -> pd.DataFrame:
    geo = pd.read_csv(shared / "wdi_gapminder" / "ddf--entities--geo--country.csv",
                      keep_default_na=False, dtype=str)
    to_m49 = dict(zip(geo.country, geo.iso3166_1_alpha3.str.upper().map(
        dict(zip(countries.iso3, countries.index)))))
    parts = []
    for concept, variable in GAPMINDER.items():
        d = pd.read_csv(shared / "wdi_gapminder" / f"{concept}.csv")
        d = d.rename(columns={"time": "year", concept: "value"})
        d["m49"] = d.geo.map(to_m49)
        parts.append(_long(d.dropna(subset=["m49"]), variable))
    return pd.concat(parts)


def world_bank(shared: Path, countries: pd.DataFrame) -> pd.DataFrame:
    to_m49 = dict(zip(countries.iso3, countries.index))
    parts = []
    for name, variable in (("gdp", "gdp_current_usd"), ("population", "population")):
        d = pd.read_csv(shared / "wb_datahub" / f"{name}.csv")
        d = d.rename(columns={"Year": "year", "Value": "value"})
        d["m49"] = d["Country Code"].map(to_m49)
        parts.append(_long(d.dropna(subset=["m49"]), variable))
    return pd.concat(parts)


def wpp_total(d: pd.DataFrame) -> pd.DataFrame:
    """WPP 2019 total population (thousands -> persons), interpolated between its 5-year
    points; used only where the World Bank has no population series."""
    total = d.groupby(["country", "time"]).population.sum().mul(1000.0).unstack("time")
    total = total.T.reindex(range(int(total.columns.min()), int(total.columns.max()) + 1))
    total = total.interpolate(method="index", limit_area="inside").T.stack()
    total = total.rename("value").reset_index()
    total.columns = ["m49", "year", "value"]
    return _long(total, "population_wpp2019")


def wpp_share_15plus(d: pd.DataFrame) -> pd.DataFrame:
    young = d.age5yearinterval.isin(["0_4", "5_9", "10_14"])
    total = d.groupby(["country", "time"]).population.sum()
    adult = d[~young].groupby(["country", "time"]).population.sum()
    share = (adult / total).rename("value").unstack("time")
    # WPP tabulates ages every five years (estimates to 2020, projections after): the age
    # structure moves slowly, so intermediate years are interpolated linearly.
    share = share.T.reindex(range(int(share.columns.min()), int(share.columns.max()) + 1))
    share = share.interpolate(method="index", limit_area="inside").T
    share = share.stack().rename("value").reset_index()
    share.columns = ["m49", "year", "value"]
    return _long(share, "pop_15plus_share")


def shipped(countries: pd.DataFrame) -> pd.DataFrame:
    unsd = pd.read_csv(DATA / "unsd" / "sdg_selected_long.csv", low_memory=False,
                       dtype={"series": str})
    unsd = unsd[unsd.series.isin(UNSD)].copy()
    unsd["value"] = pd.to_numeric(unsd["value"].astype(str).str.lstrip("<>"), errors="coerce")
    # One value per country-year: the extract has a single unit per series; average
    # duplicates (none expected) rather than pick one silently.
    unsd = unsd.groupby(["series", "geo_area_m49", "year"], as_index=False)["value"].mean()
    unsd = unsd.rename(columns={"geo_area_m49": "m49"}).assign(
        variable=lambda d: d.series.map(UNSD))
    sdr = pd.read_csv(DATA / "sdr2022" / "SDR2022_timeseries_reshaped.csv")
    sdr = sdr[sdr.seriesCode.isin(SDR)].melt(
        id_vars=["countryCode", "countryName", "seriesCode"], var_name="year",
        value_name="value").dropna(subset=["value"])
    sdr["year"] = sdr.year.astype(int)
    sdr["m49"] = sdr.countryCode.map(dict(zip(countries.iso3, countries.index)))
    sdr["variable"] = sdr.seriesCode.map(SDR)
    return pd.concat([unsd[["m49", "year", "variable", "value"]],
                      sdr.dropna(subset=["m49"])[["m49", "year", "variable", "value"]]])


def build(shared: Path) -> pd.DataFrame:
    countries = pd.read_csv(DATA / "countries.csv", keep_default_na=False).set_index("m49")
    wpp = pd.read_csv(shared / "wpp2019" / "population_by_age5.csv")
    long = pd.concat([world_bank(shared, countries), gapminder(shared, countries),
                      wpp_share_15plus(wpp), wpp_total(wpp), shipped(countries)])
    long["m49"] = long.m49.astype(int)
    long = long[long.m49.isin(countries.index) & long.year.isin(YEARS)]
    wide = long.pivot_table(index=["m49", "year"], columns="variable", values="value",
                            aggfunc="mean")
    grid = pd.MultiIndex.from_product([sorted(countries.index), YEARS], names=["m49", "year"])
    w = wide.reindex(grid)
    w["gdp_per_capita_current_usd"] = w.gdp_current_usd / w.population
    w["usd_deflator"] = w.gdp_per_capita_current_usd / w.gdp_per_capita_const2015_usd
    adults = w.population * w.pop_15plus_share
    w["employment"] = w.employment_rate_15plus / 100.0 * adults
    w["labour_force"] = w.labour_force_participation_15plus / 100.0 * adults
    # Employers and own-account workers: the self-employed less contributing family workers
    # (ILO ICSE-93 status groups); each runs one business, formal or informal.
    owners = (w.self_employed_share - w.family_workers_share).clip(lower=0.0) / 100.0
    w["business_owners"] = owners * w.employment
    w["business_owners_per_1000"] = 1000.0 * w.business_owners / w.population
    # Outside agriculture, assuming owners spread over sectors in proportion to employment
    # (overstates non-farm owners where farming is mostly own-account work).
    w["nonfarm_business_owners"] = w.business_owners * (
        1.0 - w.agriculture_employment_share / 100.0)
    w.loc[w.population.notna(), "population_wpp2019"] = np.nan
    w = w[COLUMNS]
    return w.round(6)


def main() -> None:
    shared = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/work/shared/data")
    out = DATA / "series" / "country_series.csv"
    out.parent.mkdir(exist_ok=True)
    table = build(shared)
    table = table.dropna(how="all")
    table.to_csv(out, float_format="%.8g")
    print(f"wrote {out} ({len(table)} rows, {out.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
