"""Config section ``ministries``: the national government ministries.

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
from stisim.agents.param_tools import ASSUMPTION, _mapping, _names, _techs
from stisim.config.fields import param
from stisim.config.sections import check, section
from stisim.errors import Problem


@section("ministries")
@dataclass
class MinistriesConfig:
    """National ministries: yearly budgets per instrument, executed with some efficiency."""

    portfolio: dict[str, list[str]] = param(
        {"science": ["rd_grants", "institutional_funding", "tax_credits", "tto_support",
                     "regional_partnership"],
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
         "tto_support": 0.0, "matching_platform": 0.0, "regional_partnership": 0.0},
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
    rd_budget_trend_damping: float = param(
        0.0, "Damping of rd_budget_trend after rd_budget_trend_end_year: k years later it acts "
        "at damping^k of its rate (0: it stops there; 1: undamped)", unit="1", ge=0.0,
        le=1.0, source="Gardner & McKenzie (1985) damped trend; 0.8-0.98 in forecasting "
        "practice (Hyndman & Athanasopoulos, FPP3 section 8.2)")
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


@check
def _check_ministries(cfg) -> list[Problem]:
    out: list[Problem] = []
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
    return out
