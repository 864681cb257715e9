"""Robust allocation over scenarios of effects and budgets.

The funded scales are decided once (here and now); the financing mix adapts per scenario when
budgets vary by scenario. Measures (see :mod:`stisim.optimize.objectives`): ``expected``,
``worst``, ``regret`` (min–max regret against each scenario's best outcome, computed by
re-solving the same persistent model with one scenario's outcome as objective) and ``cvar``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from stisim.optimize.objectives import scenario_objective, set_robust_measure
from stisim.optimize.solve import SolveResult


def best_outcomes(model) -> tuple[xr.DataArray, float]:
    """Best outcome of each scenario alone (same decision set), and HiGHS seconds used."""
    scen = model.inputs.scenarios
    best, seconds = [], 0.0
    for k in scen.ids:
        scenario_objective(model, k)
        r = model.solver.solve(duals=False)
        seconds += r.solver_seconds
        if not r.optimal:
            raise RuntimeError(f"scenario {k} alone is {r.status}")
        best.append(r.objective)
    return xr.DataArray(np.array(best), dims="scenario", coords={"scenario": scen.ids}), seconds


def solve_robust(model, measure: str | None = None, duals: bool = True) -> SolveResult:
    """Solve a robust model for ``measure`` (default: the configured one)."""
    measure = measure or model.options.robust.measure
    extra = 0.0
    if measure == "regret":
        # Feasibility first: an infeasible robust model is explained, not scenario by scenario.
        set_robust_measure(model, "expected")
        first = model.solver.solve(duals=False)
        if not first.optimal:
            return first
        best, extra = best_outcomes(model)
        extra += first.solver_seconds
        model.set_param("best_outcome", best)
    set_robust_measure(model, measure)
    result = model.solver.solve(duals=duals)
    result.solver_seconds += extra
    return result


def compare_measures(model, measures=("expected", "worst", "regret", "cvar")) -> pd.DataFrame:
    """Scenario outcomes of the allocation chosen by each measure (one row per measure):
    expected outcome, worst outcome, CVaR and max regret, to show the price of robustness."""
    scen = model.inputs.scenarios
    prob = scen.probability.values
    alpha = model.options.robust.alpha
    best, _ = best_outcomes(model)
    model.set_param("best_outcome", best)
    outcome = model.variables["outcome"]
    rows = []
    for m in measures:
        r = solve_robust(model, m, duals=False)
        z = r.x[outcome.labels.values]
        rows.append({"measure": m, "expected": float(z @ prob), "worst": float(z.min()),
                     "cvar": cvar(z, prob, alpha),
                     "max_regret": float((best.values - z).max()),
                     "funded": int((r.x[model.variables["scale"].columns] > 1e-9).sum())})
    return pd.DataFrame(rows).set_index("measure")


def measure_value(model, x: np.ndarray, measure: str | None = None) -> float:
    """The robust measure of the allocation x, from its scenario outcomes (no tie-break)."""
    measure = measure or model.measure
    z = x[model.variables["outcome"].labels.values]
    prob = model.inputs.scenarios.probability.values
    if measure == "expected":
        return float(z @ prob)
    if measure == "worst":
        return float(z.min())
    if measure == "cvar":
        return cvar(z, prob, model.options.robust.alpha)
    best = model.param("best_outcome").values
    return float((best - z).max())


def cvar(z: np.ndarray, prob: np.ndarray, alpha: float) -> float:
    """Mean of the worst (1 - alpha) probability mass of outcomes z (higher is better)."""
    order = np.argsort(z)
    z, p = z[order], prob[order]
    tail = 1.0 - alpha
    cum = np.cumsum(p)
    take = np.clip(tail - (cum - p), 0.0, p)
    return float((take * z).sum() / tail)
