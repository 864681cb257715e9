"""Config section ``local_governments``: the regional and local governments.

Every stisim package declares its config sections in modules named ``params``; the agent
model has one per agent type (:mod:`stisim.agents.params` lists them).
"""

from __future__ import annotations

from dataclasses import dataclass

from stisim.agents.catalog import (
    REGIONAL_INSTRUMENTS,
)
from stisim.agents.param_tools import ASSUMPTION, TRIED, _mapping
from stisim.config.fields import param
from stisim.config.sections import check, section
from stisim.errors import Problem


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
        "Split of own spending by (regional) instrument", unit="fraction",
        source="assumption; each entry x0.5-x1.5" + TRIED)
    cofinance_rate: float = param(
        0.2, "Co-finance added to national regional programmes executed in the region, per "
        "unit of national money (limited by own budget)", unit="ratio", ge=0.0, le=5.0,
        source=ASSUMPTION)
    delay: float = param(0.25, "Delay between a budget year and disbursement", unit="year",
                         ge=0.0, le=5.0, source=ASSUMPTION)


@check
def _check_local_governments(cfg) -> list[Problem]:
    out: list[Problem] = []
    lg = cfg.local_governments
    out += _mapping("local_governments.own_mix", lg.own_mix, REGIONAL_INSTRUMENTS, ge=0, le=1)
    return out
