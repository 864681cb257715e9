"""Energy and emissions: the renewable share of final energy (7.2.1), clean cooking (7.1.2)
and CO2 (9.4.1, 13.2.2).

Final energy E = firms' energy (value added x sector intensity) + households' energy, which
is cooking plus other uses (lighting, appliances, private transport). Cooking: households
without clean cooking burn traditional biomass (renewable in 7.2.1), households with clean
cooking use ``cooking_efficiency_ratio`` times that energy, a share
``clean_cooking_electric_share`` of it electricity and ``clean_cooking_renewable_share``
modern renewables, the rest LPG or gas (:mod:`stisim.agents.cooking` moves access). Other
household energy grows with population and income (elasticity
``household_emission_growth``); for electrified households a share ``fuel_switch`` of it is
electricity. Renewable fractions: traditional biomass 1; electricity and non-adopting firms'
energy the non-biomass mix ``g`` (the "grid"); clean-energy adopters ``g + gain (1 - g)``.

Base year: traditional biomass is the share of the baseline 7.2.1 that the cross-country fit
attributes to the population without clean cooking (or ``traditional_biomass_share``); the
households' share of E follows income (raised where cooking needs it); ``g`` is solved so that
the national share equals the baseline 7.2.1 exactly. Firm CO2 = factor x non-renewable energy
x (1 - cuts of other adopted technologies); household CO2 follows households' fossil energy
(LPG and gas for cooking, non-renewable other energy). CO2 indicators are reported as the
baseline value times the model's relative change, because the data's CO2 and GDP measures
differ from the model's units. Equations and sources: docs/model.md, "Energy and emissions".
"""

from __future__ import annotations

import numpy as np

from stisim.agents.catalog import SECTORS, TECHNOLOGIES
from stisim.agents.cooking import (
    EDGE,
    PER_GAP_MAX,
    Cooking,
    biomass_per_gap,
    traditional_biomass_fraction,
)
from stisim.agents.firms import CLEAN, F32
from stisim.agents.trends import trend_rate
from stisim.errors import DataError

OTHER = [j for j in range(len(TECHNOLOGIES)) if j != CLEAN]
# Final energy by use, the parts of the energy balance (record: final_energy_share,
# renewable_contribution).
ENERGY_USES = ("firms_grid", "firms_clean_adopters", "traditional_biomass", "clean_cooking",
               "households_other")
COOKING_MAX = 0.9  # cooking's largest share of households' energy at the base year
OMEGA_MAX = 0.97  # households' largest share of final energy


def household_energy_share(gdp_per_capita: float) -> float:
    """Default households' share of final energy: 0.85 at 500 USD per capita, falling by 0.15
    per doubling of income, within [0.2, 0.9]."""
    return float(np.clip(0.85 - 0.15 * np.log2(max(gdp_per_capita, 1.0) / 500.0), 0.2, 0.9))


class Energy:
    """National energy balance and emissions."""

    def __init__(self, model):
        self.model = model
        m = model.cfg.macro
        firms = model.firms
        c = firms.calib
        self.cooking = Cooking(model)
        rs0 = float(model.baseline.value["7.2.1"]) / 100.0
        k = self.cooking.national()
        energy = self.firm_energy()
        e_f = float(energy.sum())
        notes = []
        omega = m.household_energy_share
        if omega is None:
            omega = household_energy_share(model.country.gdp_per_capita)
        # Traditional biomass per unit of (1 - k), as a fraction of total final energy.
        y = model.country.gdp_per_capita
        tau = m.traditional_biomass_share
        if tau is None:
            tau = traditional_biomass_fraction(k, y)
        per_gap = rs0 * tau / max(1.0 - k, EDGE)
        if per_gap > PER_GAP_MAX * biomass_per_gap(k, y):
            per_gap = PER_GAP_MAX * biomass_per_gap(k, y)
            notes.append(f"traditional biomass per person without clean cooking capped at "
                         f"{PER_GAP_MAX:g} x the cross-country value")
        ratio = m.cooking_efficiency_ratio
        cook = per_gap * ((1.0 - k) + ratio * k)  # cooking energy / E
        if cook > COOKING_MAX * omega:
            new = min(cook / COOKING_MAX, OMEGA_MAX)
            notes.append(f"households' energy share raised from {omega:.3f} to {new:.3f} so "
                         "that cooking is at most 90 % of it")
            omega = new
            if cook > COOKING_MAX * omega:
                per_gap *= COOKING_MAX * omega / cook
                cook = COOKING_MAX * omega
                notes.append("traditional biomass scaled down to fit households' energy")
        total = e_f / (1.0 - omega)
        self.omega = omega
        # Biomass cooking energy of the whole population at the base year (relative units).
        self.cook_unit = per_gap * total
        self.other0 = (omega - cook) * total
        self.other_renewable = 0.0  # closing term, used only where g would exceed 1
        biomass = self.cook_unit * (1.0 - k)
        clean_cook = self.cook_unit * ratio * k
        s_e, s_m = m.clean_cooking_electric_share, m.clean_cooking_renewable_share
        modern = rs0 * total - biomass - clean_cook * s_m
        if modern < 0.05 * rs0 * total:
            # The attribution leaves no room for modern renewables: shrink biomass.
            scale = (0.95 * rs0 * total) / max(biomass + clean_cook * s_m, 1e-300)
            self.cook_unit *= scale
            biomass, clean_cook = biomass * scale, clean_cook * scale
            modern = rs0 * total - biomass - clean_cook * s_m
            notes.append("traditional biomass scaled to 95 % of the baseline renewable share")
        gain = m.clean_renewable_gain
        clean = self._cap_clean_adopters(energy, modern, gain, notes)
        a_fs = m.fuel_switch * model.infrastructure.national(model.infrastructure.electricity)
        denom = e_f * (1.0 - gain * clean) + clean_cook * s_e + self.other0 * a_fs
        grid = (modern - e_f * gain * clean) / max(denom, 1e-300)
        if grid > 1.0:
            grid = 1.0
            self.other_renewable = (modern - e_f * gain * clean - denom) / max(self.other0,
                                                                              1e-300)
            notes.append("non-biomass mix fully renewable; households' other energy given a "
                         f"renewable fraction {self.other_renewable:.3f} beyond electricity")
            if self.other_renewable > 1.0 - a_fs + 1e-12:
                raise DataError(f"baseline 7.2.1 of {100 * rs0:.4g} % cannot be reproduced "
                                "by the energy balance (check macro.traditional_biomass_share"
                                " and macro.household_energy_share)")
        c.grid_renewable = float(grid)
        self.grid0 = float(grid)
        self.biomass_share0 = biomass / total
        self.note = "; ".join(notes) or ("traditional biomass attributed by the cross-country "
                                         "fit; grid share solved for the baseline 7.2.1")
        # CO2: firms emit (1 - household share) of the baseline per-capita CO2.
        co2 = float(model.baseline.value["13.2.2"]) * model.macro.population
        hh = m.household_emission_share
        c.co2_per_energy = (1.0 - hh) * co2 / max(self.firm_co2_base(), 1e-12)
        self.household_co2_0 = hh * co2
        self.gdp_pc0 = model.macro.gdp_per_capita
        self.pop0 = model.macro.population
        self.fossil0 = 1.0
        self.fossil0 = max(self.households()["fossil"], 1e-300)
        totals = self.totals()
        self.co2_0 = totals["co2"]
        self.gdp0 = model.macro.gdp

    def _cap_clean_adopters(self, energy: np.ndarray, modern: float, gain: float,
                            notes: list[str]) -> float:
        """Energy-weighted clean-energy adopter share, capped so that the adopters' own
        renewables (``gain`` of their energy at a grid share of 0) stay within 90 % of the
        modern renewables of the baseline (largest users dropped first); returns the share."""
        firms = self.model.firms
        e_f = max(float(energy.sum()), 1e-12)
        adopters = np.flatnonzero(firms.adopted[CLEAN])
        share = float(energy[adopters].sum()) / e_f
        cap = 0.9 * modern / (gain * e_f)
        if share <= cap or adopters.size == 0:
            return share
        order = adopters[np.argsort(-energy[adopters], kind="stable")]
        excess = np.cumsum(energy[order]) / e_f
        drop = order[: int(np.searchsorted(excess, share - cap, side="left")) + 1]
        firms.adopted[CLEAN, drop] = False
        notes.append(f"{drop.size} initial clean-energy adopters removed so that the baseline "
                     "7.2.1 is reachable")
        return float(energy[firms.adopted[CLEAN]].sum()) / e_f

    # -- firm quantities ------------------------------------------------------------------
    def firm_energy(self) -> np.ndarray:
        """Final energy per simulated firm (relative units) times the firm weight."""
        firms = self.model.firms
        ei = firms.calib.energy_intensity.astype(F32)[firms.sector]
        return firms.va * ei * firms.alive * F32(firms.weight)

    def adopter_renewable(self) -> float:
        """Renewable fraction of a clean-energy adopter's energy: g + gain (1 - g)."""
        g = self.model.firms.calib.grid_renewable
        return g + self.model.cfg.macro.clean_renewable_gain * (1.0 - g)

    def firm_renewable(self) -> np.ndarray:
        c = self.model.firms.calib
        clean = self.model.firms.adopted[CLEAN]
        return np.where(clean, F32(self.adopter_renewable()), F32(c.grid_renewable))

    def _cut(self) -> np.ndarray:
        firms = self.model.firms
        c = firms.calib
        out = np.ones(firms.size, dtype=F32)
        for j in OTHER:
            if c.emission_cut[j]:
                out *= np.where(firms.adopted[j], F32(1.0 - c.emission_cut[j]), F32(1.0))
        return out

    def firm_co2_base(self) -> float:
        return float((self.firm_energy() * (1.0 - self.firm_renewable()) * self._cut()).sum())

    # -- households -----------------------------------------------------------------------
    def households(self) -> dict[str, float]:
        """Households' final energy by use, its renewable part and its fossil part now."""
        m = self.model
        c = m.cfg.macro
        w = m.structure.region_population
        pop = m.macro.population / self.pop0
        k = float(w @ self.cooking.access)
        g = m.firms.calib.grid_renewable
        income = (m.macro.gdp_per_capita / self.gdp_pc0) ** c.household_emission_growth
        infra = m.infrastructure
        r_cook = c.clean_cooking_electric_share * g + c.clean_cooking_renewable_share
        r_other = c.fuel_switch * infra.national(infra.electricity) * g + self.other_renewable
        biomass = self.cook_unit * pop * (1.0 - k)
        clean = self.cook_unit * c.cooking_efficiency_ratio * pop * k
        other = self.other0 * pop * income
        return {"traditional_biomass": biomass, "clean_cooking": clean,
                "households_other": other, "clean_cooking_renewable": clean * r_cook,
                "households_other_renewable": other * r_other,
                "fossil": (clean * (1.0 - r_cook) + other * (1.0 - r_other)) / self.fossil0}

    # -- dynamics -------------------------------------------------------------------------
    def step(self) -> None:
        """Non-biomass renewable share: business-as-usual trend plus renewable investment;
        clean-cooking access (:class:`stisim.agents.cooking.Cooking`)."""
        m = self.model
        c = m.firms.calib
        cfg = m.cfg.infrastructure
        money = float(m.flows.delivered["infrastructure_energy"].sum()) \
            * cfg.energy_renewable_share
        macro = m.cfg.macro
        # The trend of the step's start year (damped after its end year, if any).
        trend = macro.grid_renewable_trend * trend_rate(
            m.t, macro.grid_renewable_trend_end_year, macro.grid_renewable_trend_damping)
        g = c.grid_renewable
        gain = (trend * (1.0 - g) if trend >= 0 else trend * g) \
            + cfg.renewable_investment_effect * money / max(m.macro.gdp, 1e-9) * (1.0 - g)
        c.grid_renewable = float(np.clip(g + gain * m.dt, 0.0, 1.0))
        self.cooking.step()

    def totals(self) -> dict:
        """Energy by use, renewable share and CO2 (t per year) now."""
        m = self.model
        firms = m.firms
        energy = self.firm_energy()
        renewable = self.firm_renewable()
        clean = firms.adopted[CLEAN]
        e_f = float(energy.sum())
        e_clean = float(energy[clean].sum())
        r_firm = energy * renewable
        r_clean = float(r_firm[clean].sum())
        h = self.households()
        use = np.array([e_f - e_clean, e_clean, h["traditional_biomass"], h["clean_cooking"],
                        h["households_other"]])
        ren = np.array([float(r_firm.sum()) - r_clean, r_clean, h["traditional_biomass"],
                        h["clean_cooking_renewable"], h["households_other_renewable"]])
        total = max(float(use.sum()), 1e-300)
        co2_f = energy * (1.0 - renewable) * self._cut() * F32(firms.calib.co2_per_energy)
        by_sector = np.bincount(firms.sector, weights=co2_f, minlength=len(SECTORS))
        co2_h = self.household_co2_0 * h["fossil"]
        return {"renewable_share": float(ren.sum()) / total, "co2_sector": by_sector,
                "co2_households": co2_h, "co2": float(by_sector.sum()) + co2_h,
                "energy_firms": e_f, "energy_households": float(use[2:].sum()),
                "energy_share": use / total, "renewable_contribution": ren / total}

    def indicators(self, totals: dict) -> dict[str, float]:
        m = self.model
        b = m.base_values
        co2 = totals["co2"]
        return {
            "7.1.2": 100.0 * self.cooking.national(),
            "7.2.1": 100.0 * totals["renewable_share"],
            "13.2.2": float(b["13.2.2"]) * (co2 / m.macro.population) / (self.co2_0 / self.pop0),
            "9.4.1": float(b["9.4.1"]) * (co2 / m.macro.gdp) / (self.co2_0 / self.gdp0),
        }
