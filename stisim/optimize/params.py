"""The ``optimise`` config section (objective, solver, Pareto front, robust allocation).

Every stisim package declares its config sections in a module named ``params`` (the
same concept in each package; :mod:`stisim.config.sections` registers them).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from stisim.config.fields import param
from stisim.config.sections import check, root_key, section
from stisim.errors import Problem

OBJECTIVES = ("value", "sdg", "min_cost")
MEASURES = ("none", "expected", "worst", "regret", "cvar")
SOURCE_KINDS = ("public", "donor", "partner", "private")

# `stisim optimise portfolio=PATH objective=sdg`: root shorthands that configs/optimise.yaml
# interpolates into this section.
root_key("portfolio")
root_key("objective")


@dataclass
class ParetoConfig:
    """Pareto front by the (augmented) ε-constraint method."""

    against: str | None = param(None, "Second objective traded off against `objective` "
                                "(none: no front)", choices=OBJECTIVES)
    points: int = param(7, "Number of points on the front (including both ends)", ge=2, le=101)


@dataclass
class RobustConfig:
    """Robust allocation over scenarios of effects and budgets."""

    measure: str = param("none", "Robustness measure: expected value, worst case, min-max "
                         "regret or CVaR of the objective over scenarios", choices=MEASURES)
    alpha: float = param(0.9, "CVaR level: the measure is the mean of the worst (1 - alpha) "
                         "share of scenario outcomes", gt=0.0, lt=1.0,
                         source="Rockafellar & Uryasev (2000), J. Risk 2(3) 21-41")
    samples: int = param(0, "Number of scenarios to sample (seeded by `seed`); 0 uses the "
                         "portfolio's `scenarios`", ge=0, le=10000)
    effect_spread: float = param(0.3, "Log-normal sigma of sampled effect multipliers (per "
                                 "action); response-curve bands are used instead when given",
                                 ge=0.0, le=3.0, source="assumption")
    budget_spread: float = param(0.1, "Log-normal sigma of sampled budget multipliers (per "
                                 "source)", ge=0.0, le=3.0, source="assumption")


@section("optimise")
@dataclass
class OptimiseConfig:
    """Allocation of public, private and donor finance over roadmap actions (Pyomo + HiGHS)."""

    portfolio: str | None = param(None, "Portfolio file (YAML, XLSX, CSV table or directory) "
                                  "or a shipped portfolio name such as `kenya`")
    objective: str = param("value", "value: total benefit score; sdg: discounted weighted SDG "
                           "progress; min_cost: least discounted public cost meeting the SDG "
                           "floors", choices=OBJECTIVES)
    counterfactual: str = param("abm", "Indicator path without the roadmap: `abm`, the agent "
                                "model's business-as-usual ensemble for the country and "
                                "scenario (stisim.coupling.counterfactual, cached by config "
                                "hash; the optimiser-only Python API needs it passed as "
                                "`counterfactual=`); `flat` at the base-year level; or `trend` "
                                "continuing the observed linear trend of the last 10 years "
                                "(portfolio baseline_trend entries take precedence over flat "
                                "and trend)", choices=["abm", "flat", "trend"])
    goal_weights: dict[str, float] = param(
        {}, "Weight multipliers per SDG (goal number -> weight) in the sdg objective; "
        "default 1 each")
    indicator_weights: dict[str, float] = param(
        {}, "Weight multipliers per indicator code in the sdg objective; default 1 each")
    cost_kinds: list[str] = param(
        ["public"], "Source kinds whose spending min_cost minimises")
    shadow_prices: bool = param(True, "Compute shadow prices (for MILPs from the "
                                "fixed-integer LP)")
    mip_gap: float = param(1e-4, "Relative MIP gap at which HiGHS stops", ge=0.0, le=1.0,
                           unit="1")
    time_limit: float = param(600.0, "HiGHS time limit per solve", gt=0.0, unit="s")
    threads: int | None = param(None, "HiGHS threads (none: HiGHS default)", ge=1)
    solver_output: bool = param(False, "Show the HiGHS log")
    interface: str = param("highs", "highs: stisim's persistent highspy interface fed from the "
                           "model's matrix blocks; pyomo: Pyomo's persistent HiGHS interface "
                           "(slower; for cross-checks)", choices=["highs", "pyomo"])
    extra_functionality: str | None = param(None, "Extension hook `module:function` called as "
                                            "f(model, portfolio) after the model is built "
                                            "(stisim.* or registered plugin modules)")
    write_lp: bool = param(False, "Also write the model as model.lp (Pyomo LP writer) in the "
                           "run directory")
    summary: bool = param(True, "Print the allocation table")
    pareto: ParetoConfig = field(default_factory=ParetoConfig)
    robust: RobustConfig = field(default_factory=RobustConfig)


@check
def _check_optimise(cfg) -> list[Problem]:
    opt = cfg.sections.get("optimise")
    if opt is None:
        return []
    problems = []
    for kind in opt.cost_kinds or []:
        if kind not in SOURCE_KINDS:
            problems.append(Problem("optimise.cost_kinds", "unknown source kind", kind,
                                    ", ".join(SOURCE_KINDS)))
    for goal, w in (opt.goal_weights or {}).items():
        if not str(goal).isdigit() or not 1 <= int(goal) <= 17:
            problems.append(Problem(f"optimise.goal_weights.{goal}", "not an SDG number",
                                    goal, "1-17"))
        if w < 0:
            problems.append(Problem(f"optimise.goal_weights.{goal}", "must not be negative", w,
                                    ">= 0"))
    if opt.indicator_weights:
        from stisim.data.indicators import codes

        known = codes()
        for code, w in opt.indicator_weights.items():
            if code not in known:
                problems.append(Problem(f"optimise.indicator_weights.{code}",
                                        "unknown indicator code", code, ", ".join(known)))
            if w < 0:
                problems.append(Problem(f"optimise.indicator_weights.{code}",
                                        "must not be negative", w, ">= 0"))
    if opt.pareto.against is not None and opt.pareto.against == opt.objective:
        problems.append(Problem("optimise.pareto.against", "must differ from the objective",
                                opt.pareto.against,
                                ", ".join(o for o in OBJECTIVES if o != opt.objective)))
    if opt.pareto.against is not None and opt.robust.measure != "none":
        problems.append(Problem("optimise.pareto.against", "a Pareto front of a robust "
                                "allocation is not supported", opt.pareto.against,
                                "null when optimise.robust.measure is set"))
    return problems
