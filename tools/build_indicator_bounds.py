"""Fill the normalisation bounds of ``stisim/data/indicators.csv``.

Rows with ``bounds_source == sdr2022`` copy the optimum (score 100) and lower bound (score 0)
of their ``sdr_code`` from the SDR 2022 bounds file. Rows with ``bounds_source == derived``
have no SDR counterpart in the same unit; their bounds follow the SDR 2022 method (Sachs et al.
2022, methodology annex) on the shipped UNSD extract: each country's latest value in
2015-2022, the lower bound at the 2.5th percentile of countries (97.5th where lower is better)
and the optimum at the mean of the five best performers.

Run with ``python tools/build_indicator_bounds.py``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

DATA = Path(__file__).resolve().parents[1] / "stisim" / "data"


def derived_bounds(values: pd.Series, higher_is_better: bool) -> tuple[float, float]:
    v = values.dropna().sort_values()
    if higher_is_better:
        return float(np.percentile(v, 2.5)), float(v.iloc[-5:].mean())
    return float(np.percentile(v, 97.5)), float(v.iloc[:5].mean())


def main() -> None:
    reg = pd.read_csv(DATA / "indicators.csv", dtype={"code": str})
    sdr = pd.read_csv(DATA / "sdr2022" / "SDR2022_tech_bounds.csv").set_index("IndCode")
    unsd = pd.read_csv(DATA / "unsd" / "sdg_selected_long.csv", low_memory=False)
    unsd["value"] = pd.to_numeric(unsd["value"].astype(str).str.lstrip("<>"), errors="coerce")
    countries = set(pd.read_csv(DATA / "countries.csv")["m49"])
    recent = unsd[unsd.geo_area_m49.isin(countries) & unsd.year.between(2015, 2022)]
    latest = recent.sort_values("year").groupby(["series", "geo_area_m49"])["value"].last()

    for i, row in reg.iterrows():
        if row.bounds_source == "sdr2022":
            b = sdr.loc[row.sdr_code]
            lower, optimum = float(b["Lower Bound (=0)"]), float(b["Optimum (= 100)"])
        elif row.bounds_source == "derived":
            lower, optimum = derived_bounds(latest.loc[row.series], row.better == "higher")
        else:
            raise SystemExit(f"{row.code}: unknown bounds_source {row.bounds_source!r}")
        reg.loc[i, ["lower", "optimum"]] = [round(lower, 4), round(optimum, 4)]
        if (optimum > lower) != (row.better == "higher"):
            raise SystemExit(f"{row.code}: bounds {lower}->{optimum} contradict "
                             f"better={row.better}")
    reg.to_csv(DATA / "indicators.csv", index=False)
    print(reg[["code", "better", "lower", "optimum", "bounds_source"]].to_string(index=False))


if __name__ == "__main__":
    main()
