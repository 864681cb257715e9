"""The ``atlas`` config section (``stisim atlas``: the instrument response atlas).

Every stisim package declares its config sections in a module named ``params``
(:mod:`stisim.config.sections` registers them).
"""

from __future__ import annotations

from dataclasses import dataclass

from stisim.config.fields import param
from stisim.config.sections import check, section
from stisim.errors import Problem

# The agent instruments the atlas doses: every instrument of stisim.agents.catalog, the
# adoption subsidy once per technology it can target (``adoption_subsidy.<technology>``) and
# once spread over all technologies (``adoption_subsidy``). Kept here as names (the config
# layer sits below the engines); stisim.atlas.ensemble checks them against the catalog.
ATLAS_INSTRUMENTS = (
    "rd_grants",
    "institutional_funding",
    "tax_credits",
    "procurement",
    "tto_support",
    "matching_platform",
    "skills",
    "infrastructure_broadband",
    "infrastructure_energy",
    "regional_partnership",
    "adoption_subsidy.digital",
    "adoption_subsidy.clean_energy",
    "adoption_subsidy.agri_tech",
    "adoption_subsidy.health_tech",
    "adoption_subsidy",
)
DEFAULT_INSTRUMENTS = ATLAS_INSTRUMENTS[:-1]


@section("atlas")
@dataclass
class AtlasConfig:
    """``stisim atlas``: each agent instrument dosed as extra money, against business as usual."""

    instruments: list[str] = param(
        list(DEFAULT_INSTRUMENTS),
        "Agent instruments to dose (any of "
        + ", ".join(ATLAS_INSTRUMENTS)
        + "); adoption_subsidy.<technology> targets one "
        "technology, adoption_subsidy spreads the money over all",
    )
    doses: list[float] = param(
        [0.05, 0.1, 0.2],
        "Extra money per instrument, as a share of the business-as-usual "
        "GDP of each year, from the year after the base year to the end year",
        unit="% of GDP per year",
    )
    replicates: int = param(
        4,
        "Replicates per dose and for business as usual (common random "
        "numbers: replicate r has the same seed in every run)",
        ge=1,
        le=1000,
    )
    workers: int = param(
        2, "Worker processes (0: one per available core; 1: in this process)", ge=0, le=1024
    )
    progress: bool = param(True, "Show a progress bar with ETA on standard error")
    plot: bool = param(True, "Save atlas.png (response against dose per key indicator)")
    evidence: str | None = param(
        None,
        "Evidence table (CSV: instrument, outcome, low, high, unit, source); default: "
        "the shipped stisim/data/evidence.csv",
    )


@check
def _atlas_settings(cfg) -> list[Problem]:
    a = getattr(cfg, "atlas", None)
    if a is None:
        return []
    out = [
        Problem(f"atlas.instruments[{i}]", "unknown instrument", name, ", ".join(ATLAS_INSTRUMENTS))
        for i, name in enumerate(a.instruments)
        if name not in ATLAS_INSTRUMENTS
    ]
    if not a.instruments:
        out.append(
            Problem(
                "atlas.instruments",
                "must name at least one instrument",
                "[]",
                ", ".join(ATLAS_INSTRUMENTS),
            )
        )
    seen = [n for i, n in enumerate(a.instruments) if n in a.instruments[:i]]
    if seen:
        out.append(Problem("atlas.instruments", "instruments named twice", seen))
    if not a.doses:
        out.append(
            Problem(
                "atlas.doses",
                "must hold at least one dose",
                "[]",
                "numbers > 0 and <= 5 (% of GDP per year)",
            )
        )
    for i, d in enumerate(a.doses):
        if not (isinstance(d, (int, float)) and 0 < float(d) <= 5):
            out.append(
                Problem(
                    f"atlas.doses[{i}]",
                    "must be a number > 0 and <= 5",
                    d,
                    "% of GDP per year, e.g. [0.05, 0.1, 0.2]",
                )
            )
    if len({float(d) for d in a.doses if isinstance(d, (int, float))}) < len(a.doses):
        out.append(Problem("atlas.doses", "doses named twice", list(a.doses)))
    return out
