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
CHANNELS = ("domestic_public", "domestic_private", "trust_fund", "north_south", "south_south",
            "triangular", "development_bank")

root_key("strategies")
root_key("replicates")


@section("coupling")
@dataclass
class CouplingConfig:
    """How allocations are executed by the agents, and how the loops around them run."""

    responses: str = param("auto", "Response curves the optimiser uses in coupled runs: "
                           "`abm`, curves estimated from agent-model ensembles (actions "
                           "without an agent mechanism of their own get none, reported); "
                           "`expert`, the portfolio's expert effects; `auto`, abm when some "
                           "action's instrument has an agent mechanism of its own",
                           choices=("auto", "expert", "abm"))
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
    channels: bool = param(
        True, "Execute official money by the rules of its finance channel (eligibility, "
        "co-finance, administrative capacity, disbursement ratio and delay, tied procurement, "
        "appropriateness, loan repayment; stisim/roadmap/channels.csv); false: every "
        "source's money is a budget line of its allocation year")
    shift_from: str | None = param(
        None, "Finance channel giving a share of its budgets to `shift_to` (null: no shift)",
        choices=(None, *CHANNELS))
    shift_to: str = param("south_south", "Finance channel receiving the shifted budgets",
                          choices=CHANNELS)
    shift_share: float = param(0.0, "Share of every limited budget of `shift_from` sources "
                               "moved to `shift_to`", unit="fraction", ge=0.0, le=1.0)
    response_levels: list[float] = param(
        [0.5, 1.0, 2.0], "Spending levels (multiples of an action's full-scale cost) of the "
        "response ensembles; zero is always included", unit="ratio")
    response_replicates: int = param(2, "Replicates per spending level in response "
                                     "ensembles", ge=1, le=100)
    cache_dir: str = param("outputs/cache/responses", "Directory of cached response curves "
                           "(keyed by config hash)")
    counterfactual_replicates: int = param(
        4, "Replicates of the agent model's business-as-usual ensemble that is the optimiser's "
        "counterfactual (optimise.counterfactual=abm); seeds of their own, never those of "
        "compared runs", ge=1, le=100)
    counterfactual_cache_dir: str = param(
        "outputs/cache/counterfactual", "Directory of cached business-as-usual ensembles "
        "(keyed by config hash)")
    run_cache_dir: str | None = param(
        None, "Directory of the run cache: every coupled agent-model run (compared "
        "strategies, pilot batches, response ensembles) is read from it when a run with the "
        "same inputs, allocation, seed and code was made before, and written to it otherwise "
        "(stisim.coupling.runcache; null: no cache; `stisim plan` uses outputs/cache/runs)")
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
    replicates: int = param(5, "Replicates per strategy (common random numbers); with "
                            "`power`, the least number run", ge=1, le=1000)
    power: bool = param(True, "Size the replicates from a pilot batch so that the verdicts "
                        "resolve `resolution` SDG-index points with 95% confidence "
                        "(stisim.coupling.power)")
    resolution: float = param(0.1, "Difference to resolve: half-width of the 95% CI of a "
                              "paired difference, in SDG-index points (discount-weighted "
                              "mean over the roadmap years)", unit="SDG index points", gt=0.0)
    pilot_replicates: int = param(3, "Replicates of the pilot batch (seeds of their own)",
                                  ge=2, le=100)
    max_replicates: int = param(200, "Most replicates a powered comparison runs", ge=2,
                                le=10000)
    max_seconds: float = param(600.0, "Time budget of the verdict's runs: a comparison that "
                               "would need longer runs what fits and warns", unit="s", gt=0.0)
    workers: int = param(1, "Processes running replicates in parallel (results do not "
                         "depend on it)", ge=1, le=256)
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


@section("plan")
@dataclass
class PlanConfig:
    """``stisim plan``: optimise a portfolio and test the plan in the agent model."""

    portfolio: str | None = param(None, "Portfolio file (YAML, XLSX, CSV table or directory) "
                                  "or a shipped portfolio name; the country is the one the "
                                  "portfolio names")
    objective: str = param("sdg", "Objective of the plan: sdg (discounted weighted SDG "
                           "progress, the objective the agent model can test), value or "
                           "min_cost", choices=("value", "sdg", "min_cost"))
    robust: str = param("cvar", "Robustness measure of the robust plan, made where the "
                        "portfolio has scenarios (none: no robust plan)",
                        choices=("none", "expected", "worst", "regret", "cvar"))
    report: bool = param(True, "Write report.html (the guidebook's six steps) in the output "
                         "folder")
