"""Allocation of public, private and donor finance over roadmap actions (Pyomo + HiGHS).

Build, solve and assign are separate steps::

    from stisim.optimize import create_model, solve_model, assign_solution
    model = create_model(portfolio, options, extra_functionality=my_constraints)
    result = solve_model(model)
    ds = assign_solution(model, result)

or in one call: ``stisim.optimize.optimise(portfolio, objective="sdg")``.

Names are imported lazily so that validating configs (which imports
``stisim.optimize.params``) does not load Pyomo and HiGHS.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "build": "api", "make_config": "api", "optimise": "api", "trade_off": "api", "run": "api",
    "solve_model": "api", "SolveFailed": "api",
    "Explanation": "iis", "InfeasibleError": "iis", "explain_infeasibility": "iis",
    "RoadmapModel": "model", "create_model": "model",
    "OptimiseConfig": "params",
    "pareto_front": "pareto",
    "allocation_table": "results", "assign_solution": "results",
    "compare_measures": "robust", "solve_robust": "robust",
    "HighsSolver": "solve", "SolveResult": "solve", "solve_with_pyomo": "solve",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'stisim.optimize' has no attribute {name!r}")
    return getattr(importlib.import_module(f"stisim.optimize.{module}"), name)
