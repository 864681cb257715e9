"""Regional equity of the indicators the model defines per region (``indicator_value_region``).

For each regional indicator, at the base year and the last year of each case (strategy,
scenario or lever setting; member means): the population-weighted national value, the lowest
and the highest region, the gap between them, the ratio of the lowest to the national value,
the population share living in regions below the national value, and the population-weighted
coefficient of variation across regions. The report shows it as the regional equity view;
whether the regions are a country's real first-level regions or the generic three is said
beside it (``region_source``).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import xarray as xr

from stisim.analysis.datasets import members

VARIABLE = "indicator_value_region"


def region_source_text(ds: xr.Dataset) -> str:
    """Where the run's regions come from, in one sentence."""
    source = str(ds.attrs.get("region_source", ""))
    try:
        info = json.loads(str(ds.attrs.get("regions", "{}")))
    except ValueError:
        info = {}
    n = ds.sizes.get("region", 0)
    if source == "gdl":
        return (f"The {n} regions are the country's first-level administrative regions (or "
                f"their documented grouping) in the Global Data Lab survey of "
                f"{info.get('survey_year', '?')}: population shares and the spread of "
                "electricity, internet and mobile-phone access across regions are the "
                "survey's; national levels are the baseline's.")
    if source == "generic":
        return ("stisim ships no sub-national data for this country: the regions are the "
                "generic three (capital, other urban, rural) with assumed shares and access "
                "offsets, so regional differences here are illustrative only.")
    return f"The {n} regions are those given in the run's config."


def regional_equity(ds: xr.Dataset) -> pd.DataFrame | None:
    """The equity table (see module doc); ``None`` if the dataset has no regional values."""
    if VARIABLE not in ds or "region" not in ds.dims or ds.sizes["region"] < 2:
        return None
    weights = ds["region_population_share"]
    if "run" in weights.dims or "replicate" in weights.dims:  # fixed over members
        weights = weights.isel({d: 0 for d in ("run", "replicate") if d in weights.dims})
    w = np.asarray(weights.values, float)
    if w.ndim != 1:
        return None
    w = w / w.sum()
    regions = [str(r) for r in ds["region"].values]
    times = ds["time"].values
    rows = []
    for code in ds["regional_indicator"].values:
        da = members(ds, ds[VARIABLE].sel(regional_indicator=code))
        mean = da.mean("member")
        for i_case, case in enumerate(mean["case"].values):
            for t in ((times[0], times[-1]) if i_case == 0 else (times[-1],)):
                v = np.asarray(mean.isel(case=i_case).sel(time=t).values, float)
                if not np.isfinite(v).all():
                    continue
                nat = float(w @ v)
                lo, hi = int(np.argmin(v)), int(np.argmax(v))
                cv = float(np.sqrt(w @ (v - nat) ** 2) / nat) if nat > 0 else np.nan
                rows.append({
                    "indicator": str(code), "case": str(case), "year": round(float(t)),
                    "national": nat, "lowest region": f"{regions[lo]} ({v[lo]:.3g})",
                    "highest region": f"{regions[hi]} ({v[hi]:.3g})",
                    "gap": float(v[hi] - v[lo]),
                    "lowest / national": v[lo] / nat if nat > 0 else np.nan,
                    "population below national": float(w[v < nat - 1e-9].sum()),
                    "CV": cv})
    return pd.DataFrame(rows) if rows else None


def equity_summary(table: pd.DataFrame) -> str:
    """One sentence per indicator on how its regional gap moves from the base year to the end
    (first case)."""
    out = []
    for code, rows in table.groupby("indicator", sort=False):
        first = rows[rows["case"] == rows["case"].iloc[0]]
        if len(first) < 2:
            continue
        a, b = first.iloc[0], first.iloc[-1]
        move = "narrows" if b["gap"] < a["gap"] - 1e-6 else (
            "widens" if b["gap"] > a["gap"] + 1e-6 else "stays")
        out.append(f"{code}: the gap between the highest and the lowest region {move} from "
                   f"{a['gap']:.3g} ({a['year']}) to {b['gap']:.3g} ({b['year']}), the lowest "
                   f"region reaching {b['lowest / national']:.0%} of the national value")
    return "; ".join(out) + "." if out else ""
