"""Estimate the household energy transition parameters of ``stisim.agents.cooking`` from the
shipped data (docs/model.md, "Energy and emissions").

1. Clean-cooking transition (``macro.cooking_trend``, ``macro.cooking_income_effect``): long
   differences per country of the logit of clean-cooking access (SDG 7.1.2, SDR 2022
   ``sdg7_cleanfuel`` in ``stisim/data/series/country_series.csv``) on real GDP per capita
   growth (WDI constant 2015 USD, same file), first to last observed year (2000-2016),
   countries with access strictly inside (2 %, 98 %) and at least 10 years:

       [logit k(T) - logit k(0)] / T = trend + income_effect x [ln y(T) - ln y(0)] / T

   OLS with heteroskedasticity-robust (HC1) standard errors.
2. Traditional biomass in 7.2.1 (``stisim.agents.cooking.MODERN_RENEWABLE``,
   ``BIOMASS_SLOPE``, ``INCOME_EXPONENT``): cross-section of the renewable share of final
   energy (7.2.1, UNSD EG_FEC_RNEW) on the share of the population without clean cooking
   and GDP per capita (thousand constant 2015 USD), 2016, nonlinear least squares:

       7.2.1 / 100 = modern + slope x y^(-exponent) x (1 - k)

   (biomass per person without clean cooking is roughly fixed, so its share of final energy
   falls as energy use per person grows with income), so that in a country with access ``k``
   and income ``y`` the fraction ``slope y^-exponent (1 - k) / (modern + slope y^-exponent
   (1 - k))`` of its renewable share is attributed to traditional biomass.

Run ``python tools/fit_energy_transition.py``; the constants in stisim are rounded from its
output, and ``tests/agents/test_energy.py`` checks they agree.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import curve_fit

DATA = Path(__file__).resolve().parents[1] / "stisim" / "data"
CROSS_SECTION_YEAR = 2016


def ols_hc1(y: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """OLS of y on [1, x] with HC1 standard errors: (coefficients, standard errors)."""
    X = np.column_stack([np.ones(len(y)), x])
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ beta
    n, k = X.shape
    bread = np.linalg.inv(X.T @ X)
    meat = (X * resid[:, None] ** 2).T @ X
    cov = bread @ meat @ bread * n / (n - k)
    return beta, np.sqrt(np.diag(cov))


def cooking_transition() -> dict[str, float]:
    cs = pd.read_csv(DATA / "series" / "country_series.csv")
    d = cs[["m49", "year", "clean_cooking_access", "gdp_per_capita_const2015_usd"]].dropna()
    d = d[(d.clean_cooking_access > 2) & (d.clean_cooking_access < 98)]
    rows = []
    for _, g in d.groupby("m49"):
        g = g.sort_values("year")
        if len(g) < 10:
            continue
        a, b = g.iloc[0], g.iloc[-1]
        span = b.year - a.year
        lk = np.log(g.clean_cooking_access / (100 - g.clean_cooking_access)).to_numpy()
        ly = np.log(g.gdp_per_capita_const2015_usd).to_numpy()
        rows.append(((lk[-1] - lk[0]) / span, (ly[-1] - ly[0]) / span))
    arr = np.array(rows)
    beta, se = ols_hc1(arr[:, 0], arr[:, 1])
    return {"countries": len(arr), "trend": beta[0], "trend_se": se[0],
            "income_effect": beta[1], "income_effect_se": se[1]}


def biomass_attribution() -> dict[str, float]:
    cs = pd.read_csv(DATA / "series" / "country_series.csv")
    unsd = pd.read_csv(DATA / "unsd" / "sdg_selected_long.csv", low_memory=False,
                       usecols=["series", "geo_area_m49", "year", "value"])
    ren = unsd[(unsd.series == "EG_FEC_RNEW") & (unsd.year == CROSS_SECTION_YEAR)].copy()
    ren["value"] = pd.to_numeric(ren["value"], errors="coerce")
    ren = ren.rename(columns={"geo_area_m49": "m49"})[["m49", "value"]]
    cols = ["m49", "clean_cooking_access", "gdp_per_capita_const2015_usd"]
    d = cs[cs.year == CROSS_SECTION_YEAR][cols].merge(ren, on="m49").dropna()
    share = d.value.to_numpy() / 100
    gap = 1 - d.clean_cooking_access.to_numpy() / 100
    income = d.gdp_per_capita_const2015_usd.to_numpy() / 1000

    def model(x, modern, slope, exponent):
        return modern + slope * x[1] ** -exponent * x[0]

    beta, cov = curve_fit(model, (gap, income), share, p0=[0.1, 0.5, 0.2])
    se = np.sqrt(np.diag(cov))
    resid = share - model((gap, income), *beta)
    return {"countries": len(d), "modern": beta[0], "modern_se": se[0], "slope": beta[1],
            "slope_se": se[1], "exponent": beta[2], "exponent_se": se[2],
            "r2": 1 - resid.var() / share.var()}


def main() -> None:
    c = cooking_transition()
    print(f"clean-cooking transition ({c['countries']} countries, long differences 2000-2016, "
          "HC1 SE):")
    print(f"  trend          {c['trend']:.4f} (SE {c['trend_se']:.4f}) logit points per year")
    print(f"  income effect  {c['income_effect']:.3f} (SE {c['income_effect_se']:.3f}) logit "
          "points per unit of ln GDP per capita")
    b = biomass_attribution()
    print(f"7.2.1 on the population without clean cooking and income ({b['countries']} "
          f"countries, {CROSS_SECTION_YEAR}, R2 {b['r2']:.2f}):")
    print(f"  modern    {b['modern']:.4f} (SE {b['modern_se']:.4f})")
    print(f"  slope     {b['slope']:.4f} (SE {b['slope_se']:.4f})")
    print(f"  exponent  {b['exponent']:.4f} (SE {b['exponent_se']:.4f})")


if __name__ == "__main__":
    main()
