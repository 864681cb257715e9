"""Adaptive roadmaps: rolling-horizon re-optimisation on monitored, noisy indicators.

A *static* roadmap optimises the ``sdg`` objective once and the agents execute it whatever
happens. An *adaptive* roadmap starts from the same plan; at the end of every year t of the
horizon it monitors the agents' indicators with relative noise ``coupling.monitor_noise``
(x̃ = x (1 + σ ε), ε ~ N(0, 1), one generator per replicate from ``SeedSequence(seed,
spawn_key=(3, r))``) and re-plans when

* ``coupling.replan_every`` years have passed since the last plan (scheduled), or
* a planned indicator the agents drive (registry ``driver = agents``) has a monitored score
  that falls more than ``coupling.trigger_points`` below its planned path (trigger).

Re-planning corrects every response curve of indicator i by the monitored delivery ratio
ρ_i = (x̃_i - cf_i) / (plan_i - cf_i) (clipped to [0, 3], damped with
``coupling.loop_damping``), re-optimises, and replaces the not yet executed budget years
(> t) of the agents' budget lines by the new plan (money already disbursed stays spent). Both
roadmaps are run in the same scenario (e.g. a shock) with the same replicate seeds; the
outcome is the discounted SDG-index gain over the no-roadmap run in the same scenario.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from stisim.coupling import replicates as sm
from stisim.coupling.bridge import optimise_spend
from stisim.coupling.compare import mean_ci
from stisim.coupling.execute import execute
from stisim.coupling.loop import scaled_curves
from stisim.data.indicators import registry
from stisim.pipeline import Simulation, simulate
from stisim.sdg.scores import normalise
from stisim.seeds import monitor_rng


def _apply_difference(model, old: pd.DataFrame, new: pd.DataFrame) -> None:
    """Change the model's budget lines from the old plan's to the new plan's."""
    keys = ["instrument", "executor", "region", "technology", "year"]
    a = old.groupby(keys)["amount"].sum()
    b = new.groupby(keys)["amount"].sum()
    if not len(a) or not len(b):
        diff = b if len(b) else -a
    else:
        diff = b.sub(a, fill_value=0.0)
    for (inst, ex, reg, tech, year), amount in diff.items():
        if abs(amount) > 1e-6:
            model.budgets.add(inst, int(year), float(amount), ex, reg, tech)


def run_adaptive(cfg, portfolio, inputs, curves, seed: int, replicate: int,
                 plan: tuple[xr.DataArray, xr.Dataset], counterfactual=None):
    """One adaptive run: (scored dataset, list of re-plan events, the spend executed).

    The run is one :func:`stisim.pipeline.simulate` run; re-planning happens between steps
    (``on_step``) on the monitored indicators the run has reached, interlinkages included.
    """
    from stisim.roadmap.responses import ResponseCurves

    c = cfg.coupling
    base = curves if curves is not None else ResponseCurves.from_portfolio(portfolio)
    spend, alloc = plan
    rng = monitor_rng(int(cfg.seed), replicate)
    years = [int(y) for y in portfolio.years]
    end = min(years[-1], int(cfg.time.end_year))
    factors: dict[tuple[str, str], float] = {}
    state = {"spend": spend, "alloc": alloc, "last_plan": years[0]}
    events: list[dict] = []
    reg = registry()
    driven = set(reg.index[reg["driver"] == "agents"])

    def replan(sim: Simulation) -> None:
        model = sim.model
        if abs(model.t - round(model.t)) > 1e-9:
            return
        t = round(model.t)
        if t < years[0] or t >= end:
            return
        spend, alloc = state["spend"], state["alloc"]
        x = sim.indicators()
        seen = x * (1 + c.monitor_noise * rng.standard_normal(x.shape))
        level = alloc["indicator_level"].sel(year=t)
        cf = alloc["indicator_counterfactual"].sel(year=t)
        # only indicators the agents drive can be monitored against the plan
        planned = [i for i in level.indicator.values[(np.abs(level - cf) > 1e-9).values]
                   if i in driven]
        if not len(planned):
            return
        s_seen = normalise(seen.sel(indicator=planned))
        s_plan = normalise(level.sel(indicator=planned))
        behind = [str(i) for i in planned
                  if float(s_plan.sel(indicator=i) - s_seen.sel(indicator=i)) > c.trigger_points]
        scheduled = t - state["last_plan"] >= c.replan_every
        if not (behind or scheduled):
            return
        for i in planned:
            promised = float(level.sel(indicator=i) - cf.sel(indicator=i))
            ratio = float(np.clip((float(seen.sel(indicator=i)) - float(cf.sel(indicator=i)))
                                  / promised, 0.0, 3.0))
            for key in base.curves:
                if key[1] == str(i):
                    f = factors.get(key, 1.0)
                    factors[key] = (1 - c.loop_damping) * f + c.loop_damping * f * ratio
        new_spend, new_alloc = optimise_spend(
            portfolio, cfg, "sdg", responses=scaled_curves(base, factors, "monitored"),
            counterfactual=counterfactual, relax_floors=True)
        old_lines = execute(spend, portfolio, cfg, from_year=t + 1).lines
        new_lines = execute(new_spend, portfolio, cfg, from_year=t + 1).lines
        _apply_difference(model, old_lines, new_lines)
        future = spend["year"] > t
        state.update(spend=spend.where(~future, new_spend), alloc=new_alloc, last_plan=t)
        events.append({"replicate": replicate, "year": t,
                       "reason": "trigger" if behind else "scheduled",
                       "behind": ",".join(behind[:5]),
                       "moved": float(np.abs(new_spend.sel(year=future) - plan[0].sel(
                           year=future)).sum())})

    ds = simulate(inputs, execute(spend, portfolio, cfg).budgets, seed=seed, on_step=replan)
    return sm.scored(ds), events, state["spend"]


def static_vs_adaptive(cfg, portfolio, inputs, curves=None, log=print) -> xr.Dataset:
    """Static and adaptive optimal_sdg roadmaps in the configured scenario."""
    inputs = sm.rebind(inputs, cfg)
    seeds = sm.seeds(int(cfg.seed), int(cfg.compare.replicates))
    ref = sm.run_replicates(inputs, None, seeds)
    from stisim.coupling.counterfactual import planning_path

    cf = planning_path(cfg, portfolio, inputs)
    plan = optimise_spend(portfolio, cfg, "sdg", responses=curves, counterfactual=cf,
                          relax_floors=True)
    static = sm.run_replicates(inputs, execute(plan[0], portfolio, cfg).budgets, seeds)
    runs, events, spends = [], [], []
    for r, s in enumerate(seeds):
        ds, ev, sp = run_adaptive(cfg, portfolio, inputs, curves, s, r, plan, cf)
        runs.append(ds)
        events += ev
        spends.append(sp)
        log(f"  adaptive replicate {r}: {len(ev)} re-plan(s)")
    adaptive = xr.concat(runs, "replicate", coords="minimal", compat="override"
                         ).assign_coords(replicate=np.arange(len(runs)))
    both = xr.concat([static[["sdg_index", "goal_score", "indicator_value"]],
                      adaptive[["sdg_index", "goal_score", "indicator_value"]]], "plan",
                     coords="minimal", compat="override").assign_coords(
        plan=["static", "adaptive"])
    years = portfolio.years
    both["sdg_gain"] = sm.discounted_gain(both["sdg_index"], ref["sdg_index"], years,
                                          portfolio.discount_rate)
    both["sdg_index_gain"] = (both["sdg_index"] - ref["sdg_index"]).isel(time=-1, drop=True)
    ev = pd.DataFrame(events, columns=["replicate", "year", "reason", "behind", "moved"])
    both["replans"] = ("replicate", ev.groupby("replicate").size().reindex(
        range(len(seeds)), fill_value=0).to_numpy())
    both["triggered_replans"] = ("replicate", ev[ev["reason"] == "trigger"].groupby(
        "replicate").size().reindex(range(len(seeds)), fill_value=0).to_numpy())
    both.attrs.update(scenario=str(cfg.scenario.name), replan_every=int(cfg.coupling.replan_every),
                      monitor_noise=float(cfg.coupling.monitor_noise),
                      trigger_points=float(cfg.coupling.trigger_points),
                      replan_events=ev.to_json(orient="records"))
    return both


def adaptive_report(ds: xr.Dataset) -> str:
    d = (ds["sdg_gain"].sel(plan="adaptive") - ds["sdg_gain"].sel(plan="static")).values
    m, lo, hi = mean_ci(d)
    st = mean_ci(ds["sdg_gain"].sel(plan="static").values)
    ad = mean_ci(ds["sdg_gain"].sel(plan="adaptive").values)
    if lo > 0:
        verdict = "adaptive BEATS static"
    elif hi < 0:
        verdict = "adaptive LOSES TO static"
    else:
        verdict = "adaptive and static are NOT distinguishable"
    return (f"static vs adaptive roadmap (scenario {ds.attrs['scenario']}, re-plan every "
            f"{ds.attrs['replan_every']} years or on a trigger of "
            f"{ds.attrs['trigger_points']} score points, monitoring noise "
            f"{ds.attrs['monitor_noise']:.0%}):\n"
            f"  static   {st[0]:.3f} [{st[1]:.3f}, {st[2]:.3f}] SDG-index points x years\n"
            f"  adaptive {ad[0]:.3f} [{ad[1]:.3f}, {ad[2]:.3f}] "
            f"({float(ds['replans'].mean()):.1f} re-plans per replicate, "
            f"{float(ds['triggered_replans'].mean()):.1f} triggered)\n"
            f"  {verdict} on the SDG index: paired difference {m:+.3f} (95% CI {lo:+.3f} to "
            f"{hi:+.3f}, {d.size} replicates)")
