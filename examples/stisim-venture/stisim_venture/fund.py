"""A venture capital fund (agent type) and venture-backed growth (firm rule).

Each fund finances ``deals`` young, productive firms a year: firms younger than ``max_age``
years whose log productivity is above the population's ``min_quantile`` quantile. A deal
lasts ``years`` years; while it runs, the firm has access to external finance and the
``venture_growth`` rule lets it grow faster. The run dataset gains ``venture_backed_firms``
and ``venture_deals``. The parameter values are illustrative assumptions of this example,
not estimates.
"""

from __future__ import annotations

from dataclasses import dataclass

import mesa
import numpy as np

from stisim.agents.firms import F32
from stisim.agents.registry import agent_type, firm_rule
from stisim.config.fields import param


@dataclass
class VentureFundParams:
    count: int = param(1, "Number of venture funds", unit="agents", ge=1, le=100)
    deals: float = param(50.0, "Firms financed per fund per year", unit="firms/year", ge=0.0)
    max_age: float = param(5.0, "Firms younger than this qualify", unit="year", gt=0.0)
    min_quantile: float = param(0.5, "Firms above this quantile of log productivity qualify",
                                unit="fraction", ge=0.0, lt=1.0)
    years: float = param(3.0, "Length of a deal", unit="year", gt=0.0, le=10.0)


@agent_type("venture_fund", params=VentureFundParams, order=46.0, outputs={
    "venture_backed_firms": {"units": "firms", "long_name": "Venture-backed firms",
                             "description": "Real firms with a running venture deal "
                                            "(stisim-venture example plugin)."},
    "venture_deals": {"units": "firms per year", "long_name": "Venture deals",
                      "description": "Firms financed by venture funds per year."},
})
class VentureFund(mesa.Agent):
    """One venture capital fund."""

    def __init__(self, model: mesa.Model, params: VentureFundParams):
        super().__init__(model)
        self.params = params
        self.deals = 0.0

    @classmethod
    def create(cls, model, params: VentureFundParams) -> None:
        model.firms.add_array("venture_left", 0.0)  # years left of a running deal
        for _ in range(params.count):
            cls(model, params)

    def step(self) -> None:
        m, f, p = self.model, self.model.firms, self.params
        left = f.extra["venture_left"]
        threshold = np.quantile(f.theta[f.alive], p.min_quantile) if f.alive.any() else 0.0
        cand = np.flatnonzero(f.alive & (f.age < p.max_age) & (f.theta > threshold)
                              & (left <= 0))
        n = min(int(np.floor(p.deals * m.dt / f.weight + m.rng.random())), cand.size)
        self.deals = n * f.weight / m.dt
        if n > 0:
            chosen = m.rng.choice(cand, size=n, replace=False)
            left[chosen] = F32(p.years)
        f.access |= (left > 0) & f.alive

    def observe(self) -> dict[str, float]:
        f = self.model.firms
        backed = (f.extra["venture_left"] > 0) & f.alive
        return {"venture_backed_firms": float(backed.sum()) * f.weight,
                "venture_deals": self.deals}


@dataclass
class VentureGrowthParams:
    growth_boost: float = param(0.2, "Extra employment growth of venture-backed firms",
                                unit="1/year", ge=0.0, le=2.0)


@firm_rule("venture_growth", params=VentureGrowthParams, after="growth")
def venture_growth(firms, env, params: VentureGrowthParams) -> None:
    """Venture-backed firms grow faster; the deal counts down."""
    left = firms.extra.get("venture_left")
    if left is None:
        return
    on = (left > 0) & firms.alive
    firms.emp[on] *= F32(np.exp(params.growth_boost * env.dt))
    left[on] -= F32(env.dt)
