"""Regenerate ``stisim/data/countries.csv`` from the shipped UNSD extract.

The table maps every country (not aggregate) in the UN SDG Global Database extract to its
ISO3 code, UN M49 sub-region and continent using the ``country_converter`` package's
classification table (Stadler 2017, JOSS 2(16) 332), and to the Laumann et al. (2022)
regional network used as its default SDG interaction prior.

Run with ``python tools/build_country_table.py`` (needs the ``data`` extra).
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1] / "stisim" / "data"

# UN M49 sub-region -> Laumann 2022 regional network (files in data/interactions/laumann2022).
LAUMANN = {
    "Eastern Africa": "Southern_and_Eastern_Africa",
    "Southern Africa": "Southern_and_Eastern_Africa",
    "Middle Africa": "Middle_Africa",
    "Western Africa": "Northern_and_Western_Africa",
    "Northern Africa": "Northern_and_Western_Africa",
    "Southern Asia": "Southern_Asia",
    "Eastern Asia": "Central_and_Eastern_Asia",
    "Central Asia": "Central_and_Eastern_Asia",
    "South-eastern Asia": "South-eastern_Asia",
    "Western Asia": "Western_Asia",
    "Eastern Europe": "Eastern_Europe",
    "Southern Europe": "Southern_Europe",
    "Northern Europe": "Northern_Europe",
    "Western Europe": "Western_Europe",
    "Caribbean": "Caribbean",
    "Central America": "Central_America",
    "South America": "South_America",
    "Northern America": "North_and_Central_America",
    "Australia and New Zealand": "Oceania_(incl._AUS_+_NZ)",
    "Melanesia": "Oceania_(excl._AUS_+_NZ)",
    "Micronesia": "Oceania_(excl._AUS_+_NZ)",
    "Polynesia": "Oceania_(excl._AUS_+_NZ)",
}


def slug(name: str) -> str:
    """ASCII, lower-case, underscore-separated name usable as a Hydra option."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    text = re.sub(r"\(.*?\)", "", text)
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def main() -> None:
    import country_converter

    coco_tsv = Path(country_converter.__file__).with_name("country_data.tsv")
    coco = pd.read_csv(coco_tsv, sep="\t", keep_default_na=False, dtype=str)
    coco = coco[coco.UNcode != ""].assign(m49=lambda d: d.UNcode.astype(int))
    coco = coco.drop_duplicates("m49").set_index("m49")

    unsd = pd.read_csv(ROOT / "unsd" / "sdg_selected_long.csv",
                       usecols=["geo_area_m49", "geo_name"])
    areas = unsd.drop_duplicates("geo_area_m49").set_index("geo_area_m49")["geo_name"]
    rows = []
    for m49, name in areas.items():
        if m49 not in coco.index:
            continue  # an aggregate (region, income group, ...), not a country
        c = coco.loc[m49]
        rows.append(
            {
                "m49": int(m49),
                "iso3": c.ISO3,
                "name": name,
                "slug": slug(c.name_short),
                "un_region": c.UNregion,
                "continent": c.continent,
                "laumann_region": LAUMANN.get(c.UNregion, "World"),
            }
        )
    table = pd.DataFrame(rows).sort_values("m49")
    if table.slug.duplicated().any():
        raise SystemExit(f"duplicate slugs: {table[table.slug.duplicated()].slug.tolist()}")
    table.to_csv(ROOT / "countries.csv", index=False)
    print(f"wrote {len(table)} countries to {ROOT / 'countries.csv'}")


if __name__ == "__main__":
    main()
