"""Joint projects of research institutes and local/regional governments, co-financed by
ministries and partners (instrument ``regional_partnership``; docs/model.md,
"Institute-local government partnerships").

Money ``M_r`` (USD/yr) delivered to region ``r`` by its local government (national lines of
ministries handed down and co-financed, its own budget) or by partners is split into
problem-driven research, extension services and innovation hubs (``partnerships.*_share``):

- research ``s_R M_r``: joint projects of institutes with the region's firms, counted as R&D
  the institutes perform (GERD, 9.5.1) and started as collaborations with the region's most
  skilled firms, ``s_R M_r / c_collab`` a year (the institutes' base-year cost of one);
- extension ``s_E M_r``: ``N_r = s_E M_r / (c_E y)`` firms served a year (``y``: GDP per
  capita); ``a_E A_r N_r`` additional adoptions a year, split over technologies by the
  region's eligible non-adopters, as a hazard ``min(., max_rate)`` added to each
  non-adopter's spontaneous adoption term;
- hubs ``s_H M_r``: ``P_r = s_H M_r / (c_H y)`` people reached; the internet-use hazard of the
  region's households rises by ``min(a_H A_r P_r / pop_r, max_rate)``.

``A_r = clip((k_r / k)^e, 0.25, 2)`` is the region's absorptive capacity: the skilled share
``k_r`` of its firms' workers relative to the national one ``k`` (Cohen & Levinthal 1990).
Spill-overs within the region follow from the model itself: extra adopters raise the
imitation term of their sector-region peers, collaborations raise firms' innovation and
adoption, households online raise 17.8.1. All money delivered is used (its recipients in
``instrument_use``: institutes, firms, households); effects are bounded by the caps.
"""

from __future__ import annotations

import numpy as np

from stisim.agents.firms import N_TECH, group_counts
from stisim.agents.institutes import collaboration_cost

INSTRUMENT = "regional_partnership"
CAPACITY_BOUNDS = (0.25, 2.0)


class Partnerships:
    """What partnership money does in each region during a step."""

    def __init__(self, model):
        self.model = model
        self.reset()

    def reset(self) -> None:
        n = self.model.regions.n
        self.money = np.zeros(n)
        self.capacity = np.ones(n)
        self.collaborations = np.zeros(n)
        self.firms_served = np.zeros(n)
        self.adoptions = np.zeros(n)
        self.people_reached = np.zeros(n)
        self.internet_push = np.zeros(n)
        self.hazard = np.zeros((N_TECH, n))

    def absorptive_capacity(self) -> np.ndarray:
        """``A_r``: skilled share of each region's firm workers relative to the nation's,
        to the power ``capacity_elasticity``, bounded."""
        m = self.model
        f = m.firms
        n = m.regions.n
        w = f.emp * f.alive
        emp = np.bincount(f.region, weights=w, minlength=n)
        sk = np.bincount(f.region, weights=w * f.skill, minlength=n)
        k = np.divide(sk, emp, out=np.zeros(n), where=emp > 0)
        k_nat = float(sk.sum() / emp.sum()) if emp.sum() > 0 else 0.0
        if k_nat <= 0:
            return np.ones(n)
        rel = np.where(emp > 0, k / k_nat, 1.0)
        e = m.cfg.partnerships.capacity_elasticity
        return np.clip(rel ** e, *CAPACITY_BOUNDS)

    def update(self) -> np.ndarray:
        """Act on this step's delivered money (once per step): start the joint projects'
        collaborations, set the households' internet push; return the extension hazard
        (technology, region) to add to firms' spontaneous adoption."""
        m = self.model
        cache = m.step_cache
        if "partnerships" in cache:
            return cache["partnerships"]
        self.reset()
        money = np.asarray(m.flows.delivered[INSTRUMENT], float).reshape(-1)
        cache["partnerships"] = self.hazard
        if not money.any():
            return self.hazard
        p = m.cfg.partnerships
        gdp_pc = m.macro.gdp_per_capita
        self.money = money
        self.capacity = a = self.absorptive_capacity()
        self.collaborations = p.research_share * money / collaboration_cost(m)
        m.flows.collaborations += self.collaborations
        self.firms_served = p.extension_share * money / (p.extension_cost * gdp_pc)
        extra = p.extension_additionality * a * self.firms_served
        f = m.firms
        non = np.zeros((N_TECH, m.regions.n))
        for j in range(N_TECH):
            n_e, n_a = group_counts(f.region, f.n_regions, f.eligible[j], f.adopted[j])
            non[j] = (n_e - n_a) * f.weight
        total = non.sum(axis=0)
        share = np.divide(non, total, out=np.zeros_like(non), where=total > 0)
        self.hazard = np.minimum(np.divide(extra * share, non, out=np.zeros_like(non),
                                           where=non > 0), p.max_rate)
        self.adoptions = (self.hazard * non).sum(axis=0)
        self.people_reached = p.hub_share * money / (p.hub_cost * gdp_pc)
        pop = m.macro.population * m.structure.region_population
        self.internet_push = np.minimum(
            p.hub_additionality * a * self.people_reached / np.maximum(pop, 1e-12), p.max_rate)
        cache["partnerships"] = self.hazard
        return self.hazard

    def recipients(self, delivered: float) -> dict[str, float]:
        """Who receives partnership money (USD/yr): institutes, firms, households."""
        p = self.model.cfg.partnerships
        return {"research_institutes": p.research_share * delivered,
                "firms": p.extension_share * delivered,
                "households": p.hub_share * delivered}
