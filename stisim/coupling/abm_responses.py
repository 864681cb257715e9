"""Response curves estimated from agent-model ensembles, cached on disk by config hash.

For each action with an agent mechanism and each spending level m in
``{0} ∪ coupling.response_levels`` (multiples of the action's full-scale cost), the action
alone is executed at scale m in ``coupling.response_replicates`` replicates with common
random numbers. The gain of indicator i is the end-of-horizon difference to the m = 0 run of
the same replicate:

    gain_i(m) = mean_r [x_i(T; m, r) - x_i(T; 0, r)],  band = gain ± t_{0.975,R-1} s / √R

Indicators kept per action: those its expert effects name, plus any agent-driven indicator
whose gain at full scale exceeds 0.1 score points and two standard errors. Curves are made
concave in the direction of progress (least concave majorant, recorded in ``notes``) so the
optimiser stays linear. The table is cached as CSV under ``coupling.cache_dir/<hash>.csv``;
the hash covers the resolved config (all sections but ``compare``), the portfolio's actions,
costs, financing shares and effects, and the stisim version.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr
from scipy import stats

from stisim import __version__
from stisim.coupling import replicates as sm
from stisim.coupling.execute import INSTRUMENT_MAP, execute
from stisim.coupling.strategies import spend_of_scales
from stisim.data.indicators import registry
from stisim.io import atomic_path
from stisim.seeds import response_seeds


def config_hash(cfg, portfolio) -> str:
    """Hash of everything the response table depends on."""
    conf = cfg.to_container()
    conf.pop("compare", None)
    for key in ("loop_max_iterations", "loop_tolerance", "loop_damping", "loop_replicates",
                "replan_every", "monitor_noise", "trigger_points", "responses", "cache_dir"):
        conf.get("coupling", {}).pop(key, None)
    payload = {
        "config": conf, "version": __version__, "portfolio": portfolio.name,
        "actions": portfolio.actions.drop(columns=["note", "cost_note"], errors="ignore")
        .to_json(), "cost": np.asarray(portfolio.cost.values).tolist(),
        "max_share": np.asarray(portfolio.max_share.values).tolist(),
        "effects": portfolio.effects[["action", "indicator", "change", "lag"]].to_json(),
    }
    text = json.dumps(payload, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _keep(action: str, portfolio, gains: np.ndarray, indicators: list[str]) -> list[str]:
    """Indicators whose response is worth a curve (see module docstring)."""
    reg = registry()
    named = set(portfolio.effects.loc[portfolio.effects["action"] == action, "indicator"])
    span = (reg.loc[indicators, "optimum"] - reg.loc[indicators, "lower"]).to_numpy(float)
    mean = gains.mean(axis=0)
    se = gains.std(axis=0, ddof=1) / np.sqrt(gains.shape[0]) if gains.shape[0] > 1 else \
        np.zeros_like(mean)
    points = 100 * np.abs(mean) / np.abs(span)
    agents = (reg.loc[indicators, "driver"] == "agents").to_numpy()
    out = []
    for j, code in enumerate(indicators):
        if code in named or (agents[j] and points[j] > 0.1 and abs(mean[j]) > 2 * se[j]):
            out.append(code)
    return out


def estimate_table(cfg, portfolio, inputs, log=None) -> pd.DataFrame:
    """The long response table (action, indicator, spend, gain, gain_low, gain_high, n)."""
    inputs = sm.rebind(inputs, cfg)
    c = cfg.coupling
    seeds = response_seeds(int(cfg.seed), int(c.response_replicates))
    end = min(int(portfolio.years[-1]), int(cfg.time.end_year))
    zero = sm.run_replicates(inputs, None, seeds)["indicator_value"].sel(time=float(end))
    indicators = list(map(str, zero["indicator"].values))
    levels = sorted(float(m) for m in c.response_levels if m > 0)
    rows = []
    total_cost = portfolio.cost.sum("year")
    for a in portfolio.actions.index:
        if INSTRUMENT_MAP.get(portfolio.actions.loc[a, "instrument"], (None,))[0] is None:
            continue
        per_level = {}
        for m in levels:
            spend = spend_of_scales(portfolio, pd.Series({a: m}))
            budgets = execute(spend, portfolio, cfg).budgets
            runs = sm.run_replicates(inputs, budgets, seeds)
            per_level[m] = (runs["indicator_value"].sel(time=float(end)) - zero).transpose(
                "replicate", "indicator").values
        full = per_level[min(levels, key=lambda m: abs(m - 1.0))]
        for code in _keep(a, portfolio, full, indicators):
            j = indicators.index(code)
            for m in levels:
                g = per_level[m][:, j]
                n = g.size
                mean = float(g.mean())
                half = float(stats.t.ppf(0.975, n - 1) * g.std(ddof=1) / np.sqrt(n)) if n > 1 \
                    else 0.0
                rows.append({"action": a, "indicator": code,
                             "spend": m * float(total_cost.sel(action=a)), "gain": mean,
                             "gain_low": mean - half, "gain_high": mean + half, "n": n})
        if log:
            log(f"  responses of {a} estimated")
    return pd.DataFrame(rows, columns=["action", "indicator", "spend", "gain", "gain_low",
                                       "gain_high", "n"])


def _with_zero(table: pd.DataFrame) -> pd.DataFrame:
    zero = table.drop_duplicates(["action", "indicator"])[["action", "indicator"]].assign(
        spend=0.0, gain=0.0, gain_low=0.0, gain_high=0.0)
    return pd.concat([zero, table], ignore_index=True)


def estimate_responses(cfg, portfolio, inputs, log=None):
    """ABM response curves for a portfolio (cached): a ``ResponseCurves`` with attributes
    ``cache_path``, ``from_cache`` and ``config_hash``."""
    from stisim.roadmap.responses import ResponseCurves

    key = config_hash(cfg, portfolio)
    path = Path(cfg.coupling.cache_dir) / f"{key}.csv"
    hit = path.exists()
    if hit:
        table = pd.read_csv(path, dtype={"action": str, "indicator": str})
    else:
        table = estimate_table(cfg, portfolio, inputs, log=log)
        with atomic_path(path) as tmp:
            table.to_csv(tmp, index=False)
    curves = ResponseCurves.from_table(
        _with_zero(table.drop(columns=["n"], errors="ignore")), portfolio,
        origin=f"ABM ensemble {key}", make_concave=True, extrapolate="flat")
    curves.cache_path, curves.from_cache, curves.config_hash = path, hit, key
    curves.estimates = table
    return curves


def responses_for(cfg, portfolio, inputs, log=print):
    """The curves the optimiser should use: None (expert effects) or ABM curves."""
    if cfg.coupling.responses != "abm":
        return None
    curves = estimate_responses(cfg, portfolio, inputs, log=log)
    log(f"ABM response curves {'read from' if curves.from_cache else 'written to'} "
        f"{curves.cache_path} ({len(curves.curves)} curves, {len(curves.notes)} made concave)")
    return curves


def curves_dataset(curves) -> xr.Dataset:
    """The estimated points as a Dataset (for reports)."""
    t = curves.estimates
    return xr.Dataset.from_dataframe(t.set_index(["action", "indicator", "spend"]))
