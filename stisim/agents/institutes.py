"""Research institutes: national research institutions and universities (Mesa agents).

Each institute receives funding streams (block/institutional, competitive grants, contracts
with firms, international), pays researchers (FTE, with women's share) and adjusts their
number towards what funding pays for, loses researchers abroad at a rate that rises as
funding per researcher falls (brain drain), publishes and patents, supplies graduates to
firms, and starts collaborations with firms through its technology-transfer office, whose
capacity grows with technology-transfer support.
"""

from __future__ import annotations

import mesa
import numpy as np

from stisim.agents.catalog import FUNDING_STREAMS
from stisim.agents.registry import agent_type


@agent_type("research_institutes", core=True)
class ResearchInstitute(mesa.Agent):
    """A university or public research institution."""

    def __init__(self, model: mesa.Model, kind: str, region: int, size: float,
                 quality: float):
        super().__init__(model)
        self.kind = kind
        self.region = region
        self.size = size  # share of the national institute researchers at the base year
        self.quality = quality  # publications per researcher relative to the national mean
        self.researchers = 0.0
        self.women = 0.0
        self.knowledge = 0.0
        self.tto_extra = 0.0  # collaborations/year added by technology-transfer support
        self.funding = dict.fromkeys(FUNDING_STREAMS, 0.0)
        self.publications = self.patents = self.graduates = self.emigrants = 0.0
        self.collaborations = 0.0
        self.funding0_per_researcher = 1.0
        self.position = 0

    @classmethod
    def create(cls, model, params=None) -> None:
        cfg = model.cfg.institutes
        rng = model.rng
        n = cfg.count
        sizes = rng.lognormal(0.0, 0.8, n)
        sizes /= sizes.sum()
        quality = rng.lognormal(0.0, 0.3, n)
        quality /= np.average(quality, weights=sizes)
        # Institutes sit where firms concentrate (capital first).
        w = model.structure.region_firms ** 2
        regions = rng.choice(len(w), size=n, p=w / w.sum())
        n_uni = round(cfg.university_share * n)
        for i in range(n):
            cls(model, "university" if i < n_uni else "public_research", int(regions[i]),
                float(sizes[i]), float(quality[i]))

    # -- funding --------------------------------------------------------------------------
    @staticmethod
    def stream_shares(model) -> dict[str, np.ndarray]:
        """Each institute's share of the national streams (cached per step): block by
        researchers, competitive and international by researchers x quality, contracts by
        technology-transfer capacity."""
        cache = model.step_cache
        if "institute_shares" not in cache:
            institutes = model.agents_of(ResearchInstitute)
            r = np.array([i.researchers for i in institutes])
            q = np.array([i.quality for i in institutes])
            cap = np.array([i.capacity() for i in institutes])

            def norm(x: np.ndarray) -> np.ndarray:
                total = x.sum()
                return x / total if total > 0 else np.full(x.size, 1.0 / x.size)

            for pos, inst in enumerate(institutes):
                inst.position = pos
            cache["institute_shares"] = {"block": norm(r), "competitive": norm(r * q),
                                         "international": norm(r * q), "contracts": norm(cap)}
        return cache["institute_shares"]

    def capacity(self) -> float:
        """Collaborations per year the technology-transfer office can start."""
        return self.model.calib.collaborations_per_researcher * self.researchers \
            + self.tto_extra

    def step(self) -> None:
        m = self.model
        cfg = m.cfg.institutes
        dt = m.dt
        all_shares = self.stream_shares(m)
        shares = {k: float(v[self.position]) for k, v in all_shares.items()}
        national = m.institute_streams()
        self.funding = {s: national[s] * shares[s] for s in FUNDING_STREAMS}
        total = sum(self.funding.values())

        # Researchers: approach what funding pays for; emigration rises as funding per
        # researcher falls below its base-year level.
        cost = m.calib.researcher_cost * m.macro.researcher_cost_index
        target = cfg.labour_cost_share * total / cost
        r = max(self.researchers, 1e-9)
        rel = (total / r) / self.funding0_per_researcher
        rate = cfg.brain_drain_rate * max(rel, 1e-3) ** (-cfg.brain_drain_elasticity) \
            * m.shocks.emigration_factor
        self.emigrants = rate * r  # per year
        net = (cfg.hiring_rate * (target - r) - (rate - cfg.brain_drain_rate) * r) * dt
        net = max(net, -0.5 * r)
        hires = net + self.emigrants * dt
        if hires >= 0:
            self.women += cfg.women_share_hires * hires - self.women / r * self.emigrants * dt
        else:
            self.women += self.women / r * net
        self.researchers = r + net
        self.women = min(max(self.women, 0.0), self.researchers)

        # Knowledge, graduates, technology transfer.
        self.publications = m.calib.publications_per_researcher * self.quality \
            * self.researchers
        self.patents = cfg.patents_per_publication * self.publications
        self.knowledge += (self.publications - cfg.publication_depreciation * self.knowledge) \
            * dt
        self.graduates = m.calib.graduates_per_researcher * self.researchers
        tto = m.flows.national("tto_support") * shares["block"]
        cost_collab = cfg.collaboration_cost * m.macro.gdp_per_capita
        self.tto_extra += (tto / cost_collab - cfg.tto_depreciation * self.tto_extra) * dt
        self.collaborations = self.capacity()
        m.flows.collaborations[self.region] += self.collaborations

    @property
    def spending(self) -> float:
        """R&D performed (all funding is spent), USD per year."""
        return sum(self.funding.values())

    def observe(self) -> dict[str, float]:
        return {"researchers": self.researchers, "women": self.women,
                "publications": self.publications, "patents": self.patents,
                "graduates": self.graduates, "emigrants": self.emigrants,
                "spending": self.spending, **{f"funding_{k}": v
                                               for k, v in self.funding.items()}}
