"""Config section ``institutes``: the research institutes.

Every stisim package declares its config sections in modules named ``params``; the agent
model has one per agent type (:mod:`stisim.agents.params` lists them).
"""

from __future__ import annotations

from dataclasses import dataclass

from stisim.agents.catalog import (
    FUNDING_STREAMS,
)
from stisim.agents.param_tools import ASSUMPTION, _mapping
from stisim.config.fields import param
from stisim.config.sections import check, section
from stisim.errors import Problem


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
    researcher_cost_trend_damping: float = param(
        0.0, "Damping of researcher_cost_trend after researcher_cost_trend_end_year: k years "
        "later it acts at damping^k of its rate (0: it stops there; 1: undamped)", unit="1",
        ge=0.0, le=1.0, source="Gardner & McKenzie (1985) damped trend; 0.8-0.98 in "
        "forecasting practice (Hyndman & Athanasopoulos, FPP3 section 8.2)")
    brain_drain_rate: float = param(
        0.02, "Emigration rate of researchers at the base-year wage premium", unit="1/year",
        ge=0.0, le=1.0,
        source="assumption (skilled emigration rates of 1-5 %/yr in low and middle income "
               "countries, cf. Docquier & Rapoport 2012, J. Econ. Literature 50(3):681-730; "
               "range tried 0.01-0.05)")
    brain_drain_elasticity: float = param(
        1.5, "Elasticity of researcher emigration to the researcher wage premium (emigration "
        "falls as the premium rises)", unit="1", ge=0.0, le=10.0,
        source="assumption (range tried 0.5-3)")
    researcher_supply_elasticity: float = param(
        1.0, "Wage elasticity eta of the researchers supplied from the pool (headcount = pool x "
        "premium^eta): money beyond supply raises the premium", unit="1", gt=0.0, le=20.0,
        source="assumption informed by Goolsbee (1998), AER 88(2):298-302 (public R&D money "
               "raises scientists' and engineers' wages) and Romer (2001), Innovation Policy "
               "and the Economy 1:221-252 (inelastic supply); range tried 0.5-3")
    researcher_retirement_rate: float = param(
        0.03, "Rate at which researchers leave the pool other than by emigration (retirement, "
        "other careers)", unit="1/year", ge=0.0, le=1.0,
        source="assumption (careers of about 30-35 years; range tried 0.02-0.05)")
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
        30.0, "Firm collaborations (contracts) started per institute per year at the base "
        "year; sets the base-year contract income per collaboration", unit="1/year", gt=0.0,
        le=1e6, source=ASSUMPTION)
    collaboration_years: float = param(2.0, "Duration of a firm collaboration",
                                       unit="year", gt=0.0, le=20.0, source=ASSUMPTION)
    collaboration_innovation_boost: float = param(
        1.0, "Relative increase of a collaborating firm's innovation hazard", unit="ratio",
        ge=0.0, le=20.0, source=ASSUMPTION)
    contract_tto_max_gain: float = param(
        1.0, "Largest relative increase of firms' demand for contract research that "
        "technology-transfer support can bring (search and matching costs removed)",
        unit="ratio", ge=0.0, le=5.0,
        source="assumption (saturating technology-transfer office returns, cf. Siegel, "
               "Waldman & Link 2003, Research Policy 32(1):27-48; range tried 0.25-2)")
    contract_tto_half_saturation: float = param(
        0.5, "Technology-transfer capacity (USD/yr of support embodied) giving half the "
        "largest gain, relative to the institute's base-year contract income at today's GDP",
        unit="ratio", gt=0.0, le=100.0, source="assumption (range tried 0.1-2)")
    contract_max_share: float = param(
        0.33, "Largest share of an institute's funding that contract research for firms can "
        "reach (capacity of its researchers for contract work)", unit="fraction", gt=0.0,
        lt=1.0,
        source="assumption: about one third of revenue from industry contracts, the "
               "Fraunhofer-Gesellschaft funding model's target for applied research "
               "(range tried 0.2-0.5)")
    capacity_headroom: float = param(
        0.1, "Research capacity an institute holds beyond its funding: the R&D its "
        "researchers, equipment and management could perform above what it receives (spare "
        "capacity; the base-year capacity is (1 + headroom) x base-year funding)",
        unit="fraction", ge=0.0, le=5.0,
        source="assumption (institutes run close to capacity; range tried 0-0.3)")
    capacity_growth_max: float = param(
        0.2, "Fastest relative growth of an institute's research capacity (recruiting, "
        "equipping and managing new research) at the base-year researcher premium; a tighter "
        "researcher market (premium w > 1) slows it to capacity_growth_max / w. Money beyond "
        "capacity is not spent and returns to its funder", unit="1/year", gt=0.0, le=5.0,
        source="assumption informed by the fastest sustained expansion of a national R&D "
               "system on record, China's GERD at about 20 %/yr in real terms 1998-2012 "
               "(OECD Main Science and Technology Indicators), and by the limits of research "
               "capacity in developing countries (Cirera & Maloney 2017, The Innovation "
               "Paradox, World Bank; Goni & Maloney 2017, Eur. Econ. Rev. 94:126-147); "
               "range tried 0.1-0.3")
    tto_depreciation: float = param(
        0.2, "Speed at which technology-transfer capacity follows technology-transfer "
        "support (and decays without it)", unit="1/year", ge=0.0, le=5.0, source=ASSUMPTION)


@check
def _check_institutes(cfg) -> list[Problem]:
    out: list[Problem] = []
    inst = cfg.institutes
    out += _mapping("institutes.funding_mix", inst.funding_mix, FUNDING_STREAMS, ge=0, le=1,
                    complete=True)
    if abs(sum(v for v in inst.funding_mix.values() if isinstance(v, (int, float))) - 1) > 1e-6:
        out.append(Problem("institutes.funding_mix", "shares must sum to 1", inst.funding_mix))
    contracts = inst.funding_mix.get("contracts")
    if isinstance(contracts, (int, float)) and contracts > inst.contract_max_share:
        out.append(Problem("institutes.contract_max_share", "must be at least the base-year "
                           f"contract share institutes.funding_mix.contracts ({contracts})",
                           inst.contract_max_share, f">= {contracts}"))
    return out
