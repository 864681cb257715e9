"""Research institutes: national research institutions and universities (Mesa agents).

Each institute receives funding streams (block/institutional, competitive grants, contracts
with firms, international), pays researchers (FTE, with women's share) and adjusts their
number towards what funding pays for, loses researchers abroad at a rate that rises as
funding per researcher falls (brain drain), publishes and patents, supplies graduates to
firms, and does contract research for firms.

Research capacity bounds what an institute can spend: the R&D its researchers, equipment and
management can perform in a year. It starts at ``(1 + capacity_headroom)`` x base-year
funding; each step it moves towards ``(1 + capacity_headroom)`` x the money received, down at
the hiring rate and up by at most ``capacity_growth_max / w`` a year (``w``: the researcher
wage premium of the last step); money beyond it is not spent and returns to its funder
(``institute_unspent``, recipient ``unused`` in the accounts), so a jump in R&D money raises
R&D with diminishing returns until capacity catches up.

Contract research is demand-driven: firms buy it out of their own R&D budgets (a propensity
calibrated at the base year times business R&D); technology-transfer support raises that
demand with a saturating gain (at most ``contract_tto_max_gain``), and an institute takes on
contracts only up to ``contract_max_share`` of its funding. Its collaborations with firms are
the contracts' count (contract income over the base-year cost of one collaboration).
"""

from __future__ import annotations

import mesa
import numpy as np

from stisim.agents.catalog import FUNDING_STREAMS
from stisim.agents.registry import agent_type

# Streams an institute may leave unspent when they exceed its capacity (contracts are paid
# for work done, so they are never unspent).
UNSPENT_STREAMS: tuple[str, ...] = ("block", "competitive", "international")


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
        self.tto_level = 0.0  # technology-transfer capacity, USD/yr of support it embodies
        self.funding = dict.fromkeys(FUNDING_STREAMS, 0.0)
        self.publications = self.patents = self.graduates = self.emigrants = 0.0
        self.collaborations = 0.0
        self.contract_demand = 0.0  # USD/yr firms are willing to pay this institute
        self.capacity = 0.0  # USD/yr of R&D it can perform (researchers, equipment, management)
        self.unspent = dict.fromkeys(UNSPENT_STREAMS, 0.0)  # USD/yr received, not spent
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

    # -- funding ------------------------------------------------------------------------
    def tto_gain(self, reference: float) -> float:
        """Relative increase of firms' contract demand from this institute's technology
        transfer capacity: ``G L / (L + h ref)`` (saturating; ``ref``: its share of the
        base-year contract income at today's GDP)."""
        cfg = self.model.cfg.institutes
        level = self.tto_level
        if level <= 0:
            return 0.0
        half = cfg.contract_tto_half_saturation * reference
        return cfg.contract_tto_max_gain * level / (level + half) if level + half > 0 else 0.0

    def step(self) -> None:
        m = self.model
        cfg = m.cfg.institutes
        dt = m.dt
        table = funding_table(m)
        self.funding = {k: float(table[k][self.position]) for k in FUNDING_STREAMS}
        self.contract_demand = float(table["demand"][self.position])
        self.unspent = {k: float(table[f"unspent_{k}"][self.position])
                        for k in UNSPENT_STREAMS}
        total = sum(self.funding.values())

        # Researchers: approach what funding pays for at the market's wage premium; they
        # emigrate at the market's rate (falling as the premium rises).
        premium = m.researcher_premium()
        cost = m.calib.researcher_cost * m.macro.researcher_cost_index * premium
        target = cfg.labour_cost_share * total / cost
        r = max(self.researchers, 1e-9)
        rate = m.researcher_market.emigration_rate(premium, m.shocks.emigration_factor)
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
        tto = m.flows.national("tto_support") * float(table["researcher_share"][self.position])
        self.tto_level += (tto - self.tto_level) * min(cfg.tto_depreciation * dt, 1.0)
        self.collaborations = self.funding["contracts"] / collaboration_cost(m)
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


def collaboration_cost(model) -> float:
    """Contract income per collaboration (USD): its base-year value, following GDP per
    capita."""
    cal = model.calib
    return cal.collaboration_cost0 * model.macro.gdp_per_capita / cal.gdp_per_capita0


def _norm(x: np.ndarray) -> np.ndarray:
    total = x.sum()
    return x / total if total > 0 else np.full(x.size, 1.0 / max(x.size, 1))


def funding_table(model, base_year: bool = False) -> dict[str, np.ndarray]:
    """Each institute's receipts by stream (USD per year), in creation order (cached per step).

    Block funding is shared by researchers, competitive and international funding by
    researchers x quality. Contracts: firms' demand ``mu B (1 + g_k) r_k / R`` (``B``: business
    R&D of the last R&D decision; ``g_k``: the institute's technology-transfer gain), taken on
    up to ``s / (1 - s)`` times the institute's other funding (``s``: contract_max_share).
    Also returns ``demand`` (what firms are willing to pay) and ``researcher_share``.
    """
    cache = model.step_cache
    key = "institute_funding0" if base_year else "institute_funding"
    if key in cache:
        return cache[key]
    cal = model.calib
    institutes = model.agents_of(ResearchInstitute)
    for pos, inst in enumerate(institutes):
        inst.position = pos
    r = np.array([i.researchers for i in institutes])
    q = np.array([i.quality for i in institutes])
    r_share, rq_share = _norm(r), _norm(r * q)
    if base_year:
        nat = cal.streams0
        gdp_ratio = 1.0
        berd = cal.berd0
    else:
        f = model.flows
        nat = {"block": f.national("institutional_funding"),
               "competitive": f.national("rd_grants")
               * (1.0 - model.cfg.ministries.grant_share_firms),
               "international": f.international}
        gdp_ratio = model.macro.gdp / model.macro.gdp0
        berd = float(model.firms.rd_account["total"])
    out = {"block": nat["block"] * r_share, "competitive": nat["competitive"] * rq_share,
           "international": nat["international"] * rq_share, "researcher_share": r_share}
    ref = cal.streams0.get("contracts", 0.0) * gdp_ratio * r_share
    gain = np.array([inst.tto_gain(ref[k]) for k, inst in enumerate(institutes)])
    out["demand"] = cal.contract_propensity * berd * (1.0 + gain) * r_share
    out["contracts"] = np.minimum(out["demand"], contract_capacity(model, out))
    if not base_year and model.cfg.mechanisms.institute_capacity:
        # Capacity expands (or shrinks) within the step towards this step's money, at the
        # researcher premium of the last step; then money beyond it is left unspent.
        received = out["block"] + out["competitive"] + out["international"] + out["contracts"]
        cfg = model.cfg.institutes
        premium = model.researcher_market.premium
        for k, inst in enumerate(institutes):
            inst.capacity = next_capacity(inst.capacity, float(received[k]), premium, cfg,
                                          model.dt)
        absorb_capacity(out, np.array([inst.capacity for inst in institutes]))
    else:
        out.update({f"unspent_{k}": np.zeros(len(institutes)) for k in UNSPENT_STREAMS})
    cache[key] = out
    return out


def absorb_capacity(table: dict[str, np.ndarray], capacity: np.ndarray) -> None:
    """Spend at most ``capacity`` (in place): contract work first (firms pay for work done),
    then block, competitive and international money pro rata; the rest of those streams is
    ``unspent_<stream>`` (returned to its funder)."""
    contracts = np.minimum(table["contracts"], capacity)
    other = sum(table[k] for k in UNSPENT_STREAMS)
    room = np.maximum(capacity - contracts, 0.0)
    share = np.divide(np.minimum(room, other), other, out=np.ones_like(other),
                      where=other > 0)
    table["contracts"] = contracts
    for k in UNSPENT_STREAMS:
        spent = table[k] * share
        table[f"unspent_{k}"] = table[k] - spent
        table[k] = spent


def next_capacity(capacity: float, received: float, premium: float, cfg, dt: float
                  ) -> float:
    """Research capacity after a step: towards ``(1 + h)`` x the funding received, growing by
    at most ``g / w`` a year (``g``: capacity_growth_max, ``w``: researcher premium) and
    shrinking at the hiring rate."""
    target = (1.0 + cfg.capacity_headroom) * received
    if target >= capacity:
        growth = cfg.capacity_growth_max / max(premium, 1.0)
        return min(target, capacity * (1.0 + growth * dt))
    return max(target, capacity * (1.0 - min(cfg.hiring_rate * dt, 1.0)))


def contract_capacity(model, table: dict[str, np.ndarray]) -> np.ndarray:
    """Contract income each institute can take on: ``s / (1 - s)`` x its other funding."""
    s = model.cfg.institutes.contract_max_share
    other = table["block"] + table["competitive"] + table["international"]
    return s / (1.0 - s) * other
