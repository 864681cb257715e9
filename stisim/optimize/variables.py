"""Decision-variable families, one ``define_*`` function each (PyPSA style).

Each function takes the :class:`~stisim.optimize.model.RoadmapModel`, returns early when the
family is not needed, and names the variable after what it is. Dims follow the inputs:
``action``, ``year``, ``source``, ``effect`` (action|indicator pairs), ``indicator``,
``scenario`` (robust models only, on spend when budgets vary by scenario).
"""

from __future__ import annotations

import numpy as np
import xarray as xr

INF = float("inf")


def define_scale_variables(model) -> None:
    """scale(action): fraction of full scale funded; binary for indivisible actions."""
    acts = model.inputs.portfolio.actions
    ids = list(acts.index)
    coord = {"action": ids}
    indivisible = acts["indivisible"].to_numpy(bool)
    upper = np.where(indivisible, 1.0, acts["max_scale"].to_numpy(float))
    lower = np.where(acts["mandatory"].to_numpy(bool),
                     np.where(indivisible, 1.0, acts["min_scale"].to_numpy(float)), 0.0)
    model.add_variables(
        "scale", [("action", ids)], lower=xr.DataArray(lower, dims="action", coords=coord),
        upper=xr.DataArray(upper, dims="action", coords=coord),
        integer=xr.DataArray(indivisible, dims="action", coords=coord),
        doc="fraction of each action's full scale that is funded", units="1")


def define_funded_variables(model) -> None:
    """funded(action) binary, for divisible actions that need an on/off decision: a minimum
    viable scale (semi-continuous) or membership of an exclusive group."""
    acts = model.inputs.portfolio.actions
    need = (~acts["indivisible"] & ~acts["mandatory"] & (acts["min_scale"] > 0)) | (
        ~acts["indivisible"] & acts["exclusive_group"].notna())
    if not need.any():
        return
    ids = list(acts.index)
    model.add_variables("funded", [("action", ids)], kind="binary",
                        mask=xr.DataArray(need.to_numpy(bool), dims="action",
                                          coords={"action": ids}),
                        doc="1 when a divisible action is funded at all", units="1")


def define_spend_variables(model) -> None:
    """spend(action, year, source[, scenario]) >= 0 where the action costs money that year
    and the source is eligible; a scenario dim when budgets vary by scenario (financing
    adapts to the money that materialises, the funded scales do not)."""
    inp = model.inputs
    p = inp.portfolio
    mask = (p.cost > 0) & (p.max_share > 0)
    coords = [("action", p.action_ids), ("year", p.years), ("source", p.source_ids)]
    if model.budget_scenarios:
        coords.append(("scenario", inp.scenarios.ids))
    model.add_variables("spend", coords, mask=mask,
                        doc="money spent per action, year and source", units=p.currency)


def define_carry_variables(model) -> None:
    """carry(source, year[, scenario]) >= 0: unspent budget carried into the next year."""
    p = model.inputs.portfolio
    carry = p.sources["carry_over"].to_numpy(bool)
    finite = np.isfinite(p.budget.values).all(axis=1)
    if not (carry & finite).any():
        return
    coords = [("source", p.source_ids), ("year", p.years)]
    if model.budget_scenarios:
        coords.append(("scenario", model.inputs.scenarios.ids))
    mask = xr.DataArray(carry & finite, dims="source", coords={"source": p.source_ids})
    model.add_variables("carry", coords, mask=mask,
                        doc="budget left unspent at the end of the year and carried over",
                        units=p.currency)


def define_response_variables(model) -> None:
    """response(effect): progress-direction gain of a concave effect, bounded by its
    curve (hypograph); linear effects need no variable."""
    eff = model.inputs.effects
    concave = eff[eff["kind"] == "concave"]
    if concave.empty:
        return
    ids = list(eff.index)
    lower = xr.DataArray([float(np.min(ys)) if k == "concave" else 0.0
                          for k, ys in zip(eff["kind"], eff["ys"])], dims="effect",
                         coords={"effect": ids})
    mask = xr.DataArray((eff["kind"] == "concave").to_numpy(), dims="effect",
                        coords={"effect": ids})
    model.add_variables("response", [("effect", ids)], lower=lower, mask=mask,
                        doc="gain of a concave effect in the direction of progress",
                        units="indicator unit")


def define_progress_variables(model) -> None:
    """progress(indicator, year[, scenario]): score points gained, capped at the headroom
    to a score of 100 (SDR scores are clipped)."""
    inp = model.inputs
    if not model.uses_sdg or inp.headroom is None or inp.effects.empty:
        return
    inds = sorted(set(inp.effects["indicator"]), key=inp.indicators.index)
    coords = [("indicator", inds), ("year", inp.years)]
    if model.effect_scenarios:
        coords.append(("scenario", inp.scenarios.ids))
    model.add_variables("progress", coords, lower=-INF, upper=inp.headroom.sel(indicator=inds),
                        doc="SDG score points gained per indicator and year",
                        units="score points")


def define_goal_score_variables(model) -> None:
    """goal_part(goal_floor, indicator[, scenario]): clipped scores of the indicators of a
    goal floor's goal in its year (at most 100)."""
    inp = model.inputs
    floors = inp.portfolio.floors
    goal_floors = floors[floors["goal"].notna()]
    if goal_floors.empty:
        return
    from stisim.data.indicators import registry

    reg = registry()
    inds = inp.indicators
    member = np.array([[reg.loc[i, "goal"] == int(g) for i in inds] for g in goal_floors["goal"]])
    coords = [("goal_floor", list(goal_floors["name"])), ("indicator", inds)]
    if model.effect_scenarios:
        coords.append(("scenario", inp.scenarios.ids))
    model.add_variables("goal_part", coords, lower=-INF, upper=100.0,
                        mask=xr.DataArray(member, dims=("goal_floor", "indicator"),
                                          coords={"goal_floor": coords[0][1],
                                                  "indicator": inds}),
                        doc="indicator score (clipped at 100) entering a goal-score floor",
                        units="score 0-100")


def define_outcome_variables(model) -> None:
    """Robust models: outcome(scenario) and the auxiliaries of the robust measures."""
    if model.inputs.scenarios is None:
        return
    ids = model.inputs.scenarios.ids
    model.add_variables("outcome", [("scenario", ids)], lower=-INF,
                        doc="objective value in each scenario", units="objective unit")
    model.add_variables("worst", [], lower=-INF, doc="worst scenario outcome (worst case)")
    model.add_variables("var_level", [], lower=-INF,
                        doc="value-at-risk level of the CVaR formulation")
    model.add_variables("shortfall", [("scenario", ids)], lower=0.0,
                        doc="outcome shortfall below the value-at-risk level (CVaR)")
    model.add_variables("max_regret", [], lower=-INF,
                        doc="largest regret over scenarios (min-max regret)")
