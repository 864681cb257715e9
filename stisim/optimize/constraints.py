"""Constraint families, one ``define_*`` function each (PyPSA style).

Every family is one vectorised statement over labelled arrays and one Pyomo
``MatrixConstraint``; the ``describe`` functions phrase a row in roadmap terms for the
infeasibility explanation (:mod:`stisim.optimize.iis`).
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from stisim.optimize.linear import LinExpr, Variable


def _name(model, action: str) -> str:
    return f"{action} ({model.inputs.portfolio.actions.loc[action, 'name']})"


def _source(model, source: str) -> str:
    """``Donor trust fund [dtf, donor]``; the kind once where the id is the kind
    (``Donor trust fund [donor]``, ``pub (public)``, ``donor``)."""
    s = model.inputs.portfolio.sources.loc[source]
    name, kind = s["name"], s["kind"]
    tags = ", ".join(dict.fromkeys((source, kind)))
    if name != source:
        return f"{name} [{tags}]"
    return source if kind == source else f"{source} ({kind})"


def _scn(labels: dict) -> str:
    return f" in scenario {labels['scenario']}" if "scenario" in labels else ""


def define_finance_constraints(model) -> None:
    """finance(action, year): the sources pay the action's cost at its funded scale."""
    p = model.inputs.portfolio
    spend, scale = model.variables["spend"], model.variables["scale"]
    model.add_constraints(
        "finance", spend.sum("source") - scale * p.cost, "==", 0.0, mask=p.cost > 0,
        describe=lambda lab: (f"the financing of action {_name(model, lab['action'])} in "
                              f"{lab['year']}{_scn(lab)}"),
        doc="spending over sources equals the action's yearly cost times its scale")


def define_share_constraints(model) -> None:
    """share(action, year, source): a source pays at most its maximum share of the cost."""
    p = model.inputs.portfolio
    capped = (p.max_share > 0) & (p.max_share < 1)
    if not bool(capped.any()):
        return
    spend, scale = model.variables["spend"], model.variables["scale"]
    model.add_constraints(
        "share", spend - scale * (p.max_share * p.cost), "<=", 0.0,
        mask=capped & (p.cost > 0),
        describe=lambda lab: (
            f"the cap of {_source(model, lab['source'])} at "
            f"{float(p.max_share.sel(action=lab['action'], source=lab['source'])):.0%}"
            f" of the cost of action {_name(model, lab['action'])}"),
        doc="spending from a source is at most its maximum share of the action's cost")


def _carry_delta(model) -> LinExpr | None:
    carry = model.variables.get("carry")
    if carry is None:
        return None
    prev = carry.labels.shift(year=1, fill_value=-1).astype(np.int64)
    previous = Variable("carry", prev, carry.kind)
    return carry - previous


def define_budget_constraints(model) -> None:
    """budget(source, year): spending from a source stays within its yearly budget (with
    carry-over, unspent money moves to the next year)."""
    inp = model.inputs
    p = inp.portfolio
    spend = model.variables["spend"]
    lhs = spend.sum("action")
    delta = _carry_delta(model)
    if delta is not None:
        lhs = lhs + delta
    factor = inp.scenarios.budget_factor if model.budget_scenarios else None

    def rhs() -> xr.DataArray:
        amount = model.param("budget_amount")
        return amount * factor if factor is not None else amount

    finite = xr.DataArray(np.isfinite(p.budget.values), dims=("source", "year"),
                          coords={"source": p.source_ids, "year": p.years})
    model.add_constraints(
        "budget", lhs, "<=", rhs, mask=finite, params=("budget_amount",),
        describe=lambda lab: (f"the {_source(model, lab['source'])} budget in "
                              f"{lab['year']}{_scn(lab)}"),
        doc="spending per source and year within the budget")


def define_leverage_constraints(model) -> None:
    """leverage(action, year): private co-finance <= leverage x official finance."""
    inp = model.inputs
    p = inp.portfolio
    private = inp.source_kind_is(["private"])
    eligible = (p.max_share > 0) & private
    has_private = eligible.any("source")
    if not bool(has_private.any()):
        return
    spend = model.variables["spend"]
    official = inp.official().astype(float)
    lev = xr.DataArray(p.actions["leverage"].to_numpy(float), dims="action",
                       coords={"action": p.action_ids})
    lhs = spend.where(private).sum("source") - (spend * (official * lev)).sum("source")
    model.add_constraints(
        "leverage", lhs, "<=", 0.0, mask=has_private & (p.cost > 0),
        describe=lambda lab: (f"the leverage limit of action {_name(model, lab['action'])} "
                              f"in {lab['year']} (private <= "
                              f"{float(lev.sel(action=lab['action'])):g} x official finance)"),
        doc="private co-finance at most leverage times official finance")


def define_funded_constraints(model) -> None:
    """funded_max / funded_min(action): scale is 0 unless funded, then within
    [min_scale, max_scale] (semi-continuous actions and exclusive-group members)."""
    funded = model.variables.get("funded")
    if funded is None:
        return
    acts = model.inputs.portfolio.actions
    ids = list(acts.index)
    scale = model.variables["scale"]
    coord = {"action": ids}
    has = funded.mask
    upper = xr.DataArray(acts["max_scale"].to_numpy(float), dims="action", coords=coord)
    lower = xr.DataArray(acts["min_scale"].to_numpy(float), dims="action", coords=coord)
    model.add_constraints(
        "funded_max", scale - funded * upper, "<=", 0.0, mask=has,
        describe=lambda lab: (f"the maximum scale of action {_name(model, lab['action'])} "
                              "when funded"),
        doc="a divisible action has scale 0 unless funded")
    model.add_constraints(
        "funded_min", scale - funded * lower, ">=", 0.0, mask=has & (lower > 0),
        describe=lambda lab: (f"the minimum viable scale "
                              f"{float(lower.sel(action=lab['action'])):g} of action "
                              f"{_name(model, lab['action'])}"),
        doc="a funded action reaches its minimum viable scale")


def define_dependency_constraints(model) -> None:
    """dependency: an action's funded fraction is at most its prerequisite's."""
    p = model.inputs.portfolio
    if not p.dependencies:
        return
    acts = p.actions
    scale = model.variables["scale"]
    names = [f"{a}<-{b}" for a, b in p.dependencies]
    dim = "dependency"
    a = xr.DataArray([d[0] for d in p.dependencies], dims=dim, coords={dim: names})
    b = xr.DataArray([d[1] for d in p.dependencies], dims=dim, coords={dim: names})
    full = np.where(acts["indivisible"], 1.0, acts["max_scale"].astype(float))
    full = xr.DataArray(full, dims="action", coords={"action": p.action_ids})
    dependent = _drop_aux(scale.sel(action=a).to_linexpr()) * (
        1.0 / full.sel(action=a).drop_vars("action"))
    prerequisite = _drop_aux(scale.sel(action=b).to_linexpr()) * (
        1.0 / full.sel(action=b).drop_vars("action"))
    lhs = dependent - prerequisite

    def describe(lab: dict) -> str:
        dep, pre = lab[dim].split("<-")
        return (f"the dependency of action {_name(model, dep)} on action "
                f"{_name(model, pre)}")

    model.add_constraints("dependency", lhs, "<=", 0.0, describe=describe,
                          doc="a dependent action is funded to at most the fraction of its "
                              "prerequisite")


def _drop_aux(expr: LinExpr) -> LinExpr:
    """Drop non-dimension coordinates left by vectorised selection."""
    drop = [c for c in expr.vars.coords if c not in expr.vars.dims]
    return LinExpr(expr.vars.drop_vars(drop), expr.coefs.drop_vars(
        [c for c in expr.coefs.coords if c not in expr.coefs.dims]), expr.const)


def define_exclusive_constraints(model) -> None:
    """exclusive(group): at most one action of each exclusive group is funded."""
    p = model.inputs.portfolio
    groups = p.exclusive_groups()
    if not groups:
        return
    acts = p.actions
    ids = p.action_ids
    scale = model.variables["scale"]
    indivisible = xr.DataArray(acts["indivisible"].to_numpy(bool), dims="action",
                               coords={"action": ids})
    on = scale.where(indivisible)
    funded = model.variables.get("funded")
    if funded is not None:
        on = on + funded
    labels = list(groups)
    member = acts["exclusive_group"].fillna("").to_numpy(str)
    lhs = on.groupby_sum("action", member, "group", labels)
    model.add_constraints(
        "exclusive", lhs, "<=", 1.0,
        describe=lambda lab: (f"the exclusive group {lab['group']!r} (at most one of "
                              f"{', '.join(groups[lab['group']])})"),
        doc="at most one action per exclusive group")


def define_capacity_constraints(model) -> None:
    """capacity(agency, year): an agency executes at most its yearly capacity."""
    p = model.inputs.portfolio
    if not len(p.agencies) or not np.isfinite(p.capacity.values).any():
        return
    spend = model.variables["spend"]
    lead = p.actions["lead"].to_numpy(str)
    agencies = list(p.agencies.index)
    lhs = spend.sum("source").groupby_sum("action", lead, "agency", agencies)
    finite = xr.DataArray(np.isfinite(p.capacity.values), dims=("agency", "year"),
                          coords={"agency": agencies, "year": p.years})
    model.add_constraints(
        "capacity", lhs, "<=", lambda: model.param("capacity_amount"), mask=finite,
        params=("capacity_amount",),
        describe=lambda lab: (f"the delivery capacity of {lab['agency']} in "
                              f"{lab['year']}{_scn(lab)}"),
        doc="spending led by an agency within its yearly delivery capacity")


def define_equity_constraints(model) -> None:
    """equity(region): a region receives at least its minimum share of roadmap spending."""
    inp = model.inputs
    p = inp.portfolio
    regions = p.regions[p.regions["min_share"] > 0] if len(p.regions) else p.regions
    if not len(regions):
        return
    spend = model.variables["spend"]
    basis = inp.official() if p.equity_basis == "official" else None
    counted = spend.where(basis) if basis is not None else spend.to_linexpr()
    region_of = p.actions["region"].to_numpy(str)
    ids = list(regions.index)
    in_region = counted.groupby_sum("action", region_of, "region", ids).sum(["year", "source"])
    total = counted.sum(["action", "year", "source"])
    share = xr.DataArray(regions["min_share"].to_numpy(float), dims="region",
                         coords={"region": ids})
    model.add_constraints(
        "equity", in_region - total * share, ">=", 0.0,
        describe=lambda lab: (f"the minimum share {float(share.sel(region=lab['region'])):.0%}"
                              f" of spending in region {lab['region']}{_scn(lab)}"),
        doc="regional equity: minimum share of total spending per region")


def define_response_constraints(model) -> None:
    """response_curve(effect, segment): a concave effect's gain lies under each segment's line."""
    resp = model.variables.get("response")
    if resp is None:
        return
    eff = model.inputs.effects
    ids = list(eff.index)
    nseg = max(len(xs) - 1 for xs, k in zip(eff["xs"], eff["kind"]) if k == "concave")
    slope = np.zeros((len(ids), nseg))
    icpt = np.zeros((len(ids), nseg))
    mask = np.zeros((len(ids), nseg), dtype=bool)
    for j, (xs, ys, kind) in enumerate(zip(eff["xs"], eff["ys"], eff["kind"])):
        if kind != "concave":
            continue
        s = np.diff(ys) / np.diff(xs)
        slope[j, : s.size] = s
        icpt[j, : s.size] = ys[:-1] - s * xs[:-1]
        mask[j, : s.size] = True
    coords = {"effect": ids, "segment": np.arange(nseg)}
    dims = ("effect", "segment")
    scale = model.variables["scale"]
    actions = xr.DataArray(eff["action"].to_numpy(str), dims="effect", coords={"effect": ids})
    lhs = resp - _drop_aux(scale.sel(action=actions).to_linexpr()) * xr.DataArray(
        slope, dims=dims, coords=coords)
    model.add_constraints(
        "response_curve", lhs, "<=", xr.DataArray(icpt, dims=dims, coords=coords),
        mask=xr.DataArray(mask, dims=dims, coords=coords),
        describe=lambda lab: f"the response curve of effect {lab['effect']}",
        doc="hypograph of concave response curves")


def gain_expression(model) -> LinExpr | None:
    """Indicator gains in native units: G(indicator, year[, scenario])."""
    inp = model.inputs
    eff = inp.effects
    if eff.empty or not inp.indicators:
        return None
    ids = list(eff.index)
    scale = model.variables["scale"]
    actions = xr.DataArray(eff["action"].to_numpy(str), dims="effect", coords={"effect": ids})
    slope = xr.DataArray(np.nan_to_num(eff["slope"].to_numpy(float)), dims="effect",
                         coords={"effect": ids})
    progress_units = _drop_aux(scale.sel(action=actions).to_linexpr()) * slope
    resp = model.variables.get("response")
    if resp is not None:
        progress_units = progress_units + resp
    years = inp.years
    active = xr.DataArray(years[None, :] >= eff["first_year"].to_numpy()[:, None],
                          dims=("effect", "year"), coords={"effect": ids, "year": years})
    sign = xr.DataArray(eff["sign"].to_numpy(float), dims="effect", coords={"effect": ids})
    coef = active * sign
    if model.effect_scenarios:
        coef = coef * inp.scenarios.effect_factor
    terms = progress_units * coef
    return terms.groupby_sum("effect", eff["indicator"].to_numpy(str), "indicator",
                             inp.indicators)


def define_progress_constraints(model) -> None:
    """progress_limit(indicator, year): score points gained are at most those the gains give."""
    progress = model.variables.get("progress")
    if progress is None:
        return
    gains = model.gains
    inds = list(progress.labels.coords["indicator"].values)
    scale = model.inputs.score_scale.sel(indicator=inds)
    lhs = progress - gains.isel(indicator=[model.inputs.indicators.index(i) for i in inds]
                                ) * scale
    model.add_constraints(
        "progress_limit", lhs, "<=", 0.0,
        describe=lambda lab: f"the score progress of {lab['indicator']} in {lab['year']}",
        doc="score points gained follow from indicator gains (SDR normalisation)")


def define_floor_constraints(model) -> None:
    """floor(floor): an indicator reaches its target by the floor's year."""
    inp = model.inputs
    floors = inp.portfolio.floors
    ind_floors = floors[floors["indicator"].notna()]
    if ind_floors.empty:
        return
    from stisim.data.indicators import registry

    reg = registry()
    names = list(ind_floors["name"])
    dim = "floor"
    sign = xr.DataArray([1.0 if reg.loc[i, "better"] == "higher" else -1.0
                         for i in ind_floors["indicator"]], dims=dim, coords={dim: names})
    pos_i = xr.DataArray([inp.indicators.index(i) for i in ind_floors["indicator"]], dims=dim,
                         coords={dim: names})
    pos_y = xr.DataArray([int(y - inp.years[0]) for y in ind_floors["year"]], dims=dim,
                         coords={dim: names})
    cf = inp.counterfactual.isel(indicator=pos_i, year=pos_y)
    cf = cf.drop_vars([c for c in cf.coords if c not in cf.dims])
    gains = model.gains
    lhs = _drop_aux(gains.isel(indicator=pos_i, year=pos_y)) * sign

    def rhs() -> xr.DataArray:
        target = model.param("floor_target").sel(floor=names)
        return sign * (target - cf)

    model.add_constraints(
        "floor", lhs, ">=", rhs, params=("floor_target",),
        describe=lambda lab: _floor_phrase(model, lab[dim]) + _scn(lab),
        doc="SDG indicator floors: level reaches the target by the year")


def _floor_phrase(model, name: str) -> str:
    f = model.inputs.portfolio.floors.set_index("name").loc[name]
    target = float(model.param("floor_target").sel(floor=name))
    if f["goal"] is not None and not (isinstance(f["goal"], float) and np.isnan(f["goal"])):
        return f"the SDG {int(f['goal'])} floor of {target:g} by {int(f['year'])}"
    from stisim.data.indicators import registry

    row = registry().loc[f["indicator"]]
    op = "at least" if row["better"] == "higher" else "at most"
    return (f"the floor of {f['indicator']} ({row['name']}) of {op} {target:g} "
            f"{row['unit']} by {int(f['year'])}")


def define_goal_floor_constraints(model) -> None:
    """goal_link and goal_floor: mean clipped score of a goal's indicators >= target."""
    part = model.variables.get("goal_part")
    if part is None:
        return
    inp = model.inputs
    floors = inp.portfolio.floors
    gf = floors[floors["goal"].notna()]
    names = list(gf["name"])
    dim = "goal_floor"
    pos_y = xr.DataArray([int(y - inp.years[0]) for y in gf["year"]], dims=dim,
                         coords={dim: names})
    gains = model.gains
    score0 = inp.score0.isel(year=pos_y)
    score0 = score0.drop_vars([c for c in score0.coords if c not in score0.dims])
    if gains is not None:
        lhs = part - _drop_aux(gains.isel(year=pos_y)) * inp.score_scale
    else:
        lhs = part.to_linexpr()
    model.add_constraints(
        "goal_link", lhs, "<=", score0, mask=part.mask,
        describe=lambda lab: (f"the score of {lab['indicator']} in "
                              f"{_floor_phrase(model, lab[dim])}{_scn(lab)}"),
        doc="indicator scores entering a goal floor follow the indicator gains")
    count = part.mask.sum("indicator")

    def rhs() -> xr.DataArray:
        return model.param("floor_target").sel(floor=names).rename(floor=dim) * count

    model.add_constraints(
        "goal_floor", part.sum("indicator"), ">=", rhs, params=("floor_target",),
        describe=lambda lab: _floor_phrase(model, lab[dim]) + _scn(lab),
        doc="SDG goal-score floors: mean indicator score reaches the target by the year")
