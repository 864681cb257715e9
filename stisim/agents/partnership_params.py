"""Config section ``partnerships``: joint projects of research institutes and local/regional
governments (instrument ``regional_partnership``).

Every stisim package declares its config sections in modules named ``params``; the agent
model has one per agent type (:mod:`stisim.agents.params` lists them).
"""

from __future__ import annotations

from dataclasses import dataclass

from stisim.config.fields import param
from stisim.config.sections import check, section
from stisim.errors import Problem

EXTENSION_SOURCE = (
    "assumption anchored on evaluations of technology and agricultural extension: Krishnan & "
    "Patnam (2014) Am. J. Agric. Econ. 96(1):308-327; Takahashi, Muraoka & Otsuka (2020) "
    "Agric. Econ. 51(1):31-45; Jarmin (1999) J. Policy Anal. Manage. 18(1):99-119")


@section("partnerships")
@dataclass
class PartnershipsConfig:
    """Joint projects of research institutes and local governments, co-financed by ministries
    and partners: problem-driven research, extension services and regional innovation hubs
    (docs/model.md, "Institute-local government partnerships")."""

    research_share: float = param(
        0.4, "Share of partnership money for problem-driven research by institutes with the "
        "region's firms (joint projects; R&D performed by the institutes)", unit="fraction",
        ge=0.0, le=1.0, source="assumption (range tried 0.2-0.6)")
    extension_share: float = param(
        0.4, "Share for extension services visiting the region's firms", unit="fraction",
        ge=0.0, le=1.0, source="assumption (range tried 0.2-0.6)")
    hub_share: float = param(
        0.2, "Share for regional innovation hubs open to households (digital skills, "
        "demonstration); the three shares sum to 1", unit="fraction", ge=0.0, le=1.0,
        source="assumption (range tried 0.1-0.4)")
    extension_cost: float = param(
        0.1, "Cost of serving one firm for a year (diagnosis, advice, demonstration) in "
        "multiples of GDP per capita; most firms are micro-enterprises and farms, whose "
        "extension costs a few per cent of GDP per capita, while SME extension costs several "
        "times GDP per capita", unit="x GDP per capita", gt=0.0, le=50.0,
        source="assumption between farm extension (Anderson & Feder 2004, World Bank Res. "
        "Obs. 19(1):41-60) and manufacturing extension (Jarmin 1999); range tried 0.02-0.5")
    extension_additionality: float = param(
        0.1, "Probability that a firm served adopts a technology it would not have adopted "
        "that year, at the national mean absorptive capacity", unit="fraction", ge=0.0,
        le=1.0, source=EXTENSION_SOURCE + " (range tried 0.05-0.25)")
    hub_cost: float = param(
        0.05, "Cost of reaching one person through a hub for a year in multiples of GDP per "
        "capita", unit="x GDP per capita", gt=0.0, le=10.0,
        source="assumption (range tried 0.02-0.2)")
    hub_additionality: float = param(
        0.1, "Probability that a person reached starts using the internet that year (among "
        "those not yet using it), at the national mean absorptive capacity", unit="fraction",
        ge=0.0, le=1.0, source="assumption (range tried 0.05-0.3)")
    capacity_elasticity: float = param(
        1.0, "Elasticity of the effects to the region's absorptive capacity (skilled share of "
        "its firms' workers relative to the national mean; Cohen & Levinthal 1990, Adm. Sci. "
        "Q. 35(1):128-152); the multiplier is bounded in [0.25, 2]", unit="1", ge=0.0, le=3.0,
        source="assumption (range tried 0.5-1.5)")
    max_rate: float = param(
        0.5, "Cap on the partnership-driven adoption and internet-use hazards", unit="1/year",
        gt=0.0, le=5.0, source="assumption (the cap of diffusion.max_boost_rate scaled down: "
        "services cannot reach everyone in a year)")


@check
def _check_partnerships(cfg) -> list[Problem]:
    p = cfg.partnerships
    total = p.research_share + p.extension_share + p.hub_share
    if abs(total - 1.0) > 1e-6:
        return [Problem("partnerships.hub_share", "research_share + extension_share + "
                        "hub_share must sum to 1", total, "sum = 1")]
    return []
