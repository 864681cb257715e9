"""Config section of the SDG layer: ``sdg`` (interlinkage dynamics).

Every stisim package declares its config sections in a module named ``params`` (the same
concept in each package); ``docs/sdg.md`` shows the same table.
"""

from __future__ import annotations

from dataclasses import dataclass

from stisim.config.fields import param
from stisim.config.sections import check, section
from stisim.errors import Problem

INTERACTIONS = ("laumann", "weitz", "custom", "none")
BASES = ("anomaly", "change")
SIGNS = ("panel", "positive")


def _laumann_regions() -> list[str]:
    from stisim.sdg.matrices import laumann_regions

    return ["", *laumann_regions()]


@section("sdg")
@dataclass
class SdgConfig:
    """SDG interlinkages: how network-driven indicators move (see docs/sdg.md)."""

    interactions: str = param(
        "laumann", "Interaction prior between goals: Laumann et al. 2022 regional network, "
        "Weitz et al. 2018 cross-impact matrix, a custom matrix file, or none",
        choices=INTERACTIONS)
    laumann_region: str = param(
        "", "Laumann et al. 2022 country grouping; empty: the country's laumann_region",
        choices=_laumann_regions)
    laumann_p_value: float = param(
        0.05, "Keep a Laumann edge only if its conditional-independence test has p below this",
        gt=0.0, le=1.0, source="Laumann et al. 2022 (significance level 0.05)")
    laumann_sign: str = param(
        "panel", "Sign of a Laumann edge (distance correlations are unsigned): 'panel' = sign "
        "of the within-country correlation of SDR 2022 goal scores in the region; "
        "'positive' = every edge a synergy", choices=SIGNS, source="assumption")
    matrix_file: str = param(
        "", "CSV cross-impact matrix (targets or goals, -3..+3, row influences column) used "
        "when interactions=custom")
    strength: float = param(
        0.5, "Interaction strength gamma: share of a linked goal's score change (beyond its "
        "trend) passed on per step, after normalising the matrix", unit="1", ge=0.0, le=5.0,
        source="assumption; 2010-2022 hindcast fits of the six pilot countries range 0-2 "
               "(weakly identified, docs/sdg.md)")
    trend_damping: float = param(
        0.7, "Damping phi of the historical trend: the trend's yearly increment is multiplied "
        "by phi each year (1 = linear extrapolation, 0 = no trend)", unit="1 per year",
        ge=0.0, le=1.0, source="Gardner & McKenzie 1985 damped trend; 0.7 ~ median (0.65) of "
                               "the 2010-2022 hindcast fits of the six pilot countries "
                               "(docs/sdg.md)")
    trend_window: int = param(
        10, "Years of history (up to the base year) the trend is estimated from", unit="year",
        ge=2, le=30)
    trend_min_points: int = param(
        3, "Fewest observations for a trend; with fewer in the window the latest this many "
        "since 2000 are used, and with fewer still the trend is zero (flagged)", ge=2, le=20)
    basis: str = param(
        "anomaly", "What is passed on: 'anomaly' = a goal's score change beyond its own damped "
        "trend (avoids counting historical co-movement twice); 'change' = the whole change",
        choices=BASES)


@check
def _check_sdg(cfg) -> list[Problem]:
    s = cfg.sdg
    out = []
    if s.interactions == "custom" and not s.matrix_file:
        out.append(Problem("sdg.matrix_file", "required when sdg.interactions=custom", "",
                           "a CSV file path"))
    return out
