"""Local/regional governments: one per region; they execute national money for regional
instruments with their own capacity, add co-finance, spend their own budget on localised
actions and execute lines assigned to them. Outcomes are tracked per region."""

from __future__ import annotations

import mesa
import numpy as np

from stisim.agents.catalog import REGIONAL_INSTRUMENTS
from stisim.agents.policy import step_cells
from stisim.agents.registry import agent_type


@agent_type("local_governments", core=True)
class LocalGovernment(mesa.Agent):
    """The government of one region."""

    def __init__(self, model: mesa.Model, region: int):
        super().__init__(model)
        self.region = region
        self.name = model.regions.names[region]
        self.capacity = float(model.regions.capacity[region])
        self.disbursed_total = 0.0
        self.delivered_total = 0.0

    @classmethod
    def create(cls, model, params=None) -> None:
        for r in range(model.regions.n):
            cls(model, r)

    def own_budget(self, year: int) -> float:
        """Own appropriation for localised STI actions in a budget year (base-year USD)."""
        m = self.model
        if not m.cfg.policy.business_as_usual:
            return 0.0
        share = m.macro.region_gdp_share[self.region]
        return m.cfg.local_governments.own_budget / 100.0 * share * m.macro.gdp_of_year(year)

    def step(self) -> None:
        m = self.model
        cfg = m.cfg.local_governments
        r = self.region
        mix = cfg.own_mix
        mix_total = sum(mix.values()) or 1.0
        self.disbursed_total = self.delivered_total = 0.0
        for instrument in REGIONAL_INSTRUMENTS:
            national = m.flows.transfers[instrument][:, r]
            share = mix.get(instrument, 0.0) / mix_total
            weight = self._weight(instrument)
            own = step_cells(m, instrument, "local_government", cfg.delay,
                             lambda y, s=share, w=weight: s * self.own_budget(y) / w)
            own_r = own[:, r]
            cofinance = cfg.cofinance_rate * national
            spent = float(own_r.sum() + cofinance.sum())
            if spent > 0:
                m.flows.disburse(instrument, "local_government", spent)
            cells = np.zeros_like(m.flows.delivered[instrument])
            executed = national + cofinance + own_r
            cells[:, r] = executed * self.capacity
            m.flows.transfers_executed[instrument] += float(national.sum())
            m.flows.deliver(instrument, cells, "local_government",
                            lost=float(executed.sum()) * (1.0 - self.capacity))
            self.disbursed_total += spent
            self.delivered_total += float(cells.sum())

    def _weight(self, instrument: str) -> float:
        # step_cells spreads a business-as-usual amount over regions; undo it so that this
        # government's own budget lands in its own region.
        from stisim.agents.policy import region_weights

        return float(region_weights(self.model, instrument)[self.region])

    def observe(self) -> dict[str, float]:
        return {"disbursed": self.disbursed_total, "delivered": self.delivered_total}
