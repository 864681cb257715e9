"""Closed loop: optimise -> simulate -> re-estimate -> re-optimise.

Iteration k:

1. optimise the ``sdg`` objective with curves ``f_ai x c_ai(spend)`` (expert or ABM curves
   ``c``, correction factors ``f`` = 1 at first) and the agent model's no-roadmap path as the
   counterfactual;
2. execute the allocation in the agent model (``coupling.loop_replicates`` replicates) and,
   for every funded action, once without it: the delivered gain of action a on indicator i is
   ``D_ai = mean_r [x_i(T; all) - x_i(T; all but a)]``; the promised gain ``P_ai`` is the
   optimiser's ``action_indicator_gain``;
3. re-estimate ``f_ai <- (1 - d) f_ai + d f_ai clip(D_ai / P_ai, 0, 3)`` (d =
   ``coupling.loop_damping``) where |P_ai| is material;
4. stop when no action's scale changes by more than ``coupling.loop_tolerance`` between two
   iterations (converged), or after ``coupling.loop_max_iterations`` (not converged: the
   report says so and shows the last changes).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr

from stisim.coupling import replicates as sm
from stisim.coupling.bridge import optimise_spend
from stisim.coupling.execute import execute


@dataclass
class LoopResult:
    converged: bool
    iterations: int
    history: pd.DataFrame  # iteration, max_scale_change, promised_index_gain, delivered...
    dataset: xr.Dataset  # promised vs delivered per action, indicator and goal (last iter)


def scaled_curves(curves, factors: dict[tuple[str, str], float], origin: str):
    """Curves multiplied by correction factors per (action, indicator)."""
    out = {}
    for key, c in curves.curves.items():
        f = float(factors.get(key, 1.0))
        out[key] = dataclasses.replace(
            c, gain=c.gain * f, low=None if c.low is None else c.low * f,
            high=None if c.high is None else c.high * f)
    return type(curves)(out, origin=origin, notes=list(curves.notes))


def agent_counterfactual(ref: xr.Dataset, years: np.ndarray) -> xr.DataArray:
    """The no-roadmap indicator path of the agent model as (indicator, year); years after
    the simulated horizon keep the last simulated level."""
    v = ref["indicator_value"].mean("replicate")
    v = v.assign_coords(time=v["time"].values.astype(int)).rename(time="year")
    return v.reindex(year=[int(y) for y in years], method="ffill").transpose("indicator",
                                                                             "year")


def closed_loop(cfg, portfolio, inputs, curves=None, log=print) -> LoopResult:
    from stisim.roadmap.responses import ResponseCurves

    inputs = sm.rebind(inputs, cfg)
    c = cfg.coupling
    base_curves = curves if curves is not None else ResponseCurves.from_portfolio(portfolio)
    seeds = sm.seeds(int(cfg.seed), int(c.loop_replicates))
    ref = sm.run_replicates(inputs, None, seeds)
    end = float(min(int(portfolio.years[-1]), int(cfg.time.end_year)))
    from stisim.coupling.counterfactual import planning_path

    cf = planning_path(cfg, portfolio, inputs)
    if cf is None:  # flat or trend asked for the optimiser: the loop plans on the agents' path
        cf = agent_counterfactual(ref, portfolio.years)
    factors: dict[tuple[str, str], float] = {}
    prev = None
    history, converged = [], False
    current = base_curves
    for it in range(1, int(c.loop_max_iterations) + 1):
        spend, alloc = optimise_spend(portfolio, cfg, "sdg", responses=current,
                                      counterfactual=cf, relax_floors=True)
        if "floors_relaxed" in alloc.attrs and it == 1:
            log(f"  floors relaxed: {alloc.attrs['floors_relaxed']}")
        scale = alloc["scale"].to_series()
        executed = execute(spend, portfolio, cfg)
        full = sm.run_replicates(inputs, executed.budgets, seeds)
        promised = alloc["action_indicator_gain"]
        funded = [a for a in scale.index if scale[a] > 1e-6]
        delivered = xr.zeros_like(promised)
        for a in funded:
            without = spend.where(spend["action"] != a, 0.0)
            wo = sm.run_replicates(inputs, execute(without, portfolio, cfg).budgets, seeds)
            d = (full["indicator_value"] - wo["indicator_value"]).sel(time=end).mean(
                "replicate")
            delivered.loc[{"action": a}] = d.reindex(indicator=promised["indicator"]).fillna(
                0.0).values
        change = float((scale - prev).abs().max()) if prev is not None else np.inf
        promised_index = float(alloc["sdg_index_gain"].isel(year=-1)) \
            if "sdg_index_gain" in alloc else np.nan
        delivered_index = float((full["sdg_index"] - ref["sdg_index"]).sel(time=end).mean())
        history.append({"iteration": it, "max_scale_change": change,
                        "funded_actions": len(funded),
                        "promised_index_gain": promised_index,
                        "delivered_index_gain": delivered_index})
        log(f"  loop iteration {it}: max scale change {change:.3f}, promised SDG-index gain "
            f"{promised_index:.3f}, delivered {delivered_index:.3f}")
        if prev is not None and change <= c.loop_tolerance:
            converged = True
            break
        prev = scale
        # re-estimate the correction factors from delivered / promised
        for a in funded:
            for i in promised["indicator"].values:
                p = float(promised.sel(action=a, indicator=i))
                if abs(p) < 1e-9:
                    continue
                ratio = float(np.clip(float(delivered.sel(action=a, indicator=i)) / p, 0, 3))
                f = factors.get((a, str(i)), 1.0)
                factors[(a, str(i))] = (1 - c.loop_damping) * f + c.loop_damping * f * ratio
        current = scaled_curves(base_curves, factors, f"{base_curves.origin}, loop iteration "
                                f"{it}")
    ds = _promised_delivered(alloc, promised, delivered, full, ref, end)
    if executed.ledger is not None:
        from stisim.coupling.finance import ledger_array

        ds["channel_money"] = ledger_array(executed.ledger, range(
            int(cfg.time.base_year), int(cfg.time.end_year) + 1))
    ds.attrs.update(converged=int(converged), iterations=len(history),
                    tolerance=float(c.loop_tolerance), response_curves=base_curves.origin)
    hist = pd.DataFrame(history)
    for col in hist.columns[1:]:
        ds[f"loop_{col}"] = ("iteration", hist[col].to_numpy(float))
    ds = ds.assign_coords(iteration=hist["iteration"].to_numpy())
    return LoopResult(converged, len(history), hist, ds)


def _promised_delivered(alloc, promised, delivered, full, ref, end) -> xr.Dataset:
    goal_delivered = (full["goal_score"] - ref["goal_score"]).sel(time=end).mean("replicate")
    out = xr.Dataset({
        "scale": alloc["scale"],
        "promised_gain": promised, "delivered_gain": delivered,
        "delivered_goal_gain": goal_delivered.drop_vars("time", errors="ignore"),
    })
    if "goal_score" in alloc:
        last = alloc["year"].values[-1]
        out["promised_goal_gain"] = (alloc["goal_score"] - alloc["goal_score_counterfactual"]
                                     ).sel(year=last, drop=True).reindex(
            goal=goal_delivered["goal"]).fillna(0.0)
    return out


def loop_report(result: LoopResult) -> str:
    from stisim.summary import table as fmt

    ds = result.dataset
    lines = [f"closed loop: {'converged' if result.converged else 'DID NOT converge'} after "
             f"{result.iterations} iteration(s) (tolerance {ds.attrs['tolerance']} in scale)"]
    lines.append(fmt([[str(int(r.iteration)), f"{r.max_scale_change:.3f}",
                       str(int(r.funded_actions)), f"{r.promised_index_gain:.3f}",
                       f"{r.delivered_index_gain:.3f}"]
                      for r in result.history.itertuples()],
                     ["iteration", "max scale change", "funded", "promised index gain",
                      "delivered index gain"]))
    rows = []
    p, d = ds["promised_gain"], ds["delivered_gain"]
    for a in ds["action"].values:
        for i in ds["indicator"].values:
            pv, dv = float(p.sel(action=a, indicator=i)), float(d.sel(action=a, indicator=i))
            if abs(pv) > 1e-9:
                rows.append([str(a), str(i), f"{float(ds['scale'].sel(action=a)):.2f}",
                             f"{pv:.4g}", f"{dv:.4g}", f"{dv - pv:+.4g}"])
    lines.append("promised vs delivered per action (indicator units, last year)")
    lines.append(fmt(rows, ["action", "indicator", "scale", "promised", "delivered", "gap"]))
    if "promised_goal_gain" in ds:
        g = [[str(int(k)), f"{float(ds['promised_goal_gain'].sel(goal=k)):.3f}",
              f"{float(ds['delivered_goal_gain'].sel(goal=k)):.3f}"]
             for k in ds["goal"].values
             if abs(float(ds["promised_goal_gain"].sel(goal=k))) > 1e-6
             or abs(float(ds["delivered_goal_gain"].sel(goal=k))) > 1e-3]
        lines.append("promised vs delivered per goal (goal-score points, last year)")
        lines.append(fmt(g, ["goal", "promised", "delivered"]))
    if "channel_money" in ds:
        from stisim.coupling.finance import channel_report

        lines.append(channel_report(ds["channel_money"], ", last iteration"))
    return "\n".join(lines)
