"""Regional infrastructure and household adoption: 4G coverage (9.c.1), fixed-network
availability and subscriptions (17.6.1), internet use (17.8.1) and electricity access (7.1.1).

Regional values start from the national baseline, distributed with a logit offset per region
(``regions.access_offset``) and a common shift solved so that the population-weighted mean
equals the baseline exactly. Coverage and access grow by business-as-usual roll-out plus
public money delivered for infrastructure, at a cost per person that rises as coverage nears
completion; households adopt the internet and broadband by Bass-type diffusion within what is
available. A share of broadband money (``adoption_share``) closes the usage gap instead:
it brings covered non-users online at ``connection_cost`` each (devices, data, skills). 4G
coverage starts growing at ``coverage_launch_year`` (from the base year by default).
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq
from scipy.special import expit

from stisim.agents.catalog import TECHNOLOGIES

EDGE = 1e-9


def regional_values(national: float, weights: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Regional shares with ``sum(weights * x) == national`` and logit(x_r) - offset_r equal
    across regions; shares at 0 or 1 stay there."""
    national = float(np.clip(national, 0.0, 1.0))
    if national <= EDGE or national >= 1.0 - EDGE:
        return np.full(len(weights), national)
    w = np.asarray(weights, float) / np.sum(weights)

    def gap(c: float) -> float:
        return float(w @ expit(c + offsets)) - national

    c = brentq(gap, -60.0, 60.0, xtol=1e-14)
    return expit(c + np.asarray(offsets, float))


def coverage_gain(level: np.ndarray, money: np.ndarray, population: np.ndarray,
                  unit_cost: float, remoteness: float, dt: float) -> np.ndarray:
    """Coverage added by ``money`` (USD/yr) over dt: the uncovered share times
    1 - exp(-money dt / (cost x uncovered persons)), cost rising with coverage."""
    gap = np.maximum(1.0 - level, 0.0)
    cost = unit_cost * (1.0 + remoteness * level)
    persons = np.maximum(gap * population * cost, 1e-9)
    return gap * -np.expm1(-np.maximum(money, 0.0) * dt / persons)


class Infrastructure:
    """Regional coverage, access and household adoption."""

    def __init__(self, model):
        self.model = model
        cfg = model.cfg.infrastructure
        b = model.baseline.value
        w = model.structure.region_population
        off = model.regions.offsets
        self.coverage = regional_values(b["9.c.1"] / 100.0, w, off["coverage"])
        self.electricity = regional_values(b["7.1.1"] / 100.0, w, off["electricity"])
        self.internet = regional_values(b["17.8.1"] / 100.0, w, off["internet"])
        # Saturation (per 100 inhabitants), raised where the baseline is already close to it.
        self.saturation = max(cfg.broadband_saturation, 1.25 * float(b["17.6.1"]))
        self.broadband = regional_values(b["17.6.1"] / self.saturation, w, off["broadband"])
        self.fixed = np.minimum(1.0, np.maximum(cfg.fixed_initial * self.broadband,
                                                self.broadband))
        self.electricity0 = self.electricity.copy()

    @property
    def population(self) -> np.ndarray:
        return self.model.macro.population * self.model.structure.region_population

    def national(self, values: np.ndarray) -> float:
        return float(self.model.structure.region_population @ values)

    def step(self) -> None:
        m = self.model
        cfg = m.cfg.infrastructure
        dt = m.dt
        pop = self.population
        bb_all = m.flows.delivered["infrastructure_broadband"][0]
        users_money = bb_all * cfg.adoption_share  # devices, data and skills of non-users
        bb = bb_all - users_money  # networks
        en = m.flows.delivered["infrastructure_energy"][0]
        rem = cfg.remoteness_cost
        # 4G coverage grows only once the network is launched (the step ends at m.t); the
        # part of the step after a fractional launch year counts, which keeps fits smooth.
        live = float(np.clip((m.t - cfg.coverage_launch_year) / dt, 0.0, 1.0))
        roll = -np.expm1(-cfg.coverage_rollout * dt * live)
        self.coverage += (1.0 - self.coverage) * roll + coverage_gain(
            self.coverage, bb * (1.0 - cfg.fixed_share), pop, cfg.coverage_cost, rem, dt * live)
        roll = -np.expm1(-cfg.fixed_rollout * dt)
        self.fixed += (1.0 - self.fixed) * roll + coverage_gain(
            self.fixed, bb * cfg.fixed_share, pop, cfg.fixed_cost, rem, dt)
        roll = -np.expm1(-cfg.electricity_rollout * dt)
        # Energy money builds both access and (renewable) capacity.
        access_money = en * (1.0 - cfg.energy_renewable_share)
        self.electricity += (1.0 - self.electricity) * roll + coverage_gain(
            self.electricity, access_money, pop, cfg.electricity_cost, rem, dt)
        for arr in (self.coverage, self.fixed, self.electricity):
            np.clip(arr, 0.0, 1.0, out=arr)

        # Households: internet use (ceiling internet_max) and broadband (ceiling: fixed
        # availability), Bass-type with the spontaneous term scaled by coverage and by
        # exposure at work (firms' digital adoption in the region).
        digital = m.firms_adoption_by_region()[TECHNOLOGIES.index("digital")]
        p_u = cfg.internet_p * self.coverage + cfg.workplace_effect * digital \
            + m.partnerships.internet_push
        cap = cfg.internet_max
        hazard = p_u + cfg.internet_q * self.internet / cap
        self.internet += np.maximum(cap - self.internet, 0.0) * -np.expm1(-hazard * dt)
        # The adoption share of broadband money brings covered non-users online at
        # connection_cost each (saturating as the covered non-users run out).
        reachable = cap * self.coverage
        self.internet += coverage_gain(self.internet / np.maximum(reachable, EDGE),
                                       users_money, pop * reachable, cfg.connection_cost,
                                       0.0, dt) * reachable
        hazard = cfg.broadband_p + cfg.broadband_q * self.broadband
        self.broadband += np.maximum(self.fixed - self.broadband, 0.0) * -np.expm1(
            -hazard * dt)

    def damage(self, regions: np.ndarray, size: float) -> None:
        """A disaster destroys part of coverage and access in the given regions."""
        for arr in (self.coverage, self.fixed, self.electricity, self.broadband):
            arr[regions] *= 1.0 - 0.5 * size

    # Indicators (national, population-weighted) ----------------------------------------
    def indicators(self) -> dict[str, float]:
        return {"9.c.1": 100.0 * self.national(self.coverage),
                "7.1.1": 100.0 * self.national(self.electricity),
                "17.8.1": 100.0 * self.national(self.internet),
                "17.6.1": self.saturation * self.national(self.broadband)}
