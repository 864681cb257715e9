"""Pareto fronts between two objectives by the augmented ε-constraint method.

The primary objective f1 is optimised while the second, f2, is held at least as good as ε
(a row with a mutable right-hand side, so each point is a warm re-solve of the same
persistent model). The ε grid runs from f2 at the lexicographic optimum of f1 (f1 optimal,
then f2 as good as possible) to the optimum of f2. A small reward on f2 (AUGMECON, Mavrotas
2009, Appl. Math. Comput. 213(2) 455-465) keeps every point efficient rather than weakly
efficient.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from stisim.optimize.objectives import SENSE, UNITS, objective_expression

AUGMENTATION = 1e-3


def _oriented(model, name: str):
    """The objective as a quantity to maximise, and its sign."""
    expr = objective_expression(model, name)
    sign = 1.0 if SENSE[name] == "max" else -1.0
    return expr * sign, sign


def pareto_front(model, against: str, points: int = 7) -> xr.Dataset:
    """Points (primary, secondary, scales, spending per source) of the front."""
    primary = model.options.objective
    if model.inputs.scenarios is not None:
        raise ValueError("Pareto fronts of robust models are not supported")
    f1, s1 = _oriented(model, primary)
    f2, s2 = _oriented(model, against)
    solver = model.solver
    inf = float("inf")
    if "epsilon_bound" not in model.params:
        model.add_param("epsilon_bound", -inf, "epsilon bound on the second objective")
        model.add_param("primary_bound", -inf, "lexicographic bound on the first objective")
        model.add_constraints("epsilon", f2, ">=", lambda: model.param("epsilon_bound"),
                              params=("epsilon_bound",),
                              describe=lambda lab: f"the {against} bound of the Pareto front",
                              doc="epsilon-constraint on the second objective")
        model.add_constraints("primary_floor", f1, ">=", lambda: model.param("primary_bound"),
                              params=("primary_bound",),
                              describe=lambda lab: f"the {primary} level of the front's end",
                              doc="lexicographic step of the front's end point")
    seconds = 0.0

    def run(expr):
        nonlocal seconds
        model.set_objective(expr, "max")
        r = solver.solve(duals=False)
        seconds += r.solver_seconds
        if not r.optimal:
            raise RuntimeError(f"Pareto step is {r.status}")
        return r

    r = run(f2)
    f2_best = float(f2.value(r.x))
    r = run(f1)
    f1_best = float(f1.value(r.x))
    model.set_param("primary_bound", f1_best - 1e-7 * max(1.0, abs(f1_best)))
    r = run(f2)
    f2_low = float(f2.value(r.x))
    model.set_param("primary_bound", -inf)
    span1 = max(abs(f1_best), 1e-9)
    span2 = max(abs(f2_best - f2_low), 1e-9)
    grid = np.linspace(f2_low, f2_best, points)
    rows = []
    for eps in grid:
        model.set_param("epsilon_bound", eps - 1e-9 * max(1.0, abs(eps)))
        r = run(f1 + f2 * (AUGMENTATION * span1 / span2))
        rows.append(r.x.copy())
    model.set_param("epsilon_bound", -inf)
    model.set_objective(lambda: objective_expression(model, primary), SENSE[primary])
    return _front_dataset(model, rows, f1, f2, s1, s2, primary, against, seconds)


def _front_dataset(model, xs, f1, f2, s1, s2, primary, against, seconds) -> xr.Dataset:
    from stisim.dataset import annotate
    from stisim.optimize.results import KIND, variable_values

    p = model.portfolio
    n = len(xs)
    ds = xr.Dataset(
        {
            "pareto_primary": ("point", [s1 * float(f1.value(x)) for x in xs]),
            "pareto_secondary": ("point", [s2 * float(f2.value(x)) for x in xs]),
            "pareto_scale": (("point", "action"),
                             np.array([variable_values(model, "scale", x).values for x in xs])),
            "pareto_spend": (("point", "source"), np.array([
                variable_values(model, "spend", x).sum(["action", "year"]).values
                for x in xs])),
        },
        coords={"point": np.arange(n), "action": p.action_ids, "source": p.source_ids},
    )
    ds.attrs.update(primary=primary, secondary=against, primary_units=UNITS[primary],
                    secondary_units=UNITS[against], currency=p.currency,
                    method="augmented epsilon-constraint (AUGMECON)",
                    solver_seconds=float(seconds))
    return annotate(ds, KIND)
