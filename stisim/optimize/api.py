"""``optimise``: portfolio in, allocation Dataset out (build → solve → assign).

::

    import stisim.optimize as so
    ds = so.optimise("kenya", objective="sdg")                 # a shipped portfolio
    ds = so.optimise("my_roadmap.xlsx", objective="value", mip_gap=0.0)
    front = so.trade_off("kenya", objective="sdg", against="min_cost", points=9)

Infeasible portfolios raise :class:`~stisim.optimize.iis.InfeasibleError` whose message (and
``.explanation``) names the conflicting roadmap constraints.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any

import xarray as xr

from stisim.config.validate import StisimConfig, validate
from stisim.errors import StisimError
from stisim.optimize.iis import InfeasibleError, explain_infeasibility
from stisim.optimize.model import ExtraFunctionality, RoadmapModel, create_model, solver_options
from stisim.optimize.pareto import pareto_front
from stisim.optimize.results import assign_solution
from stisim.optimize.robust import solve_robust
from stisim.optimize.solve import SolveResult, solve_with_pyomo
from stisim.roadmap.portfolio import Portfolio, load_portfolio
from stisim.roadmap.responses import ResponseCurves


class SolveFailed(StisimError):
    """HiGHS ended without a usable solution (time limit, unbounded, numerical trouble)."""


def make_config(objective: str | None = None, seed: int = 42, base_year: int | None = None,
                **options: Any) -> StisimConfig:
    """A validated config for the Python API (same checks as the command line).

    The optimiser alone does not run the agent model, so its counterfactual defaults to
    ``flat`` here; :func:`stisim.coupling.bridge.optimise_allocation` (and ``stisim optimise``)
    use the agent model's business-as-usual path."""
    section: dict[str, Any] = dict(options)
    section.setdefault("counterfactual", "flat")
    if objective is not None:
        section["objective"] = objective
    data: dict[str, Any] = {"seed": seed, "optimise": section}
    if base_year is not None:
        data["time"] = {"base_year": base_year}
    return validate(data)


def solve_model(model: RoadmapModel, interface: str = "highs", duals: bool = True
                ) -> SolveResult:
    """Solve a built model (robust models with their configured measure)."""
    if model.inputs.scenarios is not None:
        return solve_robust(model, duals=duals)
    if interface == "pyomo":
        return solve_with_pyomo(model, solver_options(model.options, model.seed))
    return model.solver.solve(duals=duals)


def _portfolio(portfolio: Portfolio | str | Path | None, cfg: StisimConfig) -> Portfolio:
    if isinstance(portfolio, Portfolio):
        return portfolio
    source = portfolio if portfolio is not None else cfg.optimise.portfolio
    if source is None:
        from stisim.errors import ConfigError, Problem

        raise ConfigError([Problem("optimise.portfolio", "no portfolio given", None,
                                   "portfolio=PATH or a shipped portfolio name "
                                   "(ethiopia, ghana, india, kenya, serbia, ukraine)")])
    return load_portfolio(source)


def build(portfolio: Portfolio | str | Path | None = None, cfg: StisimConfig | None = None, *,
          responses: ResponseCurves | None = None,
          extra_functionality: ExtraFunctionality | str | None = None,
          counterfactual: xr.DataArray | None = None) -> RoadmapModel:
    """Load the portfolio and build the model for a config (no solve)."""
    cfg = cfg or make_config()
    p = _portfolio(portfolio, cfg)
    return create_model(p, cfg.optimise, responses=responses, base_year=cfg.time.base_year,
                        seed=cfg.seed, extra_functionality=extra_functionality,
                        counterfactual=counterfactual)


def check_solution(model: RoadmapModel, result: SolveResult) -> None:
    """Raise with an explanation when the solve produced no allocation."""
    label = str(model.portfolio.path or model.portfolio.name)
    if result.status in ("infeasible", "infeasible_or_unbounded"):
        explanation = explain_infeasibility(model, time_limit=model.options.time_limit)
        if explanation.conflicts or result.status == "infeasible":
            raise InfeasibleError(explanation, label)
    if not result.has_solution:
        raise SolveFailed(f"{label}: HiGHS ended with status {result.status} "
                          f"({result.model_status}) and no allocation")


def run(cfg: StisimConfig, portfolio: Portfolio | str | Path | None = None, *,
        responses: ResponseCurves | None = None,
        extra_functionality: ExtraFunctionality | str | None = None,
        counterfactual: xr.DataArray | None = None) -> tuple[xr.Dataset, RoadmapModel]:
    """Build, solve and assign for a validated config: the allocation and its model."""
    t0 = time.perf_counter()
    model = build(portfolio, cfg, responses=responses, extra_functionality=extra_functionality,
                  counterfactual=counterfactual)
    result = solve_model(model, cfg.optimise.interface, duals=cfg.optimise.shadow_prices)
    check_solution(model, result)
    ds = assign_solution(model, result, cfg_container=_container(cfg, model), seed=cfg.seed,
                         timings={"build_seconds": model.build_seconds,
                                  "solver_seconds": result.solver_seconds},
                         started=t0)
    return ds, model


def _container(cfg: StisimConfig, model: RoadmapModel) -> dict[str, Any]:
    out = cfg.to_container()
    out["optimise"]["portfolio"] = str(model.portfolio.path or model.portfolio.name)
    return out


def optimise(portfolio: Portfolio | str | Path, objective: str | None = None, *,
             cfg: StisimConfig | None = None, responses: ResponseCurves | None = None,
             extra_functionality: ExtraFunctionality | str | None = None,
             counterfactual: xr.DataArray | None = None,
             seed: int = 42, base_year: int | None = None, **options: Any) -> xr.Dataset:
    """Optimise a portfolio: ``optimise(path_or_portfolio, objective="value"|"sdg"|
    "min_cost", mip_gap=..., robust={"measure": "cvar"}, ...) -> xr.Dataset``.

    Keyword options are fields of the ``optimise`` config section (validated the same way as
    on the command line); ``responses`` replaces the portfolio's expert effects and
    ``counterfactual`` (indicator, year) the no-roadmap indicator path.
    """
    if cfg is None:
        cfg = make_config(objective, seed=seed, base_year=base_year, **options)
    elif objective is not None or options:
        section = dataclasses.asdict(cfg.optimise) | options
        if objective is not None:
            section["objective"] = objective
        cfg = validate(cfg.to_container() | {"optimise": section})
    ds, _ = run(cfg, portfolio, responses=responses, extra_functionality=extra_functionality,
                counterfactual=counterfactual)
    return ds


def trade_off(portfolio: Portfolio | str | Path, objective: str, against: str, points: int = 7,
           *, seed: int = 42, base_year: int | None = None, **options: Any) -> xr.Dataset:
    """The Pareto front between ``objective`` and ``against`` (ε-constraint)."""
    cfg = make_config(objective, seed=seed, base_year=base_year,
                      pareto={"against": against, "points": points}, **options)
    model = build(portfolio, cfg)
    return pareto_front(model, against, points)
