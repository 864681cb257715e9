"""SDG interlinkages in the dynamics: how network-driven indicators move.

Agent-driven indicators come from the agent model; network-driven ones start at the real
baseline and evolve, on the linear SDR score scale ``u = 100 (x - lower) / (optimum - lower)``
(unclipped), by

    u_k(t_i) = u_k(t_{i-1}) + b_k φ^(t_{i-1} - t_0) Δt_i
               + γ Σ_h Ŵ[h, g(k)] e_h(t_{i-1})

* ``b_k`` — the indicator's own historical trend (Theil–Sen slope of its score over the last
  ``sdg.trend_window`` years of ``baseline.observed``), damped by ``φ = sdg.trend_damping``
  per year (Gardner & McKenzie 1985 damped trend).
* ``e_h(t)`` — the change of goal h's score over the last step, ``G_h(t) - G_h(t - Δt)``;
  with ``sdg.basis = anomaly`` (default) minus the change of the goal's own damped-trend path,
  so that history's co-movement, already inside each trend, is not counted twice. Goal scores
  ``G_h`` are the SDR 2022 means of the clipped indicator scores of goal h. Using the
  completed step makes the scheme explicit: an impulse reaches linked goals one step later.
* ``Ŵ = W / max_g Σ_h |W[h, g]|`` — the goal-to-goal interaction matrix (row influences
  column, zero diagonal: only *other* goals act), normalised so that no goal's incoming
  weights exceed one in absolute value (spectral radius ≤ 1); ``γ = sdg.strength``.
  ``W`` is the Laumann et al. (2022) network of the country's region (signed, see
  :func:`stisim.sdg.matrices.laumann_signs`), the Weitz et al. (2018) matrix aggregated to
  goals, a custom matrix, or zero.
* Values are kept within the registry's valid range (``valid_min``/``valid_max``).

Everything is vectorised over indicators; the loop runs over time steps only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr
from scipy.stats import theilslopes

from stisim.baseline import Baseline
from stisim.config.validate import StisimConfig
from stisim.data.indicators import check_codes, registry
from stisim.errors import DataError
from stisim.sdg.matrices import (
    GOALS,
    influence_scores,
    laumann_signs,
    load_cross_impact,
    load_laumann,
    to_goal_matrix,
    validate_matrix,
    weitz2018,
)

__all__ = ["InteractionMatrix", "Interlinkages", "Propagation", "apply_interlinkages",
           "damped_trend_paths", "decompose_interlinkages", "historical_trends",
           "influence_scores", "interaction_matrix", "laumann_region_of", "load_cross_impact",
           "load_laumann", "matrix_of", "propagate", "validate_matrix", "weitz2018"]

FIRST_TREND_YEAR = 2000


@dataclass
class InteractionMatrix:
    """A signed goal-to-goal matrix (row influences column, entries in [-1, 1])."""

    weights: pd.DataFrame  # 17 x 17, index from_goal, columns to_goal
    kind: str
    source: str
    notes: list[str] = field(default_factory=list)

    def edges(self) -> list[tuple[int, int, float]]:
        w = self.weights.to_numpy(float)
        rows, cols = np.nonzero(w)
        return [(int(self.weights.index[i]), int(self.weights.columns[j]), round(float(w[i, j]), 6))
                for i, j in zip(rows, cols, strict=True)]


def interaction_matrix(cfg: StisimConfig) -> InteractionMatrix:
    """The goal-level interaction matrix selected by ``cfg.sdg``."""
    return matrix_of(cfg.sdg, laumann_region_of(cfg))


def matrix_of(s: Any, laumann_region: str) -> InteractionMatrix:
    """The goal-level interaction matrix selected by the ``sdg`` section ``s``;
    ``laumann_region`` is the country's Laumann et al. (2022) region."""
    zeros = pd.DataFrame(np.zeros((17, 17)), index=pd.Index(GOALS, name="from_goal"),
                         columns=pd.Index(GOALS, name="to_goal"))
    if s.interactions == "none":
        return InteractionMatrix(zeros, "none", "no interactions")
    if s.interactions == "weitz":
        return InteractionMatrix(to_goal_matrix(weitz2018()), "weitz",
                                 "Weitz et al. 2018, Sweden target cross-impact matrix "
                                 "(34x34) averaged over target pairs per goal pair, /3")
    if s.interactions == "custom":
        m = load_cross_impact(s.matrix_file)
        return InteractionMatrix(to_goal_matrix(m), "custom", f"{s.matrix_file} averaged over "
                                 "label pairs per goal pair, /3")
    region = laumann_region
    dcor = load_laumann(region, s.laumann_p_value)
    notes = []
    if s.laumann_sign == "positive":
        signed = dcor
    else:
        corr = laumann_signs(region)
        if corr.isna().all().all():
            raise DataError(f"sdg.laumann_sign=panel: no countries of the shipped table belong "
                            f"to Laumann grouping {region!r}, so edge signs cannot be "
                            "estimated; use sdg.laumann_sign=positive or a geographic region")
        unsigned = (dcor != 0) & corr.isna()
        for g, h in zip(*np.nonzero(np.triu(unsigned.to_numpy())), strict=True):
            notes.append(f"edge {g + 1}-{h + 1} dropped: sign undetermined (fewer than 30 "
                         "observations of both goals in the SDR 2022 panel)")
        signed = dcor * np.sign(corr.fillna(0.0))
    source = (f"Laumann et al. 2022, {region}, partial distance correlation with p < "
              f"{s.laumann_p_value}, sign: {s.laumann_sign}")
    return InteractionMatrix(signed.astype(float), "laumann", source, notes)


def _raw(values: np.ndarray, lower: np.ndarray, optimum: np.ndarray) -> np.ndarray:
    return 100.0 * (values - lower) / (optimum - lower)


def _unraw(score: np.ndarray, lower: np.ndarray, optimum: np.ndarray) -> np.ndarray:
    return lower + score * (optimum - lower) / 100.0


def historical_trends(observed: pd.DataFrame, base_year: int, codes: list[str],
                      window: int, min_points: int, imputed: pd.Series | None = None
                      ) -> tuple[pd.Series, dict[str, str]]:
    """Theil–Sen slope of each indicator's SDR score (points per year) up to ``base_year``.

    Uses observations in the last ``window`` years; with fewer than ``min_points`` there,
    the latest ``min_points`` since 2000 (noted); with fewer still, or when the baseline is
    imputed, the slope is 0 and the reason is returned.
    """
    reg = registry().loc[codes]
    slopes, notes = {}, {}
    first = base_year - window + 1
    for code in codes:
        if imputed is not None and bool(imputed.get(code, False)):
            slopes[code], notes[code] = 0.0, "no trend: baseline value imputed"
            continue
        series = observed[code].dropna() if code in observed.columns else pd.Series(dtype=float)
        series = series[(series.index <= base_year) & (series.index >= FIRST_TREND_YEAR)]
        recent = series[series.index >= first]
        if len(recent) < min_points:
            if len(series) < min_points:
                slopes[code] = 0.0
                notes[code] = (f"no trend: {len(series)} observation(s) in "
                               f"{FIRST_TREND_YEAR}-{base_year} (fewer than {min_points})")
                continue
            recent = series.iloc[-min_points:]
            notes[code] = (f"trend from the latest {min_points} observations "
                           f"({int(recent.index[0])}-{int(recent.index[-1])}); fewer than "
                           f"{min_points} in {first}-{base_year}")
        row = reg.loc[code]
        score = _raw(recent.to_numpy(float), row.lower, row.optimum)
        slopes[code] = float(theilslopes(score, recent.index.to_numpy(float))[0])
    return pd.Series(slopes, dtype=float)[codes], notes


def damped_trend_paths(baseline: Baseline, cfg: StisimConfig, times: np.ndarray,
                       codes: list[str] | None = None) -> xr.DataArray:
    """Each indicator's own damped historical trend from its baseline value (the
    business-as-usual path the ``anomaly`` basis measures changes against), kept within the
    valid range, as (time, indicator)."""
    reg = registry()
    codes = check_codes(codes if codes is not None else list(reg.index))
    s = cfg.sdg
    slopes, _ = historical_trends(baseline.observed, baseline.base_year, codes, s.trend_window,
                                  s.trend_min_points, baseline.imputed)
    rows = reg.loc[codes]
    lower, optimum = rows["lower"].to_numpy(float), rows["optimum"].to_numpy(float)
    times = np.asarray(times, float)
    cum = np.concatenate([[0.0], np.cumsum(s.trend_damping ** (times[:-1] - times[0])
                                           * np.diff(times))])
    start = _raw(baseline.value[codes].to_numpy(float), lower, optimum)
    values = _unraw(start + np.outer(cum, slopes.to_numpy(float)), lower, optimum)
    values = np.clip(values, rows["valid_min"].to_numpy(float), rows["valid_max"].to_numpy(float))
    values[0] = baseline.value[codes].to_numpy(float)
    return xr.DataArray(values, dims=("time", "indicator"),
                        coords={"time": times, "indicator": codes})


class Propagation:
    """The interlinkage equation on raw SDR scores, advanced one step at a time.

    Built from the first row of scores (``score0``, the base year) and the whole time grid
    (the damped-trend path of the ``anomaly`` basis needs it); :meth:`advance` takes the next
    row (its ``given`` columns are used as they are) and returns it with the free columns
    moved. The scheme is explicit (an impulse reaches linked goals one step later), so a
    step depends on the past only: advancing row by row while a model runs gives the same
    numbers as :func:`propagate` on the finished path.
    """

    def __init__(self, score0: np.ndarray, times: np.ndarray, given: np.ndarray,
                 group: np.ndarray, slope: np.ndarray, weights: np.ndarray, strength: float,
                 damping: float, basis: str = "anomaly", score_min: np.ndarray | None = None,
                 score_max: np.ndarray | None = None):
        n = score0.shape[0]
        groups = weights.shape[0]
        self.lo = np.full(n, -np.inf) if score_min is None else score_min
        self.hi = np.full(n, np.inf) if score_max is None else score_max
        member = np.zeros((n, groups))
        member[np.arange(n), group] = 1.0
        present = member.sum(axis=0) > 0
        w = np.where(np.outer(present, present), weights, 0.0)
        np.fill_diagonal(w, 0.0)
        self.incoming = np.abs(w).sum(axis=0).max()
        self.w_hat = w / self.incoming if self.incoming > 0 else w
        self.member = member
        self.group, self.slope, self.strength, self.basis = group, slope, strength, basis
        self.free = ~given
        times = np.asarray(times, float)
        self.dt = np.diff(times)
        self.decay = damping ** (times[:-1] - times[0])
        # The damped-trend path of every indicator: the counterfactual of basis=anomaly.
        cum = np.concatenate([[0.0], np.cumsum(self.decay * self.dt)])
        trend_path = np.clip(score0 + np.outer(cum, slope), self.lo, self.hi)
        self.trend_goals = self.goal_means(trend_path)
        self.last = score0.astype(float).copy()
        self.trend = np.zeros(n)
        self.interaction = np.zeros(n)
        self.goal_hist = [self.goal_means(self.last)]
        self.i = 0

    def goal_means(self, u: np.ndarray) -> np.ndarray:
        """Goal (group) means of clipped scores, for one row (n,) or a path (time, n)."""
        s = np.clip(u, 0.0, 100.0)
        ok = np.isfinite(s)
        total = np.where(ok, s, 0.0) @ self.member
        count = ok.astype(float) @ self.member
        return np.where(count > 0, total / np.maximum(count, 1.0), np.nan)

    def advance(self, score: np.ndarray) -> np.ndarray:
        """The next row: ``score``'s given columns, the free ones moved by one step."""
        self.i = i = self.i + 1
        if i > self.dt.size:
            raise RuntimeError("the interlinkages are at the end of their time grid")
        free = self.free
        inc_trend = self.slope * self.decay[i - 1] * self.dt[i - 1]
        inc_inter = np.zeros(free.size)
        if i >= 2 and self.strength > 0 and self.incoming > 0:
            change = self.goal_hist[i - 1] - self.goal_hist[i - 2]
            if self.basis == "anomaly":
                change = change - (self.trend_goals[i - 1] - self.trend_goals[i - 2])
            effect = self.strength * (self.w_hat.T @ np.where(np.isnan(change), 0.0, change))
            inc_inter = effect[self.group]
        new = np.clip(self.last + inc_trend + inc_inter, self.lo, self.hi)
        row = score.astype(float).copy()
        row[free] = new[free]
        self.trend = self.trend + np.where(free, inc_trend, 0.0)
        self.interaction = self.interaction + np.where(free, inc_inter, 0.0)
        self.goal_hist.append(self.goal_means(row))
        self.last = row
        return row


def propagate(score: np.ndarray, times: np.ndarray, given: np.ndarray, group: np.ndarray,
              slope: np.ndarray, weights: np.ndarray, strength: float, damping: float,
              basis: str = "anomaly", score_min: np.ndarray | None = None,
              score_max: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """The interlinkage equation on raw SDR scores over a whole path (see the module
    docstring and :class:`Propagation`).

    ``score`` (time, indicator): given columns are used as they are; the others are computed
    from their first row. ``group`` maps indicators to rows of ``weights`` (group x group,
    row influences column, zero diagonal). Returns ``score`` and the cumulative ``trend`` and
    ``interaction`` contributions (score points, before range clipping).
    """
    score = np.asarray(score)
    prop = Propagation(score[0], times, given, group, slope, weights, strength, damping,
                       basis, score_min, score_max)
    out = score.astype(float).copy()
    trend_part = np.zeros_like(out)
    inter_part = np.zeros_like(out)
    for i in range(1, score.shape[0]):
        out[i] = prop.advance(score[i])
        trend_part[i] = prop.trend
        inter_part[i] = prop.interaction
    return {"score": out, "trend": trend_part, "interaction": inter_part}


def _prepare(values: xr.DataArray, baseline: Baseline) -> xr.DataArray:
    if set(values.dims) != {"time", "indicator"}:
        raise DataError(f"interlinkages need values with dims (time, indicator), got "
                        f"{values.dims}")
    check_codes(values["indicator"].values, where="indicator_value.indicator")
    values = values.transpose("time", "indicator").sortby("time").astype(float)
    reg = registry()
    missing = [c for c in reg.index if c not in values["indicator"].values]
    if missing:
        values = values.reindex(indicator=[*values["indicator"].values, *missing])
    t0 = float(values["time"].values[0])
    if abs(t0 - baseline.base_year) > 1e-9:
        raise DataError(f"values start in {t0:g} but the baseline is for {baseline.base_year}: "
                        "the first time step must be the base year")
    return values


class Interlinkages:
    """The interlinkages of one run on indicator values, advanced step by step.

    ``codes`` are the indicators of the run's rows, ``times`` its whole time grid (base year
    first). Agent-driven indicators (``given``: those the agent model computes; by default
    all of them) keep their values; the others start at the real baseline and follow the
    equation (module docstring). :meth:`start` takes the base-year row, :meth:`advance`
    each next row as the model produces it, and each returns the row with the network-driven
    indicators moved: what the SDG layer makes of the state handed to it, step by step.
    """

    def __init__(self, baseline: Baseline, sdg: Any, laumann_region: str, codes: list[str],
                 times: np.ndarray, given: np.ndarray | None = None):
        reg = registry().loc[codes]
        self.codes = list(codes)
        self.times = np.asarray(times, float)
        self.lower = reg["lower"].to_numpy(float)
        self.optimum = reg["optimum"].to_numpy(float)
        self.agents = (reg["driver"] == "agents").to_numpy()
        self.given = self.agents if given is None else self.agents & np.asarray(given, bool)
        self.base = baseline.value[self.codes].to_numpy(float)
        self.group = reg["goal"].to_numpy(int) - 1
        self.sdg = sdg
        # Trends depend on the baseline only: computed once per baseline and setting.
        cache = baseline.extra.setdefault("_trend_cache", {})
        key = (tuple(self.codes), sdg.trend_window, sdg.trend_min_points)
        if key not in cache:
            cache[key] = historical_trends(baseline.observed, baseline.base_year, self.codes,
                                           sdg.trend_window, sdg.trend_min_points,
                                           baseline.imputed)
        self.slopes, self.notes = cache[key]
        self.matrix = matrix_of(sdg, laumann_region)
        vmin, vmax = reg["valid_min"].to_numpy(float), reg["valid_max"].to_numpy(float)
        with np.errstate(invalid="ignore"):
            a, b = _raw(vmin, self.lower, self.optimum), _raw(vmax, self.lower, self.optimum)
        self.score_min = np.nan_to_num(np.minimum(a, b), nan=-np.inf)
        self.score_max = np.nan_to_num(np.maximum(a, b), nan=np.inf)
        self.propagation: Propagation | None = None

    def start(self, row: np.ndarray) -> np.ndarray:
        """The base-year row: network-driven (and not given) indicators at the baseline."""
        data = np.asarray(row, float).copy()
        data[~self.given] = self.base[~self.given]
        s = self.sdg
        self.propagation = Propagation(
            _raw(data, self.lower, self.optimum), self.times, self.given, self.group,
            self.slopes.to_numpy(float), self.matrix.weights.to_numpy(float), s.strength,
            s.trend_damping, s.basis, self.score_min, self.score_max)
        return data

    def advance(self, row: np.ndarray) -> np.ndarray:
        """The next row of the run, network-driven indicators moved one step."""
        if self.propagation is None:
            raise RuntimeError("Interlinkages.start() takes the base-year row first")
        data = np.asarray(row, float)
        moved = _unraw(self.propagation.advance(_raw(data, self.lower, self.optimum)),
                       self.lower, self.optimum)
        # Keep given paths bit-for-bit (no round trip through scores).
        moved[self.given] = data[self.given]
        return moved

    def info(self) -> dict[str, Any]:
        """What the ``sdg_interlinkages`` attribute records."""
        s, matrix = self.sdg, self.matrix
        return {
            "interactions": matrix.kind,
            "matrix_source": matrix.source,
            "edges": matrix.edges(),
            "matrix_notes": matrix.notes,
            "strength": s.strength,
            "trend_damping": s.trend_damping,
            "trend_window": s.trend_window,
            "basis": s.basis,
            "network_driven": [c for c, g in zip(self.codes, self.given, strict=True)
                               if not g],
            "not_simulated_by_agents": [c for c, a, g in zip(self.codes, self.agents,
                                                             self.given, strict=True)
                                        if a and not g],
            "trend_notes": self.notes,
            "trend_slopes_score_per_year": {c: round(float(v), 6)
                                            for c, v in self.slopes.items()},
            "equation": "u_k(t) = u_k(t-dt) + b_k phi^(t-dt-t0) dt + gamma sum_h What[h,g(k)] "
                        "e_h(t-dt); see docs/sdg.md",
        }


def laumann_region_of(cfg: StisimConfig) -> str:
    """The Laumann et al. (2022) region whose network the config selects."""
    return cfg.sdg.laumann_region or cfg.country.laumann_region


def _run(values: xr.DataArray, baseline: Baseline, cfg: StisimConfig
         ) -> tuple[xr.DataArray, dict[str, np.ndarray], dict[str, Any]]:
    values = _prepare(values, baseline)
    codes = [str(c) for c in values["indicator"].values]
    data = values.to_numpy().copy()
    # An agent-driven indicator the agent model left incomplete is moved like a network one.
    links = Interlinkages(baseline, cfg.sdg, laumann_region_of(cfg), codes,
                          values["time"].to_numpy().astype(float),
                          given=np.isfinite(data).all(axis=0))
    moved = np.empty_like(data)
    trend, interaction = np.zeros_like(data), np.zeros_like(data)
    moved[0] = links.start(data[0])
    for i in range(1, data.shape[0]):
        moved[i] = links.advance(data[i])
        trend[i] = links.propagation.trend
        interaction[i] = links.propagation.interaction
    return values.copy(data=moved), {"trend": trend, "interaction": interaction}, links.info()


def apply_interlinkages(values: xr.DataArray, baseline: Baseline, cfg: StisimConfig
                        ) -> xr.DataArray:
    """Move the network-driven indicators of ``values`` (time, indicator).

    Agent-driven indicators with a complete path are kept as given; network-driven ones
    (and agent-driven ones the agent model left incomplete — listed in the result's
    ``sdg_interlinkages`` attribute) start at the baseline and follow the interlinkage
    equation. Registry indicators absent from ``values`` are added.
    """
    out, _, info = _run(values, baseline, cfg)
    out.attrs = dict(values.attrs)
    out.attrs["sdg_interlinkages"] = json.dumps(info, sort_keys=True)
    return out


def decompose_interlinkages(values: xr.DataArray, baseline: Baseline, cfg: StisimConfig
                            ) -> xr.Dataset:
    """The interlinkage result with the cumulative trend and interaction contributions of
    each indicator, in the indicator's own unit (before range clipping)."""
    out, result, info = _run(values, baseline, cfg)
    reg = registry().loc[[str(c) for c in out["indicator"].values]]
    span = (reg["optimum"] - reg["lower"]).to_numpy(float) / 100.0
    ds = xr.Dataset({
        "indicator_value": out,
        "trend_contribution": out.copy(data=result["trend"] * span),
        "interaction_contribution": out.copy(data=result["interaction"] * span),
    })
    ds.attrs["sdg_interlinkages"] = json.dumps(info, sort_keys=True)
    return ds
