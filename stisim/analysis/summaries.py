"""Tables behind the plots and the report: confidence intervals, strategy comparison, peers,
targets with SDR-style trend status, monitoring paths and triggers, allocation totals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr
from scipy import stats

from stisim.analysis.datasets import members, select_time, target_year
from stisim.errors import DataError

# SDR 2022 trend classes (Sachs et al. 2022, methodology: trend dashboards), applied to the
# simulated pace between the base year and the target year.
TREND_CLASSES = ("achieved", "on track", "moderately improving", "stagnating", "decreasing")
TARGET_YEAR = 2030.0
GOAL_NAMES = {
    1: "No poverty", 2: "Zero hunger", 3: "Good health and well-being", 4: "Quality education",
    5: "Gender equality", 6: "Clean water and sanitation", 7: "Affordable and clean energy",
    8: "Decent work and economic growth", 9: "Industry, innovation and infrastructure",
    10: "Reduced inequalities", 11: "Sustainable cities and communities",
    12: "Responsible consumption and production", 13: "Climate action",
    14: "Life below water", 15: "Life on land", 16: "Peace, justice and strong institutions",
    17: "Partnerships for the goals",
}


def mean_ci(da: xr.DataArray, dim: str = "member", level: float = 0.95) -> xr.Dataset:
    """Mean over ``dim`` with a Student-t confidence interval of the mean (NaN-aware)."""
    n = da.count(dim)
    mean = da.mean(dim, skipna=True)
    sd = da.std(dim, ddof=1, skipna=True)
    df = (n - 1).where(n > 1)
    t = xr.apply_ufunc(lambda d: stats.t.ppf(0.5 + level / 2, d), df)
    half = t * sd / np.sqrt(n.where(n > 0))
    return xr.Dataset({"mean": mean, "lower": mean - half, "upper": mean + half, "n": n})


def total_spend(ds: xr.Dataset) -> xr.DataArray | None:
    """Total spend per case (over action, year and source), or None without spend."""
    if "spend" not in ds:
        return None
    spend = ds["spend"]
    reduce = [d for d in ("action", "year", "source") if d in spend.dims]
    total = spend.sum(reduce)
    if "replicate" in total.dims:
        total = total.mean("replicate")
    return total


def comparison_table(ds: xr.Dataset, year: float | None = None, level: float = 0.95
                     ) -> pd.DataFrame:
    """Per case: SDG index at ``year`` and its change from the base year (mean and CI across
    members), total spend, and rank."""
    year = target_year(ds) if year is None else year
    idx = members(ds, "sdg_index")
    at = select_time(idx, year, "comparison year")
    base = idx.isel(time=0)
    ci = mean_ci(at, level=level)
    gain = mean_ci(at - base, level=level)
    rows = pd.DataFrame({
        "case": [str(c) for c in idx["case"].values],
        "members": ci["n"].values.astype(int),
        "sdg_index": ci["mean"].values, "sdg_index_lower": ci["lower"].values,
        "sdg_index_upper": ci["upper"].values,
        "gain": gain["mean"].values, "gain_lower": gain["lower"].values,
        "gain_upper": gain["upper"].values,
    })
    spend = total_spend(ds)
    if spend is not None:
        sp = members(ds, spend.rename("spend")) if "strategy" in spend.dims else None
        if sp is not None:
            rows["total_spend"] = sp.mean("member").values
            with np.errstate(divide="ignore", invalid="ignore"):
                rows["gain_per_spend"] = rows["gain"] / rows["total_spend"]
    rows["rank"] = rows["sdg_index"].rank(ascending=False, method="min").astype("Int64")
    rows.attrs["year"] = float(year)
    rows.attrs["level"] = level
    return rows.sort_values("rank").reset_index(drop=True)


def pareto_mask(x: np.ndarray, y: np.ndarray, maximise: tuple[bool, bool] = (False, True)
                ) -> np.ndarray:
    """True for points not dominated by any other (minimise x / maximise y by default)."""
    xs = np.where(maximise[0], -np.asarray(x, float), np.asarray(x, float))
    ys = np.where(maximise[1], -np.asarray(y, float), np.asarray(y, float))
    le = (xs[None, :] <= xs[:, None]) & (ys[None, :] <= ys[:, None])
    lt = (xs[None, :] < xs[:, None]) | (ys[None, :] < ys[:, None])
    dominated = (le & lt).any(axis=1)
    return ~dominated & np.isfinite(xs) & np.isfinite(ys)


def peers(m49: int, base_year: int, region: str | None = None) -> pd.DataFrame:
    """Base-year values of the country and its UN sub-region peers (observed values only:
    peers' imputed values are left out so that nobody is compared with a regional median).

    Long table: m49, name, indicator, value, score, imputed, is_country.
    """
    from stisim.baseline import load_baseline
    from stisim.data import countries
    from stisim.errors import StisimError
    from stisim.sdg.scores import normalise

    table = countries()
    if m49 not in table.index:
        raise DataError(f"country M49 {m49} is not in the shipped data")
    region = region or table.loc[m49, "un_region"]
    rows = []
    for code in table.index[table["un_region"] == region]:
        try:
            b = load_baseline(int(code), int(base_year))
        except StisimError:
            continue  # territories without population data in the SDR panel
        values = xr.DataArray(b.value.to_numpy(float), dims="indicator",
                              coords={"indicator": list(b.value.index)})
        scores = normalise(values).values
        for i, ind in enumerate(b.value.index):
            mine = int(code) == int(m49)
            if b.imputed[ind] and not mine:
                continue
            rows.append({"m49": int(code), "name": b.name, "indicator": ind,
                         "value": float(b.value[ind]), "score": float(scores[i]),
                         "imputed": bool(b.imputed[ind]), "is_country": mine})
    out = pd.DataFrame(rows)
    out.attrs["region"] = region
    return out


def peer_summary(long: pd.DataFrame) -> pd.DataFrame:
    """Per indicator: the country's value and score, peer median and range, and its rank."""
    from stisim.data.indicators import registry

    reg = registry()
    out = []
    for ind, grp in long.groupby("indicator", sort=False):
        me = grp[grp.is_country]
        others = grp[~grp.is_country]
        if me.empty:
            continue
        m = me.iloc[0]
        better = reg.loc[ind, "better"]
        vals = grp["value"].to_numpy(float)
        rank = int((vals > m.value).sum() + 1) if better == "higher" else int(
            (vals < m.value).sum() + 1)
        out.append({
            "indicator": ind, "name": reg.loc[ind, "name"], "unit": reg.loc[ind, "unit"],
            "goal": int(reg.loc[ind, "goal"]), "value": m.value, "score": m.score,
            "imputed": bool(m.imputed), "peer_median": float(others["value"].median())
            if len(others) else np.nan,
            "peer_min": float(others["value"].min()) if len(others) else np.nan,
            "peer_max": float(others["value"].max()) if len(others) else np.nan,
            "peer_score_median": float(others["score"].median()) if len(others) else np.nan,
            "rank": rank, "n": len(grp),
        })
    return pd.DataFrame(out)


def trend_status(base: float, projected: float, base_year: float, year: float,
                 lower: float, optimum: float) -> str:
    """SDR-style trend class of the pace from ``base`` to ``projected`` against the pace
    needed to reach ``optimum`` by 2030 (lower-is-better indicators have optimum < lower)."""
    if not (np.isfinite(base) and np.isfinite(projected)) or year <= base_year:
        return "no trajectory"
    sign = 1.0 if optimum > lower else -1.0
    if sign * (projected - optimum) >= 0:
        return "achieved"
    pace = sign * (projected - base) / (year - base_year)
    needed = sign * (optimum - base) / max(TARGET_YEAR - base_year, 1.0)
    if needed <= 0:
        return "achieved" if pace >= 0 else "decreasing"
    if pace >= needed:
        return "on track"
    if pace >= 0.5 * needed:
        return "moderately improving"
    if pace >= 0:
        return "stagnating"
    return "decreasing"


def targets_table(ds: xr.Dataset, year: float | None = None) -> pd.DataFrame:
    """Per indicator and case: base value, median projection at ``year``, the SDR optimum as
    the 2030 target, the projected score and its trend status."""
    from stisim.data.indicators import registry

    reg = registry()
    year = target_year(ds) if year is None else year
    vals = members(ds, "indicator_value")
    base_year = float(vals["time"].values[0])
    base = vals.isel(time=0).median("member")
    proj = select_time(vals, year, "target year").median("member")
    scores = select_time(members(ds, "indicator_score"), year, "target year").median("member")
    rows = []
    for case in vals["case"].values:
        for ind in vals["indicator"].values:
            r = reg.loc[str(ind)]
            b = float(base.sel(case=case, indicator=ind))
            p = float(proj.sel(case=case, indicator=ind))
            rows.append({
                "case": str(case), "indicator": str(ind), "name": r["name"], "unit": r["unit"],
                "goal": int(r["goal"]), "base": b, "projected": p, "target": float(r["optimum"]),
                "score": float(scores.sel(case=case, indicator=ind)),
                "status": trend_status(b, p, base_year, year, float(r["lower"]),
                                       float(r["optimum"])),
            })
    out = pd.DataFrame(rows)
    out.attrs.update(year=float(year), base_year=base_year)
    return out


MIN_MEMBERS_FOR_TRIGGERS = 5


def checkpoints_of(times: np.ndarray) -> list[float]:
    """Monitoring checkpoints: round years (every 5 years over long horizons, 2 or 1 over
    short ones) after the base year, plus the last year."""
    times = np.asarray(times, float)
    later = times[times > times[0]]
    if later.size == 0:
        return []
    span = later[-1] - times[0]
    step = 5 if span >= 10 else 2 if span >= 4 else 1
    marks = [float(t) for t in later if float(t) == int(t) and int(t) % step == 0]
    return sorted(set(marks) | {float(later[-1])})


def monitoring_table(ds: xr.Dataset, case: str, indicators: list[str],
                     checkpoints: list[float] | None = None, quantile: float = 0.1
                     ) -> pd.DataFrame:
    """Monitoring paths and re-planning triggers for one case.

    The expected path is the median across members; the trigger is the ``quantile`` of the
    members on the unfavourable side (10th percentile for higher-is-better indicators, 90th
    for lower-is-better): a monitored value beyond it is worse than 90% of simulated futures
    under this roadmap, the signal to re-plan (guidebook step 6: monitor, evaluate, update).
    With fewer than 5 members there is no spread to set a trigger from: it is NaN.
    """
    from stisim.data.indicators import registry

    reg = registry()
    vals = members(ds, "indicator_value").sel(case=case)
    if checkpoints is None:
        checkpoints = checkpoints_of(vals["time"].values)
    rows = []
    for ind in indicators:
        higher = reg.loc[ind, "better"] == "higher"
        q = quantile if higher else 1 - quantile
        for year in checkpoints:
            v = select_time(vals.sel(indicator=ind), year).dropna("member")
            enough = v.sizes["member"] >= MIN_MEMBERS_FOR_TRIGGERS
            rows.append({"indicator": ind, "name": reg.loc[ind, "name"],
                         "unit": reg.loc[ind, "unit"], "year": float(year),
                         "expected": float(v.median("member")),
                         "trigger": float(v.quantile(q, "member")) if enough else np.nan,
                         "members": int(v.sizes["member"]),
                         "direction": "below" if higher else "above"})
    return pd.DataFrame(rows)


def allocation_frame(spend: xr.DataArray) -> pd.DataFrame:
    """Spend as a long table (action, year, source, spend), zeros dropped."""
    df = spend.to_dataframe(name="spend").reset_index()
    return df[df["spend"].abs() > 0]


def shadow_price_var(alloc: xr.Dataset) -> str | None:
    """Name of the variable holding budget shadow prices (dual values) by source and year."""
    for name in ("shadow_price", "budget_shadow_price", "budget_dual", "dual_budget"):
        if name in alloc:
            return name
    for name, da in alloc.data_vars.items():
        if set(da.dims) == {"source", "year"} and any(
                k in str(name) for k in ("shadow", "dual", "price")):
            return str(name)
    return None


def budget_duals(alloc: xr.Dataset, name: str) -> xr.DataArray:
    """The shadow prices ``alloc[name]`` by (source, year). A robust plan has one budget
    row per scenario: one more unit of budget in every scenario is worth the sum of their
    duals, so any other dimension is summed."""
    da = alloc[name]
    return da.sum([d for d in da.dims if d not in ("source", "year")]).transpose(
        "source", "year")


def gain_var(alloc: xr.Dataset) -> str | None:
    """Name of the variable holding the optimiser's promised indicator or goal gains."""
    for name, da in alloc.data_vars.items():
        if "gain" in str(name) and ({"indicator"} & set(da.dims) or {"goal"} & set(da.dims)):
            return str(name)
    return None
