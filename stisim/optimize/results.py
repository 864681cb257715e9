"""``assign_solution``: a solved model as a documented xarray Dataset.

Dims ``action``, ``year``, ``source`` (and ``indicator``, ``goal``, ``agency``, ``floor``,
``scenario`` where they apply). Action, source and indicator metadata are coordinates. Every
variable is documented in ``variables.yml`` beside this module; attributes carry the objective,
status, MIP gap, timings, the resolved config and provenance.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr
import yaml

from stisim.dataset import annotate, provenance_attrs, register_variables
from stisim.optimize.objectives import SENSE, UNITS
from stisim.optimize.solve import SolveResult

KIND = "allocation"  # the kind of Dataset whose variables optimize/variables.yml documents
register_variables(yaml.safe_load(Path(__file__).with_name("variables.yml").read_text(
    encoding="utf-8")), kind=KIND)


def variable_values(model, name: str, x: np.ndarray, fill: float = 0.0) -> xr.DataArray:
    """Solution values of a variable family on its dims (``fill`` where masked)."""
    labels = model.variables[name].labels
    values = np.where(labels.values >= 0, x[np.clip(labels.values, 0, None)], fill)
    return labels.copy(data=values.astype(float))


def _coords(model) -> dict[str, Any]:
    p = model.portfolio
    acts, srcs = p.actions, p.sources
    return {
        "action": ("action", p.action_ids),
        "action_name": ("action", acts["name"].astype(str).to_numpy()),
        "instrument": ("action", acts["instrument"].astype(str).to_numpy()),
        "lead": ("action", acts["lead"].astype(str).to_numpy()),
        "region": ("action", acts["region"].astype(str).to_numpy()),
        "year": ("year", p.years),
        "source": ("source", p.source_ids),
        "source_name": ("source", srcs["name"].astype(str).to_numpy()),
        "source_kind": ("source", srcs["kind"].astype(str).to_numpy()),
    }


def indicator_gains(model, scale: pd.Series, factors: xr.DataArray | None = None
                    ) -> tuple[xr.DataArray, xr.DataArray]:
    """Gains of every response curve at the funded scales: (indicator, year[, scenario])
    and the sustained gain per (action, indicator)."""
    from stisim.data.indicators import registry

    p = model.portfolio
    codes = list(registry().index)
    years = p.years
    total = p.total_cost().to_series().to_dict()
    scale = scale.to_dict()
    per_pair = xr.DataArray(np.zeros((len(p.action_ids), len(codes))),
                            dims=("action", "indicator"),
                            coords={"action": p.action_ids, "indicator": codes})
    dims = ["indicator", "year"]
    shape = [len(codes), len(years)]
    if factors is not None:
        dims.append("scenario")
        shape.append(factors.sizes["scenario"])
    gains = np.zeros(shape)
    effect_ids = set(factors.coords["effect"].values) if factors is not None else set()
    a_pos = {a: k for k, a in enumerate(p.action_ids)}
    i_pos = {c: k for k, c in enumerate(codes)}
    start = p.actions["start"].to_dict()
    pair = per_pair.values
    for (a, i), curve in model.inputs.responses.curves.items():
        g = float(curve.at(scale[a] * total[a]))
        if g == 0.0:
            continue
        pair[a_pos[a], i_pos[i]] += g
        active = years >= int(start[a]) + curve.lag
        k = i_pos[i]
        if factors is None:
            gains[k, active] += g
        else:
            key = f"{a}|{i}"
            f = factors.sel(effect=key).values if key in effect_ids else np.ones(shape[-1])
            gains[k, active, :] += g * f[None, :]
    return (xr.DataArray(gains, dims=dims, coords={"indicator": codes, "year": years}),
            per_pair)


def _scores(values: xr.DataArray) -> xr.DataArray:
    from stisim.sdg.scores import normalise

    return normalise(values)


def _counterfactual_origin(model) -> str:
    path = model.inputs.counterfactual_path
    if path is not None:
        return str(path.attrs.get("method", "counterfactual path supplied by the caller"))
    mode = model.options.counterfactual
    return {"trend": "observed linear trend of the last 10 years",
            "flat": "flat at the base-year value"}.get(mode, f"{mode}: no path supplied")


def sdg_outcomes(model, gains: xr.DataArray) -> dict[str, xr.DataArray]:
    """Counterfactual, levels, score gains, goal scores and SDG-index gain."""
    from stisim.optimize.inputs import counterfactual
    from stisim.sdg.scores import goal_scores, index_score

    p = model.portfolio
    if p.country_m49 is None:
        return {}
    codes = list(gains.coords["indicator"].values)
    cf, _ = counterfactual(p, codes, model.inputs.base_year, model.options.counterfactual,
                           model.inputs.counterfactual_path)
    level = cf + gains
    s_cf, s_lv = _scores(cf), _scores(level)
    goals_cf = goal_scores(s_cf.transpose("indicator", ...))
    goals_lv = goal_scores(s_lv.transpose("indicator", ...))
    index_gain = index_score(goals_lv) - index_score(goals_cf)
    return {"indicator_counterfactual": cf, "indicator_level": level,
            "score_gain": s_lv - s_cf, "goal_score": goals_lv,
            "goal_score_counterfactual": goals_cf, "sdg_index_gain": index_gain}


def _duals(model, result: SolveResult) -> dict[str, xr.DataArray]:
    out: dict[str, xr.DataArray] = {}
    if result.row_dual is None:
        return out
    p = model.portfolio
    budget = model.constraints.get("budget")
    if budget is not None:
        da = budget.to_dataarray(result.row_dual)
        out["budget_shadow_price"] = da.reindex(source=p.source_ids, year=p.years)
    cap = model.constraints.get("capacity")
    if cap is not None:
        out["capacity_shadow_price"] = cap.to_dataarray(result.row_dual)
    floors = []
    for name in ("floor", "goal_floor"):
        block = model.constraints.get(name)
        if block is None:
            continue
        da = block.to_dataarray(result.row_dual)
        if name == "goal_floor":
            # d obj / d (count x target): per target point multiply by the count.
            part = model.variables["goal_part"]
            da = da * part.mask.sum("indicator")
            da = da.rename(goal_floor="floor")
        else:
            sign = xr.DataArray([_floor_sign(f, model) for f in da["floor"].values],
                                dims="floor", coords={"floor": da["floor"].values})
            da = da * sign
        floors.append(da)
    if floors:
        out["floor_shadow_price"] = xr.concat(floors, dim="floor")
    return out


def _floor_sign(name: str, model) -> float:
    from stisim.data.indicators import registry

    ind = model.portfolio.floors.set_index("name").loc[name, "indicator"]
    return 1.0 if registry().loc[ind, "better"] == "higher" else -1.0


def assign_solution(model, result: SolveResult, *, cfg_container: dict | None = None,
                    seed: int = 0, timings: dict[str, float] | None = None,
                    started: float | None = None) -> xr.Dataset:
    """The allocation Dataset of a solved model.

    ``started`` (a ``time.perf_counter()`` value taken before building) makes
    ``total_seconds`` the wall time from then to the end of this call.
    """
    t0 = time.perf_counter()
    if not result.has_solution:
        raise ValueError(f"no solution to assign (status {result.status})")
    p = model.portfolio
    x = result.x
    scale = variable_values(model, "scale", x)
    scale = scale.where(np.abs(scale) > 1e-9, 0.0)
    spend = variable_values(model, "spend", x)
    spend = spend.where(np.abs(spend) > 1e-9, 0.0)
    data: dict[str, Any] = {
        "scale": scale,
        "funded": (scale > 1e-9).astype(float),
        "spend": spend,
        "action_cost": p.cost,
        "action_value": model.param("action_value"),
        "budget": model.param("budget_amount"),
        "budget_used": spend.sum("action"),
    }
    scen = model.inputs.scenarios
    factors = scen.effect_factor if scen is not None else None
    gains, per_pair = indicator_gains(model, scale.to_series(), factors)
    data["indicator_gain"] = gains
    data["action_indicator_gain"] = per_pair
    data.update(sdg_outcomes(model, gains))
    data.update(_duals(model, result))
    objective = model.options.objective
    objective_value = result.objective
    attrs_extra: dict[str, Any] = {}
    if scen is not None:
        outcome = variable_values(model, "outcome", x)
        data["scenario_outcome"] = outcome
        data["scenario_probability"] = scen.probability
        best = model.param("best_outcome") if "best_outcome" in model.params else None
        if model.measure == "regret" and best is not None:
            data["best_outcome"] = best
            data["regret"] = best - outcome
        attrs_extra.update(robust_measure=model.measure,
                           robust_alpha=float(model.options.robust.alpha),
                           scenarios_origin=scen.origin)
        # The measure in natural terms: expected/worst/CVaR cost for min_cost, and the
        # largest regret (>= 0) for regret.
        from stisim.optimize.robust import measure_value

        objective_value = measure_value(model, x)
        if model.measure != "regret" and SENSE[objective] == "min":
            objective_value = -objective_value
        objective_value += 0.0
    from stisim.data.indicators import registry

    reg = registry()
    ds = xr.Dataset(data)
    ds = ds.assign_coords({k: v for k, v in _coords(model).items()})
    if "indicator" in ds.dims:
        inds = ds["indicator"].values
        ds["indicator_unit"] = ("indicator", reg.loc[inds, "unit"].to_numpy(str))
        ds["indicator_name"] = ("indicator", reg.loc[inds, "name"].to_numpy(str))
    timings = dict(timings or {})
    timings.setdefault("build_seconds", model.build_seconds)
    timings.setdefault("solver_seconds", result.solver_seconds)
    timings["assign_seconds"] = time.perf_counter() - t0
    if started is not None:
        timings["total_seconds"] = time.perf_counter() - started
    timings.setdefault("total_seconds", sum(v for k, v in timings.items()
                                            if k in ("build_seconds", "load_seconds",
                                                     "solver_seconds", "assign_seconds")))
    from stisim.optimize.model import stats

    cfg_container = cfg_container or {"optimise": _options_dict(model.options)}
    provenance = model.inputs.baseline_provenance
    ds.attrs = provenance_attrs(
        cfg_container, seed, provenance,
        title="stisim roadmap allocation",
        objective=objective, objective_units=UNITS[objective],
        objective_value=float(objective_value), status=result.status,
        model_status=result.model_status, mip_gap=float(result.mip_gap),
        is_mip=int(result.is_mip), duals_from=result.duals_from,
        portfolio=str(p.path or p.name), portfolio_name=p.name,
        portfolio_sha256=p.sha256 or "", currency=p.currency,
        country=p.country_name or "", country_m49=int(p.country_m49 or 0),
        base_year=int(model.inputs.base_year), discount_rate=float(p.discount_rate),
        responses=model.inputs.responses.origin, counterfactual=_counterfactual_origin(model),
        model_size=json.dumps(stats(model)), **solve_attrs(model, result),
        **{k: float(v) for k, v in timings.items()}, **attrs_extra,
    )
    return annotate(ds, KIND)


def solve_attrs(model, result: SolveResult) -> dict[str, str]:
    """The HiGHS method, its options (with the run's seed, limits and gap), why it was
    chosen and the iteration counts (``solve_*`` attributes)."""
    strategy = result.strategy
    if strategy is None:  # solved through another interface (optimise.interface=pyomo)
        return {"solve_method": "pyomo persistent HiGHS (HiGHS defaults)"}
    user = {k: v for k, v in getattr(model.solver, "options", {}).items()
            if k != "output" and v is not None}
    return {"solve_method": strategy.method,
            "solve_options": json.dumps(strategy.options | user, sort_keys=True),
            "solve_reason": strategy.reason,
            "solve_iterations": json.dumps(result.iterations, sort_keys=True)}


def _options_dict(options) -> dict[str, Any]:
    import dataclasses

    return dataclasses.asdict(options)


def allocation_table(ds: xr.Dataset, top: int | None = None) -> str:
    """The allocation as a plain-text table: one row per funded action."""
    from stisim.summary import table

    spend = ds["spend"]
    if "scenario" in spend.dims:
        spend = spend.mean("scenario")
    by_source = spend.sum("year")
    funded = ds["scale"] > 1e-9
    order = by_source.sum("source").where(funded, -1).to_series().sort_values(ascending=False)
    sources = list(ds["source"].values)
    rows = []
    for a in order.index[: top or len(order)]:
        if not funded.sel(action=a):
            continue
        name = str(ds["action_name"].sel(action=a).values)
        rows.append([f"{a} {name[:38]}", str(ds["instrument"].sel(action=a).values),
                     f"{float(ds['scale'].sel(action=a)):.2f}",
                     *[_money(float(by_source.sel(action=a, source=s))) for s in sources],
                     _money(float(by_source.sel(action=a).sum()))])
    header = ["action", "instrument", "scale", *sources, "total"]
    totals = by_source.sum("action")
    rows.append(["TOTAL", "", "", *[_money(float(totals.sel(source=s))) for s in sources],
                 _money(float(totals.sum()))])
    n_funded = int(funded.sum())
    head = (f"{ds.attrs.get('portfolio_name', '')}: objective {ds.attrs['objective']} = "
            f"{ds.attrs['objective_value']:.6g} {ds.attrs['objective_units']} "
            f"({ds.attrs['status']}, MIP gap {ds.attrs['mip_gap']:.2g}); {n_funded} of "
            f"{ds.sizes['action']} actions funded; money in {ds.attrs['currency']} over "
            f"{int(ds['year'][0])}-{int(ds['year'][-1])}")
    parts = [head, table(rows, header)]
    if "budget_shadow_price" in ds:
        sp = ds["budget_shadow_price"]
        if "scenario" in sp.dims:
            sp = sp.mean("scenario")
        lines = []
        for s in sources:
            v = sp.sel(source=s)
            if bool(np.isfinite(v).any()):
                lines.append([s, f"{float(v.max()) + 0.0:.4g}", f"{float(v.mean()) + 0.0:.4g}"])
        if lines:
            parts.append(table(lines, ["budget shadow price", "max", "mean over years"]))
    extra = []
    if "capacity_shadow_price" in ds:
        cap = ds["capacity_shadow_price"]
        cap = cap.mean("scenario") if "scenario" in cap.dims else cap
        for g in cap["agency"].values:
            v = cap.sel(agency=g)
            if bool((np.abs(v) > 1e-12).any()):
                extra.append([f"capacity of {g}", f"{float(v.max()) + 0.0:.4g}",
                              f"{float(v.mean()) + 0.0:.4g}"])
    if "floor_shadow_price" in ds:
        for f in ds["floor"].values:
            v = ds["floor_shadow_price"].sel(floor=f)
            v = v.mean("scenario") if "scenario" in v.dims else v
            extra.append([f"floor {f}", f"{float(v) + 0.0:.4g}", ""])
    if extra:
        parts.append(table(extra, ["other shadow prices", "max", "mean over years"]))
    if "sdg_index_gain" in ds:
        g = ds["sdg_index_gain"].isel(year=-1)
        by = int(ds["year"][-1])
        if "scenario" in g.dims:  # a robust plan: expected gain and its spread
            p = ds.get("scenario_probability")
            mean = g.weighted(p).mean("scenario") if p is not None else g.mean("scenario")
            parts.append(f"SDG index gain: {float(mean):.3f} points by {by}, expected over "
                         f"{g.sizes['scenario']} scenarios (from {float(g.min()):.3f} to "
                         f"{float(g.max()):.3f})")
        else:
            parts.append(f"SDG index gain: {float(g):.3f} points by {by}")
    parts.append(f"timing: build {ds.attrs['build_seconds']:.3f} s, HiGHS "
                 f"{ds.attrs['solver_seconds']:.3f} s, total {ds.attrs['total_seconds']:.3f} s")
    return "\n\n".join(parts)


def _money(v: float) -> str:
    return "-" if abs(v) < 1e-9 else (f"{v:,.2f}" if abs(v) < 1000 else f"{v:,.0f}")
