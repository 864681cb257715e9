"""Sub-national regions of the pilot countries from the Global Data Lab Area Database.

Built by ``tools/build_regions.py`` (``SOURCES.md``): for each survey year, the GDL regions
(first-level administrative units or documented groups of them) with their population share,
urban share and household access to electricity, internet and mobile phones. Countries
without shipped regional data return ``None``: the model keeps its generic regions (capital,
other urban, rural) for them and flags it.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from stisim.data import path

FIELDS = ("population_share", "population", "urban_share", "electricity", "internet",
          "cellphone", "wealth_index")
SOURCE = ("Global Data Lab, GDL Area Database 4.0.x (https://globaldatalab.org/areadata/), "
          "sub-national aggregates of household surveys (DHS, MICS and others)")
# The region holding the capital city (GDL codes): Addis Ababa, Greater Accra, New Delhi
# (National Capital Territory), Nairobi, Belgrade, and Ukraine's North macro-region (Kyiv).
CAPITAL_REGION = {231: "ETHr110", 288: "GHAr103", 356: "INDr124", 404: "KENr101",
                  688: "SRBr101", 804: "UKRr101"}
# Shares at 0 or 1 have no finite logit: offsets are computed on shares clipped to this band.
LOGIT_CLIP = 0.005


@cache
def table() -> pd.DataFrame:
    """All shipped rows: m49, iso3, year, region_code, region and :data:`FIELDS`."""
    return pd.read_csv(path("subnational", "regions.csv"), keep_default_na=False,
                       na_values=[""])


def countries_with_regions() -> list[int]:
    return sorted(int(m) for m in table().m49.unique())


def survey_years(m49: int) -> list[int]:
    t = table()
    return sorted(int(y) for y in t[t.m49 == int(m49)].year.unique())


def country_regions(m49: int, up_to: int | None = None) -> pd.DataFrame | None:
    """Regions of the latest survey in or before ``up_to`` (default: the latest), indexed by
    GDL region code, population shares normalised to sum to one; ``None`` when the country
    has no shipped regional data or no survey by ``up_to``."""
    t = table()
    rows = t[t.m49 == int(m49)]
    if up_to is not None:
        rows = rows[rows.year <= int(up_to)]
    if rows.empty:
        return None
    latest = rows[rows.year == rows.year.max()].set_index("region_code")
    out = latest[["region", "year", *FIELDS]].copy()
    out["population_share"] = out.population_share / out.population_share.sum()
    return out


def access_offset(regions: pd.DataFrame, column: str) -> pd.Series | None:
    """Logit offset of each region's share in ``column`` from the population-weighted mean
    logit (the form of ``regions.access_offset``); ``None`` if any region lacks the field."""
    share = regions[column]
    if share.isna().any():
        return None
    x = np.clip(share.to_numpy(float), LOGIT_CLIP, 1.0 - LOGIT_CLIP)
    logit = np.log(x / (1.0 - x))
    w = regions.population_share.to_numpy(float)
    return pd.Series(logit - float(w @ logit) / float(w.sum()), index=regions.index,
                     name=f"{column}_offset")


def national_mean(regions: pd.DataFrame, column: str) -> float:
    """Population-weighted national value of a regional share (NaN if any region lacks it);
    for urban_share this is the survey's national urban share."""
    share = regions[column]
    if share.isna().any():
        return float("nan")
    return float((share * regions.population_share).sum() / regions.population_share.sum())
