"""Calls into the optimiser (the only module of stisim.coupling that imports it)."""

from __future__ import annotations

import xarray as xr


def optimise_spend(portfolio, cfg, objective: str, responses=None, counterfactual=None,
                   extra_functionality=None, relax_floors: bool = False, **options
                   ) -> tuple[xr.DataArray, xr.Dataset]:
    """The optimiser's spend(action, year, source) and allocation for an objective.

    With ``relax_floors``, a portfolio whose floors cannot be met (e.g. on the agent model's
    counterfactual or corrected curves) is re-solved without them; the allocation's
    ``floors_relaxed`` attribute then names the conflict."""
    import dataclasses

    from stisim.optimize.api import optimise
    from stisim.optimize.iis import InfeasibleError

    try:
        return _optimise(optimise, portfolio, cfg, objective, responses, counterfactual,
                         extra_functionality, options)
    except InfeasibleError as err:
        if not relax_floors or objective == "min_cost" or not len(portfolio.floors):
            raise
        p = dataclasses.replace(portfolio, floors=portfolio.floors.iloc[0:0])
        spend, ds = _optimise(optimise, p, cfg, objective, responses, counterfactual,
                              extra_functionality, options)
        ds.attrs["floors_relaxed"] = str(err).splitlines()[0]
        return spend, ds


def _optimise(optimise, portfolio, cfg, objective, responses, counterfactual,
              extra_functionality, options):
    ds = optimise(portfolio, objective=objective, responses=responses,
                  counterfactual=counterfactual, extra_functionality=extra_functionality,
                  seed=int(cfg.seed),
                  base_year=int(cfg.time.base_year), summary=False, **options)
    spend = ds["spend"]
    if "scenario" in spend.dims:
        spend = spend.mean("scenario")
    return spend.transpose("action", "year", "source").fillna(0.0), ds


def plan_allocation(cfg, portfolio, responses=None, counterfactual=None
                    ) -> tuple[xr.DataArray, xr.Dataset]:
    """The allocation of ``cfg.optimise`` (every setting of the section applies, the config is
    the allocation's provenance) and its spend(action, year, source), averaged over scenarios
    for a robust plan. Floors that cannot be met are dropped and named in the allocation's
    ``floors_relaxed`` attribute (min_cost needs them: it raises)."""
    import dataclasses

    from stisim.optimize.api import run
    from stisim.optimize.iis import InfeasibleError

    try:
        ds, _ = run(cfg, portfolio, responses=responses, counterfactual=counterfactual)
    except InfeasibleError as err:
        if cfg.optimise.objective == "min_cost" or not len(portfolio.floors):
            raise
        p = dataclasses.replace(portfolio, floors=portfolio.floors.iloc[0:0])
        ds, _ = run(cfg, p, responses=responses, counterfactual=counterfactual)
        ds.attrs["floors_relaxed"] = str(err).splitlines()[0]
    spend = ds["spend"]
    if "scenario" in spend.dims:
        spend = spend.mean("scenario")
    spend = spend.transpose("action", "year", "source").fillna(0.0)
    if "floors_relaxed" in ds.attrs:
        spend.attrs["floors_relaxed"] = ds.attrs["floors_relaxed"]
    return spend, ds


def optimise_allocation(cfg, portfolio=None, log=None, **kwargs):
    """``stisim optimise`` as a function: :func:`stisim.optimize.api.run` with the agent
    model's business-as-usual counterfactual when ``optimise.counterfactual`` is ``abm``
    (the default) and the allocation reads one. Returns ``(allocation, model)``."""
    from stisim.coupling.counterfactual import needed, planning_path
    from stisim.optimize.api import _portfolio, run

    p = _portfolio(portfolio, cfg)
    cf = planning_path(cfg, p, log=log) if needed(p, cfg.optimise) else None
    return run(cfg, p, counterfactual=cf, **kwargs)


def feasible_spend(portfolio, cfg, targets, weights=None) -> tuple[xr.DataArray, xr.Dataset]:
    """The allocation closest to target scales that obeys every portfolio rule: maximise
    Σ weight x scale subject to scale <= target (plus budgets, capacities, dependencies,
    source shares and leverage; not SDG floors or regional equity shares)."""
    import dataclasses

    import pyomo.environ as pyo

    actions = portfolio.actions.copy()
    caps = {a: float(targets.get(a, 0.0)) for a in actions.index}
    for a in actions.index:
        if bool(actions.loc[a, "mandatory"]):
            caps[a] = float(actions.loc[a, "max_scale"])
    w = weights if weights is not None else {a: 1.0 for a in actions.index}
    actions["value"] = [float(w.get(a, 1.0)) + 1e-3 for a in actions.index]
    # Floors and regional equity shares are targets the comparison checks, not rules a rule
    # of thumb can obey once its targets are set (they may need actions it left out).
    regions = portfolio.regions.copy()
    if "min_share" in regions:
        regions["min_share"] = 0.0
    p = dataclasses.replace(portfolio, actions=actions, floors=portfolio.floors.iloc[0:0],
                            regions=regions)

    def cap_scales(model, _portfolio) -> None:
        m = model.m
        m.strategy_cap = pyo.Constraint(list(caps), rule=lambda m, a: m.scale[a] <= caps[a])

    return optimise_spend(p, cfg, "value", extra_functionality=cap_scales)
