"""Config sections of the firm population: ``firms`` and ``diffusion`` (technology adoption).

Every stisim package declares its config sections in modules named ``params``; the agent
model has one per agent type (:mod:`stisim.agents.params` lists them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from stisim.agents.catalog import (
    SECTORS,
    TECHNOLOGIES,
)
from stisim.agents.param_tools import (
    ASSUMPTION,
    SULTAN,
    TRIED,
    _mapping,
    _names,
    _sectors,
    _techs,
)
from stisim.config.fields import param
from stisim.config.sections import check, section
from stisim.errors import Problem


@section("firms")
@dataclass
class FirmsConfig:
    """Firm population (struct of arrays, vectorised rules)."""

    count: int = param(50_000, "Number of simulated firms; each represents "
                       "country firm count / count real firms", unit="firms", ge=100,
                       le=5_000_000, source=ASSUMPTION)
    size_sigma: float = param(1.2, "Log-normal sigma of employment per firm", unit="log",
                              gt=0.0, le=4.0,
                              source="assumption (skewed size distributions, cf. Hsieh & Olken "
                              "2014, J. Econ. Perspectives 28(3))")
    rd_performer_share: float = param(
        0.08, "Share of firms performing R&D at the base year", unit="fraction", gt=0.0, le=1.0,
        source="World Bank Enterprise Surveys: 5-25 % of formal firms in low and middle "
               "income countries spend on R&D (Cirera & Maloney 2017, The Innovation Paradox, "
               "World Bank); 0.08 at the lower end, as the population includes the smallest "
               "firms (labelled)")
    business_rd_share: float = param(
        0.3, "Share of gross R&D expenditure (GERD) performed by business at the base year, "
        "unless country.business_rd_share is set", unit="fraction", ge=0.0, lt=1.0,
        source="assumption (UNESCO UIS pattern for low and lower-middle income countries)")
    rd_size_elasticity: float = param(0.6, "Effect of log employment on the R&D propensity "
                                      "score", unit="1/log(workers)", ge=0.0, le=5.0,
                                      source=ASSUMPTION)
    rd_skill_effect: float = param(4.0, "Effect of the skilled share on the R&D propensity "
                                   "score", unit="1/fraction", ge=0.0, le=50.0, source=ASSUMPTION)
    rd_sector_bias: dict[str, float] = param(
        _sectors(agriculture=-1.0, low_tech_manufacturing=0.3,
                 medium_high_tech_manufacturing=1.5, energy=0.5, ict=1.5, health=1.0,
                 services=0.0),
        "Sector shift of the R&D propensity score", unit="score",
        source="assumption; each entry x0.5-x1.5" + TRIED)
    grant_crowding: float = param(
        0.2, "Crowding parameter phi of public R&D grants below the absorptive capacity: "
        "desired R&D = own + (1+phi) grant; phi<0 crowds out own spending, phi>0 crowds it in",
        unit="1", ge=-1.0, le=1.0,
        source="Dimos & Pugh (2016), Research Policy 45(4):797-815: meta-analysis of R&D "
               "subsidies, no evidence of crowding out, small additionality (range tried 0-0.5)")
    rd_absorptive_intensity: float = param(
        0.5, "Absorptive capacity of a firm for R&D money: R&D / value added it can spend "
        "usefully (the intensity at which the innovation hazard stops rising)", unit="1",
        gt=0.0, le=5.0,
        source="assumption (top R&D-intensive firms spend 20-50% of value added on R&D; "
               "range tried 0.2-1)")
    rd_crowding_beyond_capacity: float = param(
        0.2, "Share of desired R&D above the absorptive capacity that is still spent on R&D "
        "(the rest of the public money replaces own money: crowding out)", unit="fraction",
        ge=0.0, le=1.0, source="assumption (range tried 0-0.5; 0: full crowding out)")
    tax_credit_elasticity: float = param(
        1.0, "Tax-price elasticity of own R&D (in absolute value): own R&D x (1 - tau)^-e "
        "at credit rate tau", unit="1", ge=0.0, le=3.0,
        source="Bloom, Van Reenen & Williams (2019), J. Econ. Perspectives 33(3):163-184 "
               "(long-run tax-price elasticity about 1; Bloom, Griffith & Van Reenen 2002, J. "
               "Public Econ. 85(1):1-31); range tried 0.5-1.5")
    finance_barrier: float = param(
        0.5, "Reduction of own R&D and adoption hazard for firms without access to finance",
        unit="fraction", ge=0.0, le=1.0,
        source="Gorodnichenko & Schnitzer (2013), J. Eur. Econ. Assoc. 11(5):1115-1152: "
               "financially constrained firms in emerging and transition economies innovate and "
               "adopt markedly less (instrumented constraints); 0.5 is stisim's reading "
               "(labelled); range 0.25-0.75" + TRIED)
    finance_size_effect: float = param(
        0.5, "Effect of log employment on the probability of access to finance",
        unit="1/log(workers)", ge=0.0, le=5.0, source=ASSUMPTION)
    innovation_rate: float = param(
        12.0, "Innovation hazard per unit of R&D intensity (R&D / value added)",
        unit="1/year", ge=0.0, le=1000.0,
        source="assumption (Nelson & Winter 1982 search rule); range 6-18" + TRIED)
    innovation_base_rate: float = param(
        0.03, "Innovation hazard of firms without R&D (incremental innovation)", unit="1/year",
        ge=0.0, le=5.0, source=ASSUMPTION)
    innovation_sd: float = param(0.08, "Standard deviation of the innovation draw",
                                 unit="log", gt=0.0, le=2.0, source=ASSUMPTION)
    knowledge_spillover: float = param(
        0.3, "Elasticity of the innovation draw's mean shift to the domestic knowledge stock "
        "(institutes' publications)", unit="1", ge=0.0, le=3.0, source=ASSUMPTION)
    innovation_drift: float = param(0.02, "Mean shift of innovation draws at the base-year "
                                    "knowledge stock", unit="log", ge=0.0, le=1.0,
                                    source=ASSUMPTION)
    imitation_rate: float = param(
        0.15, "Imitation hazard of a firm whose skilled share equals the national mean "
        "(absorptive capacity scales it)", unit="1/year", ge=0.0, le=20.0,
        source="assumption (Nelson & Winter 1982; Cohen & Levinthal 1990, ASQ 35(1))")
    imitation_catchup: float = param(
        0.05, "Share of the gap to domestic best practice closed by a successful imitation, "
        "times the firm's absorptive capacity relative to the mean (capped at 1)",
        unit="fraction", ge=0.0, le=1.0, source="assumption; range 0.025-0.075" + TRIED)
    best_practice_z: float = param(
        1.28, "Best practice = sector mean + z standard deviations of log productivity "
        "(1.28: 90th percentile of a normal)", unit="sd", ge=0.0, le=4.0, source=ASSUMPTION)
    foreign_catchup: float = param(
        0.01, "Share of the appropriate-technology gap to a foreign frontier closed per year "
        "by a firm with access to it, times absorptive capacity relative to the mean",
        unit="1/year", ge=0.0, le=1.0,
        source="catch-up limited to appropriate technology: Basu & Weil (1998), Q. J. Econ. "
               "113(4):1025-1054; the rate 0.01 is labelled; range 0.005-0.015" + TRIED)
    productivity_dispersion: float = param(
        0.6, "Standard deviation of firms' log productivity within a sector at the base year",
        unit="log", ge=0.0, le=3.0,
        source="Hsieh & Klenow (2009), QJE 124(4): sd of log TFPR about 0.6-0.7 (India, China)")
    productivity_noise: float = param(
        0.08, "Idiosyncratic productivity shocks (random walk sd)", unit="1/sqrt(year)",
        ge=0.0, le=2.0, source="assumption; range 0.04-0.12" + TRIED)
    relative_size: dict[str, float] = param(
        _sectors(agriculture=0.6, low_tech_manufacturing=2.0,
                 medium_high_tech_manufacturing=5.0, energy=10.0, ict=3.0, health=3.0,
                 services=1.0),
        "Mean employment per firm relative to services (sets firm counts by sector)",
        unit="ratio", source="assumption; each entry x0.5-x1.5" + TRIED)
    finance_account_ratio: float = param(
        0.6, "Share of firms with access to finance relative to adults with an account "
        "(8.10.2) at the base year", unit="ratio", gt=0.0, le=1.5,
        source="World Bank Enterprise Surveys (firms with a bank loan or line of credit: "
               "about a third of formal firms across surveyed countries, about a fifth in "
               "Sub-Saharan Africa) over Global Findex 2017 account ownership (63 % of adults in "
               "developing economies, 43 % in Sub-Saharan Africa): about 0.5; 0.6 adds overdrafts "
               "and supplier credit (labelled); range 0.3-0.9" + TRIED)
    selection: float = param(
        0.02, "Employment growth per unit of log productivity above the sector mean",
        unit="1/year", ge=0.0, le=5.0,
        source="replicator dynamics: Metcalfe (1994), J. Evol. Econ. 4(4):327-346 "
               "(growth of a firm's share proportional to its productivity relative to the "
               "mean); the value 0.02 is labelled; range 0.01-0.03" + TRIED)
    employment_noise: float = param(0.1, "Idiosyncratic employment growth shock (sd)",
                                    unit="1/sqrt(year)", ge=0.0, le=2.0, source=ASSUMPTION)
    exit_rate: float = param(
        0.06, "Base exit hazard", unit="1/year", ge=0.0, le=2.0,
        source="McKenzie & Paffhausen (2017), CEPR Discussion Paper 12401: small firms in 16 "
        "panels from 12 developing countries die at 8.3 % a year over five years; 0.06 for a "
        "population that also holds larger, older firms (labelled); range 0.03-0.09" + TRIED)
    exit_productivity_effect: float = param(
        1.0, "Elasticity of the exit hazard to log productivity below the sector mean",
        unit="1/log", ge=0.0, le=10.0, source=ASSUMPTION)
    entry_rate: float = param(
        0.06, "Entry rate (new firms per existing firm)", unit="1/year", ge=0.0, le=2.0,
        source="derived: equal to exit_rate, so the firm count is stationary without growth "
        "(exit rate after McKenzie & Paffhausen 2017); range 0.03-0.09" + TRIED)
    entry_growth_response: float = param(
        2.0, "Increase of the entry rate per unit of GDP growth rate", unit="1", ge=0.0,
        le=20.0, source="assumption; range 1-3" + TRIED)
    entrant_gap: float = param(0.2, "Log productivity of entrants below their sector mean",
                               unit="log", ge=0.0, le=3.0, source=ASSUMPTION)
    entrant_size: float = param(0.5, "Employment of entrants relative to the sector mean "
                                "firm", unit="ratio", gt=0.0, le=5.0, source=ASSUMPTION)
    skill_mean: float = param(
        0.12, "Mean skilled (tertiary-educated) share of employment at the base year, before "
        "sector multipliers", unit="fraction", gt=0.0, lt=1.0, source=ASSUMPTION)
    skill_sector: dict[str, float] = param(
        _sectors(agriculture=0.25, low_tech_manufacturing=0.8,
                 medium_high_tech_manufacturing=1.8, energy=1.8, ict=3.5, health=3.0,
                 services=1.2),
        "Skilled share relative to skill_mean by sector", unit="ratio",
        source="assumption; each entry x0.5-x1.5" + TRIED)
    skill_turnover: float = param(0.05, "Annual loss of skilled workers (retirement, "
                                  "emigration) as a share of them", unit="1/year", ge=0.0,
                                  le=1.0,
                                  source="derived: retirement over a 40-year working life "
                                  "(0.025 a year) plus skilled emigration, high in low-income "
                                  "countries (Docquier & Rapoport 2012, J. Econ. Literature "
                                  "50(3):681-730), and moves out of formal firms (labelled); "
                                  "range 0.025-0.075" + TRIED)
    energy_intensity: dict[str, float] = param(
        _sectors(agriculture=1.0, low_tech_manufacturing=3.0,
                 medium_high_tech_manufacturing=2.0, energy=8.0, ict=0.4, health=0.6,
                 services=0.7),
        "Final energy use per unit of value added, relative (the level is calibrated to the "
        "country's CO2 per value added)", unit="relative",
        source="assumption (ordering as in IEA World Energy Balances by sector)")
    procurement_effect: float = param(
        2.0, "Innovation hazard multiplier increase per unit of procurement spending relative "
        "to the targeted firms' value added", unit="1", ge=0.0, le=100.0, source=ASSUMPTION)


@section("diffusion")
@dataclass
class DiffusionConfig:
    """Technology adoption by firms: Bass-type hazard p + q * peer adopter share."""

    p: float = param(0.03, "Bass coefficient of innovation (spontaneous adoption)",
                     unit="1/year", ge=0.0, le=5.0, source=SULTAN + ": mean p = 0.03")
    q: float = param(0.38, "Bass coefficient of imitation (peer influence)", unit="1/year",
                     ge=0.0, le=10.0, source=SULTAN + ": mean q = 0.38")
    mixing: str = param("sector_region", "Peer group whose adopter share drives imitation",
                        choices=["economy", "sector", "region", "sector_region"],
                        source=ASSUMPTION)
    local_weight: float = param(
        0.7, "Weight of the peer group's share vs the economy-wide share (1: peers only)",
        unit="fraction", ge=0.0, le=1.0, source=ASSUMPTION)
    p_scale: dict[str, float] = param(
        _techs(digital=1.0, clean_energy=0.3, agri_tech=0.6, health_tech=0.8),
        "Multiplier of p per technology", unit="ratio",
        source="assumption; each entry x0.5-x1.5" + TRIED)
    q_scale: dict[str, float] = param(
        _techs(digital=1.0, clean_energy=0.5, agri_tech=0.8, health_tech=0.8),
        "Multiplier of q per technology", unit="ratio",
        source="Comin & Hobijn (2010), Am. Econ. Rev. 100(5):2031-2059: 15 technologies "
               "in 166 countries are adopted on average 45 years after invention, newer ones "
               "faster; digital at the meta-analysis mean q (1), the other technologies slower "
               "(relative values labelled); each entry x0.5-x1.5" + TRIED)
    initial_share: dict[str, Any] = param(
        _techs(digital=None, clean_energy=0.05, agri_tech=0.08, health_tech=0.1),
        "Adopter share among eligible firms at the base year; null for digital: the "
        "country's internet use (17.8.1)", unit="fraction",
        source="17.8.1 baseline (UNSD) for digital; assumption otherwise")
    eligible: dict[str, list[str]] = param(
        _techs(digital=list(SECTORS), clean_energy=list(SECTORS), agri_tech=["agriculture"],
               health_tech=["health"]),
        "Sectors whose firms can adopt each technology", source=ASSUMPTION)
    productivity_effect: dict[str, float] = param(
        _techs(digital=0.06, clean_energy=0.0, agri_tech=0.15, health_tech=0.08),
        "Log productivity gain of an adopter", unit="log",
        source="assumption (order of magnitude of firm-level ICT and input-adoption studies)")
    emissions_effect: dict[str, float] = param(
        _techs(digital=0.05, clean_energy=0.0, agri_tech=0.1, health_tech=0.0),
        "Fractional cut of an adopter's energy CO2 (clean energy acts through the renewable "
        "share, macro.clean_renewable_gain)", unit="fraction", source=ASSUMPTION)
    adoption_cost: dict[str, float] = param(
        _techs(digital=1.0, clean_energy=5.0, agri_tech=0.8, health_tech=3.0),
        "Cost of one adoption by an average firm", unit="GDP per capita", source=ASSUMPTION)
    skill_effect: float = param(
        0.5, "Elasticity of the spontaneous term to absorptive capacity (skilled share "
        "relative to the mean)", unit="1", ge=0.0, le=3.0,
        source="assumption (Cohen & Levinthal 1990)")
    coverage_dependence: dict[str, float] = param(
        _techs(digital=1.0, clean_energy=0.0, agri_tech=0.3, health_tech=0.3),
        "How much the spontaneous term scales with 4G coverage of the firm's region "
        "(0: not at all, 1: proportionally)", unit="fraction", source=ASSUMPTION)
    subsidy_share: float = param(0.5, "Share of the adoption cost paid by an adoption "
                                 "subsidy", unit="fraction", gt=0.0, le=1.0, source=ASSUMPTION)
    subsidy_additionality: float = param(
        0.6, "Share of subsidised adoptions that would not have happened otherwise",
        unit="fraction", ge=0.0, le=1.0,
        source="free riders are a large share of subsidised adopters: Boomhower & Davis "
               "(2014), J. Public Econ. 113:67-79 (regression discontinuity in Mexico's "
               "appliance-replacement subsidies: larger subsidies raised participation little); "
               "0.6 additional is stisim's reading for firms' technology subsidies (labelled); "
               "range 0.3-0.9" + TRIED)
    transfer_boost: float = param(
        1.0, "Relative increase of p for firms collaborating with a research institute",
        unit="ratio", ge=0.0, le=20.0, source=ASSUMPTION)
    max_boost_rate: float = param(2.0, "Cap on the subsidy-driven increase of the "
                                  "spontaneous term", unit="1/year", gt=0.0, le=50.0,
                                  source=ASSUMPTION)


@check
def _check_firms(cfg) -> list[Problem]:
    out: list[Problem] = []
    f = cfg.firms
    out += _mapping("firms.rd_sector_bias", f.rd_sector_bias, SECTORS, ge=-20, le=20,
                    complete=True)
    out += _mapping("firms.skill_sector", f.skill_sector, SECTORS, ge=0, le=20, complete=True)
    out += _mapping("firms.energy_intensity", f.energy_intensity, SECTORS, ge=0, le=1000,
                    complete=True)
    out += _mapping("firms.relative_size", f.relative_size, SECTORS, ge=1e-3, le=1e4,
                    complete=True)

    d = cfg.diffusion
    for key, lo, hi in (("p_scale", 0, 100), ("q_scale", 0, 100), ("initial_share", 0, 0.999),
                        ("productivity_effect", -1, 2), ("emissions_effect", 0, 1),
                        ("adoption_cost", 1e-6, 1e6), ("coverage_dependence", 0, 1)):
        out += _mapping(f"diffusion.{key}", getattr(d, key), TECHNOLOGIES, ge=lo, le=hi,
                        complete=True)
    for tech, sectors in d.eligible.items():
        if tech in TECHNOLOGIES:
            out += _names(list(sectors), f"diffusion.eligible.{tech}", SECTORS)
            if not sectors:
                out.append(Problem(f"diffusion.eligible.{tech}", "at least one sector",
                                   sectors, ", ".join(SECTORS)))
    out += _mapping("diffusion.eligible", d.eligible, TECHNOLOGIES, complete=True)
    for tech, value in d.initial_share.items():
        if value is None and tech != "digital":
            out.append(Problem(f"diffusion.initial_share.{tech}", "null (from the baseline) "
                               "is only available for digital", value, "a share in [0, 1)"))
    return out
