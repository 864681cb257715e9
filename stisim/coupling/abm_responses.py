"""Response curves estimated from agent-model ensembles, cached on disk by config hash.

For each action whose instrument has an agent mechanism of its own and each spending level
m in ``{0} ∪ coupling.response_levels`` (multiples of the action's full-scale cost), the
action alone is executed at scale m in ``coupling.response_replicates`` replicates with
common random numbers, on seeds of their own (:func:`stisim.seeds.response_seeds`: never the
seeds of the runs a comparison evaluates). The raw gain of indicator i is the
end-of-horizon difference to the m = 0 run of the same replicate:

    d_i(m, r) = x_i(T; m, r) - x_i(T; 0, r),   mean ḡ_i(m), standard error s_i(m)

Indicators kept per action: those its expert effects name, plus any agent-driven indicator
whose gain at full scale exceeds 0.1 score points and two standard errors.

Each curve is a **bounded concave fit**: the least-squares piecewise-linear curve through 0
whose slopes do not increase in the direction of progress (a bounded-variable least-squares
problem, :func:`concave_fit`), flat beyond the largest level estimated; then **shrunk** by
the positive-part factor ``max(0, 1 - s²/ḡ²)`` of its full-scale estimate (James-Stein),
so that an optimiser choosing among noisy estimates does not promise noise (the optimiser's
curse, Smith & Winkler 2006, Management Science 52(3) 311-322). The band is the fit ±
t₀.₉₇₅ s(m). Actions whose instrument is executed through a neighbouring agent instrument
(``proxy``) or not at all (``none``) get no curve and are reported
(:func:`stisim.coupling.execute.without_mechanism`): they are never given a neighbour's
curve. The table is cached as CSV under ``coupling.cache_dir/<hash>.csv``; the hash covers
the resolved config (all sections but ``compare``), the portfolio's actions, costs, financing
shares and effects, the seeds, the stisim version and commit and the Python and numeric
package versions.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr
from scipy import stats
from scipy.optimize import lsq_linear

from stisim import __version__
from stisim.coupling import replicates as sm
from stisim.coupling.execute import execute, mechanism, without_mechanism
from stisim.coupling.strategies import financing, spend_of_scales
from stisim.data.indicators import registry
from stisim.io import atomic_path
from stisim.seeds import response_seeds

FIT = "concave least squares, positive-part shrinkage"


def concave_fit(levels: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Least-squares concave piecewise-linear fit through (0, 0).

    ``levels`` (K, increasing, > 0) and ``y`` (R, K): replicate gains in the direction of
    progress. Slopes on [0, m1], [m1, m2], ... are d_j = c + Σ_{k >= j} e_k with e_k >= 0
    (non-increasing) and c free; the fitted values at the levels are returned."""
    x = np.concatenate([[0.0], np.asarray(levels, float)])
    k = x.size - 1
    # g(x_i) = Σ_{j <= i} d_j (x_j - x_{j-1}); d = T @ [e_1..e_{k-1}, c]
    widths = np.diff(x)
    lower = np.tril(np.ones((k, k))) * widths[None, :]  # g = lower @ d
    t = np.zeros((k, k))
    for j in range(k):
        t[j, j:k - 1] = 1.0
        t[j, k - 1] = 1.0
    a = lower @ t
    reps = np.atleast_2d(y)
    big_a = np.tile(a, (reps.shape[0], 1))
    lb = np.concatenate([np.zeros(k - 1), [-np.inf]])
    sol = lsq_linear(big_a, reps.reshape(-1), bounds=(lb, np.full(k, np.inf)))
    return a @ sol.x


def shrinkage(g: np.ndarray) -> float:
    """Positive-part James-Stein factor max(0, 1 - s²/ḡ²) of replicate gains ``g``."""
    g = np.asarray(g, float)
    if g.size < 2:
        return 1.0
    mean = float(g.mean())
    se2 = float(g.var(ddof=1)) / g.size
    if mean == 0.0:
        return 0.0
    return max(0.0, 1.0 - se2 / mean ** 2)


def config_hash(cfg, portfolio) -> str:
    """Hash of everything the response table depends on."""
    conf = cfg.to_container()
    conf.pop("compare", None)
    for key in ("loop_max_iterations", "loop_tolerance", "loop_damping", "loop_replicates",
                "replan_every", "monitor_noise", "trigger_points", "responses", "cache_dir",
                "counterfactual_replicates", "counterfactual_cache_dir"):
        conf.get("coupling", {}).pop(key, None)
    from stisim.coupling.counterfactual import environment_key

    payload = {
        "config": conf, "version": __version__, "environment": environment_key(),
        "portfolio": portfolio.name, "fit": FIT,
        "seeds": response_seeds(int(cfg.seed), int(cfg.coupling.response_replicates)),
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
    levels = sorted(float(m) for m in c.response_levels if m > 0)
    own = [a for a in portfolio.actions.index
           if mechanism(str(portfolio.actions.loc[a, "instrument"]))[0] == "own"]
    _, shares = financing(portfolio)
    budgets = [None] + [execute(spend_of_scales(portfolio, pd.Series({a: m}), shares),
                                portfolio, cfg).budgets for a in own for m in levels]
    # every run of the ensemble in one batch: spread over compare.workers, each one read from
    # the run cache when it holds it
    runs = sm.run_batches(inputs, budgets, seeds, int(cfg.compare.workers))
    zero = runs[0]["indicator_value"].sel(time=float(end))
    indicators = list(map(str, zero["indicator"].values))
    rows = []
    total_cost = portfolio.cost.sum("year")
    better = registry()["better"]
    for i, a in enumerate(own):
        per_level = {}
        for k, m in enumerate(levels):
            one = runs[1 + i * len(levels) + k]
            per_level[m] = (one["indicator_value"].sel(time=float(end)) - zero).transpose(
                "replicate", "indicator").values
        full_m = min(levels, key=lambda m: abs(m - 1.0))
        full = per_level[full_m]
        for code in _keep(a, portfolio, full, indicators):
            j = indicators.index(code)
            sign = 1.0 if better[code] == "higher" else -1.0
            raw = np.stack([per_level[m][:, j] for m in levels], axis=1)  # (R, K)
            shrink = shrinkage(raw[:, levels.index(full_m)])
            fit = sign * concave_fit(np.array(levels), sign * raw) * shrink
            n = raw.shape[0]
            for k, m in enumerate(levels):
                g = raw[:, k]
                half = float(stats.t.ppf(0.975, n - 1) * g.std(ddof=1) / np.sqrt(n)) \
                    if n > 1 else 0.0
                rows.append({"action": a, "indicator": code,
                             "spend": m * float(total_cost.sel(action=a)),
                             "gain": float(fit[k]), "gain_low": float(fit[k]) - half,
                             "gain_high": float(fit[k]) + half, "gain_raw": float(g.mean()),
                             "shrinkage": shrink, "n": n})
        if log:
            log(f"  responses of {a} estimated")
    return pd.DataFrame(rows, columns=COLUMNS)


COLUMNS = ["action", "indicator", "spend", "gain", "gain_low", "gain_high", "gain_raw",
           "shrinkage", "n"]


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
        _with_zero(table.drop(columns=["n", "gain_raw", "shrinkage"], errors="ignore")),
        portfolio,
        origin=f"ABM ensemble {key}", make_concave=True, extrapolate="flat")
    curves.cache_path, curves.from_cache, curves.config_hash = path, hit, key
    curves.estimates = table
    curves.without_mechanism = without_mechanism(portfolio)
    return curves


def uses_abm(cfg, portfolio) -> bool:
    """Whether ``coupling.responses`` asks for ABM curves: ``abm``, or ``auto`` when some
    action's instrument has an agent mechanism of its own."""
    mode = cfg.coupling.responses
    if mode == "auto":
        return any(mechanism(str(i))[0] == "own" for i in portfolio.actions["instrument"])
    return mode == "abm"


def responses_for(cfg, portfolio, inputs, log=print):
    """The curves the optimiser should use: None (expert effects) or ABM curves."""
    if not uses_abm(cfg, portfolio):
        return None
    curves = estimate_responses(cfg, portfolio, inputs, log=log)
    log(f"ABM response curves {'read from' if curves.from_cache else 'written to'} "
        f"{curves.cache_path} ({len(curves.curves)} curves, {len(curves.notes)} made concave)")
    for r in curves.without_mechanism.itertuples(index=False):
        what = ("no agent mechanism" if r.status == "none" else
                "no agent mechanism of its own")
        log(f"  {r.action} ({r.instrument}): {what}, so no ABM response curve (the optimiser "
            f"promises nothing for it); the agents: {r.execution}")
    return curves


def curves_dataset(curves) -> xr.Dataset:
    """The estimated points as a Dataset (for reports)."""
    t = curves.estimates
    return xr.Dataset.from_dataframe(t.set_index(["action", "indicator", "spend"]))
