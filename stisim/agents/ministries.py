"""National ministries: yearly budgets per instrument, disbursed with a delay and an
execution efficiency (the share that reaches beneficiaries).

Each ministry runs the instruments of its portfolio (``ministries.portfolio``). National
instruments are delivered directly; money for regional instruments (adoption subsidies,
infrastructure, skills) is handed to the local governments, which execute it with their own
capacity and co-finance it. A funding-cut shock scales every ministry budget down while it
lasts. Business-as-usual R&D lines change their share of GDP by ``rd_budget_trend`` per year
after the base year up to ``rd_budget_trend_end_year`` (0 by default; fitted to history by
``stisim calibrate``).
"""

from __future__ import annotations

import mesa
import numpy as np

from stisim.agents.catalog import REGIONAL_INSTRUMENTS
from stisim.agents.policy import step_cells
from stisim.agents.registry import agent_type
from stisim.agents.trends import trend_years

# Budget lines whose share of GDP follows ``ministries.rd_budget_trend``.
RD_INSTRUMENTS = ("rd_grants", "institutional_funding", "tax_credits")


@agent_type("ministries", core=True)
class Ministry(mesa.Agent):
    """One national ministry and its instruments."""

    def __init__(self, model: mesa.Model, name: str, instruments: list[str]):
        super().__init__(model)
        self.name = name
        self.instruments = list(instruments)
        self.disbursed_total = 0.0

    @classmethod
    def create(cls, model, params=None) -> None:
        for name, instruments in model.cfg.ministries.portfolio.items():
            cls(model, name, instruments)

    def bau(self, instrument: str, year: int) -> float:
        """Business-as-usual appropriation of a budget year (base-year USD)."""
        m = self.model
        if not m.cfg.policy.business_as_usual:
            return 0.0
        share = m.bau_share("ministry", instrument)
        c = m.cfg.ministries
        if c.rd_budget_trend and instrument in RD_INSTRUMENTS:
            share *= float(np.exp(c.rd_budget_trend * trend_years(
                year, m.cfg.time.base_year, c.rd_budget_trend_end_year,
                c.rd_budget_trend_damping)))
        gdp = m.macro.gdp_of_year(year) if m.cfg.ministries.bau_follows_gdp else m.macro.gdp0
        return share / 100.0 * gdp

    def step(self) -> None:
        m = self.model
        cfg = m.cfg.ministries
        cut = m.shocks.funding_factor
        self.disbursed_total = 0.0
        for instrument in self.instruments:
            cells = step_cells(m, instrument, "ministry", cfg.delay,
                               lambda y, i=instrument: self.bau(i, y)) * cut
            total = float(cells.sum())
            if total <= 0:
                continue
            self.disbursed_total += total
            m.flows.disburse(instrument, "ministry", total)
            if instrument in REGIONAL_INSTRUMENTS:
                m.flows.transfers[instrument] += cells
            else:
                m.flows.deliver(instrument, cells * cfg.efficiency, "ministry",
                                lost=total * (1.0 - cfg.efficiency))

    def observe(self) -> dict[str, float]:
        return {"disbursed": self.disbursed_total}
