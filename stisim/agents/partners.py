"""International partners: donors and trust funds, technology sources abroad (North-South and
South-South, with exogenously advancing frontiers) and the two-sided technology-matching
platform between domestic and foreign suppliers and domestic firms."""

from __future__ import annotations

import mesa
import numpy as np

from stisim.agents.catalog import INSTRUMENTS, TECH_SOURCES, TECHNOLOGIES
from stisim.agents.matching import plan
from stisim.agents.policy import step_cells
from stisim.agents.registry import agent_type


@agent_type("partners", core=True)
class Partner(mesa.Agent):
    """Base class of international partners (one agent type in the staged activation)."""

    kind = "partner"

    @classmethod
    def create(cls, model, params=None) -> None:
        Donor(model)
        for k, source in enumerate(TECH_SOURCES):
            TechnologySource(model, k, source)
        MatchingPlatform(model)

    def step(self) -> None:  # pragma: no cover - subclasses act
        pass

    def observe(self) -> dict[str, float]:
        return {}


class Donor(Partner):
    """Donors and trust funds: contributions per instrument (business-as-usual shares of GDP
    plus exogenous partner lines), executed with the partners' efficiency and delay.
    Institutional funding goes to the institutes' international stream."""

    kind = "donor"

    def __init__(self, model: mesa.Model):
        super().__init__(model)
        self.disbursed_total = 0.0
        tech = np.zeros(len(TECHNOLOGIES))
        tech[TECHNOLOGIES.index(model.cfg.partners.donor_adoption_technology)] = 1.0
        self.tech_weights = tech

    def bau(self, instrument: str, year: int) -> float:
        m = self.model
        if not m.cfg.policy.business_as_usual:
            return 0.0
        return m.bau_share("partner", instrument) / 100.0 * m.macro.gdp_of_year(year)

    def step(self) -> None:
        m = self.model
        p = m.cfg.partners
        self.disbursed_total = 0.0
        for instrument in INSTRUMENTS:
            cells = step_cells(m, instrument, "partner", p.delay,
                               lambda y, i=instrument: self.bau(i, y), self.tech_weights)
            total = float(cells.sum())
            if total <= 0:
                continue
            self.disbursed_total += total
            m.flows.disburse(instrument, "partner", total)
            if instrument == "institutional_funding":
                m.flows.deliver_international(total * p.efficiency,
                                              total * (1.0 - p.efficiency))
            else:
                m.flows.deliver(instrument, cells * p.efficiency, "partner",
                                lost=total * (1.0 - p.efficiency))

    def observe(self) -> dict[str, float]:
        return {"disbursed": self.disbursed_total}


class TechnologySource(Partner):
    """A foreign technology frontier (North-South or South-South) in log productivity
    relative to the domestic base year, advancing at its own growth rate; the South-South
    frontier never passes the North one."""

    kind = "technology_source"

    def __init__(self, model: mesa.Model, index: int, source: str):
        super().__init__(model)
        self.index = index
        self.source = source
        p = model.cfg.partners
        north_gap = max(np.log(p.frontier_gdp_per_capita / model.country.gdp_per_capita), 0.0)
        self.gap0 = north_gap * (1.0 if source == "north_south" else p.south_gap_share)
        self.growth = p.north_growth if source == "north_south" else p.south_growth
        self.level = self.gap0

    def step(self) -> None:
        m = self.model
        years = m.t + m.dt - m.t0
        # Frontiers are relative to domestic productivity net of the economy-wide drift.
        level = self.gap0 + (self.growth - m.cfg.macro.exogenous_growth) * years
        if self.source != "north_south":
            north = next(a for a in m.agents_of(TechnologySource)
                         if a.source == "north_south")
            level = min(level, north.gap0 + (north.growth - m.cfg.macro.exogenous_growth)
                        * years)
        self.level = level

    def observe(self) -> dict[str, float]:
        return {f"frontier_{self.source}": self.level}


class MatchingPlatform(Partner):
    """Two-sided technology-matching platform (:mod:`stisim.agents.matching`): buys supplier
    listings (institutes by field, domestic frontier firms, North and South suppliers) with
    the money delivered to it and brokers the matches the rest pays for; the firm
    population makes them."""

    kind = "matching_platform"

    def __init__(self, model: mesa.Model):
        super().__init__(model)
        self.matches = 0.0

    def step(self) -> None:
        m = self.model
        money = m.flows.national("matching_platform")
        pl = plan(m, money)
        m.flows.platform = pl
        self.matches = pl.affordable + pl.free

    def observe(self) -> dict[str, float]:
        return {"platform_matches": self.matches}
