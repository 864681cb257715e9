"""Shocks at given years: pandemic, disaster, funding cut, brain-drain wave.

A shock acts with its full ``size`` from ``year`` for ``duration`` years:

* pandemic: sector output falls by size x sensitivity; employment shrinks and exits rise;
  finance tightens; digital adoption is pushed;
* disaster (in one region or all): at onset firms lose log productivity -ln(1 - size x s)
  (s = 1, agriculture ``disaster_agriculture``) and coverage/access lose size/2 of their level;
* funding_cut: ministries' disbursements fall by ``size`` while it lasts;
* brain_drain: at onset institutes lose ``size`` of their researchers and firms
  ``brain_drain_skilled`` x size of their skilled workers; researcher emigration is
  multiplied by ``brain_drain_rate_factor`` while it lasts.
"""

from __future__ import annotations

import numpy as np

from stisim.agents.catalog import SECTORS, SHOCK_KINDS
from stisim.agents.firms import F32

AGRICULTURE = SECTORS.index("agriculture")


class Shocks:
    """The configured shocks and their state at the current step."""

    def __init__(self, model):
        self.model = model
        cfg = model.cfg
        self.events = list(cfg.shocks.events) if cfg.mechanisms.shocks else []
        self.fired: set[int] = set()
        self.reset()

    def reset(self) -> None:
        n_s = len(SECTORS)
        self.intensity = dict.fromkeys(SHOCK_KINDS, 0.0)
        self.va_shock = np.ones(n_s)
        self.employment_shock = np.zeros(n_s)
        self.exit_multiplier = 1.0
        self.finance_tightening = 0.0
        self.digital_push = 0.0
        self.funding_factor = 1.0
        self.emigration_factor = 1.0

    def update(self) -> None:
        """Shock state for the step starting now; one-off impacts at onset."""
        self.reset()
        m = self.model
        t0, t1 = m.t, m.t + m.dt
        sc = m.cfg.shocks
        sens = np.array([sc.pandemic_sensitivity[s] for s in SECTORS])
        for i, ev in enumerate(self.events):
            if t0 <= ev.year < t1 + 1e-9 and i not in self.fired and ev.year < t1:
                self.fired.add(i)
                self.onset(ev)
            active = ev.year <= t0 + 1e-9 and t0 < ev.year + ev.duration - 1e-9
            if not active:
                continue
            self.intensity[ev.kind] += ev.size
            if ev.kind == "pandemic":
                self.va_shock *= 1.0 - np.minimum(ev.size * sens, 0.95)
                self.employment_shock += 0.3 * ev.size * sens / ev.duration
                self.exit_multiplier += sc.pandemic_exit * ev.size
                self.finance_tightening += 0.2 * ev.size
                self.digital_push += sc.pandemic_digital_push * ev.size
            elif ev.kind == "funding_cut":
                self.funding_factor *= 1.0 - ev.size
            elif ev.kind == "brain_drain":
                self.emigration_factor *= sc.brain_drain_rate_factor

    def regions_of(self, ev) -> np.ndarray:
        regions = self.model.regions
        if ev.region == "all":
            return np.arange(regions.n)
        return regions.members(ev.region)

    def onset(self, ev) -> None:
        m = self.model
        sc = m.cfg.shocks
        firms = m.firms
        if ev.kind == "disaster":
            regions = self.regions_of(ev)
            hit = np.isin(firms.region, regions) & firms.alive
            factor = np.where(firms.sector == AGRICULTURE, sc.disaster_agriculture, 1.0)
            loss = -np.log(np.maximum(1.0 - ev.size * factor, 0.05))
            firms.theta -= np.where(hit, loss, 0.0).astype(F32)
            m.infrastructure.damage(regions, ev.size)
        elif ev.kind == "brain_drain":
            for inst in m.research_institutes:
                inst.researchers *= 1.0 - ev.size
                inst.women *= 1.0 - ev.size
            firms.skill *= F32(1.0 - sc.brain_drain_skilled * ev.size)
