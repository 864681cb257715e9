"""Country inputs of the agent model: macro levels the shipped data lack, with their sources.

The shipped data hold indicator series and population, not GDP levels or firm counts. The
country config states those with a source (presets for the six pilot countries); where a
value is missing a documented fallback is used and flagged in ``CountryInputs.notes``, which
goes into every run's attributes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from stisim import data
from stisim.baseline import Baseline

# Fallback GDP per capita from shipped data. 1000 x CO2 per capita (13.2.2, t) / CO2 per
# unit of GDP (9.4.1, kg per constant 2015 USD) is close to GDP per capita at purchasing
# power parity (e.g. Kenya 4,910, Germany 60,906); market-rate GDP per capita is that times a
# price-level ratio rising with income (Penn effect, elasticity about 0.3; Rogoff 1996, J.
# Econ. Lit. 34(2)), anchored on the six pilot presets (geometric means: ratio 0.395 at
# 7,100): ratio = min(1, 0.395 (ppp / 7100)^0.3).
PPP_ANCHOR = (0.395, 7100.0, 0.3)
# Second fallback when the CO2 series are imputed: log-linear in under-five mortality (3.2.1)
# fitted to the six pilots, ln(gdp_pc) = 10.207 - 0.721 ln(u5mort) (within a factor ~1.5 for
# them, poor for high-income countries).
GDP_FALLBACK = (10.207, -0.721)
# Fallback firm density: MSMEs per 1,000 inhabitants (IFC MSME Country Indicators 2014,
# average of about 31 formal and informal MSMEs per 1,000 people).
FIRM_DENSITY_FALLBACK = 31.0
# Publications per researcher when the SDR panel has no article count for the country.
PUBLICATIONS_FALLBACK = 0.3


@dataclass
class CountryInputs:
    """Resolved macro inputs at the base year, each with where it came from."""

    name: str
    iso3: str
    base_year: int
    population: float  # persons at the base year
    population_growth: float  # 1/year
    gdp_per_capita: float  # base-year USD (constant prices of gdp_per_capita_year)
    firm_count: float
    agriculture_va_share: float  # % of GDP
    urban_share: float  # fraction
    business_rd_share: float | None  # None: use firms.business_rd_share
    articles_per_1000: float | None
    notes: dict[str, str] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)  # inputs that used a fallback

    @property
    def gdp(self) -> float:
        return self.gdp_per_capita * self.population


def _growth_series(baseline: Baseline, code: str) -> pd.Series:
    obs = baseline.observed
    if code not in obs.columns:
        return pd.Series(dtype=float)
    return obs[code].dropna()


def _rescale_gdp(gdp_pc: float, ref_year: int, base_year: int, growth: pd.Series,
                 fallback_growth: float) -> float:
    """Move a GDP per capita level from ref_year to base_year with observed real growth."""
    def g(year: int) -> float:
        return float(growth.get(year, growth.mean() if len(growth) else fallback_growth))

    value = gdp_pc
    if base_year < ref_year:
        for year in range(ref_year, base_year, -1):
            value /= 1.0 + g(year) / 100.0
    else:
        for year in range(ref_year + 1, base_year + 1):
            value *= 1.0 + g(year) / 100.0
    return value


def _population_growth(iso3: str, base_year: int) -> float:
    pop = data.sdr_panel()
    pop = pop[(pop.iso3 == iso3) & (pop.series == "Population") & (pop.year <= base_year)]
    pop = pop.sort_values("year").set_index("year")["value"]
    if len(pop) < 2:
        return 0.01
    last = pop.index[-1]
    first = max(pop.index[0], last - 5)
    return float(np.log(pop[last] / pop[first]) / max(last - first, 1))


def _articles(iso3: str, base_year: int) -> float | None:
    panel = data.sdr_panel()
    rows = panel[(panel.iso3 == iso3) & (panel.series == "sdg9_articles")
                 & (panel.year <= base_year)].sort_values("year")
    return float(rows.iloc[-1].value) if len(rows) else None


def gdp_per_capita_fallback(baseline: Baseline) -> tuple[float, str]:
    """GDP per capita (USD) estimated from the baseline when the config has none."""
    v, imputed = baseline.value, baseline.imputed
    co2_pc, co2_gdp = float(v["13.2.2"]), float(v["9.4.1"])
    if not (imputed["13.2.2"] or imputed["9.4.1"]) and co2_pc > 0 and co2_gdp > 0:
        ppp = 1000.0 * co2_pc / co2_gdp
        r0, anchor, elasticity = PPP_ANCHOR
        ratio = min(1.0, r0 * (ppp / anchor) ** elasticity)
        return ppp * ratio, ("FALLBACK: no GDP per capita in the country config; "
                             f"1000 x 13.2.2 / 9.4.1 = {ppp:,.0f} (about PPP) x price-level "
                             f"ratio {ratio:.2f} (Penn effect, anchored on the six pilots)")
    u5 = float(v["3.2.1"])
    gdp_pc = float(np.exp(GDP_FALLBACK[0] + GDP_FALLBACK[1] * np.log(max(u5, 1.0))))
    return gdp_pc, ("FALLBACK: no GDP per capita in the country config and imputed CO2 "
                    "series; estimated from under-five mortality (3.2.1), log-linear fit to "
                    "the six pilot countries")


def country_inputs(cfg, baseline: Baseline) -> CountryInputs:
    """Resolve the country's macro inputs for the base year (values, sources, fallbacks)."""
    c = cfg.country
    base = cfg.time.base_year
    notes: dict[str, str] = {}
    flags: list[str] = []

    growth = cfg.macro.population_growth
    if growth is None:
        growth = _population_growth(baseline.iso3, base)
        notes["population_growth"] = ("SDR 2022 panel Population, log growth over the last 5 "
                                      "years")
    else:
        notes["population_growth"] = "config macro.population_growth"
    # The panel's latest population may precede the base year: move it with the growth rate.
    population = baseline.population * np.exp(growth * (base - baseline.population_year))
    notes["population"] = (f"SDR 2022 panel Population {baseline.population_year}"
                           + (f", grown to {base}" if base != baseline.population_year else ""))

    gdp_growth = _growth_series(baseline, "8.1.1")
    fallback_growth = float(baseline.value.get("8.1.1", 2.0))
    if c.gdp_per_capita is not None:
        gdp_pc = _rescale_gdp(float(c.gdp_per_capita), int(c.gdp_per_capita_year), base,
                              gdp_growth, fallback_growth)
        notes["gdp_per_capita"] = (f"{c.gdp_per_capita_source or 'country config'}; moved "
                                   f"from {c.gdp_per_capita_year} to {base} with observed "
                                   "8.1.1 real growth" if base != c.gdp_per_capita_year else
                                   c.gdp_per_capita_source or "country config")
    else:
        gdp_pc, notes["gdp_per_capita"] = gdp_per_capita_fallback(baseline)
        flags.append("gdp_per_capita")

    if c.firm_count is not None:
        firms = float(c.firm_count) * population / (
            baseline.population * np.exp(growth * (c.firm_count_year
                                                   - baseline.population_year)))
        notes["firm_count"] = (f"{c.firm_count_source or 'country config'} "
                               f"({c.firm_count_year}), scaled with population to {base}")
    else:
        firms = FIRM_DENSITY_FALLBACK * population / 1000.0
        notes["firm_count"] = (f"FALLBACK: {FIRM_DENSITY_FALLBACK:g} firms per 1,000 "
                               "inhabitants (IFC MSME Country Indicators 2014)")
        flags.append("firm_count")

    if c.agriculture_va_share is not None:
        agri = float(c.agriculture_va_share)
        notes["agriculture_va_share"] = c.structure_source or "country config"
    else:
        agri = float(np.clip(35.0 - 13.0 * np.log(gdp_pc / 1000.0), 1.5, 60.0))
        notes["agriculture_va_share"] = ("FALLBACK: 35 - 13 ln(GDP per capita / 1000) % of "
                                         "GDP, clipped to [1.5, 60]")
        flags.append("agriculture_va_share")

    if c.urban_population_share is not None:
        urban = float(c.urban_population_share) / 100.0
        notes["urban_population_share"] = c.structure_source or "country config"
    else:
        urban = float(np.clip(0.1 + 0.12 * np.log(gdp_pc / 500.0), 0.1, 0.95))
        notes["urban_population_share"] = ("FALLBACK: 0.1 + 0.12 ln(GDP per capita / 500), "
                                           "clipped to [0.1, 0.95]")
        flags.append("urban_population_share")

    brd = c.business_rd_share
    notes["business_rd_share"] = (c.business_rd_share_source or "country config"
                                  if brd is not None else "config firms.business_rd_share "
                                  "(assumption)")
    articles = _articles(baseline.iso3, base)
    notes["publications"] = ("SDR 2022 panel sdg9_articles (articles per 1,000 inhabitants)"
                             if articles is not None else
                             f"FALLBACK: {PUBLICATIONS_FALLBACK} publications per researcher")
    if articles is None:
        flags.append("publications")
    return CountryInputs(
        name=baseline.name, iso3=baseline.iso3, base_year=base, population=float(population),
        population_growth=float(growth), gdp_per_capita=float(gdp_pc), firm_count=float(firms),
        agriculture_va_share=agri, urban_share=urban,
        business_rd_share=None if brd is None else float(brd), articles_per_1000=articles,
        notes=notes, flags=flags)
