"""SDG indicator values read out of the model state each step (registry driver "agents").

Indicators driven through the SDG interaction network are held at their baseline here; the
SDG layer moves them afterwards. Equations: docs/model.md, "SDG indicators from state". An
agent-driven indicator of the registry without a formula here is held at its baseline and
reported (``indicators_held_at_baseline``).
"""

from __future__ import annotations

from functools import cache

import numpy as np

from stisim.agents.accounts import gerd_table
from stisim.agents.catalog import SECTORS
from stisim.data.indicators import codes

LOW = SECTORS.index("low_tech_manufacturing")
MHT = SECTORS.index("medium_high_tech_manufacturing")



def business_rd(model) -> float:
    """Business R&D performed in the step (USD per year), as decided by the R&D rule."""
    return float(model.firms.rd_account["total"])


def institute_rd(model) -> float:
    return float(sum(i.spending for i in model.research_institutes))


def business_researchers(model, berd: float | None = None) -> float:
    """Business researchers FTE: labour share of business R&D over the researcher cost,
    which follows wages (and ``institutes.researcher_cost_trend``)."""
    cal = model.calib
    lab = model.cfg.institutes.labour_cost_share
    berd = business_rd(model) if berd is None else berd
    return lab * berd / (cal.business_researcher_cost * model.macro.researcher_cost_index
                         * model.researcher_market.premium)


def institute_researchers(model) -> float:
    return float(sum(i.researchers for i in model.research_institutes))


def agent_indicators(model, energy_totals: dict | None = None,
                     berd: float | None = None) -> dict[str, float]:
    """Indicator values now, for every agent-driven indicator the model computes."""
    m = model.macro
    berd = business_rd(model) if berd is None else berd
    gdp = max(m.gdp, 1e-12)
    va_s = m.va.sum(axis=1)
    manuf = va_s[LOW] + va_s[MHT]
    pop = m.population
    out = {
        "9.5.1": 100.0 * float(gerd_table(model, model.flows).sum()) / gdp,
        "9.5.2": (institute_researchers(model) + business_researchers(model, berd)) / pop * 1e6,
        "9.2.1": 100.0 * manuf / gdp,
        "9.b.1": 100.0 * va_s[MHT] / manuf if manuf > 0 else 0.0,
        "8.5.2": 100.0 * m.unemployment,
        "8.1.1": m.annual_growth("per_capita"),
        "8.2.1": m.annual_growth("per_worker"),
    }
    out.update(model.infrastructure.indicators())
    totals = energy_totals if energy_totals is not None else model.energy.totals()
    out.update(model.energy.indicators(totals))
    return out


@cache
def _codes() -> tuple[tuple[str, ...], frozenset[str]]:
    return tuple(codes()), frozenset(codes("agents"))


def indicator_vector(model, energy_totals: dict | None = None, berd: float | None = None
                     ) -> tuple[np.ndarray, list[str]]:
    """All registry indicators in registry order: computed where agent-driven, baseline
    otherwise; and the agent-driven codes without a rule (held at baseline)."""
    values = agent_indicators(model, energy_totals, berd)
    b = model.base_values
    all_codes, agent_codes = _codes()
    held = [c for c in agent_codes if c not in values]
    vec = np.array([values[c] if c in values and c in agent_codes else b[c]
                    for c in all_codes])
    return vec, sorted(held)
