"""Config section ``partners``: the international partners and technology sources.

Every stisim package declares its config sections in modules named ``params``; the agent
model has one per agent type (:mod:`stisim.agents.params` lists them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from stisim.agents.catalog import (
    INSTRUMENTS,
    TECHNOLOGIES,
)
from stisim.agents.param_tools import ASSUMPTION, TRIED, _mapping
from stisim.config.fields import param
from stisim.config.sections import check, section
from stisim.errors import Problem


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
        unit="fraction",
        source="Basu & Weil (1998), Q. J. Econ. 113(4):1025-1054, and Acemoglu & Zilibotti "
               "(2001), Q. J. Econ. 116(2):563-606: frontier technology is designed for the "
               "frontier's factor mix, so only part of it is usable far from it (north-south "
               "less than south-south); values labelled; each entry x0.5-x1.5" + TRIED)
    transfer_access: dict[str, float] = param(
        {"north_south": 0.05, "south_south": 0.05},
        "Share of firms with access to each foreign source per year (imports, FDI, licences)",
        unit="fraction/year", source="assumption; each entry x0.5-x1.5" + TRIED)
    platform_matches: float = param(
        0.0, "Business-as-usual matches per year made by the technology-matching platform "
        "(outside the instrument money, with a listing each)",
        unit="firms/year", ge=0.0, source=ASSUMPTION)
    match_cost: float = param(2.0, "Cost of brokering one platform match (on top of the "
                              "listings, section matching)", unit="GDP per capita",
                              gt=0.0, le=1000.0, source=ASSUMPTION + "; range 1-4 "
                              "(docs/model.md, 7.5.1)")
    match_years: float = param(2.0, "Years a platform match lasts (its adoption hazard and "
                               "catch-up)", unit="year", gt=0.0, le=20.0,
                               source="assumption; voucher effects fade within about a year "
                               "without follow-on (Bakhshi et al. 2015, Research Policy "
                               "44(8):1462-1472)")


@check
def _check_partners(cfg) -> list[Problem]:
    out: list[Problem] = []
    p = cfg.partners
    out += _mapping("partners.bau_budget", p.bau_budget, INSTRUMENTS, ge=0, le=20)
    for key, value in p.bau_budget.items():
        if value is None and key != "institutional_funding":
            out.append(Problem(f"partners.bau_budget.{key}", "only institutional_funding can "
                               "be calibrated (null)", None, "a number in % of GDP"))
    for key in ("appropriateness", "transfer_access"):
        out += _mapping(f"partners.{key}", getattr(p, key), ("north_south", "south_south"),
                        ge=0, le=1, complete=True)
    return out
