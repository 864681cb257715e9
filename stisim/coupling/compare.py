"""Prioritisation strategies compared in the agent model on the same scenario and seeds.

Every strategy's allocation is executed by the agents (:mod:`stisim.coupling.execute`) in
``compare.replicates`` replicates with common random numbers; ``no_roadmap`` (no allocation)
is the reference. Outcomes per strategy and replicate:

* ``sdg_gain``: discounted SDG-index points x years over the roadmap years versus no roadmap
  in the same replicate (the agent-model counterpart of the optimiser's ``sdg`` objective);
* ``sdg_index_gain``: SDG-index gain in the last year versus no roadmap;
* ``floors_met``: share of the portfolio's floors met in the agent model;
* ``value_score`` (per strategy): stakeholder value x funded scale (the ``value`` objective;
  it has no agent-model counterpart) and ``public_cost``: discounted public spending (the
  ``min_cost`` objective).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr
import yaml
from scipy import stats

from stisim.coupling import replicates as sm
from stisim.coupling.execute import execute
from stisim.coupling.strategies import OPTIMAL, allocate, with_envelope
from stisim.dataset import provenance_attrs, register_variables
from stisim.errors import StisimError
from stisim.roadmap.discount import discount_factors

register_variables(yaml.safe_load(Path(__file__).with_name("variables.yml").read_text(
    encoding="utf-8")), kind="comparison")

REFERENCE = "no_roadmap"


def load(cfg):
    """The compared portfolio (scaled to the envelope) and the run inputs."""
    from stisim.pipeline import build
    from stisim.roadmap.portfolio import load_portfolio

    name = cfg.compare.portfolio or str(cfg.country.name).lower()
    portfolio = shifted(load_portfolio(name), cfg)
    return with_envelope(portfolio, cfg.compare.envelope), build(cfg)


def shifted(portfolio, cfg):
    """The portfolio with ``coupling.shift_share`` of the ``shift_from`` channel's budgets
    moved to ``shift_to`` (:func:`stisim.roadmap.channels.shift`)."""
    c = cfg.coupling
    if not c.shift_from or c.shift_share <= 0:
        return portfolio
    from stisim.roadmap.channels import shift

    return shift(portfolio, c.shift_from, c.shift_to, float(c.shift_share))


def public_cost(portfolio, spend: xr.DataArray) -> float:
    kinds = portfolio.sources["kind"]
    public = [s for s in spend["source"].values if kinds[str(s)] == "public"]
    years = spend["year"].values
    disc = discount_factors(portfolio.discount_rate, years)
    per_year = spend.sel(source=public).sum(("action", "source")).values
    return float((per_year * disc).sum())


def value_score(portfolio, spend: xr.DataArray) -> float:
    cost = portfolio.cost.sum("year")
    scale = (spend.sum(("year", "source")) / cost.where(cost > 0)).fillna(0.0)
    return float((scale * xr.DataArray(portfolio.actions["value"].astype(float).to_numpy(),
                                       dims="action",
                                       coords={"action": list(portfolio.actions.index)})).sum())


def floors_met(portfolio, ds: xr.Dataset) -> xr.DataArray:
    """Share of the portfolio's floors met, per replicate."""
    met = []
    for f in portfolio.floors.itertuples(index=False):
        t = min(float(f.year), float(ds["time"].values[-1]))
        if isinstance(f.indicator, str) and f.indicator:
            from stisim.data.indicators import registry

            better = registry().loc[f.indicator, "better"]
            v = ds["indicator_value"].sel(indicator=f.indicator, time=t)
            ok = v >= f.target if better != "lower" else v <= f.target
        else:
            ok = ds["goal_score"].sel(goal=int(f.goal), time=t) >= f.target
        met.append(ok.reset_coords(drop=True))
    if not met:
        return xr.full_like(ds["sdg_index"].isel(time=0), np.nan)
    return xr.concat(met, "floor", coords="minimal").astype(float).mean("floor")


def mean_ci(x: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and Student-t confidence interval across replicates."""
    x = np.asarray(x, float)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return np.nan, np.nan, np.nan
    m = float(x.mean())
    if x.size < 2:
        return m, np.nan, np.nan
    h = float(stats.t.ppf(0.5 + level / 2, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size))
    return m, m - h, m + h


def planning_counterfactual(cfg, portfolio, inputs, log=print):
    """The optimiser's counterfactual for the optimal strategies (None: flat or trend)."""
    from stisim.coupling.counterfactual import planning_path

    if not any(s in OPTIMAL for s in cfg.compare.strategies) or portfolio.country_m49 is None:
        return None
    return planning_path(cfg, portfolio, inputs, log=log)


def run_compare(cfg, responses=None, log=print, counterfactual=None,
                given: dict[str, xr.DataArray] | None = None, loaded=None) -> xr.Dataset:
    """The comparison Dataset (dims strategy, replicate, time, indicator, goal, action, year,
    source). ``counterfactual``: the optimiser's no-roadmap path (default: from
    :func:`planning_counterfactual`); ``given``: allocations made beforehand (name ->
    spend(action, year, source)), compared after no roadmap and before the strategies of
    ``compare.strategies`` (a strategy named in both is taken from ``given``); ``loaded``:
    the ``(portfolio, inputs)`` of :func:`load`, when already loaded."""
    t0 = time.perf_counter()
    portfolio, inputs = loaded if loaded is not None else load(cfg)
    given = dict(given or {})
    if counterfactual is None:
        counterfactual = planning_counterfactual(cfg, portfolio, inputs, log=log)
    names, spends, allocations, notes, ledgers = [], [], {}, {}, {}
    order = [REFERENCE, *given, *[s for s in cfg.compare.strategies if s not in given]]
    for name in order:
        if name == REFERENCE:
            spend = xr.zeros_like(portfolio.cost * portfolio.max_share).transpose(
                "action", "year", "source")
            budgets = None
        elif name in given:
            spend = given[name].transpose("action", "year", "source").fillna(0.0)
            if "floors_relaxed" in spend.attrs:
                notes[name] = "floors relaxed: " + spend.attrs["floors_relaxed"]
            executed = execute(spend, portfolio, cfg)
            budgets, ledgers[name] = executed.budgets, executed.ledger
        else:
            try:
                spend = allocate(name, portfolio, cfg, responses=responses,
                                 counterfactual=counterfactual)
            except StisimError as err:  # e.g. min_cost floors unreachable on ABM curves
                notes[name] = "not compared: " + str(err).splitlines()[0]
                log(f"  {name:<18} {notes[name]}")
                continue
            if "floors_relaxed" in spend.attrs:
                notes[name] = "floors relaxed: " + spend.attrs["floors_relaxed"]
                log(f"  {name:<18} {notes[name]}")
            executed = execute(spend, portfolio, cfg)
            budgets, ledgers[name] = executed.budgets, executed.ledger
        names.append(name)
        allocations[name] = budgets
        spends.append(spend.astype(float).drop_attrs())
    log(f"  {len(names)} allocations made ({time.perf_counter() - t0:.1f} s)")
    plan = None
    n = int(cfg.compare.replicates)
    if cfg.compare.power and len(names) > 1:
        from stisim.coupling.power import pilot

        plan = pilot(cfg, portfolio, inputs, allocations, log=log)
        n = plan.replicates
    seeds = sm.seeds(int(cfg.seed), n)
    batches: list = list(allocations.values())
    if cfg.coupling.channels:
        # Disbursement ratios and delays drawn per replicate (seeded by the replicate's seed:
        # the same donor shock for every strategy of a replicate, another in the next one).
        batches, ledgers = per_replicate(names, spends, portfolio, cfg, seeds, allocations)
    t1 = time.perf_counter()
    runs = sm.run_batches(inputs, batches, seeds, int(cfg.compare.workers))
    log(f"  {len(names)} allocations x {n} replicates simulated "
        f"({time.perf_counter() - t1:.1f} s)")
    ds = xr.concat(runs, dim="strategy", coords="minimal", compat="override").assign_coords(
        strategy=names)
    ds["spend"] = xr.concat(spends, dim="strategy").assign_coords(strategy=names)
    ds["spend"].attrs["units"] = portfolio.currency
    ref = ds["sdg_index"].sel(strategy=REFERENCE)
    years = portfolio.years
    ds["sdg_gain"] = sm.discounted_gain(ds["sdg_index"], ref, years, portfolio.discount_rate)
    ds["sdg_index_gain"] = (ds["sdg_index"] - ref).isel(time=-1, drop=True)
    ds["floors_met"] = xr.concat([floors_met(portfolio, ds.sel(strategy=s, drop=True))
                                  for s in names], "strategy").assign_coords(strategy=names)
    ds["value_score"] = ("strategy", [value_score(portfolio, s) for s in spends])
    ds["public_cost"] = ("strategy", [public_cost(portfolio, s) for s in spends])
    ds["official_spend"] = ds["spend"].where(
        ds["source"].isin([s for s in portfolio.sources.index
                           if portfolio.sources.loc[s, "kind"] != "private"])).sum(
        ("action", "year", "source"))
    ds = ds.drop_vars([v for v in ("disbursed", "delivered") if v in ds])
    if cfg.coupling.channels:
        ds["channel_money"] = channel_money(ledgers, names, cfg)
    ds.attrs = provenance_attrs(cfg.to_container(), int(cfg.seed),
                                inputs.baseline.provenance(), country=str(cfg.country.name),
                                country_m49=int(cfg.country.m49),
                                base_year=int(cfg.time.base_year),
                                scenario=str(cfg.scenario.name))
    ds.attrs.update(title=f"strategy comparison: {portfolio.name}",
                    portfolio=str(portfolio.path or portfolio.name),
                    reference_strategy=REFERENCE, envelope=float(cfg.compare.envelope),
                    replicate_seeds=seeds,
                    response_curves=getattr(responses, "origin", "portfolio expert effects"),
                    optimiser_counterfactual=(counterfactual.attrs.get("method", "supplied")
                                              if counterfactual is not None else
                                              str(cfg.optimise.counterfactual)),
                    strategy_notes=json.dumps(notes),
                    power=json.dumps(plan.as_dict() if plan is not None else None),
                    actions_without_mechanism=_without_mechanism(responses),
                    total_seconds=round(time.perf_counter() - t0, 2))
    if len(names) > 2:
        from stisim.coupling.power import distinct, variance_reduction

        gains = {str(n): ds["sdg_gain"].sel(strategy=n).values for n in names
                 if n != REFERENCE}
        best = distinct(sorted(gains, key=lambda n: -gains[n].mean()), gains)[:2]
        if len(best) == 2:
            ds.attrs["variance_reduction"] = json.dumps(
                {"pair": f"{best[0]} - {best[1]}",
                 **variance_reduction(ds, portfolio, (best[0], best[1]))})
    return ds


def per_replicate(names: list[str], spends: list[xr.DataArray], portfolio, cfg,
                  seeds: list[int], allocations: dict) -> tuple[list, dict]:
    """Every strategy's money executed once per replicate with that replicate's finance-channel
    draws: (budgets per strategy, a list per replicate; ledgers per strategy, a list per
    replicate). The reference strategy spends nothing and keeps its one allocation."""
    batches, ledgers = [], {}
    for name, spend in zip(names, spends):
        if allocations[name] is None:
            batches.append(None)
            continue
        done = [execute(spend, portfolio, cfg, seed=s) for s in seeds]
        batches.append([e.budgets for e in done])
        ledgers[name] = [e.ledger for e in done]
    return batches, ledgers


def channel_money(ledgers: dict, names: list[str], cfg) -> xr.DataArray:
    """``channel_money(strategy, channel, year, flow)``: every strategy's promised and
    delivered money per finance channel, the mean over replicates where each replicate drew
    its own disbursement (no_roadmap: zeros)."""
    from stisim.coupling.finance import ledger_array

    years = range(int(cfg.time.base_year), int(cfg.time.end_year) + 1)
    empty = pd.DataFrame(columns=["channel", "source", "action", "year", "flow", "amount"])

    def one(ledger) -> xr.DataArray:
        if isinstance(ledger, list):
            return xr.concat([one(x) for x in ledger], "replicate").mean(
                "replicate", keep_attrs=True)
        return ledger_array(ledger if ledger is not None else empty, years)

    out = xr.concat([one(ledgers.get(n, empty)) for n in names], "strategy")
    return out.assign_coords(strategy=names)


def _without_mechanism(responses) -> str:
    table = getattr(responses, "without_mechanism", None)
    return "[]" if table is None else table.to_json(orient="records")


def summary(ds: xr.Dataset) -> pd.DataFrame:
    """Per strategy: mean and 95% CI across replicates of the agent-model outcomes."""
    rows = []
    for s in ds["strategy"].values:
        sub = ds.sel(strategy=s)
        row = {"strategy": str(s)}
        for var in ("sdg_gain", "sdg_index_gain", "floors_met"):
            row[var], row[f"{var}_lo"], row[f"{var}_hi"] = mean_ci(sub[var].values)
        row["value_score"] = float(sub["value_score"])
        row["public_cost"] = float(sub["public_cost"])
        row["official_spend"] = float(sub["official_spend"])
        rows.append(row)
    return pd.DataFrame(rows).set_index("strategy")


def paired(ds: xr.Dataset, a: str, b: str) -> tuple[str, float, float, float, int]:
    """Paired difference of sdg_gain a - b across replicates: (word, mean, low, high, n)."""
    d = (ds["sdg_gain"].sel(strategy=a) - ds["sdg_gain"].sel(strategy=b)).values
    m, lo, hi = mean_ci(d)
    word = ("beats" if lo > 0 else "LOSES TO" if hi < 0 else "is not distinguishable from")
    return word, m, lo, hi, int(d.size)


def verdicts(ds: xr.Dataset) -> list[str]:
    """Does the best strategy separate from the second, and does each optimal strategy beat
    equal split (and optimal_sdg no roadmap) on its own objective in the agent model?"""
    out = []
    names = list(map(str, ds["strategy"].values))
    from stisim.coupling.power import distinct

    gains = {n: ds["sdg_gain"].sel(strategy=n).values for n in names if n != REFERENCE}
    ranked = distinct(sorted(gains, key=lambda n: -gains[n].mean()), gains)
    if len(ranked) >= 2 and ds.sizes.get("replicate", 1) > 1:
        word, m, lo, hi, n = paired(ds, ranked[0], ranked[1])
        out.append(f"best {ranked[0]} {word} second {ranked[1]} on discounted SDG-index "
                   f"points x years: paired difference {m:+.3f} (95% CI {lo:+.3f} to "
                   f"{hi:+.3f}, {n} replicates)")
    # the optimiser's plans: optimal_<objective>, and robust_<objective> (stisim plan)
    plans = {n: OPTIMAL[n] for n in OPTIMAL if n in names}
    plans |= {n: n.removeprefix("robust_") for n in names if n.startswith("robust_")}
    for name in (n for n in ("optimal_sdg", "robust_sdg") if n in plans):
        if ds.sizes.get("replicate", 1) > 1:
            word, m, lo, hi, n = paired(ds, name, REFERENCE)
            out.append(f"{name} {word} no_roadmap: {m:+.3f} (95% CI {lo:+.3f} to "
                       f"{hi:+.3f}, {n} replicates)")
    if "equal_split" not in names:
        return [*out, "equal_split not compared: no verdicts against it"]
    eq = ds.sel(strategy="equal_split")
    for name, obj in plans.items():
        s = ds.sel(strategy=name)
        if obj == "sdg":
            word, m, lo, hi, n = paired(ds, name, "equal_split")
            out.append(f"{name} {word} equal_split on discounted SDG-index points x years in "
                       f"the agent model: paired difference {m:+.3f} (95% CI {lo:+.3f} to "
                       f"{hi:+.3f}, {n} replicates)")
        elif obj == "value":
            a, b = float(s["value_score"]), float(eq["value_score"])
            out.append(f"{name} {'beats' if a > b else 'does not beat'} equal_split on "
                       f"stakeholder value ({a:.1f} vs {b:.1f}; value scores have no "
                       "agent-model counterpart, so this is the same in every replicate)")
        else:
            a, b = float(s["public_cost"]), float(eq["public_cost"])
            fa, fb = float(s["floors_met"].mean()), float(eq["floors_met"].mean())
            out.append(f"{name} costs {a:.1f} vs equal_split {b:.1f} discounted public money; "
                       f"floors met in the agent model {fa:.0%} vs {fb:.0%} of floor x "
                       f"replicate cases" + ("" if fa >= 1 else " (the optimiser's floors "
                                             "rely on expert effects the agents do not "
                                             "fully deliver)"))
    return out


def format_table(table: pd.DataFrame) -> str:
    from stisim.summary import table as fmt

    def ci(r, v, p=3):
        if not np.isfinite(r[f"{v}_lo"]):
            return f"{r[v]:.{p}f}"
        return f"{r[v]:.{p}f} [{r[f'{v}_lo']:.{p}f}, {r[f'{v}_hi']:.{p}f}]"

    rows = [[s, ci(r, "sdg_gain"), ci(r, "sdg_index_gain"), ci(r, "floors_met", 2),
             f"{r['value_score']:.1f}", f"{r['public_cost']:.1f}", f"{r['official_spend']:.1f}"]
            for s, r in table.iterrows()]
    return fmt(rows, ["strategy", "SDG pts x yr vs none [95% CI]", "SDG index gain, end",
                      "floors met", "value", "public cost (disc.)", "official spend"])
