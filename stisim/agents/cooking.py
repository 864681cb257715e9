"""Households' cooking transition: clean-cooking access per region (SDG 7.1.2) and the exit
from traditional biomass.

Access starts from the national baseline of 7.1.2, distributed over regions like electricity
access (``regions.access_offset``, :func:`stisim.agents.infrastructure.regional_values`). Its
logit grows by a business-as-usual trend and with the growth of the region's GDP per capita
(value added of the region's firms per inhabitant):

    logit k_r(t + dt) = logit k_r(t) + trend dt + income_effect [ln y_r(t) - ln y_r(t - dt)]

both estimated from 127 countries' 2000-2016 long differences (``macro.cooking_trend``,
``macro.cooking_income_effect``; ``tools/fit_energy_transition.py``). Households without
clean cooking burn traditional biomass, which SDG 7.2.1 counts as renewable; a household that
switches uses ``macro.cooking_efficiency_ratio`` times the final energy for the same meals.
The share of a country's baseline renewable share that is traditional biomass follows the
cross-country fit 7.2.1 = MODERN_RENEWABLE + BIOMASS_SLOPE x y^-INCOME_EXPONENT x (1 - k)
unless ``macro.traditional_biomass_share`` gives it. The energy balance is in
:mod:`stisim.agents.energy`.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit, logit

from stisim.agents.infrastructure import regional_values

# 7.2.1 / 100 = MODERN_RENEWABLE + BIOMASS_SLOPE x y^-INCOME_EXPONENT x (1 - access), y GDP
# per capita in thousand (constant 2015) USD: UNSD EG_FEC_RNEW on SDR 2022 sdg7_cleanfuel and
# WDI GDP per capita, 184 countries, 2016, nonlinear least squares (SEs 0.018, 0.036, 0.073;
# R2 0.62); tools/fit_energy_transition.py.
MODERN_RENEWABLE = 0.143
BIOMASS_SLOPE = 0.569
INCOME_EXPONENT = 0.327
# Access kept inside (EDGE, 1 - EDGE) so that its logit is finite.
EDGE = 1e-6
# A country may burn at most this multiple of the cross-country biomass per person without
# clean cooking (keeps the attribution finite where access is near 1 and 7.2.1 is modern).
PER_GAP_MAX = 2.0


def biomass_per_gap(access: float, gdp_per_capita: float) -> float:
    """Cross-country traditional biomass per unit of (1 - access), as a fraction of final
    energy: BIOMASS_SLOPE x (gdp_per_capita / 1000)^-INCOME_EXPONENT."""
    return BIOMASS_SLOPE * (max(gdp_per_capita, 1.0) / 1000.0) ** -INCOME_EXPONENT


def traditional_biomass_fraction(access: float, gdp_per_capita: float) -> float:
    """Share of a country's renewable share that the cross-country fit attributes to
    traditional biomass: biomass / (MODERN_RENEWABLE + biomass), biomass =
    biomass_per_gap x (1 - access)."""
    bio = biomass_per_gap(access, gdp_per_capita) * (1.0 - float(np.clip(access, 0.0, 1.0)))
    return bio / (MODERN_RENEWABLE + bio)


class Cooking:
    """Clean-cooking access per region and its drivers."""

    def __init__(self, model):
        self.model = model
        w = model.structure.region_population
        off = model.regions.offsets["cooking"]
        k0 = float(model.baseline.value["7.1.2"]) / 100.0
        self.access = np.clip(regional_values(k0, w, off), 0.0, 1.0)
        self.access0 = self.access.copy()
        self.income = self.region_income()

    def region_income(self) -> np.ndarray:
        """GDP per capita of each region (value added of its firms per inhabitant)."""
        m = self.model
        pop = m.macro.population * m.structure.region_population
        return np.maximum(m.macro.gdp * m.macro.region_gdp_share / np.maximum(pop, 1e-12),
                          1e-12)

    def national(self, values: np.ndarray | None = None) -> float:
        v = self.access if values is None else values
        return float(self.model.structure.region_population @ v)

    def step(self) -> None:
        """Advance access by the trend and the regions' income growth since the last step."""
        m = self.model
        c = m.cfg.macro
        income = self.region_income()
        growth = np.log(income / self.income)
        self.income = income
        z = logit(np.clip(self.access, EDGE, 1.0 - EDGE))
        z += c.cooking_trend * m.dt + c.cooking_income_effect * growth
        self.access = np.where(self.access >= 1.0, 1.0, expit(z))
