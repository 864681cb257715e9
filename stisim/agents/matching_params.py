"""Config section ``matching``: the two-sided technology-matching platform
(:mod:`stisim.agents.matching`; equations in docs/model.md, "Technology-matching platform").

The platform's business-as-usual volume, the cost of one brokered match and the length of a
match stay in ``partners`` (``platform_matches``, ``match_cost``, ``match_years``).
"""

from __future__ import annotations

from dataclasses import dataclass

from stisim.agents.catalog import SUPPLIER_ORIGINS
from stisim.agents.param_tools import ASSUMPTION, _mapping
from stisim.config.fields import param
from stisim.config.sections import check, section
from stisim.errors import Problem

BLOOM = ("Bloom, Eifert, Mahajan, McKenzie & Roberts (2013), QJE 128(1):1-51 (+38 pp of "
         "targeted practices adopted); Iacovone, Maloney & McKenzie (2022), REStud 89(1):"
         "346-371 (+8-10 pp)")
RANGE = "; range {} (docs/model.md, 7.5.1)"


@section("matching")
@dataclass
class MatchingConfig:
    """Two-sided technology-matching platform: supplier listings, user search, match quality
    and what a match does."""

    listing_share: float = param(
        0.3, "Share of the platform's money spent on recruiting and keeping supplier listings "
        "(the rest brokers matches)", unit="fraction", ge=0.0, lt=1.0,
        source=ASSUMPTION + RANGE.format("0.1-0.5"))
    listing_cost: float = param(
        0.3, "Cost of one supplier listing for a year (recruiting, codifying and curating "
        "the offer)", unit="GDP per capita", gt=0.0, le=100.0,
        source=ASSUMPTION + RANGE.format("0.1-1"))
    origin_mix: dict[str, float] = param(
        {"institute": 0.3, "domestic_firm": 0.3, "north": 0.2, "south": 0.2},
        "Share of the listing money spent on each supplier origin (before capacity limits)",
        unit="fraction", source=ASSUMPTION)
    listings_per_researcher: float = param(
        0.02, "Most listings a research institute offers per researcher (its field's "
        "technologies)", unit="listings per FTE", ge=0.0, le=1.0, source=ASSUMPTION)
    frontier_quantile: float = param(
        0.9, "Domestic frontier firms: those above this quantile of own productivity in their "
        "sector (each at most one listing)", unit="quantile", gt=0.5, lt=1.0,
        source=ASSUMPTION)
    institute_z: float = param(
        1.0, "Technology level institutes offer: standard deviations of own productivity "
        "above the sector mean", unit="sd", ge=0.0, le=5.0, source=ASSUMPTION)
    search_rate: float = param(
        0.1, "Share of firms with mean absorptive capacity searching the platform in a year "
        "(proportional to relative skilled share, at most 1)", unit="1/year", gt=0.0, le=1.0,
        source=ASSUMPTION + RANGE.format("0.05-0.2"))
    efficiency: float = param(
        0.5, "Scale of the matching function M = A L^alpha U^(1-alpha) (listings L, searching "
        "firms U, per year)", unit="1/year", gt=0.0, le=10.0, source=ASSUMPTION)
    elasticity: float = param(
        0.5, "Elasticity alpha of matches to listings (constant returns)", unit="1", gt=0.0,
        lt=1.0, source="Petrongolo & Pissarides (2001), J. Econ. Literature 39(2):390-431 "
        "(0.3-0.5 for vacancies)")
    distance_optimum: float = param(
        0.5, "Appropriate distance to the supplier's technology (log points) at which a "
        "match is most useful; nearer gives little, farther cannot be absorbed",
        unit="log points", gt=0.0, le=5.0,
        source="assumption after Griffith, Redding & Van Reenen (2004), REStat 86(4):883-895 "
        "and Acemoglu & Zilibotti (2001), QJE 116(2):563-606; range 0.25-1")
    adoption_rate: float = param(
        0.25, "Extra hazard of adopting the matched technology at match quality 1, while "
        "matched", unit="1/year", ge=0.0, le=5.0,
        source="assumption scaled down from intensive consulting, " + BLOOM
        + RANGE.format("0.1-0.5"))
    catchup_rate: float = param(
        0.15, "Share of the gap to the supplier's appropriate technology closed per year at "
        "match quality 1, while matched", unit="1/year", ge=0.0, le=2.0,
        source="assumption; Jarmin (1999), J. Policy Anal. Manage. 18(1):99-119 (extension "
        "clients 3.4-16 % faster productivity growth); Giorcelli (2019), AER 109(1):121-152"
        + RANGE.format("0.05-0.3"))
    royalty_share: float = param(
        0.25, "Licence fee as a share of the value of the adopter's productivity gain",
        unit="fraction", ge=0.0, le=1.0,
        source="Goldscheider, Jarosz & Mulhern (2002), les Nouvelles 37(4):123-133 "
        "(the 25 % rule)")
    licence_years: float = param(
        3.0, "Years of the productivity gain a licence fee is paid for (paid at adoption)",
        unit="year", ge=0.0, le=20.0, source=ASSUMPTION)
    follow_on: float = param(
        0.3, "Probability that an adoption through the platform leads to follow-on "
        "collaboration (an institute collaboration, or a renewed match with a firm or "
        "foreign supplier)", unit="probability", ge=0.0, le=1.0,
        source=ASSUMPTION + RANGE.format("0.1-0.5"))


@check
def _check_matching(cfg) -> list[Problem]:
    out = _mapping("matching.origin_mix", cfg.matching.origin_mix, SUPPLIER_ORIGINS, ge=0,
                   le=1, complete=True)
    if not out and sum(cfg.matching.origin_mix.values()) <= 0:
        out.append(Problem("matching.origin_mix", "at least one origin with a positive share",
                           cfg.matching.origin_mix, "shares in [0, 1], not all zero"))
    return out
