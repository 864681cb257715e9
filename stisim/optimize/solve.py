"""Solving with HiGHS: one persistent ``highspy.Highs`` per model, warm re-solves.

:class:`HighsSolver` passes the model's matrix to HiGHS once. Later solves push only what
changed — row bounds recomputed from mutable parameters (budgets, floor targets, capacities,
ε-constraints), objective coefficients (weights, scenario weights), column bounds, and rows or
columns appended by extensions — so HiGHS restarts from its last basis. Row duals are HiGHS's: the
change of the objective per unit of the active row bound (positive when relaxing a binding
budget raises a maximised objective). Shadow prices of MILPs come from HiGHS's fixed-integer
LP (``Highs.getFixedLp``).

The method (dual or primal simplex, interior point, PDLP; branch and bound for MILPs) is
chosen by :func:`stisim.optimize.strategy.choose` at the first solve and recorded in the
result; later solves restart the dual simplex from HiGHS's last basis.

``interface="pyomo"`` solves the same Pyomo model through Pyomo's persistent HiGHS interface
(:mod:`pyomo.contrib.solver`) instead; it is slower (Pyomo walks every constraint) and serves
as an independent cross-check and benchmark route.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np

from stisim.optimize.container import LinearModel
from stisim.optimize.strategy import RESOLVE, QuietHighs, Strategy, choose

_STATUS = {
    "kOptimal": "optimal",
    "kInfeasible": "infeasible",
    "kUnboundedOrInfeasible": "infeasible_or_unbounded",
    "kUnbounded": "unbounded",
    "kTimeLimit": "time_limit",
    "kIterationLimit": "iteration_limit",
    "kSolutionLimit": "solution_limit",
    "kInterrupt": "interrupted",
    "kObjectiveBound": "objective_bound",
    "kObjectiveTarget": "objective_target",
    "kModelEmpty": "optimal",
}


@dataclass
class SolveResult:
    """What a solve returned (arrays indexed by the model's global rows/columns)."""

    status: str
    model_status: str
    objective: float
    mip_gap: float
    x: np.ndarray
    row_dual: np.ndarray | None
    is_mip: bool
    solver_seconds: float
    iterations: dict[str, int] = field(default_factory=dict)
    duals_from: str = "none"
    strategy: Strategy | None = None

    @property
    def has_solution(self) -> bool:
        return self.x.size > 0 and self.status in ("optimal", "time_limit", "iteration_limit",
                                                   "solution_limit", "interrupted")

    @property
    def optimal(self) -> bool:
        return self.status == "optimal"


class HighsSolver:
    """A persistent HiGHS instance attached to one :class:`LinearModel`."""

    def __init__(self, model: LinearModel, options: dict[str, Any] | None = None,
                 method: str = "auto"):
        self.model = model
        self.options = dict(options or {})
        self.method = method
        self.strategy: Strategy | None = None
        self.solves = 0
        self.h = QuietHighs()
        self._apply_options(self.h)
        self.loaded_rows = 0
        self.loaded_cols = 0
        self.load_seconds = 0.0
        self._load()

    def _apply_options(self, h: highspy.Highs) -> None:
        h.setOptionValue("output_flag", bool(self.options.get("output", False)))
        for key, value in self.options.items():
            if key == "output" or value is None:
                continue
            h.setOptionValue(key, value)

    def _load(self) -> None:
        t0 = time.perf_counter()
        m = self.model
        m.absorb_pyomo()
        a, row_lo, row_hi = m.matrix()
        col_lo, col_hi, integer = m.col_bounds()
        cost = _pad(m.cost, m.ncols)
        sense = highspy.ObjSense.kMaximize if m.sense == "max" else highspy.ObjSense.kMinimize
        status = self.h.passModel(
            m.ncols, m.nrows, a.nnz, 2, int(sense.value), float(m.offset), cost,
            col_lo, col_hi, row_lo, row_hi, a.indptr.astype(np.int32),
            a.indices.astype(np.int32), a.data.astype(float),
            integer.astype(np.int32))
        if status == highspy.HighsStatus.kError:
            raise RuntimeError("HiGHS rejected the model")
        m.take_changes()
        self.loaded_rows, self.loaded_cols = m.nrows, m.ncols
        self.load_seconds = time.perf_counter() - t0

    def _sync(self) -> None:
        """Push model changes made since the last solve."""
        m = self.model
        m.absorb_pyomo()
        m.sync_params()
        if m.ncols > self.loaded_cols:
            lo, hi, integer = m.col_bounds()
            new = np.arange(self.loaded_cols, m.ncols)
            self.h.addVars(new.size, lo[new], hi[new])
            if integer[new].any():
                self.h.changeColsIntegrality(new.size, new.astype(np.int32),
                                             integer[new].astype(np.uint8))
            self.loaded_cols = m.ncols
            m._changes.objective = True
        if m.nrows > self.loaded_rows:
            a, lo, hi = m.matrix()
            sub = a[self.loaded_rows:]
            self.h.addRows(sub.shape[0], lo[self.loaded_rows:], hi[self.loaded_rows:], sub.nnz,
                           sub.indptr[:-1].astype(np.int32), sub.indices.astype(np.int32),
                           sub.data.astype(float))
            self.loaded_rows = m.nrows
        changes = m.take_changes()
        if changes.rows:
            rows = np.concatenate(changes.rows).astype(np.int32)
            self.h.changeRowsBounds(rows.size, rows, np.concatenate(changes.lower),
                                    np.concatenate(changes.upper))
        if changes.cols:
            cols = np.unique(np.concatenate(changes.cols)).astype(np.int32)
            lo, hi, _ = m.col_bounds()
            self.h.changeColsBounds(cols.size, cols, lo[cols], hi[cols])
        if changes.objective:
            sense = highspy.ObjSense.kMaximize if m.sense == "max" else \
                highspy.ObjSense.kMinimize
            self.h.changeObjectiveSense(sense)
            cost = _pad(m.cost, m.ncols)
            self.h.changeColsCost(m.ncols, np.arange(m.ncols, dtype=np.int32), cost)
            self.h.changeObjectiveOffset(float(m.offset))

    def _set_strategy(self) -> None:
        """Choose the method at the first solve; later LP solves restart the dual simplex
        from the last basis (MILPs keep branch and bound)."""
        if self.strategy is None:
            a, _, _ = self.model.matrix()
            self.strategy = choose(self.is_mip, int(a.nnz), self.method)
            settings = self.strategy.options
        elif self.solves == 1 and self.strategy.method != "mip":
            settings = RESOLVE
        else:
            return
        for key, value in settings.items():
            if key not in self.options:
                self.h.setOptionValue(key, value)

    def solve(self, duals: bool = True) -> SolveResult:
        """Solve (or re-solve warm) and collect primal values and row duals."""
        self._sync()
        self._set_strategy()
        self.solves += 1
        t0 = time.perf_counter()
        self.h.run()
        seconds = time.perf_counter() - t0
        return self._collect(seconds, duals)

    @property
    def is_mip(self) -> bool:
        return bool(self.model.col_bounds()[2].any())

    def _collect(self, seconds: float, duals: bool) -> SolveResult:
        h = self.h
        status_name = h.getModelStatus().name
        status = _STATUS.get(status_name, status_name)
        info = h.getInfo()
        is_mip = self.is_mip
        sol = h.getSolution()
        has_primal = info.primal_solution_status == 2  # kSolutionStatusFeasible
        x = np.asarray(sol.col_value, float) if has_primal else np.zeros(0)
        gap = float(info.mip_gap) if is_mip and has_primal else 0.0
        row_dual, dual_from = None, "none"
        if duals and has_primal:
            if not is_mip and sol.dual_valid:
                row_dual, dual_from = np.asarray(sol.row_dual, float), "lp"
            elif is_mip:
                t1 = time.perf_counter()
                row_dual = self._fixed_lp_duals()
                seconds += time.perf_counter() - t1
                dual_from = "fixed_integer_lp" if row_dual is not None else "none"
        iterations = {"simplex": int(info.simplex_iteration_count),
                      "ipm": int(info.ipm_iteration_count),
                      "pdlp": int(info.pdlp_iteration_count),
                      "mip_nodes": int(info.mip_node_count) if is_mip else 0}
        objective = float(info.objective_function_value) if has_primal else float("nan")
        return SolveResult(status=status, model_status=status_name, objective=objective,
                           mip_gap=gap, x=x, row_dual=row_dual, is_mip=is_mip,
                           solver_seconds=seconds, iterations=iterations, duals_from=dual_from,
                           strategy=self.strategy)

    def _fixed_lp_duals(self) -> np.ndarray | None:
        """Row duals of the LP with integers fixed at the incumbent (HiGHS getFixedLp)."""
        status, lp = self.h.getFixedLp()
        if status == highspy.HighsStatus.kError:
            return None
        fixed = QuietHighs()
        fixed.passModel(lp)
        fixed.run()
        sol = fixed.getSolution()
        if fixed.getModelStatus() != highspy.HighsModelStatus.kOptimal or not sol.dual_valid:
            return None
        return np.asarray(sol.row_dual, float)


def solve_with_pyomo(model: LinearModel, options: dict[str, Any] | None = None
                     ) -> SolveResult:
    """Solve ``model.m`` with Pyomo's persistent HiGHS interface (pyomo.contrib.solver)."""
    from pyomo.contrib.solver.solvers.highs import Highs

    model.absorb_pyomo()
    opt = Highs()
    solver_options = {k: v for k, v in (options or {}).items() if k != "output" and v is not None}
    t0 = time.perf_counter()
    res = opt.solve(model.m, load_solutions=False, raise_exception_on_nonoptimal_result=False,
                    solver_options=solver_options)
    total = time.perf_counter() - t0
    inner = opt._solver_model
    status_name = inner.getModelStatus().name
    status = _STATUS.get(status_name, status_name)
    if status == "optimal":
        res.solution_loader.load_vars()
        x = np.array([v.value if v.value is not None else 0.0 for v in model._columns], float)
    else:
        x = np.zeros(0)
    solver_seconds = float(inner.getRunTime()) if hasattr(inner, "getRunTime") else total
    result = SolveResult(status=status, model_status=status_name,
                         objective=float(res.incumbent_objective)
                         if res.incumbent_objective is not None else float("nan"),
                         mip_gap=0.0, x=x, row_dual=None, is_mip=bool(model.col_bounds()[2].any()),
                         solver_seconds=solver_seconds)
    return result


def _pad(values: np.ndarray, n: int) -> np.ndarray:
    out = np.zeros(n)
    out[: min(n, values.size)] = values[:n]
    return out
