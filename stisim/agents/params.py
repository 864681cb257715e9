"""Config sections of the agent model of the national innovation system.

Every parameter carries its documentation, unit, allowed range and source (a paper, a dataset
or "assumption"); ``docs/model.md`` tables are generated from this metadata
(:func:`stisim.agents.docs.parameter_tables`). Values keyed by sector, technology, instrument or
region are checked against the names in :mod:`stisim.agents.catalog` and an unknown name is an
error listing the allowed ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from stisim.agents.catalog import (
    EXECUTORS,
    FUNDING_STREAMS,
    INSTRUMENTS,
    REGIONAL_INSTRUMENTS,
    SECTORS,
    SHOCK_KINDS,
    TECHNOLOGIES,
    TECHNOLOGY_INSTRUMENTS,
)
from stisim.config.fields import param
from stisim.config.sections import check, section
from stisim.errors import Problem

ASSUMPTION = "assumption"
SULTAN = "Sultan, Farley & Lehmann (1990), J. Marketing Research 27(1):70-77 (meta-analysis)"


def _sectors(**values: Any) -> dict[str, Any]:
    assert set(values) == set(SECTORS), set(SECTORS) ^ set(values)
    return {s: values[s] for s in SECTORS}


def _techs(**values: Any) -> dict[str, Any]:
    assert set(values) == set(TECHNOLOGIES), set(TECHNOLOGIES) ^ set(values)
    return {t: values[t] for t in TECHNOLOGIES}


# --------------------------------------------------------------------------------------------
@section("regions")
@dataclass
class RegionsConfig:
    """Sub-national regions: each has a local government and is tracked in the outputs."""

    names: list[str] = param(["capital", "other_urban", "rural"],
                             "Region names (one local government each)", source=ASSUMPTION)
    population_share: list[float] = param(
        [], "Population share per region; empty: capital/other urban/rural from the country's "
        "urban population share (country.urban_population_share)", unit="fraction",
        source="World Bank WDI SP.URB.TOTL.IN.ZS (via country config) or user input")
    capital_share_of_urban: float = param(
        0.35, "Share of the urban population living in the capital region (used when "
        "population_share is empty)", unit="fraction", ge=0.0, le=1.0, source=ASSUMPTION)
    firm_density: list[float] = param(
        [2.0, 1.3, 0.6], "Firms per inhabitant relative to the national mean", unit="ratio",
        source=ASSUMPTION)
    productivity: list[float] = param(
        [1.25, 1.05, 0.85], "Firm productivity relative to the sector mean", unit="ratio",
        source="assumption (urban productivity premium, cf. Gollin, Lagakos & Waugh 2014)")
    access_offset: list[float] = param(
        [1.0, 0.4, -0.8], "Logit offset of infrastructure coverage and household adoption "
        "(calibrated so the population-weighted mean equals the national baseline)",
        unit="logit", source=ASSUMPTION)
    capacity: list[float] = param(
        [0.8, 0.7, 0.55], "Execution efficiency of the local government (share of money that "
        "reaches beneficiaries)", unit="fraction", source=ASSUMPTION)


# --------------------------------------------------------------------------------------------
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
        source="assumption within World Bank Enterprise Surveys range (5-25% of formal firms)")
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
        "Sector shift of the R&D propensity score", unit="score", source=ASSUMPTION)
    grant_crowding: float = param(
        0.2, "Crowding parameter phi of public R&D grants: total R&D = own + (1+phi) grant; "
        "phi<0 crowds out own spending, phi>0 crowds it in", unit="1", ge=-1.0, le=2.0,
        source="Dimos & Pugh (2016), Research Policy 45(4):797-815 (no evidence of crowding out)")
    tax_credit_elasticity: float = param(
        1.0, "Elasticity of own R&D to its user cost (tax credits lower the cost)", unit="1",
        ge=0.0, le=3.0,
        source="Bloom, Griffith & Van Reenen (2002), J. Public Econ. 85(1):1-31 (long run ~1)")
    finance_barrier: float = param(
        0.5, "Reduction of own R&D and adoption hazard for firms without access to finance",
        unit="fraction", ge=0.0, le=1.0, source=ASSUMPTION)
    finance_size_effect: float = param(
        0.5, "Effect of log employment on the probability of access to finance",
        unit="1/log(workers)", ge=0.0, le=5.0, source=ASSUMPTION)
    innovation_rate: float = param(
        12.0, "Innovation hazard per unit of R&D intensity (R&D / value added)",
        unit="1/year", ge=0.0, le=1000.0, source="assumption (Nelson & Winter 1982 search rule)")
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
        unit="fraction", ge=0.0, le=1.0, source=ASSUMPTION)
    best_practice_z: float = param(
        1.28, "Best practice = sector mean + z standard deviations of log productivity "
        "(1.28: 90th percentile of a normal)", unit="sd", ge=0.0, le=4.0, source=ASSUMPTION)
    foreign_catchup: float = param(
        0.01, "Share of the appropriate-technology gap to a foreign frontier closed per year "
        "by a firm with access to it, times absorptive capacity relative to the mean",
        unit="1/year", ge=0.0, le=1.0, source="assumption (Basu & Weil 1998, QJE 113(4))")
    productivity_dispersion: float = param(
        0.6, "Standard deviation of firms' log productivity within a sector at the base year",
        unit="log", ge=0.0, le=3.0,
        source="Hsieh & Klenow (2009), QJE 124(4): sd of log TFPR about 0.6-0.7 (India, China)")
    productivity_noise: float = param(
        0.08, "Idiosyncratic productivity shocks (random walk sd)", unit="1/sqrt(year)",
        ge=0.0, le=2.0, source=ASSUMPTION)
    relative_size: dict[str, float] = param(
        _sectors(agriculture=0.6, low_tech_manufacturing=2.0,
                 medium_high_tech_manufacturing=5.0, energy=10.0, ict=3.0, health=3.0,
                 services=1.0),
        "Mean employment per firm relative to services (sets firm counts by sector)",
        unit="ratio", source=ASSUMPTION)
    finance_account_ratio: float = param(
        0.6, "Share of firms with access to finance relative to adults with an account "
        "(8.10.2) at the base year", unit="ratio", gt=0.0, le=1.5, source=ASSUMPTION)
    selection: float = param(
        0.02, "Employment growth per unit of log productivity above the sector mean",
        unit="1/year", ge=0.0, le=5.0, source="assumption (replicator dynamics, Metcalfe 1994)")
    employment_noise: float = param(0.1, "Idiosyncratic employment growth shock (sd)",
                                    unit="1/sqrt(year)", ge=0.0, le=2.0, source=ASSUMPTION)
    exit_rate: float = param(0.06, "Base exit hazard", unit="1/year", ge=0.0, le=2.0,
                             source="assumption (OECD DynEmp exit rates 5-10%)")
    exit_productivity_effect: float = param(
        1.0, "Elasticity of the exit hazard to log productivity below the sector mean",
        unit="1/log", ge=0.0, le=10.0, source=ASSUMPTION)
    entry_rate: float = param(0.06, "Entry rate (new firms per existing firm)", unit="1/year",
                              ge=0.0, le=2.0, source="assumption (OECD DynEmp entry rates)")
    entry_growth_response: float = param(
        2.0, "Increase of the entry rate per unit of GDP growth rate", unit="1", ge=0.0,
        le=20.0, source=ASSUMPTION)
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
        "Skilled share relative to skill_mean by sector", unit="ratio", source=ASSUMPTION)
    skill_turnover: float = param(0.05, "Annual loss of skilled workers (retirement, "
                                  "emigration) as a share of them", unit="1/year", ge=0.0,
                                  le=1.0, source=ASSUMPTION)
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


# --------------------------------------------------------------------------------------------
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
        "Multiplier of p per technology", unit="ratio", source=ASSUMPTION)
    q_scale: dict[str, float] = param(
        _techs(digital=1.0, clean_energy=0.5, agri_tech=0.8, health_tech=0.8),
        "Multiplier of q per technology", unit="ratio", source=ASSUMPTION)
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
        "share, macro.clean_renewable_share)", unit="fraction", source=ASSUMPTION)
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
        unit="fraction", ge=0.0, le=1.0, source=ASSUMPTION)
    transfer_boost: float = param(
        1.0, "Relative increase of p for firms collaborating with a research institute",
        unit="ratio", ge=0.0, le=20.0, source=ASSUMPTION)
    platform_boost: float = param(
        3.0, "Relative increase of p while a firm is matched with a foreign supplier by the "
        "technology-matching platform",
        unit="ratio", ge=0.0, le=50.0, source=ASSUMPTION)
    max_boost_rate: float = param(2.0, "Cap on the subsidy-driven increase of the "
                                  "spontaneous term", unit="1/year", gt=0.0, le=50.0,
                                  source=ASSUMPTION)


# --------------------------------------------------------------------------------------------
@section("institutes")
@dataclass
class InstitutesConfig:
    """Research institutes: national research institutions and universities (Mesa agents)."""

    count: int = param(12, "Number of research institutes", unit="agents", ge=1, le=10_000,
                       source=ASSUMPTION)
    university_share: float = param(0.6, "Share of institutes that are universities (rest: "
                                    "public research institutions)", unit="fraction", ge=0.0,
                                    le=1.0, source=ASSUMPTION)
    women_share: float = param(
        0.3, "Women's share of researchers at the base year", unit="fraction", ge=0.0, le=1.0,
        source="UNESCO UIS (2019), Women in Science, Fact Sheet 55: 29.3% worldwide")
    women_share_hires: float = param(
        0.35, "Women's share of newly hired researchers", unit="fraction", ge=0.0, le=1.0,
        source=ASSUMPTION)
    funding_mix: dict[str, float] = param(
        {"block": 0.55, "competitive": 0.15, "contracts": 0.1, "international": 0.2},
        "Shares of institutes' R&D funding by stream at the base year", unit="fraction",
        source="assumption (UNESCO UIS GERD by source of funds for lower-middle income)")
    labour_cost_share: float = param(0.6, "Share of institute R&D spending paying "
                                     "researchers", unit="fraction", gt=0.0, le=1.0,
                                     source=ASSUMPTION)
    hiring_rate: float = param(0.3, "Speed at which researcher numbers approach what "
                               "funding pays for", unit="1/year", ge=0.0, le=5.0,
                               source=ASSUMPTION)
    researcher_cost_trend: float = param(
        0.0, "Yearly relative change of the cost of a researcher FTE beyond wage growth, after "
        "the base year (negative: more researchers per unit of R&D money, e.g. younger staff "
        "or wider FTE counting); acts on institutes' and business researchers", unit="1/year",
        ge=-0.3, le=0.3,
        source="assumption (0: researcher cost follows wages); fitted per country by "
               "`stisim calibrate` (docs/sdg.md)")
    researcher_cost_trend_end_year: float = param(
        0.0, "Last year researcher_cost_trend acts (the cost index then keeps that year's "
        "level); 0: to the end of the horizon. Calibrated scenarios set it to the end of the "
        "fitted history so projections do not extrapolate the trend", unit="year", ge=0.0,
        le=2100.0, source=ASSUMPTION)
    brain_drain_rate: float = param(0.02, "Emigration rate of researchers at base-year "
                                    "funding per researcher", unit="1/year", ge=0.0, le=1.0,
                                    source=ASSUMPTION)
    brain_drain_elasticity: float = param(
        1.5, "Elasticity of researcher emigration to funding per researcher (falls as "
        "funding rises)", unit="1", ge=0.0, le=10.0, source=ASSUMPTION)
    publication_depreciation: float = param(0.1, "Depreciation of the knowledge stock",
                                            unit="1/year", ge=0.0, le=1.0, source=ASSUMPTION)
    patents_per_publication: float = param(0.02, "Patents per publication (applied share)",
                                           unit="1", ge=0.0, le=10.0, source=ASSUMPTION)
    graduates_per_researcher: float = param(
        3.0, "Tertiary graduates supplied per researcher FTE per year", unit="1/year",
        ge=0.0, le=100.0, source=ASSUMPTION)
    graduate_emigration: float = param(0.1, "Share of graduates who emigrate",
                                       unit="fraction", ge=0.0, le=1.0, source=ASSUMPTION)
    collaborations_per_institute: float = param(
        30.0, "Firm collaborations started per institute per year at base-year capacity",
        unit="1/year", ge=0.0, le=1e6, source=ASSUMPTION)
    collaboration_years: float = param(2.0, "Duration of a firm collaboration",
                                       unit="year", gt=0.0, le=20.0, source=ASSUMPTION)
    collaboration_cost: float = param(
        2.0, "Technology-transfer office cost of one additional collaboration",
        unit="GDP per capita", gt=0.0, le=1000.0, source=ASSUMPTION)
    collaboration_innovation_boost: float = param(
        1.0, "Relative increase of a collaborating firm's innovation hazard", unit="ratio",
        ge=0.0, le=20.0, source=ASSUMPTION)
    tto_depreciation: float = param(0.2, "Decay of extra technology-transfer capacity",
                                    unit="1/year", ge=0.0, le=5.0, source=ASSUMPTION)


# --------------------------------------------------------------------------------------------
@section("ministries")
@dataclass
class MinistriesConfig:
    """National ministries: yearly budgets per instrument, executed with some efficiency."""

    portfolio: dict[str, list[str]] = param(
        {"science": ["rd_grants", "institutional_funding", "tax_credits", "tto_support"],
         "ict": ["infrastructure_broadband", "matching_platform"],
         "energy": ["infrastructure_energy"],
         "industry": ["adoption_subsidy", "procurement"],
         "education": ["skills"]},
        "Ministries and the instruments each one runs (every instrument exactly once)",
        source=ASSUMPTION)
    efficiency: float = param(0.8, "Share of a ministry's budget that reaches beneficiaries",
                              unit="fraction", gt=0.0, le=1.0, source=ASSUMPTION)
    delay: float = param(0.5, "Delay between a budget year and its disbursement",
                         unit="year", ge=0.0, le=5.0, source=ASSUMPTION)
    bau_budget: dict[str, Any] = param(
        {"rd_grants": None, "institutional_funding": None, "tax_credits": 0.0,
         "adoption_subsidy": 0.01, "infrastructure_broadband": 0.05,
         "infrastructure_energy": 0.3, "skills": 0.05, "procurement": 0.0,
         "tto_support": 0.0, "matching_platform": 0.0},
        "Business-as-usual budget per instrument in % of GDP; null: calibrated to the "
        "baseline R&D expenditure (9.5.1) and the institutes' funding mix", unit="% of GDP",
        source="9.5.1 baseline (UNSD) for R&D lines; assumption otherwise")
    bau_follows_gdp: bool = param(True, "Business-as-usual budgets stay a constant share of "
                                  "GDP (false: constant in base-year USD)", source=ASSUMPTION)
    rd_budget_trend: float = param(
        0.0, "Yearly relative change of the business-as-usual R&D budget shares of GDP (R&D "
        "grants, institutional funding, R&D tax credits) after the base year", unit="1/year",
        ge=-0.3, le=0.3,
        source="assumption (0: constant shares of GDP); fitted per country by "
               "`stisim calibrate` (docs/sdg.md)")
    rd_budget_trend_end_year: float = param(
        0.0, "Last budget year rd_budget_trend acts (later years keep that year's shares); 0: "
        "to the end of the horizon. Calibrated scenarios set it to the end of the fitted "
        "history so projections do not extrapolate the trend", unit="year", ge=0.0,
        le=2100.0, source=ASSUMPTION)
    grant_share_firms: float = param(
        0.3, "Share of competitive R&D grants awarded to firms (rest to institutes)",
        unit="fraction", ge=0.0, le=1.0, source=ASSUMPTION)
    grant_size: float = param(20.0, "Size of one R&D grant to a firm", unit="GDP per capita",
                              gt=0.0, le=1e5, source=ASSUMPTION)
    max_tax_credit_rate: float = param(0.5, "Cap on the R&D tax credit rate", unit="fraction",
                                       ge=0.0, le=1.0, source=ASSUMPTION)
    adoption_split: dict[str, float] = param(
        _techs(digital=0.4, clean_energy=0.3, agri_tech=0.2, health_tech=0.1),
        "Split of business-as-usual adoption subsidies by technology", unit="fraction",
        source=ASSUMPTION)
    skills_cost: float = param(0.5, "Cost of training one worker to skilled level",
                               unit="GDP per capita", gt=0.0, le=1000.0, source=ASSUMPTION)


# --------------------------------------------------------------------------------------------
@section("local_governments")
@dataclass
class LocalGovernmentsConfig:
    """Local/regional governments: co-finance and execute localised actions."""

    own_budget: float = param(
        0.05, "Own spending on localised STI actions (adoption subsidies, infrastructure, "
        "skills) in % of regional GDP", unit="% of GDP", ge=0.0, le=10.0, source=ASSUMPTION)
    own_mix: dict[str, float] = param(
        {"adoption_subsidy": 0.2, "infrastructure_broadband": 0.2,
         "infrastructure_energy": 0.4, "skills": 0.2},
        "Split of own spending by (regional) instrument", unit="fraction", source=ASSUMPTION)
    cofinance_rate: float = param(
        0.2, "Co-finance added to national regional programmes executed in the region, per "
        "unit of national money (limited by own budget)", unit="ratio", ge=0.0, le=5.0,
        source=ASSUMPTION)
    delay: float = param(0.25, "Delay between a budget year and disbursement", unit="year",
                         ge=0.0, le=5.0, source=ASSUMPTION)


# --------------------------------------------------------------------------------------------
@section("partners")
@dataclass
class PartnersConfig:
    """International partners: donors/trust funds, technology sources, matching platform."""

    efficiency: float = param(0.85, "Share of partner money reaching beneficiaries",
                              unit="fraction", gt=0.0, le=1.0, source=ASSUMPTION)
    delay: float = param(1.0, "Delay between a partner budget year and disbursement",
                         unit="year", ge=0.0, le=5.0, source=ASSUMPTION)
    bau_budget: dict[str, Any] = param(
        {"institutional_funding": None, "infrastructure_energy": 0.1, "skills": 0.02,
         "adoption_subsidy": 0.01},
        "Donor and trust-fund contributions per instrument in % of GDP; null for "
        "institutional funding: the institutes' international stream (funding_mix)",
        unit="% of GDP", source="assumption; international stream calibrated to 9.5.1")
    donor_adoption_technology: str = param(
        "clean_energy", "Technology targeted by donors' adoption subsidies",
        choices=list(TECHNOLOGIES), source=ASSUMPTION)
    frontier_gdp_per_capita: float = param(
        65000.0, "GDP per capita of the North technology frontier at the base year",
        unit="USD", gt=0.0, source="assumption (order of US GDP per capita 2022)")
    north_growth: float = param(0.015, "Growth of the North frontier", unit="1/year",
                                ge=-0.5, le=0.5, source="assumption (long-run frontier TFP)")
    south_gap_share: float = param(
        0.5, "Log gap to the South-South frontier as a share of the North gap", unit="fraction",
        ge=0.0, le=1.0, source=ASSUMPTION)
    south_growth: float = param(0.035, "Growth of the South-South frontier (capped at the "
                                "North frontier)", unit="1/year", ge=-0.5, le=0.5,
                                source=ASSUMPTION)
    appropriateness: dict[str, float] = param(
        {"north_south": 0.15, "south_south": 0.5},
        "Share of a frontier gap that is appropriate (usable) technology",
        unit="fraction", source="assumption (Basu & Weil 1998; Acemoglu & Zilibotti 2001)")
    transfer_access: dict[str, float] = param(
        {"north_south": 0.05, "south_south": 0.05},
        "Share of firms with access to each foreign source per year (imports, FDI, licences)",
        unit="fraction/year", source=ASSUMPTION)
    platform_matches: float = param(
        0.0, "Business-as-usual matches per year made by the technology-matching platform",
        unit="firms/year", ge=0.0, source=ASSUMPTION)
    match_cost: float = param(2.0, "Cost of one platform match", unit="GDP per capita",
                              gt=0.0, le=1000.0, source=ASSUMPTION)
    match_years: float = param(2.0, "Years a match gives access to a foreign source",
                               unit="year", gt=0.0, le=20.0, source=ASSUMPTION)


# --------------------------------------------------------------------------------------------
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
    internet_max: float = param(0.98, "Saturation of internet use", unit="fraction", gt=0.0,
                                le=1.0, source=ASSUMPTION)
    workplace_effect: float = param(
        0.05, "Increase of the internet-use spontaneous term per unit of firm digital "
        "adoption share in the region", unit="1/year", ge=0.0, le=5.0, source=ASSUMPTION)
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


# --------------------------------------------------------------------------------------------
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
        "assumption otherwise")
    income_elasticity: dict[str, float] = param(
        _sectors(agriculture=0.5, low_tech_manufacturing=0.9,
                 medium_high_tech_manufacturing=1.3, energy=1.0, ict=1.5, health=1.3,
                 services=1.1),
        "Demand growth of a sector per unit of income growth (structural change)", unit="1",
        source="assumption (Engel's law; Herrendorf, Rogerson & Valentinyi 2014)")
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
        "capita 500 USD falling by 0.15 per doubling, within [0.2, 0.9]", unit="fraction",
        ge=0.0, lt=1.0, source="assumption (IEA balances: residential share falls with income)")
    clean_renewable_share: float = param(
        0.8, "Renewable share of a clean-energy adopter's energy", unit="fraction", ge=0.0,
        le=1.0, source=ASSUMPTION)
    grid_renewable_trend: float = param(0.003, "Business-as-usual yearly increase of the "
                                        "firms' grid renewable share", unit="1/year", ge=-0.1,
                                        le=0.1, source=ASSUMPTION)
    fuel_switch: float = param(
        0.3, "Share of a newly electrified household's energy that moves from its current "
        "mix to the grid mix", unit="fraction", ge=0.0, le=1.0, source=ASSUMPTION)
    household_emission_growth: float = param(
        0.5, "Elasticity of household CO2 per capita to GDP per capita", unit="1", ge=0.0,
        le=3.0, source=ASSUMPTION)


# --------------------------------------------------------------------------------------------
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


# --------------------------------------------------------------------------------------------
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
    ministries: bool = param(True, "Ministries disburse budgets")
    local_governments: bool = param(True, "Local governments co-finance and execute")
    partners: bool = param(True, "International partners fund and transfer technology")
    infrastructure: bool = param(True, "Coverage, electricity access and household adoption "
                                 "evolve")
    shocks: bool = param(True, "Configured shocks act")


# --------------------------------------------------------------------------------------------
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


# --------------------------------------------------------------------------------------------
@section("extensions")
@dataclass
class ExtensionsConfig:
    """Researcher extensions: extra agent types and firm rules (see docs/model.md)."""

    modules: list[str] = param([], "Modules to import that register agent types or firm "
                               "rules (stisim.* or a registered plugin)")
    agents: dict[str, dict[str, Any]] = param({}, "Agent types to add: name -> parameters")
    firm_rules: dict[str, dict[str, Any]] = param({}, "Firm rules to add: name -> parameters")


# --------------------------------------------------------------------------------------------
# Cross-section checks
def _mapping(path: str, mapping: dict, allowed: tuple[str, ...] | list[str], *,
             ge: float | None = None, le: float | None = None,
             complete: bool = False) -> list[Problem]:
    out = []
    listing = ", ".join(allowed)
    for key, value in mapping.items():
        if key not in allowed:
            out.append(Problem(f"{path}.{key}", "unknown name", key, listing))
            continue
        if value is None or not isinstance(value, (int, float)):
            continue
        if (ge is not None and value < ge) or (le is not None and value > le):
            rng = " and ".join(x for x in (f">= {ge}" if ge is not None else "",
                                           f"<= {le}" if le is not None else "") if x)
            out.append(Problem(f"{path}.{key}", "out of range", value, rng))
    if complete:
        for key in allowed:
            if key not in mapping:
                out.append(Problem(f"{path}.{key}", "missing entry", None, listing))
    return out


def _names(items: list[str], path: str, allowed: tuple[str, ...] | list[str]) -> list[Problem]:
    return [Problem(f"{path}[{i}]", "unknown name", v, ", ".join(allowed))
            for i, v in enumerate(items) if v not in allowed]


@check
def _check_agents(cfg) -> list[Problem]:
    out: list[Problem] = []
    reg = cfg.regions
    n = len(reg.names)
    if n == 0:
        out.append(Problem("regions.names", "at least one region is needed", reg.names))
    if len(set(reg.names)) != n:
        out.append(Problem("regions.names", "region names must be unique", reg.names))
    for key in ("firm_density", "productivity", "access_offset", "capacity"):
        values = getattr(reg, key)
        if len(values) != n:
            out.append(Problem(f"regions.{key}", f"needs one value per region ({n}: "
                               f"{', '.join(reg.names)})", values))
    if reg.population_share:
        if len(reg.population_share) != n:
            out.append(Problem("regions.population_share", f"needs one value per region ({n})",
                               reg.population_share))
        elif abs(sum(reg.population_share) - 1.0) > 1e-6 or min(reg.population_share) <= 0:
            out.append(Problem("regions.population_share", "shares must be positive and sum "
                               "to 1", reg.population_share))
    elif n != 3:
        out.append(Problem("regions.population_share", "required when the regions are not "
                           "the default capital/other_urban/rural", reg.population_share))
    for key in ("firm_density", "productivity"):
        if any(v <= 0 for v in getattr(reg, key)):
            out.append(Problem(f"regions.{key}", "values must be positive", getattr(reg, key)))
    if any(not 0 < v <= 1 for v in reg.capacity):
        out.append(Problem("regions.capacity", "values must lie in (0, 1]", reg.capacity))

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

    inst = cfg.institutes
    out += _mapping("institutes.funding_mix", inst.funding_mix, FUNDING_STREAMS, ge=0, le=1,
                    complete=True)
    if abs(sum(v for v in inst.funding_mix.values() if isinstance(v, (int, float))) - 1) > 1e-6:
        out.append(Problem("institutes.funding_mix", "shares must sum to 1", inst.funding_mix))

    m = cfg.ministries
    seen: dict[str, str] = {}
    for ministry, instruments in m.portfolio.items():
        out += _names(list(instruments), f"ministries.portfolio.{ministry}", INSTRUMENTS)
        for ins in instruments:
            if ins in seen:
                out.append(Problem(f"ministries.portfolio.{ministry}", f"instrument {ins!r} "
                                   f"is already run by ministry {seen[ins]!r}", ins))
            seen[ins] = ministry
    missing = [i for i in INSTRUMENTS if i not in seen]
    if missing:
        out.append(Problem("ministries.portfolio", "instruments run by no ministry",
                           missing, ", ".join(INSTRUMENTS)))
    out += _mapping("ministries.bau_budget", m.bau_budget, INSTRUMENTS, ge=0, le=20,
                    complete=True)
    for key in ("tax_credits", "adoption_subsidy", "infrastructure_broadband",
                "infrastructure_energy", "skills", "procurement", "tto_support",
                "matching_platform"):
        if m.bau_budget.get(key, 0) is None:
            out.append(Problem(f"ministries.bau_budget.{key}", "only rd_grants and "
                               "institutional_funding can be calibrated (null)", None,
                               "a number in % of GDP"))
    out += _mapping("ministries.adoption_split", m.adoption_split, TECHNOLOGIES, ge=0, le=1,
                    complete=True)

    lg = cfg.local_governments
    out += _mapping("local_governments.own_mix", lg.own_mix, REGIONAL_INSTRUMENTS, ge=0, le=1)

    p = cfg.partners
    out += _mapping("partners.bau_budget", p.bau_budget, INSTRUMENTS, ge=0, le=20)
    for key, value in p.bau_budget.items():
        if value is None and key != "institutional_funding":
            out.append(Problem(f"partners.bau_budget.{key}", "only institutional_funding can "
                               "be calibrated (null)", None, "a number in % of GDP"))
    for key in ("appropriateness", "transfer_access"):
        out += _mapping(f"partners.{key}", getattr(p, key), ("north_south", "south_south"),
                        ge=0, le=1, complete=True)

    mac = cfg.macro
    out += _mapping("macro.sector_va_share", mac.sector_va_share, SECTORS, ge=0, le=100,
                    complete=True)
    out += _mapping("macro.relative_productivity", mac.relative_productivity, SECTORS,
                    ge=1e-6, le=1e3, complete=True)
    out += _mapping("macro.income_elasticity", mac.income_elasticity, SECTORS, ge=-5, le=5,
                    complete=True)
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
        if ev.region != "all" and ev.region not in reg.names:
            out.append(Problem(f"shocks.events[{i}].region", "unknown region", ev.region,
                               ", ".join(["all", *reg.names])))
    for i, b in enumerate(cfg.policy.budgets):
        if b is None:
            continue
        path = f"policy.budgets[{i}]"
        if not t.base_year <= b.year <= t.end_year:
            out.append(Problem(f"{path}.year", "outside the simulated horizon", b.year,
                               horizon))
        if b.region != "all":
            if b.region not in reg.names:
                out.append(Problem(f"{path}.region", "unknown region", b.region,
                                   ", ".join(["all", *reg.names])))
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


__all__ = [
    "BudgetEntry", "DiffusionConfig", "ExtensionsConfig", "FirmsConfig", "InfrastructureConfig",
    "InstitutesConfig", "LocalGovernmentsConfig", "MacroConfig", "MechanismsConfig",
    "MinistriesConfig", "PartnersConfig", "PolicyConfig", "RegionsConfig", "ShockEvent",
    "ShocksConfig",
]
