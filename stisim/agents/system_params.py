"""Config sections of the model around its agents: ``infrastructure``, ``macro``, ``shocks``,
``mechanisms``, ``policy`` and ``extensions``.

Every stisim package declares its config sections in modules named ``params``; the agent
model has one per agent type (:mod:`stisim.agents.params` lists them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from stisim.agents.catalog import (
    EXECUTORS,
    INSTRUMENTS,
    REGIONAL_INSTRUMENTS,
    SECTORS,
    SHOCK_KINDS,
    TECHNOLOGIES,
    TECHNOLOGY_INSTRUMENTS,
)
from stisim.agents.param_tools import ASSUMPTION, TRIED, _mapping, _sectors
from stisim.config.fields import param
from stisim.config.sections import check, section
from stisim.errors import Problem


@section("infrastructure")
@dataclass
class InfrastructureConfig:
    """Regional infrastructure and household adoption (coverage, access, internet use)."""

    coverage_rollout: float = param(0.07, "Business-as-usual 4G roll-out: share of the "
                                    "uncovered population covered per year", unit="1/year",
                                    ge=0.0, le=5.0, source=ASSUMPTION)
    coverage_launch_year: float = param(
        0.0, "Calendar year from which 4G coverage can grow (network launch; may be "
        "fractional); before it coverage stays at its base-year value. 0: from the base year",
        unit="year", ge=0.0, le=2100.0,
        source="assumption (no gate); fitted per country by `stisim calibrate` from the 9.c.1 "
               "series, which starts in 2014 (docs/sdg.md)")
    coverage_cost: float = param(40.0, "Public cost per newly covered person (4G)",
                                 unit="USD", gt=0.0, source="assumption (GSMA-type estimates)")
    adoption_share: float = param(
        0.2, "Share of broadband money spent on bringing covered non-users online (affordable "
        "internet-enabled devices and data, basic digital skills) rather than on networks",
        unit="fraction", ge=0.0, le=1.0,
        source="Broadband Commission & World Bank (2019), Connecting Africa Through "
               "Broadband: about 80 % of the USD 100 bn for universal access by 2030 is "
               "network infrastructure, the rest skills, content and regulation; range tried "
               "0.1-0.4")
    connection_cost: float = param(
        60.0, "Public cost per covered non-user brought online by the adoption share of "
        "broadband money (device, data and basic digital skills), base-year USD",
        unit="USD", gt=0.0, le=1e6,
        source="assumption informed by GSMA, The State of Mobile Internet Connectivity 2023: "
               "handset affordability and digital skills are the main barriers of covered "
               "non-users (the usage gap, about 60 % of people in Sub-Saharan Africa), with "
               "entry-level internet-enabled handsets at about USD 50-100; range tried 30-120")
    fixed_share: float = param(0.3, "Share of broadband infrastructure money spent on fixed "
                               "networks", unit="fraction", ge=0.0, le=1.0, source=ASSUMPTION)
    fixed_rollout: float = param(0.03, "Business-as-usual fixed-network roll-out",
                                 unit="1/year", ge=0.0, le=5.0, source=ASSUMPTION)
    fixed_cost: float = param(200.0, "Public cost per person newly passed by fixed broadband",
                              unit="USD", gt=0.0, source=ASSUMPTION)
    fixed_initial: float = param(
        3.0, "Fixed-network availability at the base year relative to subscriptions per "
        "person times broadband_saturation^-1 (capped at 1)", unit="ratio", ge=1.0, le=100.0,
        source=ASSUMPTION)
    broadband_saturation: float = param(40.0, "Saturation of fixed broadband subscriptions",
                                        unit="per 100 inhabitants", gt=0.0, le=100.0,
                                        source="assumption (high-income countries 35-45)")
    broadband_p: float = param(0.01, "Bass p of household broadband subscriptions",
                               unit="1/year", ge=0.0, le=5.0, source=ASSUMPTION)
    broadband_q: float = param(0.3, "Bass q of household broadband subscriptions",
                               unit="1/year", ge=0.0, le=10.0, source=ASSUMPTION)
    internet_p: float = param(0.005, "Bass p of individual internet use (times 4G coverage)",
                              unit="1/year", ge=0.0, le=5.0, source=ASSUMPTION)
    internet_q: float = param(0.15, "Bass q of individual internet use", unit="1/year",
                              ge=0.0, le=10.0, source=ASSUMPTION)
    internet_max: float = param(
        0.98, "Saturation of internet use", unit="fraction", gt=0.0, le=1.0,
        source="UNSD 17.8.1 (series IT_USE_II99, shipped extract): 99-100 % in 2021 in the "
        "top countries (Bahrain, Qatar, Saudi Arabia, UAE, Kuwait, Iceland, Norway); 0.98 is "
        "the long-run ceiling just under them")
    workplace_effect: float = param(
        0.05, "Increase of the internet-use spontaneous term per unit of firm digital "
        "adoption share in the region", unit="1/year", ge=0.0, le=5.0,
        source="assumption; range 0.025-0.075" + TRIED)
    electricity_rollout: float = param(0.05, "Business-as-usual grid/off-grid electrification"
                                       " of the unserved population", unit="1/year", ge=0.0,
                                       le=5.0, source=ASSUMPTION)
    electricity_cost: float = param(250.0, "Public cost per person newly electrified",
                                    unit="USD", gt=0.0,
                                    source="assumption (order of grid connection costs per "
                                    "person)")
    remoteness_cost: float = param(2.0, "Cost multiplier at full coverage relative to zero "
                                   "coverage (last persons are costlier)", unit="ratio",
                                   ge=0.0, le=100.0, source=ASSUMPTION)
    energy_renewable_share: float = param(
        0.4, "Share of energy infrastructure money building renewable capacity",
        unit="fraction", ge=0.0, le=1.0, source=ASSUMPTION)
    renewable_investment_effect: float = param(
        2.0, "Increase of the grid renewable share per year per unit of renewable "
        "investment relative to GDP", unit="1", ge=0.0, le=1000.0,
        source="order of magnitude: about 2 kWh/year of renewable power per USD invested "
               "(IRENA 2022, Renewable Power Generation Costs in 2021: installed costs and "
               "capacity factors of solar PV, onshore wind, hydropower) over 1.3-6 kWh of final "
               "energy per USD of GDP gives 0.3-1.5 per unit of investment/GDP nationally, "
               "0.6-5.5 on the firms' share in the six pilot countries (docs/sdg.md)")


@section("macro")
@dataclass
class MacroConfig:
    """Macro accounting: population, labour force, structure, energy and emissions."""

    population_growth: float | None = param(
        None, "Population growth; null: the country's average of the last 5 years",
        unit="1/year", ge=-0.1, le=0.1, source="SDR 2022 panel, series Population")
    labour_force_participation: float = param(
        0.45, "Labour force as a share of the population", unit="fraction", gt=0.0, le=1.0,
        source="assumption (ILO modelled estimates: 0.35-0.55 of total population)")
    sector_va_share: dict[str, Any] = param(
        _sectors(agriculture=None, low_tech_manufacturing=None,
                 medium_high_tech_manufacturing=None, energy=3.0, ict=4.0, health=3.5,
                 services=None),
        "Value-added shares at the base year in % of GDP; null: agriculture from the country "
        "config, manufacturing from 9.2.1 and 9.b.1, services the remainder", unit="% of GDP",
        source="9.2.1, 9.b.1 baselines (UNSD); country config; assumption for energy/ICT/"
        "health")
    relative_productivity: dict[str, float] = param(
        _sectors(agriculture=0.3, low_tech_manufacturing=1.0,
                 medium_high_tech_manufacturing=2.0, energy=4.0, ict=3.0, health=1.0,
                 services=1.1),
        "Value added per worker relative to services-like average (sets employment shares)",
        unit="ratio",
        source="Gollin, Lagakos & Waugh (2014), QJE 129(2) for the agricultural gap; "
        "assumption otherwise; each entry x0.5-x1.5" + TRIED)
    income_elasticity: dict[str, float] = param(
        _sectors(agriculture=0.5, low_tech_manufacturing=0.9,
                 medium_high_tech_manufacturing=1.3, energy=1.0, ict=1.5, health=1.3,
                 services=1.1),
        "Demand growth of a sector per unit of income growth (structural change)", unit="1",
        source="Herrendorf, Rogerson & Valentinyi (2014), Handbook of Economic Growth "
               "2B:855-941: with rising income the consumption shares of agriculture fall and "
               "of services rise (income elasticities below and above 1, Engel's law); values "
               "stisim's stylised reading (labelled); each entry x0.5-x1.5" + TRIED)
    exogenous_growth: float = param(0.0, "Residual productivity drift of all firms "
                                    "(capital deepening, unmodelled factors)", unit="1/year",
                                    ge=-0.1, le=0.1, source=ASSUMPTION)
    unemployment_recovery: float = param(
        0.5, "Speed at which hiring closes the gap to the base-year unemployment rate",
        unit="1/year", ge=0.0, le=10.0, source=ASSUMPTION)
    household_emission_share: float = param(
        0.3, "Share of CO2 emissions not from firms (households, private transport)",
        unit="fraction", ge=0.0, lt=1.0, source=ASSUMPTION)
    household_energy_share: float | None = param(
        None, "Households' share of total final energy consumption; null: 0.85 at GDP per "
        "capita 500 USD falling by 0.15 per doubling, within [0.2, 0.9]; raised where "
        "cooking needs more than 90 % of households' energy", unit="fraction",
        ge=0.0, lt=1.0, source="assumption (IEA balances: residential share falls with income)")
    clean_renewable_gain: float = param(
        0.5, "Share of a clean-energy adopter's non-renewable energy (at the grid mix) that "
        "its own renewables (solar PV, solar heat, biogas) replace: an adopter's renewable "
        "fraction is grid + gain x (1 - grid), above the grid's for any gain > 0",
        unit="fraction", ge=0.05, le=1.0,
        source="assumption (range 0.2-1 tried; rooftop PV covers 20-50 % of a firm's "
               "electricity, IRENA 2022 Renewable Power Generation Costs in 2021)")
    grid_renewable_trend: float = param(
        0.003, "Business-as-usual yearly change of the renewable share of the non-biomass "
        "energy mix (grid and fuels): a positive trend closes the gap to 1, a negative one "
        "shrinks the share proportionally", unit="1/year", ge=-0.1, le=0.1,
        source="assumption; fitted per country by `stisim calibrate` (7.2.1)")
    grid_renewable_trend_end_year: float = param(
        0.0, "Last year grid_renewable_trend acts in full; 0: to the end of the horizon",
        unit="year", ge=0.0, le=2100.0, source=ASSUMPTION)
    grid_renewable_trend_damping: float = param(
        1.0, "Damping of grid_renewable_trend after grid_renewable_trend_end_year: k years "
        "later it acts at damping^k of its rate (0: it stops there; 1: undamped)", unit="1",
        ge=0.0, le=1.0, source="Gardner & McKenzie (1985) damped trend; 0.8-0.98 in "
        "forecasting practice (Hyndman & Athanasopoulos, FPP3 section 8.2)")
    fuel_switch: float = param(
        0.3, "Share of an electrified household's non-cooking energy that is electricity "
        "(renewable at the grid share); the rest (lighting fuels, transport) is fossil",
        unit="fraction", ge=0.0, le=1.0, source=ASSUMPTION)
    traditional_biomass_share: float | None = param(
        None, "Share of the baseline renewable share (7.2.1) that is traditional biomass "
        "used by households without clean cooking; null: from the cross-country fit "
        "7.2.1 = 0.121 + 0.561 x (1 - clean-cooking access) (tools/fit_energy_transition.py)",
        unit="fraction", ge=0.0, le=0.99,
        source="UNSD EG_FEC_RNEW and SDR 2022 sdg7_cleanfuel, 187 countries, 2016 (fit SEs "
               "0.017, 0.040); a country value from IEA balances may replace it")
    cooking_trend: float = param(
        0.051, "Business-as-usual growth of the logit of clean-cooking access (7.1.2) per "
        "year at constant income", unit="1/year", ge=0.0, le=0.5,
        source="long differences 2000-2016, 127 countries, SDR 2022 sdg7_cleanfuel and WDI "
               "GDP per capita: 0.0507 (SE 0.0061), tools/fit_energy_transition.py")
    cooking_income_effect: float = param(
        0.47, "Increase of the logit of clean-cooking access per unit of log GDP per capita "
        "growth of the region", unit="1", ge=0.0, le=3.0,
        source="same fit: 0.470 (SE 0.164, 95 % CI 0.15-0.79), "
               "tools/fit_energy_transition.py")
    cooking_efficiency_ratio: float = param(
        0.3, "Final energy a household cooking with clean fuels uses relative to one "
        "cooking with traditional biomass (stove efficiency ratio)", unit="ratio", ge=0.05,
        le=1.0,
        source="three-stone fires and traditional stoves 10-20 % efficient, LPG and electric "
               "50-75 % (IEA 2017, Energy Access Outlook, WEO special report; ESMAP 2020, "
               "The State of Access to Modern Energy Cooking Services): 0.15-0.4")
    clean_cooking_electric_share: float = param(
        0.15, "Share of clean-cooking energy that is electricity (renewable at the grid "
        "share); the rest is LPG, natural gas or other clean fuels", unit="fraction",
        ge=0.0, le=1.0,
        source="assumption (LPG dominates clean cooking in Africa and South Asia, WHO "
               "household energy database; range 0.05-0.5 tried)")
    clean_cooking_renewable_share: float = param(
        0.02, "Share of clean-cooking energy from modern renewables (biogas, ethanol, solar "
        "cookers)", unit="fraction", ge=0.0, le=1.0,
        source="assumption (range 0-0.1 tried)")
    household_emission_growth: float = param(
        0.5, "Elasticity of households' non-cooking energy per capita (and so of its CO2) "
        "to GDP per capita", unit="1", ge=0.0, le=3.0,
        source="assumption (residential energy income elasticities 0.3-0.7 in cross-country "
               "studies)")


@dataclass
class ShockEvent:
    """One shock: what, when, how large, where."""

    kind: str = param("pandemic", "Kind of shock", choices=list(SHOCK_KINDS))
    year: float = param(2025.0, "Start (calendar year, may be fractional); must lie in the "
                        "simulated horizon", unit="year")
    size: float = param(0.1, "Magnitude: peak output loss (pandemic), capital and "
                        "infrastructure destroyed (disaster), budget cut (funding_cut), "
                        "researchers lost at once (brain_drain)", unit="fraction", ge=0.0,
                        le=1.0)
    duration: float = param(1.0, "Years over which the shock acts", unit="year", gt=0.0,
                            le=30.0)
    region: str = param("all", "Region hit (disaster), or all")


@section("shocks")
@dataclass
class ShocksConfig:
    """Shocks at given years (pandemic, disaster, funding cut, brain-drain wave)."""

    events: list[ShockEvent] = param([], "List of shocks (kind, year, size, duration, "
                                     "region)", source="scenario input")
    pandemic_sensitivity: dict[str, float] = param(
        _sectors(agriculture=0.3, low_tech_manufacturing=1.0,
                 medium_high_tech_manufacturing=1.0, energy=0.5, ict=0.2, health=0.3,
                 services=1.5),
        "Output loss of a sector relative to the pandemic's size", unit="ratio",
        source="assumption (COVID-19 sector patterns)")
    pandemic_exit: float = param(2.0, "Exit hazard multiplier increase per unit of pandemic "
                                 "size", unit="1", ge=0.0, le=100.0, source=ASSUMPTION)
    pandemic_digital_push: float = param(
        5.0, "Increase of the digital spontaneous term per unit of pandemic size",
        unit="ratio", ge=0.0, le=100.0, source="assumption (COVID-19 digitalisation)")
    disaster_agriculture: float = param(2.0, "Agriculture's loss relative to other sectors "
                                        "in a disaster", unit="ratio", ge=0.0, le=10.0,
                                        source=ASSUMPTION)
    brain_drain_skilled: float = param(
        0.3, "Skilled workers lost relative to researchers in a brain-drain wave",
        unit="ratio", ge=0.0, le=1.0, source=ASSUMPTION)
    brain_drain_rate_factor: float = param(
        3.0, "Multiplier of researcher emigration while a brain-drain wave lasts", unit="ratio",
        ge=1.0, le=100.0, source=ASSUMPTION)


@section("mechanisms")
@dataclass
class MechanismsConfig:
    """Switchboard: turn mechanisms on or off (validation runs, ablations)."""

    finance: bool = param(True, "Access to finance constrains own R&D and adoption")
    rd: bool = param(True, "Firms decide R&D spending (own funds, grants, tax credits)")
    innovation: bool = param(True, "Firms innovate (Nelson-Winter draws)")
    imitation: bool = param(True, "Firms imitate domestic best practice and foreign frontiers")
    adoption: bool = param(True, "Firms adopt technologies (Bass-type hazard)")
    adoption_policy: bool = param(True, "Subsidies, transfer, platform and absorptive capacity "
                                  "modify adoption hazards (off: pure Bass)")
    skills: bool = param(True, "Graduates and skills programmes raise skilled shares")
    growth: bool = param(True, "Firm employment grows with demand and relative productivity")
    entry_exit: bool = param(True, "Firms exit and enter")
    institutes: bool = param(True, "Research institutes act (funding, researchers, knowledge, "
                             "transfer, graduates)")
    researcher_market: bool = param(True, "Researchers are a labour market: a pool fed by "
                                    "graduates, brain drain and a wage premium clearing it "
                                    "(off: researchers follow money at the base-year cost)")
    institute_capacity: bool = param(True, "Research institutes spend at most their research "
                                     "capacity, which grows at a bounded rate (off: every "
                                     "unit of funding is spent at once)")
    ministries: bool = param(True, "Ministries disburse budgets")
    local_governments: bool = param(True, "Local governments co-finance and execute")
    partners: bool = param(True, "International partners fund and transfer technology")
    infrastructure: bool = param(True, "Coverage, electricity access and household adoption "
                                 "evolve")
    shocks: bool = param(True, "Configured shocks act")


@dataclass
class BudgetEntry:
    """One exogenous budget line (e.g. a roadmap allocation)."""

    instrument: str = param("rd_grants", "Policy instrument", choices=list(INSTRUMENTS))
    year: int = param(2025, "Budget year", unit="year")
    amount: float = param(0.0, "Amount in base-year USD (negative values cut "
                          "business-as-usual spending)", unit="USD")
    executor: str = param("ministry", "Executing agent type", choices=list(EXECUTORS))
    region: str = param("all", "Region (regional instruments) or all (split by population)")
    technology: str = param("all", "Technology (adoption_subsidy) or all (business-as-usual "
                            "split)")


@section("policy")
@dataclass
class PolicyConfig:
    """Budgets per instrument: business as usual plus exogenous lines."""

    business_as_usual: bool = param(True, "Ministries, local governments and partners spend "
                                    "their business-as-usual budgets")
    budgets: list[BudgetEntry] = param([], "Exogenous budget lines added to business as usual",
                                       source="scenario or roadmap input")
    check_money: bool = param(True, "Check at the end of a run that every unit of money "
                              "disbursed is delivered, lost or left unexecuted once and that "
                              "R&D flows balance (relative tolerance 1e-9; error otherwise)")


@section("extensions")
@dataclass
class ExtensionsConfig:
    """Researcher extensions: extra agent types and firm rules (see docs/model.md)."""

    modules: list[str] = param([], "Modules to import that register agent types or firm "
                               "rules (stisim.* or a registered plugin)")
    agents: dict[str, dict[str, Any]] = param({}, "Agent types to add: name -> parameters")
    firm_rules: dict[str, dict[str, Any]] = param({}, "Firm rules to add: name -> parameters")


def _labels(cfg) -> list[str]:
    """Region labels of the config: the country's real regions and the generic labels
    (:func:`stisim.agents.region_set.region_labels`), or the configured names when the country
    cannot be resolved (its own problem is reported elsewhere)."""
    from stisim.agents.region_set import region_labels

    try:
        return region_labels(cfg)
    except (AttributeError, TypeError, ValueError):
        return list(cfg.regions.names)


@check
def _check_system(cfg) -> list[Problem]:
    out: list[Problem] = []
    mac = cfg.macro
    out += _mapping("macro.sector_va_share", mac.sector_va_share, SECTORS, ge=0, le=100,
                    complete=True)
    out += _mapping("macro.relative_productivity", mac.relative_productivity, SECTORS,
                    ge=1e-6, le=1e3, complete=True)
    out += _mapping("macro.income_elasticity", mac.income_elasticity, SECTORS, ge=-5, le=5,
                    complete=True)
    if mac.clean_cooking_electric_share + mac.clean_cooking_renewable_share > 1.0:
        out.append(Problem("macro.clean_cooking_renewable_share", "electric and renewable "
                           "shares of clean cooking add up to more than 1",
                           mac.clean_cooking_electric_share + mac.clean_cooking_renewable_share,
                           "clean_cooking_electric_share + clean_cooking_renewable_share <= 1"))
    out += _mapping("shocks.pandemic_sensitivity", cfg.shocks.pandemic_sensitivity, SECTORS,
                    ge=0, le=10, complete=True)

    t = cfg.time
    horizon = f"{t.base_year} <= year <= {t.end_year} (time.base_year to time.end_year)"
    for i, ev in enumerate(cfg.shocks.events):
        if ev is None:
            continue
        if not t.base_year <= ev.year <= t.end_year:
            out.append(Problem(f"shocks.events[{i}].year", "outside the simulated horizon",
                               ev.year, horizon))
        if ev.region != "all" and ev.region not in _labels(cfg):
            out.append(Problem(f"shocks.events[{i}].region", "unknown region", ev.region,
                               ", ".join(["all", *_labels(cfg)])))
    for i, b in enumerate(cfg.policy.budgets):
        if b is None:
            continue
        path = f"policy.budgets[{i}]"
        if not t.base_year <= b.year <= t.end_year:
            out.append(Problem(f"{path}.year", "outside the simulated horizon", b.year,
                               horizon))
        if b.region != "all":
            if b.region not in _labels(cfg):
                out.append(Problem(f"{path}.region", "unknown region", b.region,
                                   ", ".join(["all", *_labels(cfg)])))
            elif b.instrument not in REGIONAL_INSTRUMENTS:
                out.append(Problem(f"{path}.region", f"{b.instrument} is a national "
                                   "instrument", b.region,
                                   "all (regional instruments: " + ", ".join(
                                       REGIONAL_INSTRUMENTS) + ")"))
        if b.technology != "all":
            if b.technology not in TECHNOLOGIES:
                out.append(Problem(f"{path}.technology", "unknown technology", b.technology,
                                   ", ".join(["all", *TECHNOLOGIES])))
            elif b.instrument not in TECHNOLOGY_INSTRUMENTS:
                out.append(Problem(f"{path}.technology", f"{b.instrument} does not target a "
                                   "technology", b.technology, "all"))
    out += _check_extensions(cfg)
    return out


def _check_extensions(cfg) -> list[Problem]:
    from stisim.agents import registry

    return registry.validate_extensions(cfg.extensions)
