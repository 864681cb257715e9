"""Packaged real data (UN SDG Global Database extract, SDR 2022, interaction priors, PPI,
annual country series in :mod:`stisim.data.macro`, pilot regions in :mod:`stisim.data.regions`).

Every loader returns a copy-free, cached ``pandas`` object; provenance strings for dataset
attributes come from :data:`SOURCES`. See ``SOURCES.md`` beside this file for the origin of
each file.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd

DATA_DIR = Path(__file__).resolve().parent

SOURCES = {
    "unsd": "UN Statistics Division, Global SDG Indicators Database (extract of Dec 2023, "
            "via open-numbers/ddf--unstats--sdg_indicators commit e0117e9f); reuse with "
            "attribution to UNSD",
    "sdr2022": "Sachs et al. (2022), Sustainable Development Report 2022, Cambridge "
               "University Press (files from oguerrer/ppi commit 939ae4c2)",
    "derived": "stisim: bounds by the SDR 2022 method (2.5th percentile, mean of top 5) on "
               "the shipped UNSD extract",
    "series": "World Bank WDI (CC BY 4.0), ILOSTAT, UN WPP 2019, UNSD and SDR 2022, built "
              "by tools/build_country_series.py (SOURCES.md)",
    "regions": "Global Data Lab, GDL Area Database 4.0.x, https://globaldatalab.org/areadata/",
    "countries": "country_converter classification table (Stadler 2017, JOSS 2(16) 332), "
                 "built by tools/build_country_table.py",
}


def path(*parts: str) -> Path:
    """Absolute path of a packaged data file."""
    p = DATA_DIR.joinpath(*parts)
    if not p.exists():
        from stisim.errors import DataError

        raise DataError(f"packaged data file missing: {p}")
    return p


@cache
def countries() -> pd.DataFrame:
    """Countries in the shipped data: m49 (index), iso3, name, slug, un_region, continent,
    laumann_region."""
    return pd.read_csv(path("countries.csv"), keep_default_na=False).set_index("m49")


def _parse_value(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    # UNSD writes censored values such as "<2.5"; keep the bound and flag it.
    text = values.astype(str).str.strip()
    censored = text.str.startswith(("<", ">"))
    return pd.to_numeric(text.str.lstrip("<>"), errors="coerce"), censored


@cache
def unsd() -> pd.DataFrame:
    """The UN SDG Global Database extract in long form, values numeric, with a ``censored``
    column for values reported as bounds (e.g. ``<2.5``)."""
    df = pd.read_csv(path("unsd", "sdg_selected_long.csv"), low_memory=False,
                     dtype={"indicator": str, "series": str, "nature": str})
    df["value"], df["censored"] = _parse_value(df["value"])
    return df.dropna(subset=["value"]).reset_index(drop=True)


@cache
def sdr_panel() -> pd.DataFrame:
    """SDR 2022 panel in long form: iso3, series, year, value."""
    wide = pd.read_csv(path("sdr2022", "SDR2022_timeseries_reshaped.csv"))
    long = wide.melt(id_vars=["countryCode", "countryName", "seriesCode"], var_name="year",
                     value_name="value").dropna(subset=["value"])
    long["year"] = long["year"].astype(int)
    return long.rename(columns={"countryCode": "iso3", "countryName": "name",
                                "seriesCode": "series"}).reset_index(drop=True)


@cache
def sdr_bounds() -> pd.DataFrame:
    """SDR 2022 normalisation bounds, indexed by SDR indicator code."""
    return pd.read_csv(path("sdr2022", "SDR2022_tech_bounds.csv")).set_index("IndCode")
