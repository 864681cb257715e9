"""Energy and emissions: the renewable share of final energy (7.2.1) and CO2 (9.4.1, 13.2.2).

Final energy = firms' energy (value added x sector intensity) + households' energy (per
capita, constant). A firm's renewable fraction is the grid's for non-adopters and
``macro.clean_renewable_share`` for clean-energy adopters; households' renewable fraction
moves towards the grid's as electricity access rises (fuel switch). At the base year the
household and firm fractions both equal the baseline 7.2.1, which fixes the grid share.
Firm CO2 = factor x non-renewable energy x (1 - cuts of other adopted technologies);
household CO2 grows with population and income. CO2 indicators are reported as the baseline
value times the model's relative change, because the data's CO2 and GDP measures differ from
the model's units.
"""

from __future__ import annotations

import numpy as np

from stisim.agents.catalog import SECTORS, TECHNOLOGIES
from stisim.agents.firms import CLEAN, F32

OTHER = [j for j in range(len(TECHNOLOGIES)) if j != CLEAN]


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
        rs0 = float(model.baseline.value["7.2.1"]) / 100.0
        energy = self.firm_energy()
        e_f = float(energy.sum())
        self.note = "household and firm renewable fractions equal the baseline 7.2.1"
        omega = m.household_energy_share
        if omega is None:
            omega = household_energy_share(model.country.gdp_per_capita)
        self.household_energy0 = omega / (1.0 - omega) * e_f
        clean = self._cap_clean_adopters(energy, rs0, c.clean_renewable,
                                         self.household_energy0)
        rho_clean = c.clean_renewable
        # Firms' average renewable fraction equals the baseline: solve the grid share.
        grid = (rs0 - rho_clean * clean) / max(1.0 - clean, 1e-12)
        if not 0.0 <= grid <= 1.0:
            grid = float(np.clip(grid, 0.0, 1.0))
            r_f = grid * (1.0 - clean) + rho_clean * clean
            # Households absorb the difference so the national share stays exact.
            self.household_renewable0 = (rs0 * (e_f + self.household_energy0) - r_f * e_f) \
                / self.household_energy0
            self.note = "grid share clipped; household renewable fraction adjusted"
        else:
            self.household_renewable0 = rs0
        c.grid_renewable = grid
        self.grid0 = grid
        self.omega = omega
        # CO2 factor: firms emit (1 - household share) of the baseline per-capita CO2.
        total = float(model.baseline.value["13.2.2"]) * model.macro.population
        hh = m.household_emission_share
        non_renewable = self.firm_co2_base()
        c.co2_per_energy = (1.0 - hh) * total / max(non_renewable, 1e-12)
        self.household_co2_0 = hh * total
        self.gdp_pc0 = model.macro.gdp_per_capita
        self.pop0 = model.macro.population
        totals = self.totals()
        self.co2_0 = totals["co2"]
        self.gdp0 = model.macro.gdp

    def _cap_clean_adopters(self, energy: np.ndarray, rs0: float, rho_clean: float,
                            e_h: float) -> float:
        """Energy-weighted clean-energy adopter share, capped at 90% of what the baseline
        renewable share allows (largest users dropped first); returns the share.

        Adopters get ``rho_clean`` of their energy from renewables. Where that is above the
        baseline, adopters alone may not exceed it; where it is below, too many adopters
        would keep the national share under the baseline even with a fully renewable grid
        and fully renewable households (``e_h`` their energy)."""
        firms = self.model.firms
        e_f = max(float(energy.sum()), 1e-12)
        adopters = np.flatnonzero(firms.adopted[CLEAN])
        share = float(energy[adopters].sum()) / e_f
        cap = 0.9 * rs0 / max(rho_clean, 1e-12)
        if rho_clean < 1.0:
            cap = min(cap, 0.9 * (1.0 - rs0) * (e_f + e_h) / ((1.0 - rho_clean) * e_f))
        if share <= cap or adopters.size == 0:
            return share
        order = adopters[np.argsort(-energy[adopters], kind="stable")]
        excess = np.cumsum(energy[order]) / e_f
        drop = order[: int(np.searchsorted(excess, share - cap, side="left")) + 1]
        firms.adopted[CLEAN, drop] = False
        self.note = (f"{drop.size} initial clean-energy adopters removed so that the "
                     "baseline 7.2.1 is reachable with the adopters' renewable fraction "
                     f"{rho_clean:.3g}")
        return float(energy[firms.adopted[CLEAN]].sum()) / e_f

    # -- firm quantities ------------------------------------------------------------------
    def firm_energy(self) -> np.ndarray:
        """Final energy per simulated firm (relative units) times the firm weight."""
        firms = self.model.firms
        ei = firms.calib.energy_intensity.astype(F32)[firms.sector]
        return firms.va * ei * firms.alive * F32(firms.weight)

    def firm_renewable(self) -> np.ndarray:
        c = self.model.firms.calib
        clean = self.model.firms.adopted[CLEAN]
        return np.where(clean, F32(c.clean_renewable), F32(c.grid_renewable))

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

    # -- dynamics -------------------------------------------------------------------------
    def step(self) -> None:
        """Grid renewable share: business-as-usual trend plus renewable investment."""
        m = self.model
        c = m.firms.calib
        cfg = m.cfg.infrastructure
        money = float(m.flows.delivered["infrastructure_energy"].sum()) \
            * cfg.energy_renewable_share
        gain = m.cfg.macro.grid_renewable_trend + cfg.renewable_investment_effect * money \
            / max(m.macro.gdp, 1e-9)
        c.grid_renewable = float(np.clip(c.grid_renewable + gain * (1.0 - c.grid_renewable)
                                         * m.dt, 0.0, 1.0))

    def household_renewable(self) -> float:
        m = self.model
        infra = m.infrastructure
        gained = infra.national(infra.electricity) - infra.national(infra.electricity0)
        r0 = self.household_renewable0
        grid = m.firms.calib.grid_renewable
        return float(np.clip(r0 + m.cfg.macro.fuel_switch * gained * (grid - r0), 0.0, 1.0))

    def totals(self) -> dict:
        """Energy, renewable share and CO2 (t per year) now."""
        m = self.model
        firms = m.firms
        energy = self.firm_energy()
        renewable = self.firm_renewable()
        e_f = float(energy.sum())
        pop_ratio = m.macro.population / self.pop0
        e_h = self.household_energy0 * pop_ratio
        r_h = self.household_renewable()
        share = (float((energy * renewable).sum()) + e_h * r_h) / max(e_f + e_h, 1e-12)
        co2_f = energy * (1.0 - renewable) * self._cut() * F32(firms.calib.co2_per_energy)
        by_sector = np.bincount(firms.sector, weights=co2_f, minlength=len(SECTORS))
        income = (m.macro.gdp_per_capita / self.gdp_pc0) ** m.cfg.macro.household_emission_growth
        fuel = (1.0 - r_h) / max(1.0 - self.household_renewable0, 1e-9)
        co2_h = self.household_co2_0 * pop_ratio * income * fuel
        return {"renewable_share": share, "co2_sector": by_sector, "co2_households": co2_h,
                "co2": float(by_sector.sum()) + co2_h, "energy_firms": e_f,
                "energy_households": e_h}

    def indicators(self, totals: dict) -> dict[str, float]:
        m = self.model
        b = m.base_values
        co2 = totals["co2"]
        return {
            "7.2.1": 100.0 * totals["renewable_share"],
            "13.2.2": float(b["13.2.2"]) * (co2 / m.macro.population) / (self.co2_0 / self.pop0),
            "9.4.1": float(b["9.4.1"]) * (co2 / m.macro.gdp) / (self.co2_0 / self.gdp0),
        }
