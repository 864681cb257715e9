"""Names the agent model knows: sectors, technologies, policy instruments, shocks.

Config keys that name one of these (``macro.income_elasticity.<sector>``,
``diffusion.p_scale.<technology>``, ``policy.budgets[i].instrument``, ...) are checked against
these tuples, and an unknown name is an error listing the allowed ones.
"""

from __future__ import annotations

SECTORS: tuple[str, ...] = (
    "agriculture",
    "low_tech_manufacturing",
    "medium_high_tech_manufacturing",
    "energy",
    "ict",
    "health",
    "services",
)
MANUFACTURING = ("low_tech_manufacturing", "medium_high_tech_manufacturing")

TECHNOLOGIES: tuple[str, ...] = ("digital", "clean_energy", "agri_tech", "health_tech")

# Policy instruments a ministry, local government or partner can finance (see docs/model.md,
# "Instruments and mechanisms").
INSTRUMENTS: tuple[str, ...] = (
    "rd_grants",
    "institutional_funding",
    "tax_credits",
    "adoption_subsidy",
    "infrastructure_broadband",
    "infrastructure_energy",
    "skills",
    "procurement",
    "tto_support",
    "matching_platform",
    "regional_partnership",
)
# Instruments whose money is spent in one region (the others are national).
REGIONAL_INSTRUMENTS = ("adoption_subsidy", "infrastructure_broadband", "infrastructure_energy",
                        "skills", "regional_partnership")
# Instruments whose budget line names a technology.
TECHNOLOGY_INSTRUMENTS = ("adoption_subsidy",)

EXECUTORS: tuple[str, ...] = ("ministry", "local_government", "partner")

SHOCK_KINDS: tuple[str, ...] = ("pandemic", "disaster", "funding_cut", "brain_drain")

FUNDING_STREAMS: tuple[str, ...] = ("block", "competitive", "contracts", "international")

TECH_SOURCES: tuple[str, ...] = ("north_south", "south_south")

# Suppliers on the technology-matching platform (stisim.agents.matching): domestic research
# institutes, domestic frontier firms, and foreign suppliers from the North and the South.
SUPPLIER_ORIGINS: tuple[str, ...] = ("institute", "domestic_firm", "north", "south")
