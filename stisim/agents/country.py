"""Country inputs of the agent model: population, GDP, structure and firm counts from the
shipped country series, with their sources.

Every input comes from :mod:`stisim.data.macro` (World Bank WDI, ILOSTAT, UN WPP; built by
``tools/build_country_series.py``, sources in ``stisim/data/SOURCES.md``) at the base year,
read with ``up_to=base_year``: nothing observed after the base year reaches the start state.
Where a country lacks its own value the series hold the median of its UN sub-region
(continent, world) and the input is flagged in ``CountryInputs.flags``; where even that is
missing a documented estimate is used and flagged. A value set in the country config
(``country.gdp_per_capita`` etc.) overrides the data; the notes say which was used. The
notes and flags go into every run's ``country_inputs`` attribute.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from stisim.baseline import Baseline
from stisim.data import macro

# Estimate of GDP per capita when a country has no GDP series at all (a few territories).
# 1000 x CO2 per capita (13.2.2, t) / CO2 per unit of GDP (9.4.1, kg per constant 2015 USD)
# is close to GDP per capita at purchasing power parity (e.g. Kenya 4,910, Germany 60,906);
# market-rate GDP per capita is that times a price-level ratio rising with income (Penn
# effect, elasticity about 0.3; Rogoff 1996, J. Econ. Lit. 34(2)), anchored on the six pilots
# (geometric means: ratio 0.395 at 7,100): ratio = min(1, 0.395 (ppp / 7100)^0.3).
PPP_ANCHOR = (0.395, 7100.0, 0.3)
# Second estimate when the CO2 series are imputed: log-linear in under-five mortality (3.2.1)
# fitted to the six pilots, ln(gdp_pc) = 10.207 - 0.721 ln(u5mort).
GDP_FALLBACK = (10.207, -0.721)
# Firm density when no business-owner count exists: MSMEs per 1,000 inhabitants (IFC MSME
# Country Indicators 2014, average of about 31 formal and informal MSMEs per 1,000 people).
FIRM_DENSITY_FALLBACK = 31.0
# Publications per researcher when the SDR panel has no article count for the country.
PUBLICATIONS_FALLBACK = 0.3
# How a series value obtained from other countries is named in the flags.
BORROWED = ("regional", "continent", "world", "missing")


@dataclass
class CountryInputs:
    """Resolved macro inputs at the base year, each with where it came from."""

    name: str
    iso3: str
    base_year: int
    population: float  # persons at the base year
    population_growth: float  # 1/year
    gdp_per_capita: float  # current USD of the base year
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


def _articles(iso3: str, base_year: int) -> float | None:
    from stisim import data

    panel = data.sdr_panel()
    rows = panel[(panel.iso3 == iso3) & (panel.series == "sdg9_articles")
                 & (panel.year <= base_year)].sort_values("year")
    return float(rows.iloc[-1].value) if len(rows) else None


def gdp_per_capita_fallback(baseline: Baseline) -> tuple[float, str]:
    """GDP per capita (USD) estimated from the indicator baseline when the country series
    have none."""
    v, imputed = baseline.value, baseline.imputed
    co2_pc, co2_gdp = float(v["13.2.2"]), float(v["9.4.1"])
    if not (imputed["13.2.2"] or imputed["9.4.1"]) and co2_pc > 0 and co2_gdp > 0:
        ppp = 1000.0 * co2_pc / co2_gdp
        r0, anchor, elasticity = PPP_ANCHOR
        ratio = min(1.0, r0 * (ppp / anchor) ** elasticity)
        return ppp * ratio, ("FALLBACK: no GDP series; 1000 x 13.2.2 / 9.4.1 = "
                             f"{ppp:,.0f} (about PPP) x price-level ratio {ratio:.2f} (Penn "
                             "effect, anchored on the six pilots)")
    u5 = float(v["3.2.1"])
    gdp_pc = float(np.exp(GDP_FALLBACK[0] + GDP_FALLBACK[1] * np.log(max(u5, 1.0))))
    return gdp_pc, ("FALLBACK: no GDP series and imputed CO2 series; estimated from "
                    "under-five mortality (3.2.1), log-linear fit to the six pilot countries")


def _series_note(var: str, year: int, fill: str) -> str:
    _, source, description = macro.VARIABLES[var]
    how = "" if fill == "observed" else f", {fill.replace('_', ' ')}"
    if fill in ("regional", "continent", "world"):
        group = "UN sub-region" if fill == "regional" else fill
        how = f", FALLBACK: median of the countries of its {group}"
    return f"{description}, {year}{how} (data up to {year}; {source.upper()}, SOURCES.md)"


def country_inputs(cfg, baseline: Baseline) -> CountryInputs:
    """Resolve the country's macro inputs for the base year (values, sources, fallbacks).

    Read from the shipped country series with data up to the base year only; values set in
    the country config take precedence.
    """
    c = cfg.country
    base = cfg.time.base_year
    year = min(base, macro.last_year())
    series = macro.country_series(baseline.m49, up_to=base)
    fills = macro.country_series_fill(baseline.m49, up_to=base)
    row, fill = series.loc[year], fills.loc[year]
    notes: dict[str, str] = {}
    flags: list[str] = []

    def take(var: str) -> float | None:
        value = row.get(var)
        if value is None or not np.isfinite(value):
            return None
        notes[var] = _series_note(var, year, str(fill[var]))
        if fill[var] in BORROWED:
            flags.append(var)
        return float(value)

    pop_series = series["population"].loc[:year].dropna()
    growth = cfg.macro.population_growth
    if growth is None:
        if len(pop_series) >= 2:
            first = max(pop_series.index[0], pop_series.index[-1] - 5)
            last = pop_series.index[-1]
            growth = float(np.log(pop_series[last] / pop_series[first]) / max(last - first, 1))
            notes["population_growth"] = (f"log growth of the population {first}-{last} "
                                          "(WDI SP.POP.TOTL)")
        else:
            growth = 0.01
            notes["population_growth"] = "FALLBACK: 1 %/yr (no population series)"
            flags.append("population_growth")
    else:
        notes["population_growth"] = "config macro.population_growth"
    population = take("population")
    if population is None:
        # The SDR panel's latest population may precede the base year: grow it.
        population = baseline.population * np.exp(growth * (base - baseline.population_year))
        notes["population"] = (f"SDR 2022 panel Population {baseline.population_year}, "
                               f"grown to {base}")
        flags.append("population")
    elif base > year:
        population *= float(np.exp(growth * (base - year)))
        notes["population"] += f", grown to {base}"

    if c.gdp_per_capita is not None:
        gdp_pc = _rescale_gdp(float(c.gdp_per_capita), int(c.gdp_per_capita_year), base,
                              _growth_series(baseline, "8.1.1"),
                              float(baseline.value.get("8.1.1", 2.0)))
        notes["gdp_per_capita"] = (f"{c.gdp_per_capita_source or 'country config'}"
                                   + (f"; moved from {c.gdp_per_capita_year} to {base} with "
                                      "observed 8.1.1 real growth"
                                      if base != c.gdp_per_capita_year else ""))
    else:
        gdp_pc = take("gdp_per_capita_current_usd")
        if gdp_pc is None:
            gdp_pc, notes["gdp_per_capita"] = gdp_per_capita_fallback(baseline)
            flags.append("gdp_per_capita")
        else:
            notes["gdp_per_capita"] = notes.pop("gdp_per_capita_current_usd")

    if c.firm_count is not None:
        firms = float(c.firm_count) * float(np.exp(growth * (base - c.firm_count_year)))
        notes["firm_count"] = (f"{c.firm_count_source or 'country config'} "
                               f"({c.firm_count_year}), scaled with population to {base}")
    else:
        owners = take("business_owners")
        if owners is None:
            firms = FIRM_DENSITY_FALLBACK * population / 1000.0
            notes["firm_count"] = (f"FALLBACK: {FIRM_DENSITY_FALLBACK:g} firms per 1,000 "
                                   "inhabitants (IFC MSME Country Indicators 2014)")
            flags.append("firm_count")
        else:
            # Employers and own-account workers: one enterprise each, farms and informal
            # businesses included (ILO ICSE-93 status in employment).
            firms = owners * population / float(row["population"])
            notes["firm_count"] = notes.pop("business_owners")
            if "business_owners" in flags:
                flags[flags.index("business_owners")] = "firm_count"

    if c.agriculture_va_share is not None:
        agri = float(c.agriculture_va_share)
        notes["agriculture_va_share"] = c.structure_source or "country config"
    else:
        agri = take("agriculture_va_share")
        if agri is None:
            agri = float(np.clip(35.0 - 13.0 * np.log(gdp_pc / 1000.0), 1.5, 60.0))
            notes["agriculture_va_share"] = ("FALLBACK: 35 - 13 ln(GDP per capita / 1000) % "
                                             "of GDP, clipped to [1.5, 60]")
            flags.append("agriculture_va_share")

    if c.urban_population_share is not None:
        urban = float(c.urban_population_share) / 100.0
        notes["urban_population_share"] = c.structure_source or "country config"
    else:
        urban_pct = take("urban_share")
        if urban_pct is None:
            urban = float(np.clip(0.1 + 0.12 * np.log(gdp_pc / 500.0), 0.1, 0.95))
            notes["urban_population_share"] = ("FALLBACK: 0.1 + 0.12 ln(GDP per capita / "
                                               "500), clipped to [0.1, 0.95]")
            flags.append("urban_population_share")
        else:
            urban = urban_pct / 100.0
            notes["urban_population_share"] = notes.pop("urban_share")
            if "urban_share" in flags:
                flags[flags.index("urban_share")] = "urban_population_share"

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
        agriculture_va_share=float(agri), urban_share=float(urban),
        business_rd_share=None if brd is None else float(brd), articles_per_1000=articles,
        notes=notes, flags=sorted(set(flags)))
