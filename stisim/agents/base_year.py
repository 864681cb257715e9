"""Base-year calibration of the agents so that the first step reproduces the baseline.

* Gross R&D expenditure GERD = 9.5.1 x GDP is split into business R&D (share
  ``country.business_rd_share`` or ``firms.business_rd_share``) and institutes' R&D, whose
  streams follow ``institutes.funding_mix``. Business-as-usual budgets of R&D grants and
  institutional funding (ministries) and of international funding (partners) are set so that
  the money delivered at the base year equals those streams.
* Researchers (9.5.2 x population) are split in the same proportion; institute researcher
  cost and business researcher cost follow from the labour share of R&D spending.
* Firms' own R&D intensity is solved so that business R&D (own + grants with crowding + tax
  credits) equals its target; publications per researcher come from the SDR article count;
  graduates per researcher are set so that, with business-as-usual skills programmes, the
  skilled share of employment is steady at the base year.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import brentq

from stisim.agents.catalog import FUNDING_STREAMS
from stisim.agents.firm_rules import rule_rd
from stisim.agents.firms import F32, FirmEnv, start_collaborations
from stisim.agents.flows import Flows
from stisim.agents.institutes import ResearchInstitute, funding_table

PUBLICATIONS_FALLBACK = 0.3


@dataclass
class ModelCalibration:
    bau: dict[tuple[str, str], float] = field(default_factory=dict)  # % of GDP
    gerd0: float = 0.0
    berd0: float = 0.0
    public_rd0: float = 0.0
    streams0: dict[str, float] = field(default_factory=dict)
    researcher_cost: float = 1.0
    business_researcher_cost: float = 1.0
    business_researchers0: float = 0.0
    publications_per_researcher: float = PUBLICATIONS_FALLBACK
    graduates_per_researcher: float = 0.0
    contract_propensity: float = 0.0  # contract research bought per unit of business R&D
    collaboration_cost0: float = 1.0  # contract income per collaboration at the base year
    gdp_per_capita0: float = 1.0
    knowledge0: float = 1.0
    notes: dict[str, str] = field(default_factory=dict)


def bau_shares(model, cal: ModelCalibration) -> None:
    """Business-as-usual budget shares (% of GDP), calibrating the null R&D lines."""
    cfg = model.cfg
    gdp = model.structure.gdp
    eff_m, eff_p = cfg.ministries.efficiency, cfg.partners.efficiency
    s = cal.streams0
    share_firms = cfg.ministries.grant_share_firms
    for instrument, value in cfg.ministries.bau_budget.items():
        if value is None and instrument == "institutional_funding":
            value = 100.0 * s["block"] / eff_m / gdp
            cal.notes["bau.ministry.institutional_funding"] = "calibrated to the block stream"
        elif value is None and instrument == "rd_grants":
            if share_firms >= 1.0:
                value = 0.0
                cal.notes["bau.ministry.rd_grants"] = ("grant_share_firms = 1: no competitive "
                                                       "stream to calibrate to; 0")
            else:
                value = 100.0 * s["competitive"] / (1.0 - share_firms) / eff_m / gdp
                cal.notes["bau.ministry.rd_grants"] = "calibrated to the competitive stream"
        cal.bau[("ministry", instrument)] = float(value)
    for instrument, value in cfg.partners.bau_budget.items():
        if value is None:
            value = 100.0 * s["international"] / eff_p / gdp
            cal.notes["bau.partner.institutional_funding"] = ("calibrated to the "
                                                              "international stream")
        cal.bau[("partner", instrument)] = float(value)


def solve_rd_intensity(firms, env: FirmEnv, cal: ModelCalibration) -> float:
    """Own R&D intensity rho at which business R&D (own, tax-price response, grants with
    crowding and absorptive capacity) equals its base-year target (Brent's method: business
    R&D rises with rho). Grants are awarded once (``env.new_year``), then kept."""

    def berd(rho: float) -> float:
        firms.calib.rd_intensity = rho
        rule_rd(firms, env)
        env.new_year = False
        return firms.rd_account["total"]

    floor = berd(0.0)
    if cal.berd0 <= floor:
        if cal.berd0 < floor:
            cal.notes["rd_intensity"] = ("grants to firms exceed the business R&D target; own "
                                         "R&D set to 0 (first-step 9.5.1 above the baseline)")
        return 0.0
    hi = 1e-3
    while berd(hi) < cal.berd0 and hi < 1e6:
        hi *= 4.0
    return float(brentq(lambda r: berd(r) - cal.berd0, 0.0, hi, xtol=1e-15, rtol=1e-13,
                        maxiter=200))


def solve_contract_propensity(model, cal: ModelCalibration) -> None:
    """Firms' propensity to buy contract research (per unit of business R&D) at which the
    contracts institutes take on at the base year equal the contracts stream."""
    target = cal.streams0.get("contracts", 0.0)
    cal.contract_propensity = 0.0
    model.step_cache.clear()
    if target <= 0 or cal.berd0 <= 0:
        if target > 0:
            cal.notes["contracts"] = "no business R&D at the base year: no contract demand"
        return

    def income(mu: float) -> float:
        cal.contract_propensity = mu
        model.step_cache.clear()
        return float(funding_table(model, base_year=True)["contracts"].sum()) - target

    hi = target / cal.berd0
    while income(hi) < 0 and hi < 1e9 * target / cal.berd0:
        hi *= 2.0
    if income(hi) < 0:
        cal.notes["contracts"] = ("institutes' contract capacity below the base-year contract "
                                  "stream (institutes.contract_max_share)")
        return
    cal.contract_propensity = float(brentq(income, 0.0, hi, xtol=1e-300, rtol=1e-13,
                                           maxiter=200))
    model.step_cache.clear()


def calibrate(model, cal: ModelCalibration) -> Flows:
    """Calibrate R&D, researchers, institutes, graduates and firms' R&D to the baseline.

    Fills ``cal`` (the model's calibration record) and sets the base-year state of the
    institutes and firms; returns the money business as usual delivers in the base year
    (the flows the first record reports), which the model keeps as ``flows0``.
    """
    cfg = model.cfg
    b = model.baseline.value
    gdp = model.structure.gdp
    pop = model.macro.population
    share_b = model.country.business_rd_share
    if share_b is None:
        share_b = cfg.firms.business_rd_share
    cal.gerd0 = float(b["9.5.1"]) / 100.0 * gdp
    cal.berd0 = share_b * cal.gerd0
    cal.public_rd0 = cal.gerd0 - cal.berd0
    cal.streams0 = {k: v * cal.public_rd0 for k, v in cfg.institutes.funding_mix.items()}
    bau_shares(model, cal)

    researchers = float(b["9.5.2"]) * pop / 1e6
    cal.business_researchers0 = share_b * researchers
    r_inst = researchers - cal.business_researchers0
    lab = cfg.institutes.labour_cost_share
    cal.researcher_cost = lab * cal.public_rd0 / max(r_inst, 1e-9)
    cal.business_researcher_cost = lab * cal.berd0 / max(cal.business_researchers0, 1e-9)

    articles = model.country.articles_per_1000
    if articles is not None and r_inst > 0:
        cal.publications_per_researcher = articles * pop / 1000.0 / r_inst
    institutes = model.agents_of(ResearchInstitute)
    n_inst = max(len(institutes), 1)
    for inst in institutes:
        inst.researchers = inst.size * r_inst
        inst.women = cfg.institutes.women_share * inst.researchers
        inst.publications = cal.publications_per_researcher * inst.quality * inst.researchers
        inst.patents = cfg.institutes.patents_per_publication * inst.publications
        inst.knowledge = inst.publications / max(cfg.institutes.publication_depreciation, 1e-9)
    cal.knowledge0 = max(sum(i.knowledge for i in institutes), 1e-12)

    # Dry run of the executors at the base year: the money business as usual delivers
    # (exogenous lines left out: the base year is the business-as-usual state).
    flows = model.business_as_usual_flows()
    grant0 = flows.national("rd_grants") * cfg.ministries.grant_share_firms
    tax0 = flows.national("tax_credits")
    trained0 = float(flows.delivered["skills"].sum()) / (
        cfg.ministries.skills_cost * model.macro.gdp_per_capita)
    flows0 = copy.deepcopy(flows)
    flows0.collaborations[:] = 0.0
    flows0.platform = None
    flows.reset()

    # Contract research: firms' propensity to buy it so that contracts at the base year
    # equal their stream; collaborations under way (their remaining time spread evenly).
    tto0 = flows0.national("tto_support")
    for inst in institutes:
        inst.tto_level = tto0 * inst.size
    solve_contract_propensity(model, cal)
    table = funding_table(model, base_year=True)
    cal.gdp_per_capita0 = model.macro.gdp_per_capita
    n_collab = cfg.institutes.collaborations_per_institute * n_inst
    cal.collaboration_cost0 = max(float(table["contracts"].sum()), 1e-12) / n_collab
    firms = model.firms
    flow_r = np.zeros(model.regions.n)
    for k, inst in enumerate(institutes):
        flow_r[inst.region] += table["contracts"][k] / cal.collaboration_cost0
    years = cfg.institutes.collaboration_years
    if cfg.mechanisms.institutes:
        start_collaborations(firms, flow_r, years)
        on = firms.collab > 0
        firms.collab[on] = (model.rng.random(int(on.sum())) * years).astype(F32)

    # Firms' own R&D intensity: business R&D at the base year equals its target.
    env = FirmEnv(t=model.t, dt=model.dt, new_year=True,
                  gdp_per_capita=model.macro.gdp_per_capita, grant_budget=grant0,
                  tax_credit_budget=tax0).fill(model.regions.n)
    firms.calib.rd_intensity = solve_rd_intensity(firms, env, cal)
    rule_rd(firms, env)
    firms.rd[~firms.alive] = 0.0

    # Employment released by net exit at the base year (rehired by incumbents).
    if cfg.mechanisms.entry_exit:
        firms.churn = cfg.firms.exit_rate - cfg.firms.entry_rate * cfg.firms.entrant_size

    # Graduates per researcher: the skilled share is steady at the base year.
    skilled = float((firms.skill * firms.emp * firms.alive).sum()) * firms.weight
    need = (cfg.firms.skill_turnover + model.country.population_growth) * skilled
    kept = 1.0 - cfg.institutes.graduate_emigration
    grads = max(need - trained0, 0.0)
    cal.graduates_per_researcher = grads / max(kept * r_inst, 1e-9)
    if need < trained0:
        cal.notes["graduates"] = "skills programmes alone exceed the steady-state need"
    for inst in institutes:
        inst.graduates = cal.graduates_per_researcher * inst.researchers
    # The researcher market clears at the base year with the observed researchers.
    model.researcher_market.calibrate(researchers, grads)

    # Institutes' funding at the base year (the streams), for the first record.
    for k, inst in enumerate(institutes):
        inst.funding = {s: float(table[s][k]) for s in FUNDING_STREAMS}
        inst.funding0_per_researcher = sum(inst.funding.values()) / max(inst.researchers,
                                                                       1e-12)
        inst.collaborations = float(table["contracts"][k]) / cal.collaboration_cost0
        inst.contract_demand = float(table["demand"][k])
        inst.capacity = (1.0 + cfg.institutes.capacity_headroom) * sum(inst.funding.values())
    model.step_cache.clear()
    return flows0
