"""Worked example: a start-up incubator agent type and a firm rule, added without editing
the core modules.

Switch it on in a scenario (or with ``+extensions...`` overrides)::

    extensions:
      modules: [stisim.agents.examples.incubator]
      agents:
        incubator: {count: 2, region: capital, places: 300}
      firm_rules:
        incubation: {growth_boost: 0.3}

Each incubator takes in young firms of its region every year (places per year), gives them
mentoring (a productivity gain at entry) and skills, and halves their exit hazard while they
are incubated; the ``incubation`` rule lets incubated firms grow faster and counts the
incubation period down. The run dataset gains ``incubated_firms`` and
``incubator_intake``.
"""

from __future__ import annotations

from dataclasses import dataclass

import mesa
import numpy as np

from stisim.agents.firms import F32
from stisim.agents.registry import agent_type, firm_rule
from stisim.config.fields import param
from stisim.errors import ConfigError, Problem


@dataclass
class IncubatorParams:
    count: int = param(1, "Number of incubators", unit="agents", ge=1, le=1000)
    region: str = param("capital", "Region hosting the incubators, or all (spread evenly)")
    places: float = param(200.0, "Start-ups taken in per incubator per year",
                          unit="firms/year", ge=0.0)
    years: float = param(2.0, "Incubation period", unit="year", gt=0.0, le=10.0)
    max_age: float = param(2.0, "Firms younger than this are start-ups", unit="year", gt=0.0)
    productivity_boost: float = param(0.1, "Log productivity gain from mentoring at intake",
                                      unit="log", ge=0.0, le=2.0)
    skill_boost: float = param(0.05, "Skilled share added at intake", unit="fraction",
                               ge=0.0, le=1.0)
    exit_reduction: float = param(0.5, "Cut of the exit hazard while incubated",
                                  unit="fraction", ge=0.0, le=1.0)


@agent_type("incubator", params=IncubatorParams, order=45.0, outputs={
    "incubated_firms": {"units": "firms", "long_name": "Firms in incubators",
                        "description": "Real firms currently incubated (extension example)."},
    "incubator_intake": {"units": "firms per year", "long_name": "Incubator intake",
                         "description": "Start-ups taken into incubators per year."},
})
class Incubator(mesa.Agent):
    """A start-up incubator in one region."""

    def __init__(self, model: mesa.Model, number: int, region: int, params: IncubatorParams):
        super().__init__(model)
        self.number = number
        self.region = region
        self.params = params
        self.intake = 0.0

    @classmethod
    def create(cls, model, params: IncubatorParams) -> None:
        names = model.regions.labels
        if params.region != "all" and params.region not in names:
            raise ConfigError([Problem("extensions.agents.incubator.region", "unknown region",
                                       params.region, ", ".join(["all", *names]))])
        firms = model.firms
        # Per-firm state of the extension: incubator number (+1) and years left.
        firms.add_array("incubator", 0.0)
        firms.add_array("incubation_left", 0.0)
        # Core hook: the exit rule multiplies hazards by this array when it exists.
        firms.add_array("exit_multiplier", 1.0)
        for i in range(params.count):
            region = (model.regions.index(params.region) if params.region != "all"
                      else i % model.regions.n)
            cls(model, i + 1, region, params)

    def step(self) -> None:
        m = self.model
        f = m.firms
        p = self.params
        left = f.extra["incubation_left"]
        who = f.extra["incubator"]
        expected = p.places * m.dt / f.weight
        n = int(np.floor(expected + m.rng.random()))
        cand = np.flatnonzero(f.alive & (f.region == self.region) & (f.age < p.max_age)
                              & (left <= 0))
        n = min(n, cand.size)
        self.intake = n * f.weight / m.dt
        if n > 0:
            chosen = m.rng.choice(cand, size=n, replace=False)
            who[chosen] = self.number
            left[chosen] = p.years
            f.theta[chosen] += F32(p.productivity_boost)
            f.skill[chosen] = np.minimum(f.skill[chosen] + F32(p.skill_boost), F32(0.95))
        f.extra["exit_multiplier"][:] = np.where(left > 0, F32(1.0 - p.exit_reduction),
                                                 F32(1.0))

    def observe(self) -> dict[str, float]:
        f = self.model.firms
        mine = (f.extra["incubator"] == self.number) & (f.extra["incubation_left"] > 0) \
            & f.alive
        return {"incubated_firms": float(mine.sum()) * f.weight,
                "incubator_intake": self.intake}


@dataclass
class IncubationParams:
    growth_boost: float = param(0.3, "Extra employment growth of incubated firms",
                                unit="1/year", ge=0.0, le=5.0)


@firm_rule("incubation", params=IncubationParams, after="growth")
def incubation(firms, env, params: IncubationParams) -> None:
    """Incubated firms grow faster; the incubation period counts down."""
    left = firms.extra.get("incubation_left")
    if left is None:
        return
    on = (left > 0) & firms.alive
    firms.emp[on] *= F32(np.exp(params.growth_boost * env.dt))
    left[on] -= F32(env.dt)
