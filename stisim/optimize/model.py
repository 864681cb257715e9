"""Building the roadmap model: ``create_model`` (build), then solve and assign separately.

(``model.py`` is the engine's model object in each engine: the Pyomo roadmap model here,
the Mesa model of the innovation system in :mod:`stisim.agents.model`.)

::

    model = create_model(portfolio, options)          # Pyomo ConcreteModel in model.m
    result = solve_model(model)                        # HiGHS, persistent
    ds = assign_solution(model, result)                # xarray Dataset

``create_model`` reads like the model: parameters, variable families, constraint families,
objective, then the extension hook ``extra_functionality(model, portfolio)`` where users add
constraints — with :meth:`~stisim.optimize.container.LinearModel.add_constraints` on
labelled expressions, or as plain Pyomo components on ``model.m``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
import xarray as xr

from stisim.errors import ConfigError, Problem
from stisim.optimize import constraints as C
from stisim.optimize import variables as V
from stisim.optimize.container import LinearModel
from stisim.optimize.inputs import ModelInputs, build_inputs
from stisim.optimize.objectives import define_objective
from stisim.optimize.params import OptimiseConfig
from stisim.roadmap.portfolio import Portfolio
from stisim.roadmap.responses import ResponseCurves

ExtraFunctionality = Callable[[Any, Portfolio], None]


class RoadmapModel(LinearModel):
    """The roadmap allocation model: inputs, Pyomo model, matrix blocks and its solver."""

    def __init__(self, inputs: ModelInputs):
        super().__init__(name=f"stisim roadmap: {inputs.portfolio.name}")
        self.inputs = inputs
        self.measure: str | None = None
        self.gains = None  # LinExpr of indicator gains (indicator, year[, scenario])
        self.build_seconds = 0.0
        self._solver = None

    @property
    def portfolio(self) -> Portfolio:
        return self.inputs.portfolio

    @property
    def options(self) -> OptimiseConfig:
        return self.inputs.options

    @property
    def uses_sdg(self) -> bool:
        o = self.options
        return o.objective == "sdg" or o.pareto.against == "sdg"

    @property
    def budget_scenarios(self) -> bool:
        s = self.inputs.scenarios
        return s is not None and s.budget_factor is not None

    @property
    def effect_scenarios(self) -> bool:
        s = self.inputs.scenarios
        return s is not None and s.effect_factor is not None

    @property
    def solver(self):
        """The persistent HiGHS instance of this model (created at first use)."""
        if self._solver is None:
            from stisim.optimize.solve import HighsSolver

            self._solver = HighsSolver(self, solver_options(self.options, self.seed),
                                       method=self.method)
        return self._solver

    seed: int = 0
    # HiGHS method of the first solve: auto (stisim.optimize.strategy.RULE) or an LP method
    # of stisim.optimize.strategy.METHODS; set before the first solve.
    method: str = "auto"


def solver_options(options: OptimiseConfig, seed: int = 0) -> dict[str, Any]:
    return {"output": options.solver_output, "time_limit": float(options.time_limit),
            "mip_rel_gap": float(options.mip_gap), "threads": options.threads,
            "random_seed": int(seed) % 2147483647}


def define_parameters(model: RoadmapModel) -> None:
    """Mutable parameters that re-solves may change without rebuilding."""
    inp = model.inputs
    p = inp.portfolio
    model.add_param("budget_amount", p.budget, "budget per source and year", p.currency)
    if len(p.agencies):
        model.add_param("capacity_amount", p.capacity, "delivery capacity per agency and year",
                        p.currency)
    model.add_param("action_value", xr.DataArray(p.actions["value"].to_numpy(float),
                                                 dims="action",
                                                 coords={"action": p.action_ids}),
                    "benefit score per action at full scale", "benefit points")
    model.add_param("weight", inp.weight, "sdg objective weight per indicator", "1")
    if len(p.floors):
        model.add_param("floor_target", xr.DataArray(p.floors["target"].to_numpy(float),
                                                     dims="floor",
                                                     coords={"floor": list(p.floors["name"])}),
                        "SDG floor targets", "indicator unit or score")


def check_objective(inputs: ModelInputs) -> None:
    p, o = inputs.portfolio, inputs.options
    label = p.path or p.name
    wanted = {o.objective, o.pareto.against} - {None}
    if o.objective == "min_cost" and not len(p.floors) and not p.actions["mandatory"].any():
        raise ConfigError([Problem("optimise.objective", "min_cost needs SDG floors (or "
                                   "mandatory actions) in the portfolio, otherwise funding "
                                   "nothing is cheapest", "min_cost",
                                   "value, sdg, or add `floors:` to the portfolio")],
                          title=f"cannot optimise {label}")
    if "sdg" in wanted and inputs.effects.empty:
        raise ConfigError([Problem("optimise.objective", "no action of the portfolio has an "
                                   "effect on a weighted SDG indicator", "sdg",
                                   "value, or add `effects:` to actions")],
                          title=f"cannot optimise {label}")


def create_model(portfolio: Portfolio, options: OptimiseConfig | None = None, *,
                 responses: ResponseCurves | None = None, base_year: int = 2022, seed: int = 0,
                 extra_functionality: ExtraFunctionality | str | None = None,
                 counterfactual: xr.DataArray | None = None) -> RoadmapModel:
    """Build the Pyomo model (no solve).

    ``responses`` replaces the portfolio's expert effects by response curves (e.g. estimated
    from agent-model ensembles); ``counterfactual`` (indicator, year) replaces the no-roadmap
    indicator path for the indicators it covers.
    """
    t0 = time.perf_counter()
    options = options or OptimiseConfig()
    inputs = build_inputs(portfolio, options, base_year=base_year, responses=responses,
                          seed=seed, counterfactual_path=counterfactual)
    check_objective(inputs)
    model = RoadmapModel(inputs)
    model.seed = seed
    define_parameters(model)
    V.define_scale_variables(model)
    V.define_funded_variables(model)
    V.define_spend_variables(model)
    V.define_carry_variables(model)
    # Progress columns before response columns: on the 500 x 30 benchmark LP HiGHS's dual
    # simplex needs half the iterations with this order (33k vs 62k, same optimum).
    V.define_progress_variables(model)
    V.define_response_variables(model)
    V.define_goal_score_variables(model)
    V.define_outcome_variables(model)
    C.define_finance_constraints(model)
    C.define_share_constraints(model)
    C.define_budget_constraints(model)
    C.define_leverage_constraints(model)
    C.define_funded_constraints(model)
    C.define_dependency_constraints(model)
    C.define_exclusive_constraints(model)
    C.define_capacity_constraints(model)
    C.define_equity_constraints(model)
    C.define_response_constraints(model)
    model.gains = C.gain_expression(model)
    C.define_progress_constraints(model)
    C.define_floor_constraints(model)
    C.define_goal_floor_constraints(model)
    define_objective(model)
    hook = resolve_hook(extra_functionality or options.extra_functionality)
    if hook is not None:
        hook(model, portfolio)
        model.absorb_pyomo()
    model.build_seconds = time.perf_counter() - t0
    return model


def resolve_hook(hook: ExtraFunctionality | str | None) -> ExtraFunctionality | None:
    """A callable, or ``module:function`` limited to stisim and registered plugins."""
    if hook is None or callable(hook):
        return hook
    from stisim.plugins import resolve_object

    try:
        return resolve_object(str(hook))  # type: ignore[return-value]
    except ValueError as exc:
        raise ConfigError([Problem("optimise.extra_functionality", str(exc), hook)]) from None


def stats(model: RoadmapModel) -> dict[str, int]:
    """Size of the model (columns, rows, non-zeros, integer columns)."""
    a, _, _ = model.matrix()
    _, _, integer = model.col_bounds()
    return {"columns": int(model.ncols), "rows": int(model.nrows), "nonzeros": int(a.nnz),
            "integer_columns": int(np.count_nonzero(integer))}
