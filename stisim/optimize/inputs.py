"""Numeric inputs of the optimisation model, derived from a portfolio (pure computation).

* **Counterfactual** indicator path without the roadmap: by default (``abm``) the agent
  model's business-as-usual ensemble, simulated and cached by
  :mod:`stisim.coupling.counterfactual` and passed in as ``counterfactual_path`` (this package
  does not run the agent model); or the country's real base-year value
  (:func:`stisim.baseline.load_baseline`), held flat or continued along the observed linear
  trend of the last ten years (clipped to the SDR bounds); the portfolio's ``baseline_trend``
  overrides flat and trend for the indicators it lists.
* **Scores** follow the SDR 2022 method: score = 100·(x − lower)/(optimum − lower), so a gain
  of Δ in native units is worth ``100·Δ/(optimum − lower)`` score points (positive for
  improvements whichever direction is better). ``headroom`` is 100 minus the counterfactual
  score: progress beyond the optimum is worth nothing.
* **Weights** of the ``sdg`` objective: 1/(number of goals × indicators of the goal) so that
  equal weights make the objective the SDG-index points gained (index = mean of goal scores,
  goal = mean of its indicators), multiplied by the configured goal and indicator weights.
* **Effects** are the response curves in scale units (scale = spend / full cost). Curves that
  are concave in the direction of progress are modelled exactly (hypograph); other curves
  (harms with diminishing returns) by their chord from zero to the maximum scale, exact at
  both ends (e.g. for indivisible actions).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr

from stisim.errors import ConfigError, Problem
from stisim.optimize.params import OptimiseConfig
from stisim.roadmap.discount import discount_factors
from stisim.roadmap.portfolio import OFFICIAL_KINDS, Portfolio
from stisim.roadmap.responses import ResponseCurves, is_concave
from stisim.seeds import robust_rng

TREND_YEARS = 10


@dataclass
class Scenarios:
    """Scenario multipliers of a robust model (absent factors are 1 everywhere)."""

    ids: list[str]
    probability: xr.DataArray  # (scenario)
    effect_factor: xr.DataArray | None  # (scenario, effect)
    budget_factor: xr.DataArray | None  # (scenario, source)
    value_factor: xr.DataArray | None  # (scenario)
    origin: str


@dataclass
class ModelInputs:
    portfolio: Portfolio
    options: OptimiseConfig
    responses: ResponseCurves
    base_year: int
    years: np.ndarray
    discount: xr.DataArray  # (year)
    effects: pd.DataFrame  # one row per modelled effect (see effect_table)
    indicators: list[str]  # indicators with modelled effects or floors
    counterfactual: xr.DataArray | None  # (indicator, year) native units
    score0: xr.DataArray | None  # (indicator, year) counterfactual score, unclipped
    headroom: xr.DataArray | None  # (indicator, year) score points left to 100
    score_scale: xr.DataArray  # (indicator) score points per native unit
    weight: xr.DataArray  # (indicator) sdg-objective weight
    scenarios: Scenarios | None
    baseline_provenance: dict | None
    counterfactual_path: xr.DataArray | None = None

    @property
    def effect_index(self) -> list[str]:
        return list(self.effects.index)

    def official(self) -> xr.DataArray:
        kinds = self.portfolio.sources["kind"]
        return xr.DataArray(kinds.isin(OFFICIAL_KINDS).to_numpy(), dims="source",
                            coords={"source": self.portfolio.source_ids})

    def source_kind_is(self, kinds) -> xr.DataArray:
        k = self.portfolio.sources["kind"]
        return xr.DataArray(k.isin(list(kinds)).to_numpy(), dims="source",
                            coords={"source": self.portfolio.source_ids})


def default_weights(goal_weights: dict | None = None,
                    indicator_weights: dict | None = None) -> pd.Series:
    """Indicator weights making the objective SDG-index points (times multipliers)."""
    from stisim.data.indicators import registry

    reg = registry()
    per_goal = reg.groupby("goal")["code"].count()
    w = 1.0 / (len(per_goal) * reg["goal"].map(per_goal))
    for goal, mult in (goal_weights or {}).items():
        w[reg["goal"] == int(goal)] *= float(mult)
    for code, mult in (indicator_weights or {}).items():
        w[code] *= float(mult)
    return w.astype(float)


def build_inputs(portfolio: Portfolio, options: OptimiseConfig, base_year: int = 2022,
                 responses: ResponseCurves | None = None, seed: int = 0,
                 counterfactual_path: xr.DataArray | None = None) -> ModelInputs:
    """Everything the model needs, as labelled arrays.

    ``counterfactual_path`` (indicator, year), e.g. simulated by the agent model without the
    roadmap, replaces the flat or trend path for the indicators it covers.
    """
    from stisim.data.indicators import registry

    reg = registry()
    responses = responses or ResponseCurves.from_portfolio(portfolio)
    years = portfolio.years
    discount = xr.DataArray(discount_factors(portfolio.discount_rate, years), dims="year",
                            coords={"year": years})
    needs_sdg = options.objective == "sdg" or options.pareto.against == "sdg"
    floor_inds = set(portfolio.floors["indicator"].dropna())
    for goal in portfolio.floors["goal"].dropna():
        floor_inds |= set(reg.index[reg["goal"] == int(goal)])
    if needs_sdg and portfolio.country_m49 is None:
        raise ConfigError([Problem("country", "the sdg objective needs the portfolio's country "
                                   "(its real baseline is the starting level)", None,
                                   "country: NAME in the portfolio file")],
                          title=f"cannot optimise {portfolio.path or portfolio.name}")
    weights = default_weights(options.goal_weights, options.indicator_weights)
    used = {i for (_, i) in responses.pairs if (needs_sdg and weights[i] > 0)
            or i in floor_inds}
    effects = effect_table(portfolio, responses, used)
    indicators = sorted(set(effects["indicator"]) | floor_inds, key=list(reg.index).index)
    score_scale = xr.DataArray(
        100.0 / (reg.loc[indicators, "optimum"] - reg.loc[indicators, "lower"]).to_numpy(),
        dims="indicator", coords={"indicator": indicators})
    cf = score0 = headroom = provenance = None
    if options.counterfactual == "abm" and counterfactual_path is None and indicators and \
            portfolio.country_m49 is not None:
        raise ConfigError([Problem(
            "optimise.counterfactual", "the agent model's business-as-usual path was not "
            "supplied (the optimiser alone does not run the agent model)", "abm",
            "stisim optimise, stisim.coupling.bridge.optimise_allocation, or "
            "stisim.coupling.counterfactual.bau_path(cfg, portfolio) as counterfactual=; "
            "or optimise.counterfactual=flat|trend")],
            title=f"cannot optimise {portfolio.path or portfolio.name}")
    if portfolio.country_m49 is not None and indicators:
        cf, provenance = counterfactual(portfolio, indicators, base_year, options.counterfactual,
                                        counterfactual_path)
        lower = xr.DataArray(reg.loc[indicators, "lower"].to_numpy(float), dims="indicator",
                             coords={"indicator": indicators})
        score0 = (cf - lower) * score_scale
        headroom = (100.0 - score0.clip(0.0, 100.0))
    weight = xr.DataArray(weights[indicators].to_numpy(float), dims="indicator",
                          coords={"indicator": indicators})
    scenarios = None
    if options.robust.measure != "none":
        scenarios = build_scenarios(portfolio, options, effects, responses, seed)
    return ModelInputs(portfolio=portfolio, options=options, responses=responses,
                       base_year=base_year, years=years, discount=discount, effects=effects,
                       indicators=indicators, counterfactual=cf, score0=score0,
                       headroom=headroom, score_scale=score_scale, weight=weight,
                       scenarios=scenarios, baseline_provenance=provenance,
                       counterfactual_path=counterfactual_path)


def effect_table(portfolio: Portfolio, responses: ResponseCurves, used: set[str]
                 ) -> pd.DataFrame:
    """Modelled effects: kind (linear, concave, chord), breakpoints in scale units (progress
    direction), the linear slope and the first year the effect counts."""
    from stisim.data.indicators import registry

    better = registry()["better"].to_dict()
    total = portfolio.total_cost().to_series().to_dict()
    acts = portfolio.actions
    indivisible = acts["indivisible"].to_dict()
    max_scales = acts["max_scale"].astype(float).to_dict()
    starts = acts["start"].to_dict()
    rows = []
    for (action, indicator), curve in responses.curves.items():
        if indicator not in used:
            continue
        sign = 1.0 if better[indicator] == "higher" else -1.0
        full = float(total[action])
        max_scale = 1.0 if indivisible[action] else max_scales[action]
        xs = curve.spend / full
        ys = sign * curve.gain
        if xs[-1] < max_scale - 1e-12:
            end = sign * float(curve.at(max_scale * full))
            xs, ys = np.append(xs, max_scale), np.append(ys, end)
        else:
            keep = xs <= max_scale + 1e-12
            end = sign * float(curve.at(max_scale * full))
            xs, ys = np.append(xs[keep], max_scale), np.append(ys[keep], end)
            xs, idx = np.unique(xs, return_index=True)
            ys = ys[idx]
        slopes = np.diff(ys) / np.diff(xs)
        if len(xs) <= 2 or np.allclose(slopes, slopes[0], rtol=1e-9, atol=1e-15):
            kind = "linear"
        elif is_concave(xs, ys):
            kind = "concave"
        else:
            kind = "chord"
        start = int(starts[action])
        rows.append({"effect": f"{action}|{indicator}", "action": action,
                     "indicator": indicator, "sign": sign, "kind": kind,
                     "slope": float(ys[-1] / xs[-1]) if kind != "concave" else np.nan,
                     "xs": xs, "ys": ys, "lag": curve.lag, "first_year": start + curve.lag})
    df = pd.DataFrame(rows, columns=["effect", "action", "indicator", "sign", "kind", "slope",
                                     "xs", "ys", "lag", "first_year"])
    return df.set_index("effect", drop=False)


def counterfactual(portfolio: Portfolio, indicators: list[str], base_year: int, mode: str,
                   path_override: xr.DataArray | None = None) -> tuple[xr.DataArray, dict]:
    """Indicator levels per horizon year without the roadmap, and their provenance."""
    from stisim.baseline import load_baseline
    from stisim.data.indicators import registry

    reg = registry()
    b = load_baseline(portfolio.country_m49, base_year)
    years = portfolio.years
    level = np.empty((len(indicators), len(years)))
    for k, code in enumerate(indicators):
        v0 = float(b.value[code])
        slope = 0.0
        if code in portfolio.baseline_trend:
            slope = portfolio.baseline_trend[code]
        elif mode == "trend":
            slope = observed_slope(b.observed.get(code), base_year)
        path = v0 + slope * (years - base_year)
        if slope and code not in portfolio.baseline_trend:
            lo, hi = sorted((float(reg.loc[code, "lower"]), float(reg.loc[code, "optimum"])))
            path = np.clip(path, min(lo, v0), max(hi, v0))
        level[k] = path
    prov = {code: b.provenance()[code] for code in indicators}
    out = xr.DataArray(level, dims=("indicator", "year"),
                       coords={"indicator": indicators, "year": years})
    if path_override is not None:
        given = [c for c in indicators if c in path_override["indicator"].values]
        method = str(path_override.attrs.get("method",
                                             "counterfactual path supplied by the caller"))
        if given:
            out.loc[{"indicator": given}] = path_override.sel(
                indicator=given, year=years).transpose("indicator", "year").values
            for c in given:
                prov[c] = dict(prov[c], method=method)
    elif mode == "abm":
        for c in indicators:
            prov[c] = dict(prov[c], method="flat at the base-year value: no agent-model path "
                           "supplied")
    return out, prov


def observed_slope(series: pd.Series | None, base_year: int) -> float:
    """Least-squares slope of the last ten years of observations (0 with fewer than 3)."""
    if series is None:
        return 0.0
    s = series.dropna()
    s = s[(s.index <= base_year) & (s.index > base_year - TREND_YEARS)]
    if len(s) < 3:
        return 0.0
    return float(np.polyfit(s.index.to_numpy(float), s.to_numpy(float), 1)[0])


def build_scenarios(portfolio: Portfolio, options: OptimiseConfig, effects: pd.DataFrame,
                    responses: ResponseCurves, seed: int) -> Scenarios:
    """Scenarios declared in the portfolio, or sampled (reproducibly from ``seed``)."""
    sources = portfolio.source_ids
    eff_ids = list(effects.index)
    table = portfolio.scenarios
    if len(table) and options.robust.samples == 0:
        ids = list(table.index)
        ef = np.ones((len(ids), len(eff_ids)))
        bf = np.ones((len(ids), len(sources)))
        vf = np.ones(len(ids))
        for k, s in enumerate(table.itertuples(index=False)):
            ef[k] *= s.effect_factor
            for j, e in enumerate(effects.itertuples(index=False)):
                ef[k, j] *= (s.indicator_factors or {}).get(e.indicator, 1.0)
                ef[k, j] *= (s.action_factors or {}).get(e.action, 1.0)
            bf[k] *= s.budget_factor
            for j, src in enumerate(sources):
                bf[k, j] *= (s.budget_factors or {}).get(src, 1.0)
            vf[k] = s.value_factor
        prob = table["probability"].to_numpy(float)
        origin = "portfolio scenarios"
    else:
        n = options.robust.samples
        if n <= 0:
            raise ConfigError([Problem("optimise.robust.samples", "a robust allocation needs "
                                       "scenarios: the portfolio declares none", 0,
                                       "a positive number of sampled scenarios, or a "
                                       "`scenarios:` list in the portfolio")])
        rng = robust_rng(seed)
        ids = [f"s{k:03d}" for k in range(n)]
        se, sb = options.robust.effect_spread, options.robust.budget_spread
        ef = np.ones((n, len(eff_ids)))
        if responses.has_bands():
            for j, e in enumerate(effects.itertuples(index=False)):
                c = responses.curves[(e.action, e.indicator)]
                if c.low is None or c.high is None or c.gain[-1] == 0:
                    continue
                u = rng.uniform(size=n)
                ef[:, j] = (c.low[-1] + u * (c.high[-1] - c.low[-1])) / c.gain[-1]
            origin = f"{n} scenarios sampled from response-curve bands (seed {seed})"
        else:
            # One multiplier per action (its effects move together), log-normal with mean 1.
            acts = portfolio.action_ids
            per_action = rng.lognormal(-se ** 2 / 2, se, size=(n, len(acts)))
            pos = [acts.index(a) for a in effects["action"]]
            ef = per_action[:, pos] if pos else ef
            origin = (f"{n} scenarios sampled: effect multipliers log-normal(sigma={se}) per "
                      f"action, budget multipliers log-normal(sigma={sb}) per source "
                      f"(seed {seed})")
        bf = rng.lognormal(-sb ** 2 / 2, sb, size=(n, len(sources))) if sb > 0 else np.ones(
            (n, len(sources)))
        vf = np.ones(n)
        prob = np.full(n, 1.0 / n)
    coords = {"scenario": ids}
    eff = xr.DataArray(ef, dims=("scenario", "effect"), coords={**coords, "effect": eff_ids})
    bud = xr.DataArray(bf, dims=("scenario", "source"), coords={**coords, "source": sources})
    val = xr.DataArray(vf, dims="scenario", coords=coords)
    return Scenarios(
        ids=ids, probability=xr.DataArray(prob, dims="scenario", coords=coords),
        effect_factor=None if np.allclose(ef, 1.0) else eff,
        budget_factor=None if np.allclose(bf, 1.0) else bud,
        value_factor=None if np.allclose(vf, 1.0) else val, origin=origin)
