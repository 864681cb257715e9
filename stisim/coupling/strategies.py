"""Prioritisation strategies: each returns ``spend(action, year, source)`` for a portfolio.

* ``optimal_<objective>``: the optimiser (value, sdg, min_cost) with all portfolio rules;
* rules of thumb set target scales within the official envelope (the sum over the horizon
  of the limited official sources' budgets), then a feasibility pass (the optimiser with
  every portfolio rule, maximising the funded scale up to the targets) makes them respect
  yearly budgets, agency capacities, dependencies, source shares, leverage and equity, so
  every strategy plays by the same rules:

  - ``equal_split``: every action the same money (water-filling: money an action cannot use
    at its maximum scale goes to the others);
  - ``expert_ranking``: actions funded to full scale in the order the portfolio lists them;
  - ``greedy``: by expert SDG benefit per unit of official cost (benefit = the sdg objective's
    weighted score gain at full scale);
  - ``gap_proportional``: money in proportion to the distance to goal of the indicators an
    action moves (100 - base-year score, as in Policy Priority Inference, Castañeda et al.
    2018), water-filled;
  - ``one_goal_first``: actions moving the chosen goal first (portfolio order), then the rest.

Money of a funded action is split over its eligible official sources in proportion to their
maximum shares; private co-finance is ``leverage x`` official money, up to the private
source's maximum share.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from stisim.data.indicators import registry
from stisim.sdg.scores import goal_scores, normalise

OPTIMAL = {"optimal_sdg": "sdg", "optimal_value": "value", "optimal_min_cost": "min_cost"}


def _kinds(portfolio) -> pd.Series:
    return portfolio.sources["kind"]


def official_envelope(portfolio) -> float:
    """Official money available over the horizon (limited public, donor, partner sources)."""
    kinds = _kinds(portfolio)
    official = [s for s in portfolio.sources.index if kinds[s] != "private"]
    b = portfolio.budget.sel(source=official)
    return float(b.where(np.isfinite(b), 0.0).sum())


def financing(portfolio) -> tuple[xr.DataArray, xr.DataArray]:
    """Per action: the official share of its cost, and per-source shares (sum 1)."""
    kinds = _kinds(portfolio)
    ms = portfolio.max_share.transpose("action", "source")
    private = [s for s in ms["source"].values if kinds[str(s)] == "private"]
    official = [s for s in ms["source"].values if kinds[str(s)] != "private"]
    lev = portfolio.actions["leverage"].fillna(0.0).astype(float)
    shares = np.zeros(ms.shape)
    off_share = np.ones(ms.sizes["action"])
    for i, a in enumerate(ms["action"].values):
        row = ms.sel(action=a)
        off_w = row.sel(source=official).values.astype(float)
        priv_max = float(row.sel(source=private).sum()) if private else 0.0
        # private = lev * official and official + private = 1 (of cost), within max share
        priv = min(priv_max, lev[a] / (1.0 + lev[a])) if lev[a] > 0 else 0.0
        off_share[i] = 1.0 - priv
        if off_w.sum() <= 0:
            off_share[i], priv = 0.0, 1.0
        else:
            for j, s in enumerate(official):
                shares[i, list(ms["source"].values).index(s)] = off_share[i] * off_w[j] / \
                    off_w.sum()
        if private and priv > 0:
            pw = row.sel(source=private).values.astype(float)
            for j, s in enumerate(private):
                shares[i, list(ms["source"].values).index(s)] = priv * pw[j] / pw.sum()
    return (xr.DataArray(off_share, dims="action", coords={"action": ms["action"]}),
            xr.DataArray(shares, dims=("action", "source"), coords=ms.coords))


def spend_of_scales(portfolio, scale: pd.Series, shares: xr.DataArray | None = None
                    ) -> xr.DataArray:
    """spend(action, year, source) of given scales under the default financing rule
    (``shares``: ``financing(portfolio)[1]``, when already computed)."""
    if shares is None:
        _, shares = financing(portfolio)
    s = xr.DataArray(scale.reindex(portfolio.cost["action"].values).fillna(0.0).to_numpy(),
                     dims="action", coords={"action": portfolio.cost["action"]})
    out = (portfolio.cost * s) * shares
    return out.transpose("action", "year", "source").rename("spend")


def _official_cost(portfolio) -> pd.Series:
    off, _ = financing(portfolio)
    return (portfolio.cost.sum("year") * off).to_series()


def _max_scale(portfolio) -> pd.Series:
    return portfolio.actions["max_scale"].astype(float)


def fill_in_order(portfolio, order: list[str], envelope: float | None = None) -> pd.Series:
    """Fund actions to their maximum scale in ``order`` until the envelope is spent."""
    left = official_envelope(portfolio) if envelope is None else envelope
    cost, top = _official_cost(portfolio), _max_scale(portfolio)
    scale = pd.Series(0.0, index=portfolio.actions.index)
    for a in order:
        if cost[a] <= 0:
            scale[a] = top[a]
            continue
        scale[a] = min(top[a], left / cost[a])
        left -= scale[a] * cost[a]
        if left <= 1e-12:
            break
    return scale


def water_fill(portfolio, weights: pd.Series, envelope: float | None = None) -> pd.Series:
    """Money in proportion to ``weights``; what an action cannot use goes to the others."""
    left = official_envelope(portfolio) if envelope is None else envelope
    cost, top = _official_cost(portfolio), _max_scale(portfolio)
    scale = pd.Series(0.0, index=portfolio.actions.index)
    open_ = [a for a in weights.index if weights[a] > 0 and cost[a] > 0]
    for _ in range(len(open_) + 1):
        if not open_ or left <= 1e-9:
            break
        w = weights[open_] / weights[open_].sum()
        money = w * left
        room = (top[open_] - scale[open_]) * cost[open_]
        take = np.minimum(money, room)
        scale[open_] += take / cost[open_]
        left -= float(take.sum())
        open_ = [a for a in open_ if top[a] - scale[a] > 1e-9]
    return scale


def expert_benefit(portfolio) -> pd.Series:
    """Weighted score gain at full scale per action (the sdg objective's weights)."""
    reg = registry()
    goal_n = reg.groupby("goal").size()
    out = pd.Series(0.0, index=portfolio.actions.index)
    for e in portfolio.effects.itertuples(index=False):
        r = reg.loc[e.indicator]
        span = float(r["optimum"] - r["lower"])
        points = 100.0 * float(e.change) / span if span else 0.0
        out[e.action] += max(points, 0.0) / (14 * goal_n[r["goal"]])
    return out


def base_scores(portfolio, cfg) -> pd.Series:
    from stisim.baseline import load_baseline

    b = load_baseline(cfg.country.m49, cfg.time.base_year)
    v = xr.DataArray(b.value.to_numpy(float), dims="indicator",
                     coords={"indicator": list(b.value.index)})
    return normalise(v).to_series()


def gap_weights(portfolio, cfg) -> pd.Series:
    """Distance to goal of the indicators each action moves (PPI-style allocation)."""
    score = base_scores(portfolio, cfg)
    out = pd.Series(0.0, index=portfolio.actions.index)
    for e in portfolio.effects.itertuples(index=False):
        if e.indicator in score.index and np.isfinite(score[e.indicator]):
            out[e.action] += 100.0 - float(score[e.indicator])
    return out


def first_goal(portfolio, cfg) -> int:
    """The chosen goal, or the lowest-scoring goal among those the portfolio moves."""
    if cfg.compare.first_goal is not None:
        return int(cfg.compare.first_goal)
    score = base_scores(portfolio, cfg)
    goals = goal_scores(xr.DataArray(score.values, dims="indicator",
                                     coords={"indicator": score.index})).to_series()
    moved = registry().loc[portfolio.effects["indicator"].unique(), "goal"].unique()
    return int(goals.loc[[g for g in moved if np.isfinite(goals.get(g, np.nan))]].idxmin())


def heuristic_scales(name: str, portfolio, cfg) -> pd.Series:
    order = list(portfolio.actions.index)
    if name == "equal_split":
        return water_fill(portfolio, pd.Series(1.0, index=order))
    if name == "expert_ranking":
        return fill_in_order(portfolio, order)
    if name == "greedy":
        ratio = expert_benefit(portfolio) / _official_cost(portfolio).replace(0, np.nan)
        ranked = ratio.fillna(np.inf).sort_values(ascending=False, kind="stable")
        return fill_in_order(portfolio, list(ranked.index))
    if name == "gap_proportional":
        return water_fill(portfolio, gap_weights(portfolio, cfg))
    if name == "one_goal_first":
        goal = first_goal(portfolio, cfg)
        reg = registry()
        eff = portfolio.effects
        movers = list(dict.fromkeys(eff.loc[eff["indicator"].map(reg["goal"]) == goal,
                                            "action"]))
        return fill_in_order(portfolio, movers + [a for a in order if a not in movers])
    raise ValueError(f"unknown strategy {name!r}")


def with_envelope(portfolio, share: float):
    """The portfolio with every limited budget scaled by ``share``."""
    import dataclasses

    b = portfolio.budget
    return dataclasses.replace(portfolio, budget=b.where(~np.isfinite(b), b * share))


def allocate(name: str, portfolio, cfg, responses=None, counterfactual=None) -> xr.DataArray:
    """spend(action, year, source) of a strategy (portfolio currency); the portfolio's
    budgets should already be scaled to the compared envelope (:func:`with_envelope`)."""
    if name in OPTIMAL:
        from stisim.coupling.bridge import optimise_spend

        spend, alloc = optimise_spend(portfolio, cfg, OPTIMAL[name], responses=responses,
                                      counterfactual=counterfactual, relax_floors=True)
        if "floors_relaxed" in alloc.attrs:
            spend.attrs["floors_relaxed"] = alloc.attrs["floors_relaxed"]
        return spend
    from stisim.coupling.bridge import feasible_spend

    return feasible_spend(portfolio, cfg, heuristic_scales(name, portfolio, cfg))[0]
