"""Figures of stisim results (matplotlib, headless: figures are built on ``Figure`` objects
without pyplot, so they render in servers and threads with the Agg backend).

Every function returns a :class:`matplotlib.figure.Figure`; :func:`to_png` and :func:`to_svg`
serialise one. SDG colours are the UN's official palette (UN Department of Global
Communications, SDG communications guidelines, 2019).
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence

import matplotlib
import matplotlib.ticker

matplotlib.use("Agg", force=False)

import numpy as np
import pandas as pd
import xarray as xr
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from stisim.analysis.datasets import members, select_time, target_year
from stisim.analysis.summaries import (
    GOAL_NAMES,
    allocation_frame,
    budget_duals,
    comparison_table,
    mean_ci,
    pareto_mask,
    shadow_price_var,
    total_spend,
)

SDG_COLOURS = {
    1: "#E5243B", 2: "#DDA63A", 3: "#4C9F38", 4: "#C5192D", 5: "#FF3A21", 6: "#26BDE2",
    7: "#FCC30B", 8: "#A21942", 9: "#FD6925", 10: "#DD1367", 11: "#FD9D24", 12: "#BF8B2E",
    13: "#3F7E44", 14: "#0A97D9", 15: "#56C02B", 16: "#00689D", 17: "#19486A",
}
# Colour-blind-safe qualitative palette for cases (Okabe & Ito 2008).
CASE_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
                "#000000")
SOURCE_COLOURS = {"public": "#0072B2", "private": "#E69F00", "donor": "#009E73"}


class PlainTextFigure(Figure):
    """A figure whose texts are shown as written: ``$...$`` in an action, scenario or
    indicator name is not parsed as mathtext (a malformed one crashed the report)."""

    def draw(self, renderer) -> None:
        from matplotlib.text import Text

        for text in self.findobj(Text):
            text.set_parse_math(False)
        with matplotlib.rc_context({"text.parse_math": False}):
            super().draw(renderer)


def _figure(width: float = 7.5, height: float = 4.2) -> Figure:
    fig = PlainTextFigure(figsize=(width, height), dpi=100, layout="constrained")
    return fig


def _years(ax) -> None:
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))


def _style(ax) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(True, axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)


def case_colour(i: int) -> str:
    return CASE_COLOURS[i % len(CASE_COLOURS)]


def to_png(fig: Figure, dpi: int = 100) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def to_svg(fig: Figure) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    return buf.getvalue()


def _label(ds: xr.Dataset, var: str, indicator: str | None, goal: int | None) -> tuple[str, str]:
    if indicator is not None:
        from stisim.data.indicators import registry

        row = registry().reindex([indicator]).iloc[0]
        name = str(ds["indicator_name"].sel(indicator=indicator).values) \
            if "indicator_name" in ds else str(row["name"]) if isinstance(row["name"], str) \
            else ""
        unit = str(ds["indicator_unit"].sel(indicator=indicator).values) \
            if "indicator_unit" in ds else str(row["unit"]) if isinstance(row["unit"], str) \
            else ""
        if var == "indicator_score":
            unit = "score 0-100"
        return (f"{indicator} {name}" if name and name != indicator else indicator), unit
    if goal is not None:
        return f"SDG {goal} {GOAL_NAMES.get(int(goal), '')}", "score 0-100"
    from stisim.dataset import variable_table

    meta = variable_table().get(var, {})
    attrs = ds[var].attrs
    return (attrs.get("long_name", meta.get("long_name", var)),
            attrs.get("units", meta.get("units", "")))


def fan_chart(ds: xr.Dataset, var: str = "sdg_index", *, indicator: str | None = None,
              goal: int | None = None, technology: str | None = None,
              cases: Sequence[str] | None = None, by: str | None = None,
              target: float | None = None, bands: Sequence[tuple[float, float]] = (
                  (0.05, 0.95), (0.25, 0.75)), trigger: pd.DataFrame | None = None) -> Figure:
    """Median path and quantile bands across members (replicates, runs), one colour per case
    (strategy, scenario or lever setting). ``target`` draws a horizontal target line;
    ``trigger`` (from :func:`~stisim.analysis.summaries.monitoring_table`) marks triggers."""
    da = members(ds, var, by=by)
    sel = {"indicator": indicator, "goal": goal, "technology": technology}
    for dim, label in sel.items():
        if label is not None:
            da = da.sel({dim: label})
    left = [d for d in da.dims if d not in ("case", "member", "time")]
    if left:
        raise ValueError(f"fan_chart of {var}: select {left} (e.g. indicator='9.5.1')")
    if cases is not None:
        da = da.sel(case=list(cases))
    fig = _figure()
    ax = fig.add_subplot()
    t = da["time"].values
    for i, case in enumerate(da["case"].values):
        c = da.sel(case=case).dropna("member", how="all")
        if c.sizes["member"] == 0:
            continue
        colour = case_colour(i)
        if c.sizes["member"] > 1:
            for k, (lo, hi) in enumerate(bands):
                q = c.quantile([lo, hi], "member")
                ax.fill_between(t, q.isel(quantile=0), q.isel(quantile=1), color=colour,
                                alpha=0.15 + 0.12 * k, linewidth=0)
        ax.plot(t, c.median("member"), color=colour, linewidth=2,
                label=f"{case} (n={c.sizes['member']})" if c.sizes["member"] > 1 else str(case))
    if target is not None:
        ax.axhline(target, color="#555555", linestyle="--", linewidth=1)
        ax.annotate("target", (t[-1], target), textcoords="offset points", xytext=(-30, 4),
                    fontsize=8, color="#555555")
    if trigger is not None and trigger["trigger"].notna().any():
        ax.plot(trigger["year"], trigger["trigger"], linestyle="none", marker="v",
                color="#C0392B", label="re-plan trigger")
    _years(ax)
    title, unit = _label(ds, var, indicator, goal)
    if technology is not None:
        title = f"Adoption of {technology}"
    ax.set_title(title, fontsize=11, loc="left")
    ax.set_ylabel(unit)
    ax.set_xlabel("year")
    _style(ax)
    if len(t) == 1:
        ax.set_xlim(t[0] - 1, t[0] + 1)
        ax.text(0.5, 0.5, "base year only: no simulated trajectory", transform=ax.transAxes,
                ha="center", color="#777777")
    note = " · ".join(f"{int(100 * lo)}–{int(100 * hi)}% band" for lo, hi in bands)
    if da.sizes["member"] > 1:
        ax.text(1.0, -0.16, f"line: median; shaded: {note}", transform=ax.transAxes,
                ha="right", fontsize=7, color="#777777")
    ax.legend(fontsize=8, frameon=False, loc="best")
    return fig


def adoption_chart(ds: xr.Dataset, case: str | None = None, by: str | None = None) -> Figure:
    """Technology adoption shares for one case: median and 5–95% band per technology."""
    da = members(ds, "adoption_share", by=by)
    case = str(da["case"].values[0]) if case is None else case
    da = da.sel(case=case)
    fig = _figure()
    ax = fig.add_subplot()
    t = da["time"].values
    for i, tech in enumerate(da["technology"].values):
        c = da.sel(technology=tech).dropna("member", how="all")
        if c.sizes["member"] > 1:
            q = c.quantile([0.05, 0.95], "member")
            ax.fill_between(t, q.isel(quantile=0), q.isel(quantile=1), color=case_colour(i),
                            alpha=0.2, linewidth=0)
        ax.plot(t, c.median("member"), color=case_colour(i), linewidth=2, label=str(tech))
    ax.set_ylim(0, 1.02)
    _years(ax)
    ax.set_ylabel("share of firms adopting")
    ax.set_xlabel("year")
    ax.set_title(f"Technology adoption under {case}", fontsize=11, loc="left")
    _style(ax)
    ax.legend(fontsize=8, frameon=False)
    return fig


def goal_bars(ds: xr.Dataset, year: float | None = None, *, cases: Sequence[str] | None = None,
              base: bool = True) -> Figure:
    """Goal scores at ``year`` (default 2030 or the last year) in the official SDG colours:
    one bar per goal and case (median across members), the base year as a grey tick."""
    da = members(ds, "goal_score")
    year = target_year(ds) if year is None else year
    at = select_time(da, year, "goal_bars").median("member")
    start = da.isel(time=0).median("member")
    if cases is not None:
        at, start = at.sel(case=list(cases)), start.sel(case=list(cases))
    goals = [int(g) for g in at["goal"].values if np.isfinite(at.sel(goal=g).values).any()]
    n_case = at.sizes["case"]
    width = 0.8 / n_case
    fig = _figure(9, 4.4)
    ax = fig.add_subplot()
    hatches = ("", "//", "..", "xx", "\\\\", "++", "oo", "--")
    for k, case in enumerate(at["case"].values):
        x = np.arange(len(goals)) + (k - (n_case - 1) / 2) * width
        vals = [float(at.sel(case=case, goal=g)) for g in goals]
        ax.bar(x, vals, width * 0.95, color=[SDG_COLOURS[g] for g in goals],
               hatch=hatches[k % len(hatches)], edgecolor="white", linewidth=0.5,
               label=str(case))
        if base:
            b = [float(start.sel(case=case, goal=g)) for g in goals]
            ax.hlines(b, x - width * 0.45, x + width * 0.45, color="#333333", linewidth=1.5)
    ax.set_xticks(np.arange(len(goals)), [f"SDG {g}" for g in goals], rotation=0, fontsize=8)
    ax.set_ylim(0, 100)
    ax.set_ylabel("goal score (0–100)")
    t0 = float(da["time"].values[0])
    title = f"SDG goal scores in {year:.0f}"
    if base and year != t0:
        title += f" (black ticks: {t0:.0f})"
    ax.set_title(title, fontsize=11, loc="left")
    _style(ax)
    if n_case > 1:
        handles = [Patch(facecolor="#bbbbbb", hatch=hatches[k % len(hatches)],
                         edgecolor="white", label=str(c))
                   for k, c in enumerate(at["case"].values)]
        ax.legend(handles=handles, fontsize=8, frameon=False, ncols=min(n_case, 3),
                  loc="upper left")
    return fig


def coverage_chart(codes: Sequence[str]) -> Figure:
    """Indicators per goal in the analysis, split by what drives them (agent model or SDG
    interaction network), in the official SDG colours."""
    from stisim.data.indicators import registry

    reg = registry().loc[list(codes)]
    fig = _figure(9, 3.0)
    ax = fig.add_subplot()
    goals = list(range(1, 18))
    agents = [int(((reg["goal"] == g) & (reg["driver"] == "agents")).sum()) for g in goals]
    network = [int(((reg["goal"] == g) & (reg["driver"] != "agents")).sum()) for g in goals]
    colours = [SDG_COLOURS[g] for g in goals]
    ax.bar(goals, agents, color=colours, label="computed by the agent model")
    ax.bar(goals, network, bottom=agents, color=colours, alpha=0.45, hatch="//",
           edgecolor="white", label="moved through the SDG interaction network")
    for g, a, n in zip(goals, agents, network):
        if a + n == 0:
            ax.text(g, 0.1, "none", ha="center", fontsize=7, color="#888888", rotation=90)
    ax.set_xticks(goals, [f"SDG {g}" for g in goals], fontsize=7)
    ax.set_ylabel("indicators")
    ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.set_title(f"{len(reg)} SDG indicators by goal", fontsize=11, loc="left")
    _style(ax)
    ax.legend(fontsize=8, frameon=False)
    return fig


def sdg_wheel(ds: xr.Dataset, year: float | None = None, case: str | None = None) -> Figure:
    """The SDG wheel: one wedge per goal in its official colour, radius = goal score; the
    base-year score is drawn as a black arc. Goals without indicators are left empty."""
    da = members(ds, "goal_score")
    case = str(da["case"].values[0]) if case is None else case
    da = da.sel(case=case).median("member")
    year = target_year(ds) if year is None else year
    at = select_time(da, year, "sdg_wheel")
    start = da.isel(time=0)
    fig = _figure(5.2, 5.2)
    ax = fig.add_subplot(projection="polar")
    theta = np.linspace(0, 2 * np.pi, 17, endpoint=False)
    w = 2 * np.pi / 17
    for i, g in enumerate(range(1, 18)):
        v = float(at.sel(goal=g)) if g in at["goal"].values else np.nan
        ax.bar(theta[i], 100, width=w * 0.96, bottom=0, color=SDG_COLOURS[g], alpha=0.12,
               edgecolor="none")
        if np.isfinite(v):
            ax.bar(theta[i], v, width=w * 0.96, bottom=0, color=SDG_COLOURS[g])
            b = float(start.sel(goal=g))
            ax.plot(np.linspace(theta[i] - w * 0.45, theta[i] + w * 0.45, 8), [b] * 8,
                    color="#222222", linewidth=1.2)
        ax.text(theta[i], 112, str(g), ha="center", va="center", fontsize=9, fontweight="bold",
                color=SDG_COLOURS[g])
    ax.set_theta_zero_location("N")
    ax.set_theta_direction(-1)
    ax.set_ylim(0, 118)
    ax.set_yticks([25, 50, 75, 100], ["25", "50", "75", "100"], fontsize=7, color="#777777")
    ax.set_xticks([])
    ax.spines["polar"].set_visible(False)
    t0 = float(da["time"].values[0])
    sub = f" (arcs: {t0:.0f})" if year != t0 else ""
    ax.set_title(f"SDG wheel, {case}, {year:.0f}{sub}", fontsize=10)
    return fig


def strategy_comparison(ds: xr.Dataset, var: str = "sdg_index", year: float | None = None,
                        *, goal: int | None = None, indicator: str | None = None,
                        level: float = 0.95, change: bool = True) -> Figure:
    """Per case, the mean of ``var`` at ``year`` (or its change since the base year) with a
    Student-t confidence interval across members, sorted best first."""
    da = members(ds, var)
    if goal is not None:
        da = da.sel(goal=goal)
    if indicator is not None:
        da = da.sel(indicator=indicator)
    year = target_year(ds) if year is None else year
    at = select_time(da, year, "strategy_comparison")
    value = at - da.isel(time=0) if change else at
    ci = mean_ci(value, level=level)
    order = np.argsort(-np.nan_to_num(ci["mean"].values, nan=-np.inf))
    labels = [str(c) for c in ci["case"].values[order]]
    mean = ci["mean"].values[order]
    err = np.vstack([mean - ci["lower"].values[order], ci["upper"].values[order] - mean])
    fig = _figure(7.5, 0.5 + 0.45 * len(labels) + 1.2)
    ax = fig.add_subplot()
    y = np.arange(len(labels))[::-1]
    colours = [case_colour(list(map(str, ci["case"].values)).index(lab)) for lab in labels]
    ax.barh(y, mean, color=colours, alpha=0.85)
    if np.isfinite(err).any():
        ax.errorbar(mean, y, xerr=np.nan_to_num(err), fmt="none", ecolor="#222222", capsize=3)
    ax.set_yticks(y, labels, fontsize=9)
    title, unit = _label(ds, var, indicator, goal)
    t0 = float(da["time"].values[0])
    what = f"change {t0:.0f}–{year:.0f}" if change else f"{year:.0f}"
    ax.set_title(f"{title}: {what} ({int(level * 100)}% CI of the mean)", fontsize=11,
                 loc="left")
    ax.set_xlabel(unit)
    ax.grid(True, axis="x", color="#dddddd", linewidth=0.6)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def pareto_front(x: np.ndarray, y: np.ndarray, labels: Sequence[str] | None = None, *,
                 xlabel: str = "total spend", ylabel: str = "SDG index gain",
                 maximise: tuple[bool, bool] = (False, True), title: str = "Pareto front",
                 groups: Sequence[str] | None = None) -> Figure:
    """Points of two criteria with the non-dominated ones joined (lower x and higher y better
    by default); ``groups`` colours points by case."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    front = pareto_mask(x, y, maximise)
    fig = _figure(6.5, 4.5)
    ax = fig.add_subplot()
    if groups is not None:
        names = list(dict.fromkeys(groups))
        for i, g in enumerate(names):
            m = np.asarray(groups) == g
            ax.scatter(x[m], y[m], s=22, color=case_colour(i), alpha=0.6, label=str(g))
    elif (~front).any():
        ax.scatter(x[~front], y[~front], s=22, color="#999999", alpha=0.6, label="dominated")
    order = np.argsort(x[front])
    ax.plot(x[front][order], y[front][order], color="#C0392B", linewidth=1.5, marker="o",
            markersize=6, markerfacecolor="none", label="non-dominated")
    if labels is not None:
        for xi, yi, lab, f in zip(x, y, labels, front):
            if f:
                ax.annotate(str(lab), (xi, yi), textcoords="offset points", xytext=(5, 4),
                            fontsize=8)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=11, loc="left")
    _style(ax)
    ax.legend(fontsize=8, frameon=False)
    return fig


def optimiser_pareto(front: xr.Dataset) -> Figure:
    """The optimiser's Pareto front (``pareto_primary`` against ``pareto_secondary`` over
    ``point``); objectives named ``min_*`` are minimised, others maximised."""
    a = front.attrs
    primary, secondary = str(a.get("primary", "primary")), str(a.get("secondary", "secondary"))
    y = front["pareto_primary"].values
    x = front["pareto_secondary"].values
    labels = [str(int(p)) for p in front["point"].values]
    if "pareto_scale" in front:
        funded = (front["pareto_scale"] > 1e-9).sum("action").values
        labels = [f"{p} ({n} actions)" for p, n in zip(labels, funded)]
    return pareto_front(x, y, labels,
                        xlabel=f"{secondary} ({a.get('secondary_units', '')})",
                        ylabel=f"{primary} ({a.get('primary_units', '')})",
                        maximise=(not secondary.startswith("min"),
                                  not primary.startswith("min")),
                        title=f"Pareto front: {primary} against {secondary}")


def strategy_pareto(ds: xr.Dataset, year: float | None = None) -> Figure | None:
    """Cost–benefit Pareto front of a comparison: total spend vs SDG index gain per strategy
    (mean across replicates); None without spend."""
    if total_spend(ds) is None:
        return None
    table = comparison_table(ds, year)
    if "total_spend" not in table:
        return None
    return pareto_front(table["total_spend"].to_numpy(), table["gain"].to_numpy(),
                        table["case"].tolist(),
                        xlabel=f"total spend ({ds['spend'].attrs.get('units', 'as in input')})",
                        ylabel=f"SDG index gain by {table.attrs['year']:.0f} (points)",
                        title="Cost and SDG gain of the strategies",
                        groups=table["case"].tolist())


def source_colours(sources: Sequence[str]) -> dict[str, str]:
    """A colour per finance source: the usual three by name, others from the palette."""
    out, k = {}, 0
    for src in map(str, sources):
        if src in SOURCE_COLOURS:
            out[src] = SOURCE_COLOURS[src]
        else:
            while CASE_COLOURS[k % len(CASE_COLOURS)] in SOURCE_COLOURS.values():
                k += 1
            out[src] = CASE_COLOURS[k % len(CASE_COLOURS)]
            k += 1
    return out


def allocation_chart(spend: xr.DataArray, title: str = "Allocation") -> Figure:
    """Spend by action (stacked by source) on top; by year (stacked by action for a few
    actions, by source for many) and by source below."""
    units = spend.attrs.get("units", "")
    if "action_name" in spend.coords:  # readable labels: "GH01 Short name"
        names = {str(a): f"{a} {textwrap.shorten(str(n), 34, placeholder='…')}"
                 for a, n in zip(spend["action"].values, spend["action_name"].values)}
        spend = spend.assign_coords(action=[names[str(a)] for a in spend["action"].values])
    df = allocation_frame(spend.drop_vars([c for c in spend.coords if c not in spend.dims]))
    sources = [str(c) for c in spend["source"].values if str(c) in set(df["source"])]
    colours = source_colours(sources)
    by_action = df.pivot_table(index="action", columns="source", values="spend",
                               aggfunc="sum", fill_value=0.0)
    by_action = by_action.loc[by_action.sum(axis=1).sort_values().index]
    by_action = by_action[[s for s in sources if s in by_action]]
    n_act = len(by_action)
    fig = _figure(10, 1.4 + 0.24 * n_act + 3.4)
    grid = fig.add_gridspec(2, 2, height_ratios=[0.6 + 0.24 * n_act, 3.0],
                            width_ratios=[1.6, 1.0])
    top = fig.add_subplot(grid[0, :])
    left = np.zeros(n_act)
    for src in by_action.columns:
        top.barh(by_action.index, by_action[src], left=left, label=src, color=colours[src])
        left += by_action[src].to_numpy()
    top.set_title("by action and source", fontsize=10, loc="left")
    top.set_xlabel(units)
    top.tick_params(axis="y", labelsize=8)
    top.legend(fontsize=8, frameon=False, loc="lower right", title="source",
               title_fontsize=8)
    top.grid(True, axis="x", color="#dddddd", linewidth=0.6)
    top.spines[["top", "right"]].set_visible(False)
    few = df["action"].nunique() <= 8
    key = "action" if few else "source"
    by_year = df.pivot_table(index="year", columns=key, values="spend", aggfunc="sum",
                             fill_value=0.0)
    order = [c for c in (spend["action"].values if few else sources) if c in by_year]
    by_year = by_year[order]
    ax = fig.add_subplot(grid[1, 0])
    bottom = np.zeros(len(by_year))
    for i, col in enumerate(by_year.columns):
        ax.bar(by_year.index.astype(str), by_year[col], bottom=bottom, label=str(col),
               color=case_colour(i) if few else colours[str(col)])
        bottom += by_year[col].to_numpy()
    ax.set_title(f"by year and {key}", fontsize=10, loc="left")
    ax.set_ylabel(units)
    ax.tick_params(axis="x", labelsize=8, rotation=45)
    if few:
        ax.legend(fontsize=7, frameon=False, ncols=2, loc="upper left",
                  bbox_to_anchor=(1.0, 1.0))
    _style(ax)
    ax2 = fig.add_subplot(grid[1, 1])
    by_source = df.groupby("source")["spend"].sum().reindex(sources)
    ax2.bar(by_source.index.astype(str), by_source.to_numpy(),
            color=[colours[s] for s in by_source.index])
    ax2.set_title("by source", fontsize=10, loc="left")
    ax2.set_ylabel(units)
    ax2.tick_params(axis="x", labelsize=8, rotation=30 if len(sources) > 3 else 0)
    _style(ax2)
    fig.suptitle(title, fontsize=11, x=0.01, ha="left")
    return fig


def shadow_price_chart(alloc: xr.Dataset) -> Figure | None:
    """Shadow prices (dual values) of the budget constraints by source and year: the gain
    in the objective per extra unit of budget; None when the allocation has none."""
    name = shadow_price_var(alloc)
    if name is None:
        return None
    da = budget_duals(alloc, name)
    fig = _figure(7.5, 3.8)
    ax = fig.add_subplot()
    colours = source_colours(da["source"].values)
    for src in da["source"].values:
        ax.plot(da["year"].values, da.sel(source=src).values, marker="o",
                color=colours[str(src)], label=str(src))
    _years(ax)
    ax.set_title("Shadow prices of the budget constraints", fontsize=11, loc="left")
    ax.set_ylabel(da.attrs.get("units", "objective per unit of budget"))
    ax.set_xlabel("year")
    _style(ax)
    ax.legend(fontsize=8, frameon=False)
    return fig










def peer_chart(summary: pd.DataFrame, long: pd.DataFrame, country: str) -> Figure:
    """Base-year indicator scores of the country against its UN sub-region peers: one row per
    indicator, peers as grey dots, the peer median as a bar, the country as a large dot
    (hollow where its value is imputed)."""
    order = summary.sort_values(["goal", "indicator"], ascending=False)
    fig = _figure(8.5, 0.9 + 0.3 * len(order))
    ax = fig.add_subplot()
    for i, (_, row) in enumerate(order.iterrows()):
        peer = long[(long.indicator == row.indicator) & ~long.is_country]
        ax.scatter(peer["score"], np.full(len(peer), i), s=12, color="#aaaaaa", zorder=2)
        if np.isfinite(row.peer_score_median):
            ax.plot([row.peer_score_median] * 2, [i - 0.35, i + 0.35], color="#333333",
                    linewidth=1.5, zorder=3)
        colour = SDG_COLOURS[int(row.goal)]
        ax.scatter([row.score], [i], s=60, zorder=4, color="white" if row.imputed else colour,
                   edgecolors=colour, linewidths=2)
    ax.set_yticks(range(len(order)),
                  [f"{r.indicator} {str(r['name'])[:42]}" for _, r in order.iterrows()],
                  fontsize=7)
    ax.set_xlim(-2, 102)
    ax.set_xlabel("indicator score (0 = SDR lower bound, 100 = SDR optimum)")
    region = long.attrs.get("region", "region")
    ax.set_title(f"{country} against {region} peers (grey; bar: peer median; "
                 "hollow: imputed)", fontsize=10, loc="left")
    ax.grid(True, axis="x", color="#dddddd", linewidth=0.6)
    ax.spines[["top", "right"]].set_visible(False)
    return fig
