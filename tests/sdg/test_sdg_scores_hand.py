"""Goal scores of a pilot country against the SDR 2022 method computed by hand from the raw
shipped files (no stisim loaders in the hand computation)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import stisim
from stisim.config import load_config

DATA = Path(stisim.__file__).parent / "data"


def _hand_scores(m49: int, iso3: str, base_year: int):
    with (DATA / "indicators.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    with (DATA / "sdr2022" / "SDR2022_tech_bounds.csv").open(encoding="utf-8") as fh:
        sdr_bounds = {r["IndCode"]: r for r in csv.DictReader(fh)}
    unsd = pd.read_csv(DATA / "unsd" / "sdg_selected_long.csv", low_memory=False,
                       dtype={"value": str})
    unsd = unsd[(unsd.geo_area_m49 == m49) & (unsd.year <= base_year)]
    panel = pd.read_csv(DATA / "sdr2022" / "SDR2022_timeseries_reshaped.csv")
    panel = panel[panel.countryCode == iso3]

    scores: dict[str, float] = {}
    goal_of: dict[str, int] = {}
    for r in rows:
        if r["source"] == "unsd":
            sub = unsd[unsd.series == r["series"]].sort_values("year")
            raw = sub["value"].iloc[-1]
            x = float(raw.lstrip("<>"))  # '<2.5' reads as 2.5
        else:
            series = panel[panel.seriesCode == r["series"]].iloc[0]
            years = [str(y) for y in range(2000, base_year + 1) if str(y) in series.index]
            observed = [y for y in years if not pd.isna(series[y])]
            x = float(series[observed[-1]])
        if r["bounds_source"] == "sdr2022":
            b = sdr_bounds[r["sdr_code"]]
            lower, optimum = float(b["Lower Bound (=0)"]), float(b["Optimum (= 100)"])
        else:
            lower, optimum = float(r["lower"]), float(r["optimum"])
        scores[r["code"]] = min(100.0, max(0.0, 100.0 * (x - lower) / (optimum - lower)))
        goal_of[r["code"]] = int(r["goal"])
    goals = {}
    for g in sorted(set(goal_of.values())):
        members = [scores[c] for c in scores if goal_of[c] == g]
        goals[g] = sum(members) / len(members)
    index = sum(goals.values()) / len(goals)
    return scores, goals, index


@pytest.mark.parametrize("country,m49,iso3", [("kenya", 404, "KEN"), ("ukraine", 804, "UKR")])
def test_goal_scores_reproduce_sdr_method_by_hand(country, m49, iso3):
    ds = stisim.run(load_config("run", [f"country={country}"]))
    assert not ds["baseline_imputed"].any(), "hand computation assumes observed baselines"
    scores, goals, index = _hand_scores(m49, iso3, 2022)
    t0 = ds["time"].values[0]
    for code, s in scores.items():
        assert float(ds["indicator_score"].sel(time=t0, indicator=code)) == pytest.approx(
            s, abs=1e-9), code
    for g in range(1, 18):
        value = float(ds["goal_score"].sel(time=t0, goal=g))
        if g in goals:
            assert value == pytest.approx(goals[g], abs=1e-9), g
        else:
            assert np.isnan(value), g
    assert float(ds["sdg_index"].sel(time=t0)) == pytest.approx(index, abs=1e-9)
    assert len(goals) >= 10


def test_derived_bounds_follow_the_sdr_method():
    """Derived bounds: 2.5th percentile (97.5th when lower is better) of each country's latest
    2015-2022 value and the mean of the five best performers (Sachs et al. 2022)."""
    with (DATA / "indicators.csv").open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["bounds_source"] == "derived"]
    countries = set(pd.read_csv(DATA / "countries.csv")["m49"])
    unsd = pd.read_csv(DATA / "unsd" / "sdg_selected_long.csv", low_memory=False,
                       dtype={"value": str})
    unsd = unsd[unsd.geo_area_m49.isin(countries) & unsd.year.between(2015, 2022)]
    assert rows
    for r in rows:
        sub = unsd[unsd.series == r["series"]].sort_values("year")
        latest = sub.groupby("geo_area_m49")["value"].last().str.lstrip("<>").astype(float)
        v = np.sort(latest.to_numpy())
        if r["better"] == "higher":
            lower, optimum = np.percentile(v, 2.5), v[-5:].mean()
        else:
            lower, optimum = np.percentile(v, 97.5), v[:5].mean()
        assert float(r["lower"]) == pytest.approx(lower, abs=1e-4), r["code"]
        assert float(r["optimum"]) == pytest.approx(optimum, abs=1e-4), r["code"]
