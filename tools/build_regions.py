"""Regenerate ``stisim/data/subnational/regions.csv``: sub-national regions of the pilot countries.

Source: Global Data Lab Area Database 4.0.x (``gdl_area_db/`` in shared data, see
``stisim/data/SOURCES.md``), indicators aggregated from household surveys (DHS, MICS and
others) for the GDL regions, which are first-level administrative units or documented groups
of them. One row per (country, survey year, region); shares as fractions (GDL publishes %):

- population_share: share of the national population living in the region (popshare);
- population: region population (regpopm, millions -> persons);
- urban_share: share of the region's population in urban areas (urban);
- electricity: share of households with electricity (electr);
- internet: share of households with internet access (internet);
- cellphone: share of households with a mobile phone (cellphone);
- wealth_index: mean International Wealth Index, 0-100 (iwi).

Empty cells: the survey did not ask (e.g. internet before the 2010s). Run with
``python tools/build_regions.py [SHARED_DATA_DIR]`` (default ``/work/shared/data``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

DATA = Path(__file__).resolve().parents[1] / "stisim" / "data"
ROOT = Path(__file__).resolve().parents[1]
# GDL indicator -> (stisim column, scale to apply)
FIELDS = {
    "popshare": ("population_share", 0.01),
    "regpopm": ("population", 1e6),
    "urban": ("urban_share", 0.01),
    "electr": ("electricity", 0.01),
    "internet": ("internet", 0.01),
    "cellphone": ("cellphone", 0.01),
    "iwi": ("wealth_index", 1.0),
}


def pilot_m49() -> list[int]:
    import yaml

    return sorted(int(yaml.safe_load(p.read_text())["m49"])
                  for p in (ROOT / "configs" / "country").glob("*.yaml"))


def build(shared: Path, m49s: list[int]) -> pd.DataFrame:
    gdl = shared / "gdl_area_db"
    nat = pd.read_csv(gdl / "ddf--entities--level--national.csv", keep_default_na=False)
    nat = nat[nat.iso_num.astype(str).str.isdigit()]
    nat["m49"] = nat.iso_num.astype(int)
    nat = nat[nat.m49.isin(m49s)].set_index("national")
    sub = pd.read_csv(gdl / "ddf--entities--level--subnat.csv", keep_default_na=False)
    sub = sub[sub.national.isin(nat.index)].set_index("subnat")
    parts = []
    for indicator, (column, scale) in FIELDS.items():
        d = pd.read_csv(gdl / "subnat" / f"{indicator}.csv")
        d = d[d.subnat.isin(sub.index)].set_index(["subnat", "year"])[indicator] * scale
        parts.append(d.rename(column))
    table = pd.concat(parts, axis=1).reset_index()
    table["m49"] = table.subnat.map(sub.national).map(nat.m49)
    table["iso3"] = table.subnat.map(sub.national).map(nat.iso_code)
    table["region_code"] = table.subnat.map(sub.gdlcode)
    # GDL names read "Kenya - Nairobi": keep the region part.
    table["region"] = table.subnat.map(sub.name).str.split(" - ", n=1).str[1].str.strip()
    cols = ["m49", "iso3", "year", "region_code", "region", *[c for c, _ in FIELDS.values()]]
    table = table[cols].dropna(subset=["population_share"])
    return table.sort_values(["m49", "year", "region_code"]).reset_index(drop=True)


def main() -> None:
    shared = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/work/shared/data")
    out = DATA / "subnational" / "regions.csv"
    out.parent.mkdir(exist_ok=True)
    table = build(shared, pilot_m49())
    table.to_csv(out, index=False, float_format="%.6g")
    print(f"wrote {out} ({len(table)} rows, {table.m49.nunique()} countries)")


if __name__ == "__main__":
    main()
