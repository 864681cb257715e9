"""The roadmap author's loop in one call: portfolio in, plan tested in the agent model out.

:func:`make_plan` (``stisim plan portfolio=P``) runs, for the portfolio's country and the
config's scenario:

1. the agent model's business-as-usual ensemble, the optimiser's counterfactual
   (:mod:`stisim.coupling.counterfactual`, cached);
2. the response curves the optimiser plans with (``coupling.responses``: ABM ensembles for the
   actions with an agent mechanism, :mod:`stisim.coupling.abm_responses`);
3. the optimiser's plan for ``plan.objective`` (``optimal_<objective>``), and, where the
   portfolio has scenarios, the robust plan for the same objective under ``plan.robust``
   (``robust_<objective>``: funded scales decided once for every scenario, Rockafellar and
   Uryasev's CVaR by default); the user's ``optimise.*`` settings apply to both;
4. the comparison in the agent model (:func:`stisim.coupling.compare.run_compare`): both plans
   executed by the agents next to no roadmap and the rules of thumb of ``compare.strategies``
   (default equal split and the portfolio's own order), with common random numbers and the
   replicates a pilot batch finds necessary to resolve ``compare.resolution`` SDG-index points
   within ``compare.max_seconds``.

Every agent-model run goes through the run cache (``coupling.run_cache_dir``,
:mod:`stisim.coupling.runcache`), so after editing one action only the runs whose allocation
changed are simulated again. The budgets are the portfolio's own (``compare.envelope``, 1 in
``configs/plan.yaml``), so the plan compared is the plan written.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import xarray as xr

from stisim.coupling import replicates as sm


@dataclass
class PlanResult:
    """What :func:`make_plan` made: the allocations, the comparison, and how long each stage
    took."""

    portfolio: object
    allocation: xr.Dataset
    comparison: xr.Dataset
    robust: xr.Dataset | None = None
    responses: object = None
    seconds: dict[str, float] = field(default_factory=dict)
    runs: dict[str, int] = field(default_factory=dict)  # simulated, read from the cache


def _with_optimise(cfg, objective: str, measure: str):
    """``cfg`` with the plan's objective and robustness measure in its optimise section."""
    from stisim.config.validate import validate

    data = cfg.to_container()
    data["optimise"].update(objective=objective)
    data["optimise"]["robust"]["measure"] = measure
    data["optimise"]["pareto"]["against"] = None
    return validate(data)


def make_plan(cfg, portfolio=None, log: Callable[[str], None] = print,
              stage: Callable[[str], None] | None = None) -> PlanResult:
    """Optimise the portfolio of ``cfg.plan`` and test the plan in the agent model (see the
    module docstring). ``stage(name)`` is called as each stage starts (progress)."""
    from stisim.coupling.abm_responses import responses_for
    from stisim.coupling.bridge import plan_allocation
    from stisim.coupling.compare import run_compare
    from stisim.coupling.counterfactual import needed, planning_path
    from stisim.coupling.strategies import with_envelope
    from stisim.pipeline import build
    from stisim.roadmap.portfolio import load_portfolio

    stage = stage or (lambda name: None)
    seconds: dict[str, float] = {}
    start = dict(sm.STATS)
    t = time.perf_counter()
    if portfolio is None:
        portfolio = load_portfolio(cfg.plan.portfolio)
    portfolio = with_envelope(portfolio, cfg.compare.envelope)
    inputs = build(cfg)
    objective = str(cfg.plan.objective)
    workers = int(cfg.compare.workers)
    # the workers start (and import the model) while the parent works: the first runs
    # needed are the response ensembles', after the counterfactual
    with sm.shared_pool(workers, warm=True):
        stage("counterfactual")
        cf = None
        if needed(portfolio, cfg.optimise) or objective != "value":
            cf = planning_path(cfg, portfolio, inputs, log=log)
        seconds["counterfactual"] = time.perf_counter() - t
        t = time.perf_counter()
        stage("responses")
        curves = responses_for(cfg, portfolio, inputs, log=log)
        seconds["responses"] = time.perf_counter() - t
        t = time.perf_counter()
        stage("optimise")
        given = {}
        spend, alloc = plan_allocation(_with_optimise(cfg, objective, "none"), portfolio,
                                       responses=curves, counterfactual=cf)
        if "floors_relaxed" in alloc.attrs:
            log(f"warning: the floors cannot all be met: {alloc.attrs['floors_relaxed']}; "
                "the plan is made without them")
        given[f"optimal_{objective}"] = spend
        robust = None
        measure = str(cfg.plan.robust)
        if measure != "none" and len(portfolio.scenarios):
            rspend, robust = plan_allocation(_with_optimise(cfg, objective, measure), portfolio,
                                             responses=curves, counterfactual=cf)
            given[f"robust_{objective}"] = rspend
        seconds["optimise"] = time.perf_counter() - t
        t = time.perf_counter()
        stage("compare")
        comparison = run_compare(cfg, responses=curves, log=log, counterfactual=cf,
                                 given=given, loaded=(portfolio, inputs))
        seconds["compare"] = time.perf_counter() - t
    runs = {k: sm.STATS[k] - start[k] for k in sm.STATS}
    return PlanResult(portfolio=portfolio, allocation=alloc, comparison=comparison,
                      robust=robust, responses=curves, seconds=seconds, runs=runs)
