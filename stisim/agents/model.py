"""The Mesa model of the national innovation system.

(``model.py`` is the engine's model object in each engine: the Mesa model here, the Pyomo
roadmap model in :mod:`stisim.optimize.model`.)

One step (``1 / time.steps_per_year`` years)::

    shocks.update()                      # state of configured shocks, one-off impacts
    for agent type in ACTIVATION order:  # staged activation (Mesa agents_by_type)
        ministries -> local governments -> partners -> research institutes -> firms
        (+ extension types at their order; the table: stisim.agents.registry.ACTIVATION)
    infrastructure.step(); energy.step(); macro.update()
    record()                             # indicators and aggregates into arrays

``model.rng`` (one ``numpy.random.Generator`` seeded from ``cfg.seed``) is the source of
randomness, except the matching platform's own draws (``model.platform_rng``,
:func:`stisim.seeds.platform_rng`), which leave the main stream as it is without the
platform. The model can be driven step by step (``model.step()``), and its budgets changed
between steps (``model.budgets.add(...)``) for rolling-horizon re-planning.
"""

from __future__ import annotations

import copy
import logging

import mesa
import numpy as np
import xarray as xr

import stisim.agents.mesa_compat  # noqa: F401  (Mesa version differences)
from stisim.agents import (  # noqa: F401  (the core agent types and rules register themselves)
    firm_rules,
    firms,
    institutes,
    local_governments,
    ministries,
    partners,
)
from stisim.agents.base_year import ModelCalibration, calibrate
from stisim.agents.catalog import FUNDING_STREAMS, TECH_SOURCES, TECHNOLOGIES
from stisim.agents.country import country_inputs
from stisim.agents.economy import Macro
from stisim.agents.energy import Energy
from stisim.agents.firm_rules import rule_finance
from stisim.agents.firms import N_TECH, FirmEnv, FirmPopulation, group_counts
from stisim.agents.flows import Flows
from stisim.agents.infrastructure import Infrastructure
from stisim.agents.institutes import ResearchInstitute, funding_table
from stisim.agents.partners import TechnologySource
from stisim.agents.partnerships import Partnerships
from stisim.agents.policy import Budgets
from stisim.agents.population import sample_firms
from stisim.agents.record import Recorder
from stisim.agents.region_set import resolve_regions
from stisim.agents.registry import AGENT_TYPES, active_agent_types
from stisim.agents.researchers import ResearcherMarket
from stisim.agents.shocks import Shocks
from stisim.agents.structure import base_structure
from stisim.seeds import platform_rng

# Mesa logs every step at INFO, which Hydra's job logging would print; keep warnings only.
_MESA_LOG = logging.getLogger("MESA.mesa.model")
if _MESA_LOG.level == logging.NOTSET:
    _MESA_LOG.setLevel(logging.WARNING)

# Which mechanism switch turns a core agent type off.
TYPE_SWITCH = {"ministries": "ministries", "local_governments": "local_governments",
               "partners": "partners", "research_institutes": "institutes"}


class InnovationSystem(mesa.Model):
    """The innovation system of one country, from its real baseline."""

    def __init__(self, inputs, budgets: Budgets | None = None):
        cfg = inputs.cfg
        super().__init__(rng=int(cfg.seed))
        self.platform_rng = platform_rng(int(cfg.seed))
        self.cfg = cfg
        self.baseline = inputs.baseline
        # Plain floats: read every step.
        self.base_values = {k: float(v) for k, v in inputs.baseline.value.items()}
        self.t0 = float(cfg.time.base_year)
        self.t = self.t0
        self.k = 0
        self.steps_per_year = int(cfg.time.steps_per_year)
        self.dt = 1.0 / self.steps_per_year
        self.n_steps = (cfg.time.end_year - cfg.time.base_year) * self.steps_per_year
        self.step_cache: dict = {}
        self.country = country_inputs(cfg, inputs.baseline)
        self.regions = resolve_regions(cfg, self.country.urban_share)
        n_regions = self.regions.n
        self.structure = base_structure(cfg, self.country, inputs.baseline.value,
                                        self.regions)
        self.budgets = Budgets.from_config(cfg)
        if budgets is not None:
            self.budgets.merge(budgets)
        self.flows = Flows(n_regions)
        self.calib = ModelCalibration()

        state, fcal = sample_firms(cfg.firms, cfg.diffusion, self.regions, cfg.macro,
                                   self.structure, inputs.baseline.value,
                                   self.country.firm_count, self.rng)
        self.firms = FirmPopulation(self, cfg, fcal, state, n_regions)
        env0 = FirmEnv(t=self.t, dt=self.dt).fill(n_regions)
        self.firms.refresh(env0)
        rule_finance(self.firms, env0)
        self.macro = Macro(self)
        self.infrastructure = Infrastructure(self)
        self.shocks = Shocks(self)
        self.researcher_market = ResearcherMarket(self)
        self.partnerships = Partnerships(self)

        self.specs = active_agent_types(cfg.extensions)
        for spec, params in self.specs:
            if spec.name != "firms":
                spec.cls.create(self, params)
        self._type_classes = {spec.name: spec.cls for spec, _ in self.specs}
        # The money business as usual delivers in the base year (the first record's flows).
        self.flows0: Flows = calibrate(self, self.calib)
        self.energy = Energy(self)
        self.new_adoptions = np.zeros(N_TECH)

        self.recorder = Recorder(self)
        self.recorder.record()

    # -- agents ---------------------------------------------------------------------------
    def agents_of(self, cls: type) -> list:
        """Agents that are instances of ``cls`` (subclasses included), in creation order."""
        out = []
        for kind, agents in self.agents_by_type.items():
            if issubclass(kind, cls):
                out.extend(agents)
        return sorted(out, key=lambda a: a.unique_id)

    def agents_of_type(self, name: str) -> list:
        cls = self._type_classes.get(name) or AGENT_TYPES[name].cls
        return self.agents_of(cls)

    @property
    def research_institutes(self) -> list[ResearchInstitute]:
        return self.agents_of(ResearchInstitute)

    def active(self, name: str) -> bool:
        switch = TYPE_SWITCH.get(name)
        return switch is None or bool(getattr(self.cfg.mechanisms, switch))

    # -- what agents see ------------------------------------------------------------------
    def bau_share(self, executor: str, instrument: str) -> float:
        """Business-as-usual budget of an executor and instrument, % of GDP."""
        return self.calib.bau.get((executor, instrument), 0.0)

    def institute_streams(self, base_year: bool = False) -> dict[str, float]:
        """National funding streams of the institutes now (USD per year): the sums of
        :func:`stisim.agents.institutes.funding_table`."""
        table = funding_table(self, base_year)
        return {k: float(table[k].sum()) for k in FUNDING_STREAMS}

    def researcher_premium(self) -> float:
        """Clear the researcher market once per step (:mod:`stisim.agents.researchers`) for
        the institutes' funding now and business R&D of the last R&D decision; the premium."""
        if "researcher_premium" not in self.step_cache:
            cal = self.calib
            lab = self.cfg.institutes.labour_cost_share
            streams = self.institute_streams()
            affordable = lab * (sum(streams.values()) / cal.researcher_cost
                                + self.firms.rd_account["total"] / cal.business_researcher_cost
                                ) / self.macro.researcher_cost_index
            emig = min(1.0, self.cfg.institutes.graduate_emigration
                       * self.shocks.emigration_factor)
            kept = sum(i.graduates for i in self.research_institutes) * (1.0 - emig)
            self.researcher_market.step(affordable, kept, self.dt)
            self.step_cache["researcher_premium"] = self.researcher_market.premium
        return self.step_cache["researcher_premium"]

    def knowledge_ratio(self) -> float:
        return sum(i.knowledge for i in self.research_institutes) / self.calib.knowledge0

    def frontier(self) -> np.ndarray:
        levels = {a.source: a.level for a in self.agents_of(TechnologySource)}
        return np.array([levels.get(s, 0.0) for s in TECH_SOURCES])

    def firms_adoption_by_region(self) -> np.ndarray:
        """(technology, region) adopter share among eligible firms."""
        cache = self.step_cache
        if "adoption_region" not in cache:
            f = self.firms
            n_r = f.n_regions
            out = np.zeros((N_TECH, n_r))
            for j in range(N_TECH):
                n, a = group_counts(f.region, n_r, f.eligible[j], f.adopted[j])
                out[j] = np.divide(a, n, out=np.zeros(n_r), where=n > 0)
            cache["adoption_region"] = out
        return cache["adoption_region"]

    def subsidy_boost(self) -> np.ndarray:
        """(technology, region) increase of the spontaneous adoption term from subsidies:
        additional funded adoptions per year over eligible non-adopters, capped."""
        d = self.cfg.diffusion
        money = self.flows.delivered["adoption_subsidy"]
        out = np.zeros_like(money)
        if not money.any():
            return out
        f = self.firms
        gdp_pc = self.macro.gdp_per_capita
        for j, tech in enumerate(TECHNOLOGIES):
            if not money[j].any():
                continue
            n_e, n_a = group_counts(f.region, f.n_regions, f.eligible[j], f.adopted[j])
            n_non = (n_e - n_a) * f.weight
            funded = money[j] / (d.subsidy_share * d.adoption_cost[tech] * gdp_pc)
            extra = d.subsidy_additionality * funded
            out[j] = np.minimum(np.divide(extra, n_non, out=np.zeros_like(extra),
                                          where=n_non > 0), d.max_boost_rate)
        return out

    def firm_env(self) -> FirmEnv:
        """The signals firms act on during the current step."""
        extension = self.partnerships.update()  # first: it starts collaborations
        cfg = self.cfg
        f = self.flows
        sh = self.shocks
        m = self.macro
        inst = cfg.institutes
        emig = min(1.0, inst.graduate_emigration * sh.emigration_factor)
        graduates = sum(i.graduates for i in self.research_institutes) * (1.0 - emig)
        n_r = self.regions.n
        trained = f.delivered["skills"][0] / (cfg.ministries.skills_cost * m.gdp_per_capita)
        env = FirmEnv(
            t=self.t, dt=self.dt, new_year=self.k % self.steps_per_year == 0,
            gdp_per_capita=m.gdp_per_capita,
            income_growth=m.income_growth,
            labour_force_growth=m.labour_force_growth(),
            unemployment_gap=m.unemployment_gap(),
            knowledge_ratio=self.knowledge_ratio(),
            grant_budget=f.national("rd_grants") * cfg.ministries.grant_share_firms,
            tax_credit_budget=f.national("tax_credits"),
            procurement=f.national("procurement"),
            subsidy=self.subsidy_boost() + extension,
            trained=trained,
            graduates=graduates,
            collaborations=f.collaborations.copy(),
            platform=f.platform,
            frontier=self.frontier(),
            coverage=self.infrastructure.coverage.copy(),
            va_shock=sh.va_shock.copy(),
            employment_shock=sh.employment_shock.copy(),
            exit_multiplier=sh.exit_multiplier,
            finance_tightening=sh.finance_tightening,
            digital_push=sh.digital_push,
            drift=float(np.exp(cfg.macro.exogenous_growth * (self.t - self.t0))),
        )
        return env.fill(n_r)

    def business_as_usual_flows(self) -> Flows:
        """Run the executors (ministries, local governments, partners) once on the
        business-as-usual budgets alone (no exogenous lines): the money they deliver in the
        base year, left in ``self.flows``. Used by the base-year calibration."""
        cfg = self.cfg
        exogenous = self.budgets
        self.budgets = Budgets(self.regions.labels, cfg.time.base_year, cfg.time.end_year)
        try:
            for name in ("ministries", "local_governments", "partners"):
                if getattr(cfg.mechanisms, name):
                    for agent in self.agents_of_type(name):
                        agent.step()
        finally:
            self.budgets = exogenous
        return self.flows

    def base_env(self) -> FirmEnv:
        """The firms' signals at the base year under business as usual (for benchmarks and
        for driving the firm population on its own)."""
        saved = self.flows
        self.flows = copy.deepcopy(self.flows0)
        try:
            return self.firm_env()
        finally:
            self.flows = saved

    # -- dynamics -------------------------------------------------------------------------
    def step(self) -> None:
        """Advance one step of ``dt`` years and record the state at its end."""
        if self.k >= self.n_steps:
            raise RuntimeError(f"the horizon ends at {self.cfg.time.end_year}")
        self.step_cache.clear()
        self.flows.reset()
        self.shocks.update()
        for spec, _ in self.specs:  # staged activation by agent type
            if not self.active(spec.name):
                continue
            for kind, agents in list(self.agents_by_type.items()):
                if issubclass(kind, spec.cls):
                    agents.do("step")
        self.k += 1
        self.t = self.t0 + self.k * self.dt
        self.step_cache.clear()
        env_end = FirmEnv(t=self.t, dt=self.dt, va_shock=self.shocks.va_shock,
                          drift=float(np.exp(self.cfg.macro.exogenous_growth
                                             * (self.t - self.t0)))).fill(self.regions.n)
        self.firms.refresh(env_end, stats=False)
        if self.cfg.mechanisms.infrastructure:
            self.infrastructure.step()
            self.energy.step()
        self.macro.update()
        self.recorder.record()

    def run(self) -> InnovationSystem:
        """Run to the end of the horizon."""
        while self.k < self.n_steps:
            self.step()
        return self


def build_model(inputs, budgets: Budgets | None = None) -> InnovationSystem:
    """The model at the base year (recorded once), ready to ``step()`` or ``run()``.

    ``budgets`` adds exogenous budget lines (e.g. roadmap allocations) to those of the
    config (``policy.budgets``); see :class:`stisim.agents.policy.Budgets`.
    """
    return InnovationSystem(inputs, budgets)


def simulate_agents(inputs, budgets: Budgets | None = None) -> xr.Dataset:
    """The agent model alone from the base year to ``time.end_year``.

    Returns ``indicator_value(time, indicator)`` over all registry indicators (agent-driven
    ones from the model state, network-driven ones at their baseline), adoption shares and
    aggregates by sector, region and agent type. :func:`stisim.pipeline.simulate` — the
    simulation every command runs — adds the SDG interlinkages and pins the first step to
    the baseline.
    """
    return build_model(inputs, budgets).run().recorder.dataset()
