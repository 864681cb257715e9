"""Objectives: benefit value, SDG progress, public cost; robust measures over scenarios.

* ``value``: Σ value(action) · scale(action) — the stakeholder benefit score.
* ``sdg``: Σ_year δ(year) Σ_indicator w(indicator) · progress(indicator, year) — discounted
  weighted score points (SDG-index points with the default weights), δ = (1 + r)^-(t - t0).
* ``min_cost``: Σ_year δ(year) Σ spend from the configured source kinds (public by default),
  minimised subject to the SDG floors.

Robust models define outcome(scenario) = the objective in each scenario (the negative cost for
``min_cost``) and maximise one measure of it: expected value Σ p·z, worst case min z,
min-max regret max(z* − z) (z* = the best outcome of each scenario alone), or CVaR_α, the mean
of the worst (1 − α) share of outcomes, by the linear programme of Rockafellar & Uryasev
(2000): max η − 1/(1 − α) Σ p·u, u ≥ η − z, u ≥ 0.
"""

from __future__ import annotations

import xarray as xr

from stisim.optimize.linear import LinExpr

SENSE = {"value": "max", "sdg": "max", "min_cost": "min"}
TIE_BREAK = 1e-6
UNITS = {"value": "benefit points", "sdg": "discounted score points (SDG index x years)",
         "min_cost": "discounted currency"}


def value_expression(model) -> LinExpr:
    scale = model.variables["scale"]
    expr = (scale * model.param("action_value")).sum("action")
    vf = model.inputs.scenarios.value_factor if model.inputs.scenarios is not None else None
    return expr * vf if vf is not None else expr


def sdg_expression(model) -> LinExpr:
    progress = model.variables.get("progress")
    if progress is None:
        raise ValueError("the sdg objective needs modelled effects")
    inds = list(progress.labels.coords["indicator"].values)
    w = model.param("weight").sel(indicator=inds) * model.inputs.discount
    return (progress * w).sum(["indicator", "year"])


def cost_expression(model) -> LinExpr:
    inp = model.inputs
    spend = model.variables["spend"]
    kinds = inp.source_kind_is(inp.options.cost_kinds)
    return (spend.where(kinds) * inp.discount).sum(["action", "year", "source"])


def objective_expression(model, name: str) -> LinExpr:
    """An objective in its natural units (maximised for value/sdg, minimised for min_cost)."""
    return {"value": value_expression, "sdg": sdg_expression,
            "min_cost": cost_expression}[name](model)


def outcome_expression(model, name: str) -> LinExpr:
    """The objective as a quantity to maximise (cost negated)."""
    expr = objective_expression(model, name)
    return -expr if SENSE[name] == "min" else expr


def objective_params(name: str) -> tuple[str, ...]:
    return {"value": ("action_value",), "sdg": ("weight",), "min_cost": ()}[name]


def define_objective(model) -> None:
    """The deterministic objective, or the robust measure over scenarios."""
    name = model.inputs.options.objective
    if model.inputs.scenarios is None:
        model.set_objective(lambda: objective_expression(model, name), SENSE[name],
                            params=objective_params(name))
        return
    define_robust_constraints(model)
    set_robust_measure(model, model.inputs.options.robust.measure)


def define_robust_constraints(model) -> None:
    """outcome(scenario) rows and the rows of the worst-case, CVaR and regret measures."""
    name = model.inputs.options.objective
    v = model.variables
    scen = model.inputs.scenarios
    model.add_constraints("outcome_definition",
                          v["outcome"] - outcome_expression(model, name), "==", 0.0,
                          describe=lambda lab: f"the outcome of scenario {lab['scenario']}",
                          doc="objective value in each scenario")
    model.add_constraints("worst_case", v["worst"] - v["outcome"], "<=", 0.0,
                          describe=lambda lab: f"the worst case bound ({lab['scenario']})",
                          doc="worst <= every scenario outcome")
    model.add_constraints("cvar", v["shortfall"] - v["var_level"] + v["outcome"], ">=", 0.0,
                          describe=lambda lab: f"the CVaR shortfall of {lab['scenario']}",
                          doc="shortfall >= value-at-risk level - outcome")
    model.add_param("best_outcome", xr.zeros_like(scen.probability),
                    doc="best outcome of each scenario alone (for regret)")
    model.add_constraints("regret", v["max_regret"] + v["outcome"], ">=",
                          lambda: model.param("best_outcome"), params=("best_outcome",),
                          describe=lambda lab: f"the regret of scenario {lab['scenario']}",
                          doc="max_regret >= best outcome - outcome")


def set_robust_measure(model, measure: str, alpha: float | None = None) -> None:
    """Switch the objective of a robust model to another measure (rows stay)."""
    v = model.variables
    prob = model.inputs.scenarios.probability
    alpha = model.inputs.options.robust.alpha if alpha is None else alpha
    expected = (v["outcome"] * prob).sum("scenario")
    if measure == "expected":
        expr = expected
    elif measure == "worst":
        expr = v["worst"].to_linexpr()
    elif measure == "cvar":
        expr = v["var_level"] - (v["shortfall"] * (prob / (1.0 - alpha))).sum("scenario")
    elif measure == "regret":
        expr = -v["max_regret"]
    else:
        raise ValueError(f"unknown robust measure {measure!r}")
    if measure != "expected":
        # Worst case, CVaR and regret only look at some scenarios; a tiny reward on the
        # expected outcome breaks ties towards allocations that do well in the others too
        # (and keeps every scenario's progress variables at their true values).
        expr = expr + expected * TIE_BREAK
    model.measure = measure
    model.set_objective(expr, "max")


def scenario_objective(model, scenario: str) -> None:
    """Objective: the outcome of one scenario alone (used to compute best outcomes)."""
    v = model.variables["outcome"]
    model.set_objective(v.sel(scenario=[scenario]).sum("scenario"), "max")
