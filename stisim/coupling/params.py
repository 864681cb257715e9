"""The ``coupling`` and ``compare`` config sections.

Every stisim package declares its config sections in a module named ``params`` (the
same concept in each package; :mod:`stisim.config.sections` registers them).
"""

from __future__ import annotations

from dataclasses import dataclass

from stisim.config.fields import param
from stisim.config.sections import check, root_key, section
from stisim.errors import Problem

STRATEGIES = ("optimal_sdg", "optimal_value", "optimal_min_cost", "equal_split",
              "expert_ranking", "greedy", "gap_proportional", "one_goal_first")
ASSUMPTION = "assumption"

root_key("strategies")
root_key("replicates")


@section("coupling")
@dataclass
class CouplingConfig:
    """How allocations are executed by the agents, and how the loops around them run."""

    responses: str = param("expert", "Response curves the sdg objective uses: the portfolio's "
                           "expert effects, or curves estimated from agent-model ensembles",
                           choices=("expert", "abm"))
    currency_factor: float = param(1e6, "Base-year USD per unit of the portfolio currency "
                                   "(USD million)", unit="USD", gt=0.0)
    execution_efficiency: float = param(
        1.0, "Extra execution efficiency of roadmap money on top of the agents' own "
        "(ministries 0.8, partners 0.85, regional capacity)", unit="fraction", ge=0.0, le=1.0,
        source=ASSUMPTION)
    delay: int = param(0, "Extra delay (years) between an allocation year and the budget "
                       "year the agents execute (on top of the agents' own delays)",
                       unit="year", ge=0, le=5, source=ASSUMPTION)
    private_follow: float = param(
        1.0, "Share of planned private co-finance that materialises when the official money "
        "it leverages is delivered in full; private money is capped at leverage x delivered "
        "official money", unit="fraction", ge=0.0, le=1.0, source=ASSUMPTION)
    response_levels: list[float] = param(
        [0.5, 1.0, 2.0], "Spending levels (multiples of an action's full-scale cost) of the "
        "response ensembles; zero is always included", unit="ratio")
    response_replicates: int = param(2, "Replicates per spending level in response "
                                     "ensembles", ge=1, le=100)
    cache_dir: str = param("outputs/cache/responses", "Directory of cached response curves "
                           "(keyed by config hash)")
    loop_max_iterations: int = param(5, "Iterations of the closed loop", ge=1, le=50)
    loop_tolerance: float = param(0.05, "The loop stops when no action's scale changes by "
                                  "more than this", unit="scale", gt=0.0)
    loop_damping: float = param(0.5, "Weight of the new correction factor of a response "
                                "curve in each loop iteration", gt=0.0, le=1.0)
    loop_replicates: int = param(2, "Replicates per simulation in the loop", ge=1, le=100)
    replan_every: int = param(3, "Years between scheduled re-plans of an adaptive roadmap",
                              unit="year", ge=1, le=20)
    monitor_noise: float = param(0.02, "Relative measurement noise of monitored indicators",
                                 unit="fraction", ge=0.0, le=1.0, source=ASSUMPTION)
    trigger_points: float = param(
        0.5, "An indicator whose monitored score falls this many points behind its planned "
        "path triggers a re-plan", unit="score points", ge=0.0)


@section("compare")
@dataclass
class CompareConfig:
    """``stisim compare``: prioritisation strategies on the same scenarios and seeds."""

    portfolio: str | None = param(None, "Portfolio file or shipped name (default: the "
                                  "country's name)")
    strategies: list[str] = param(list(STRATEGIES), "Strategies to compare (any of "
                                  + ", ".join(STRATEGIES) + ")")
    replicates: int = param(5, "Replicates per strategy (common random numbers)", ge=1,
                            le=1000)
    envelope: float = param(0.5, "Share of the portfolio's official budgets every strategy "
                            "may use (a tight envelope makes prioritisation matter)",
                            unit="fraction", gt=0.0, le=1.0, source=ASSUMPTION)
    first_goal: int | None = param(None, "Goal of `one_goal_first` (default: the goal with "
                                   "the lowest score among those the portfolio moves)",
                                   ge=1, le=17)
    adaptive: bool = param(False, "Also compare a static and an adaptive optimal_sdg roadmap")
    loop: bool = param(False, "Also run the closed loop and report promised vs delivered")
    plot: bool = param(True, "Save compare.png")


@check
def _known_strategies(cfg) -> list[Problem]:
    section_ = getattr(cfg, "compare", None)
    if section_ is None:
        return []
    return [Problem(f"compare.strategies[{i}]", "unknown strategy", s, ", ".join(STRATEGIES))
            for i, s in enumerate(section_.strategies) if s not in STRATEGIES]
