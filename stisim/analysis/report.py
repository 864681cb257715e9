"""A self-contained HTML roadmap report in the six steps of the STI for SDGs Roadmaps
guidebook (UN Inter-Agency Task Team on STI for the SDGs, 2021, *Guidebook for the
Preparation of STI for SDGs Roadmaps*):

1. objectives and scope; 2. current situation (real baseline against peer countries);
3. vision, goals and targets; 4. alternative pathways; 5. detailed roadmap (allocation by
action, year and source; shadow prices); 6. execution, monitoring and update (indicator
paths, re-planning triggers, vulnerabilities from scenario discovery).

It reads a single run, a comparison, a sweep, an allocation, or a directory holding several;
figures are embedded as base64 PNG so the file opens anywhere without a network. A section
without the data it needs says so and names the command that produces it.
"""

from __future__ import annotations

import base64
import html
import json
import os
import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from stisim.analysis import plots, sweep_plots
from stisim.analysis.datasets import (
    Results,
    case_labels,
    design_of,
    kind_of,
    levers,
    load_results,
    members,
    target_year,
)
from stisim.analysis.regional_equity import equity_summary, region_source_text, regional_equity
from stisim.analysis.report_scope import objective_text, portfolio_rows
from stisim.analysis.summaries import (
    GOAL_NAMES,
    TREND_CLASSES,
    budget_duals,
    comparison_table,
    gain_var,
    monitoring_table,
    peer_summary,
    peers,
    shadow_price_var,
    targets_table,
)
from stisim.errors import StisimError

GUIDEBOOK = ("UN Inter-Agency Task Team on Science, Technology and Innovation for the SDGs "
             "(2021). Guidebook for the Preparation of STI for SDGs Roadmaps. United Nations.")
STEPS = (
    ("objectives", "1. Objectives and scope"),
    ("situation", "2. Current situation"),
    ("vision", "3. Vision, goals and targets"),
    ("pathways", "4. Alternative pathways"),
    ("roadmap", "5. Detailed roadmap"),
    ("execution", "6. Execution, monitoring and update"),
)
KEY_INDICATORS = ("9.5.1", "9.5.2", "9.c.1", "17.8.1", "9.b.1", "7.2.1")


@dataclass
class ReportOptions:
    """What the report analyses beyond the defaults."""

    condition: str | None = None  # scenario discovery condition (sweeps)
    output: str | None = None  # sensitivity outcome (sweeps)
    case: str | None = None  # the case of steps 5-6 (default: the optimiser's allocation)
    indicators: tuple[str, ...] = ()  # indicators followed in step 6
    title: str | None = None


@dataclass
class _Context:
    results: Results
    options: ReportOptions
    ds: xr.Dataset | None
    kind: str | None
    alloc: xr.Dataset | None
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def country(self) -> str:
        for d in (self.ds, self.alloc):
            if d is not None and "country" in d.attrs:
                return str(d.attrs["country"])
        return "the country"

    @property
    def m49(self) -> int | None:
        if self.ds is not None and "country_m49" in self.ds.attrs:
            return int(self.ds.attrs["country_m49"])
        return None

    @property
    def base_year(self) -> int | None:
        if self.ds is not None:
            return int(float(self.ds["time"].values[0]))
        return None

    @property
    def simulated(self) -> bool:
        return self.ds is not None and self.ds.sizes.get("time", 1) > 1


# ---------------------------------------------------------------- HTML helpers

def _e(text: Any) -> str:
    return html.escape(str(text))


def figure(fig, caption: str) -> str:
    """A figure as an embedded PNG with a caption."""
    data = base64.b64encode(plots.to_png(fig)).decode("ascii")
    return (f'<figure><img alt="{_e(caption)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{_e(caption)}</figcaption></figure>")


def table(df: pd.DataFrame, formats: dict[str, str] | None = None, max_rows: int = 60) -> str:
    """A DataFrame as an HTML table (numbers formatted, text escaped)."""
    formats = formats or {}
    head = "".join(f"<th>{_e(c)}</th>" for c in df.columns)
    rows = []
    for _, r in df.head(max_rows).iterrows():
        cells = []
        for c in df.columns:
            v = r[c]
            if isinstance(v, (float, np.floating)):
                text = "–" if not np.isfinite(v) else format(v, formats.get(c, ".3g"))
                cells.append(f'<td class="num">{text}</td>')
            elif isinstance(v, (int, np.integer)) and not isinstance(v, bool):
                cells.append(f'<td class="num">{v}</td>')
            else:
                cells.append(f"<td>{_e(v)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    more = (f'<p class="note">{len(df) - max_rows} more rows not shown.</p>'
            if len(df) > max_rows else "")
    return f'<table><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>{more}'


def missing(text: str) -> str:
    return f'<p class="missing">{_e(text)}</p>'


def para(text: str) -> str:
    return f"<p>{_e(text)}</p>"


# ---------------------------------------------------------------- sections

def _objectives(ctx: _Context) -> str:
    ds = ctx.ds
    out = [para(
        "This report follows the six steps of the STI for SDGs roadmap guidebook. It was "
        "generated by stisim from the datasets listed below; every number traces back to "
        "them and to the real baseline data they record.")]
    rows: list[tuple[str, str]] = [("Country", ctx.country)]
    if ds is not None:
        a = ds.attrs
        if ctx.m49 is not None:
            from stisim.data import countries

            c = countries()
            if ctx.m49 in c.index:
                rows.append(("UN sub-region", c.loc[ctx.m49, "un_region"]))
        times = ds["time"].values
        rows.append(("Period", f"{times[0]:.0f}–{times[-1]:.0f}" if len(times) > 1 else
                     f"{times[0]:.0f} (base year only)"))
        rows.append(("Result kind", ctx.kind))
        rows.append(("Scenario", a.get("scenario", "–")))
        if "strategy" in ds.dims:
            rows.append(("Strategies compared", ", ".join(map(str, ds["strategy"].values))))
        if "run" in ds.dims:
            design = design_of(ds)
            rows.append(("Sweep", f"{ds.sizes['run']} runs, design "
                                  f"{design.get('design', 'not recorded')}"))
            params = [p.get("name") for p in design.get("parameters", []) if isinstance(p, dict)]
            if params:
                rows.append(("Sampled parameters and levers", ", ".join(map(str, params))))
        if "replicate" in ds.dims:
            rows.append(("Replicates", str(ds.sizes["replicate"])))
        rows.append(("Seed", a.get("seed", "–")))
        rows.append(("stisim version", f"{a.get('stisim_version', '?')} "
                                       f"(commit {str(a.get('git_commit', '?'))[:12]})"))
    if ctx.alloc is not None:
        a = ctx.alloc.attrs
        rows.append(("Optimisation", f"objective {a.get('objective', 'not recorded')}, status "
                                     f"{a.get('status', '?')}, value "
                                     f"{a.get('objective_value', '?')}"))
    objective = objective_text(ctx.alloc, ctx.ds)
    if objective:
        rows.append(("Objective", objective))
    rows += portfolio_rows(ctx.alloc, ctx.ds, ctx.notes)
    out.append("<h3>Scope of this analysis</h3>")
    out.append(table(pd.DataFrame([(k, str(v)) for k, v in rows], columns=["item", "value"])))
    out.append("<h3>SDG indicators covered</h3>")
    from stisim.data.indicators import registry

    reg = registry()
    codes = list(ctx.ds["indicator"].values) if ctx.ds is not None else list(reg.index)
    sub = reg.loc[codes]
    by_goal = [{"goal": f"SDG {g} {GOAL_NAMES[int(g)]}",
                "indicators": ", ".join(grp.index),
                "driven by": ", ".join(sorted(set(grp["driver"])))}
               for g, grp in sub.groupby("goal")]
    out.append(figure(plots.coverage_chart(codes), "Indicators per goal and what moves them "
                      "(goals without a bar have no indicator in this analysis)."))
    out.append(table(pd.DataFrame(by_goal)))
    out.append(para("'agents' indicators are computed from the agent model of the innovation "
                    "system; 'network' indicators move through the SDG interaction network."))
    out.append("<h3>Datasets read</h3>")
    files = [(str(p), k) for k, ps in ctx.results.files.items() for p in ps]
    out.append(table(pd.DataFrame(files, columns=["file", "kind"])))
    for path, why in ctx.results.skipped:
        out.append(missing(f"Skipped {path.name}: {why}"))
    return "\n".join(out)


def _situation(ctx: _Context) -> str:
    if ctx.ds is None:
        return missing("No simulated result in this input, so no baseline is recorded. Run "
                       "`stisim run country=NAME` and report on its directory.")
    ds = ctx.ds
    out = [para(f"The starting point is {ctx.country}'s real baseline in {ctx.base_year}: "
                "for each indicator the latest observation at or before the base year in the "
                "UN Global SDG Indicators Database or the Sustainable Development Report 2022 "
                "panel. Where the country has no observation, the value is imputed from peer "
                "countries and flagged.")]
    # The first member that finished: in a sweep, failed runs are NaN and the baseline
    # variables carry (run, replicate) like every other output.
    values = members(ds, "indicator_value").isel(time=0, case=0)
    finished = np.flatnonzero(np.isfinite(values.values).any(axis=-1))
    first = int(finished[0]) if finished.size else 0
    base = values.isel(member=first)
    score = members(ds, "indicator_score").isel(time=0, member=first, case=0)
    from stisim.data.indicators import registry

    codes = [str(i) for i in ds["indicator"].values]
    reg = registry().reindex(codes)
    names = ds["indicator_name"].values if "indicator_name" in ds else reg["name"].fillna("")
    units = ds["indicator_unit"].values if "indicator_unit" in ds else reg["unit"].fillna("")
    frame = pd.DataFrame({
        "indicator": codes, "name": [textwrap.shorten(str(v), 60) for v in names],
        "value": base.values, "unit": [str(u) for u in units], "score": score.values,
    })
    if "baseline_year" in ds:
        years = members(ds, "baseline_year").isel(member=first, case=0)
        frame["observed in"] = [f"{y:.0f}" if np.isfinite(y) else "imputed"
                                for y in years.values]
    if "baseline_source" in ds:
        frame["source"] = [str(s)[:70] for s in ds["baseline_source"].values]
    out.append("<h3>Baseline indicators</h3>")
    out.append(table(frame, {"value": ".4g", "score": ".1f"}))
    out.append(figure(plots.sdg_wheel(ds, year=float(ds["time"].values[0])),
                      f"Goal scores of {ctx.country} in {ctx.base_year} (SDR 2022 method, "
                      "official SDG colours; empty wedges: goals without indicators here)."))
    out.append(_regional_equity(ds))
    out.append("<h3>Compared with peer countries</h3>")
    if ctx.m49 is None:
        out.append(missing("The dataset does not record the country's M49 code, so peers "
                           "cannot be found."))
        return "\n".join(out)
    t0 = time.perf_counter()
    try:
        long = peers(ctx.m49, ctx.base_year)
    except StisimError as exc:
        out.append(missing(f"Peer comparison unavailable: {exc}"))
        return "\n".join(out)
    ctx.timings["peers"] = time.perf_counter() - t0
    summary = peer_summary(long)
    n_peers = long.loc[~long.is_country, "m49"].nunique()
    out.append(para(f"Peers are the {n_peers} other countries of {long.attrs['region']} (UN "
                    "M49 sub-region) with data in the shipped extract; only their observed "
                    "values are used (imputed peer values would compare the country with a "
                    "regional median)."))
    out.append(figure(plots.peer_chart(summary, long, ctx.country),
                      f"Indicator scores of {ctx.country} and its peers in {ctx.base_year}."))
    show = summary[["indicator", "name", "value", "peer_median", "peer_min", "peer_max",
                    "rank", "n", "imputed"]].copy()
    show["name"] = [textwrap.shorten(str(n), 55) for n in show["name"]]
    show["rank"] = [f"{r} of {n}" for r, n in zip(show["rank"], show["n"])]
    out.append(table(show.drop(columns="n"), {"value": ".4g", "peer_median": ".4g",
                                              "peer_min": ".4g", "peer_max": ".4g"}))
    lead = summary.assign(lead=summary["score"] - summary["peer_score_median"])
    lead = lead.sort_values("lead", ascending=False)
    strong = lead[lead["lead"] > 0].head(3)
    weak = lead[lead["lead"] < 0].tail(3).iloc[::-1]
    if len(strong) or len(weak):
        out.append(para(
            "Furthest ahead of the peer median: " + ("; ".join(
                f"{r.indicator} {r['name']}" for _, r in strong.iterrows()) or "none")
            + ". Furthest behind it: " + ("; ".join(
                f"{r.indicator} {r['name']}" for _, r in weak.iterrows()) or "none") + "."))
    return "\n".join(out)


def _regional_equity(ds: xr.Dataset) -> str:
    """The regional equity view (:mod:`stisim.analysis.regional_equity`)."""
    frame = regional_equity(ds)
    out = ["<h3>Regional equity</h3>"]
    if frame is None:
        out.append(para(
            "This result holds no indicator values by region (indicator_value_region, written "
            "by runs, comparisons and sweeps of the agent model since it has regional "
            "outcomes)."))
        return "\n".join(out)
    out.append(para(region_source_text(ds) + " Population-weighted values; gap: highest "
                    "minus lowest region; CV: population-weighted coefficient of variation."))
    out.append(table(frame, {"national": ".4g", "gap": ".3g", "lowest / national": ".2f",
                             "population below national": ".2f", "CV": ".3f"}))
    summary = equity_summary(frame)
    if summary:
        out.append(para(summary))
    return "\n".join(out)


def _vision(ctx: _Context) -> str:
    if ctx.ds is None:
        return missing("No simulated result in this input.")
    ds = ctx.ds
    ty = target_year(ds)
    out = [para("The vision is the 2030 Agenda: each indicator's target is its SDR 2022 "
                "optimum (score 100), the value the Sustainable Development Report treats as "
                "achieving the goal. Goal scores are the mean of their indicators' scores.")]
    if not ctx.simulated:
        out.append(missing("This dataset holds the base year only (no simulated trajectory), "
                           "so projections cannot be compared with the targets; the table "
                           "shows the distance to go."))
        tt = targets_table(ds)
        tt["gap"] = tt["target"] - tt["base"]
        out.append(table(tt[["indicator", "name", "base", "target", "gap", "unit", "score"]],
                         {"base": ".4g", "target": ".4g", "gap": ".3g", "score": ".1f"}))
        return "\n".join(out)
    out.append(figure(plots.goal_bars(ds, ty),
                      f"Goal scores in {ty:.0f} per case (median across members), with the "
                      f"base year as black ticks."))
    tt = targets_table(ds, ty)
    counts = (tt.groupby(["case", "status"]).size().unstack(fill_value=0)
              .reindex(columns=[c for c in (*TREND_CLASSES, "no trajectory")
                                if c in set(tt["status"])]))
    counts = counts.reset_index()
    out.append(para(f"Indicators by trend status in {ty:.0f} (SDR trend classes applied to "
                    "the simulated pace: on track = fast enough to reach the optimum by 2030; "
                    "moderately improving = at least half that pace; stagnating = less; "
                    "decreasing = moving away)."))
    out.append(table(counts))
    case = _focus_case(ctx)
    sub = tt[tt["case"] == case][["indicator", "name", "base", "projected", "target", "unit",
                                  "score", "status"]].copy()
    sub["name"] = [textwrap.shorten(str(n), 50) for n in sub["name"]]
    out.append(f"<h3>Targets under {_e(case)}</h3>")
    out.append(table(sub, {"base": ".4g", "projected": ".4g", "target": ".4g",
                           "score": ".1f"}))
    return "\n".join(out)


def _focus_case(ctx: _Context) -> str:
    """The case of steps 5-6: ``report.case`` if given, else the optimiser's allocation (the
    strategy of the allocation's objective, else optimal_sdg, else any optimal strategy),
    else the best SDG index."""
    labels = case_labels(ctx.ds)
    if ctx.options.case:
        for lab in labels:
            if ctx.options.case in (lab, lab.split("=", 1)[-1]):
                return lab
        ctx.notes.append(f"case {ctx.options.case!r} not found; allowed: {', '.join(labels)}")
    wanted = []
    if ctx.alloc is not None and "objective" in ctx.alloc.attrs:
        wanted.append(f"optimal_{ctx.alloc.attrs['objective']}")
    wanted += ["optimal_sdg", *sorted(lab for lab in labels if lab.startswith("optimal_"))]
    for name in wanted:
        if name in labels:
            return name
    if len(labels) > 1 and ctx.simulated:
        return str(comparison_table(ctx.ds)["case"].iloc[0])
    return labels[0]


def _optimiser_front(ctx: _Context) -> list[str]:
    front = ctx.results.first("pareto")
    if front is None:
        return []
    a = front.attrs
    out = ["<h3>Trade-off between objectives (optimiser)</h3>",
           para(f"Each point is an efficient allocation between {a.get('primary', '?')} and "
                f"{a.get('secondary', '?')} ({a.get('method', 'Pareto front')}); moving "
                "along the front shows what one objective costs in terms of the other."),
           figure(plots.optimiser_pareto(front), "Pareto front of the optimiser.")]
    frame = pd.DataFrame({"point": front["point"].values,
                          str(a.get("primary", "primary")): front["pareto_primary"].values,
                          str(a.get("secondary", "secondary")):
                          front["pareto_secondary"].values})
    if "pareto_scale" in front:
        frame["funded actions"] = (front["pareto_scale"] > 1e-9).sum("action").values
    out.append(table(frame))
    return out


def _pathways(ctx: _Context) -> str:
    front = _optimiser_front(ctx)
    if ctx.ds is None:
        return "\n".join([*front, missing("No simulated result in this input: pathways are "
                                          "compared by simulation (`stisim compare`).")])
    body = _simulated_pathways(ctx)
    return "\n".join([body, *front])


def _simulated_pathways(ctx: _Context) -> str:
    ds = ctx.ds
    labels = case_labels(ds)
    if not ctx.simulated:
        return missing("The dataset holds the base year only: no pathway is simulated. Run "
                       "`stisim compare` (strategies) or `stisim sweep` (futures) to compare "
                       "pathways.")
    out = []
    if len(labels) == 1 and ctx.kind == "run":
        out.append(missing("This is a single run: one pathway, no alternatives to compare. "
                           "Run `stisim compare` to compare prioritisation strategies or "
                           "`stisim sweep` to explore uncertain futures."))
        out.append(figure(plots.fan_chart(ds, "sdg_index"), "SDG index of the run."))
        return "\n".join(out)
    ty = target_year(ds)
    what = "strategies" if "strategy" in ds.dims else (
        f"settings of {levers(ds)[0]}" if levers(ds) else "the sampled futures")
    out.append(para(f"The pathways compared are the {what}; members are replicates"
                    + (" and sampled runs" if ctx.kind == "sweep" else "")
                    + f". Differences are judged at {ty:.0f} with 95% confidence intervals "
                    "of the mean across members."))
    tab = comparison_table(ds, ty)
    out.append(figure(plots.strategy_comparison(ds, "sdg_index", ty),
                      f"Change of the SDG index from {ctx.base_year} to {ty:.0f} per case."))
    cols = ["rank", "case", "members", "sdg_index", "sdg_index_lower", "sdg_index_upper",
            "gain", "gain_lower", "gain_upper"]
    cols += [c for c in ("total_spend", "gain_per_spend") if c in tab]
    out.append(table(tab[cols], {"sdg_index": ".2f", "sdg_index_lower": ".2f",
                                 "sdg_index_upper": ".2f", "gain": ".2f", "gain_lower": ".2f",
                                 "gain_upper": ".2f", "total_spend": ",.0f",
                                 "gain_per_spend": ".2e"}))
    out.append(figure(plots.fan_chart(ds, "sdg_index"),
                      "SDG index paths: median and 5–95% / 25–75% bands across members."))
    pareto = plots.strategy_pareto(ds, ty)
    if pareto is not None:
        out.append(figure(pareto, "Cost and SDG gain of each strategy; the red line joins "
                                  "strategies no other beats on both."))
    gains = members(ds, "goal_score")
    from stisim.analysis.datasets import select_time

    delta = (select_time(gains, ty) - gains.isel(time=0)).mean("member")
    goals = [int(g) for g in delta["goal"].values if np.isfinite(delta.sel(goal=g)).any()]
    gt = pd.DataFrame({f"SDG {g}": delta.sel(goal=g).values for g in goals},
                      index=[str(c) for c in delta["case"].values]).reset_index(names="case")
    out.append("<h3>Goal score change by case</h3>")
    out.append(table(gt, {c: "+.1f" for c in gt.columns if c != "case"}))
    if ctx.kind == "sweep":
        out.append(_sensitivity_section(ctx, ty))
    return "\n".join(out)


def _sensitivity_section(ctx: _Context, ty: float) -> str:
    from stisim.analysis.sensitivity import ranking, sensitivity

    ds = ctx.ds
    output = ctx.options.output or f"sdg_index(time={ty:.0f})"
    out = ["<h3>Which uncertainties matter</h3>"]
    t0 = time.perf_counter()
    try:
        result = sensitivity(ds, output)
    except StisimError as exc:
        return "\n".join([*out, missing(f"Sensitivity analysis not possible: {exc}")])
    ctx.timings["sensitivity"] = time.perf_counter() - t0
    method = result.attrs["method"]
    out.append(para(f"Global sensitivity of {output} ({method}; {result.attrs['method_reference']}"
                    f"). Most influential first: {', '.join(ranking(result))}."))
    out.append(figure(sweep_plots.tornado(result), f"Sensitivity tornado ({method})."))
    if method == "morris":
        out.append(figure(sweep_plots.morris_scatter(result), "Morris μ* against σ."))
    return "\n".join(out)


def spend_units(ds: xr.Dataset) -> str:
    """Units of ``spend``: its attribute, or the dataset's currency when it refers to it."""
    units = str(ds["spend"].attrs.get("units", ""))
    if (not units or "currency" in units) and "currency" in ds.attrs:
        return str(ds.attrs["currency"])
    return units


def _per_source(da: xr.DataArray) -> pd.Series:
    """Total over the years by source; any other dimension (a robust plan's scenarios, whose
    budgets may differ) is averaged."""
    da = da.sum("year") if "year" in da.dims else da
    for dim in [d for d in da.dims if d != "source"]:
        da = da.mean(dim)
    return da.to_pandas()


def _allocation_section(alloc: xr.Dataset) -> list[str]:
    a = alloc.attrs
    out = [para(f"Optimised allocation: objective {a.get('objective', 'not recorded')}"
                + (f" ({a['objective_units']})" if "objective_units" in a else "")
                + f", solver status {a.get('status', '?')}, objective value "
                f"{float(a.get('objective_value', np.nan)):.4g}"
                + (f", portfolio {a['portfolio_name']}" if "portfolio_name" in a else "")
                + ".")]
    spend = alloc["spend"].copy()
    spend.attrs["units"] = spend_units(alloc)
    out.append(figure(plots.allocation_chart(spend, "Optimised allocation"),
                      "Spend by action, year and source."))
    if "scale" in alloc:
        rows = pd.DataFrame({"action": [str(v) for v in alloc["action"].values]})
        for coord in ("action_name", "instrument", "lead"):
            if coord in alloc.coords:
                rows[coord.replace("_", " ")] = [textwrap.shorten(str(v), 45)
                                                for v in alloc[coord].values]
        rows["scale"] = alloc["scale"].values
        rows["total spend"] = spend.sum([d for d in spend.dims if d != "action"]).values
        rows = rows.sort_values("total spend", ascending=False)
        out.append(para(f"Actions by total spend ({spend.attrs['units']}); scale 1 = the "
                        "action at full size:"))
        out.append(table(rows, {"scale": ".2f", "total spend": ",.1f"}))
    if "budget" in alloc and "budget_used" in alloc:
        budget, used = (_per_source(alloc[v]) for v in ("budget", "budget_used"))
        util = pd.DataFrame({"source": budget.index.astype(str), "budget": budget.values,
                             "used": used.reindex(budget.index).values})
        finite = np.isfinite(util["budget"]) & (util["budget"] > 0)
        util["used share"] = (util["used"] / util["budget"]).where(finite)
        util["budget"] = [f"{b:,.1f}" if np.isfinite(b) else "unlimited"
                          for b in util["budget"]]
        out.append("<h3>Budgets and their use</h3>")
        out.append(table(util, {"used": ",.1f", "used share": ".0%"}))
    sp = shadow_price_var(alloc)
    out.append("<h3>Shadow prices</h3>")
    if sp is not None:
        out.append(para("A shadow price is the gain in the objective from one more unit of a "
                        "constraint's right-hand side (budget of a source in a year, agency "
                        "capacity, SDG floor); zero means the constraint does not bind, so "
                        "extra money there buys nothing. Where it is highest, extra money "
                        "goes furthest. Missing values: the solver reported no dual there "
                        "(e.g. integer decisions)."))
        fig = plots.shadow_price_chart(alloc)
        if fig is not None and np.isfinite(alloc[sp].values).any():
            out.append(figure(fig, "Shadow prices (dual values) of the budget constraints."))
        frame = budget_duals(alloc, sp).to_pandas()
        frame.columns = [str(c) for c in frame.columns]
        out.append(table(frame.reset_index(), {c: ".3g" for c in frame.columns}))
    else:
        out.append(missing("The allocation records no shadow prices of its budget "
                           "constraints (set optimise.shadow_prices=true)."))
    for name in alloc.data_vars:
        if str(name).endswith("shadow_price") and name != sp:
            da = alloc[name]
            if "scenario" in da.dims:  # a robust plan: the value of relaxing it everywhere
                da = da.sum("scenario", keep_attrs=True)
            out.append(para(f"{da.attrs.get('long_name', name)} "
                            f"({da.attrs.get('units', '')}):"))
            frame = da.to_pandas()
            if isinstance(frame, pd.DataFrame):
                frame.columns = [str(c) for c in frame.columns]
                out.append(table(frame.reset_index(), {c: ".3g" for c in frame.columns}))
            else:
                out.append(table(frame.rename("shadow price").reset_index(),
                                 {"shadow price": ".3g"}))
    gv = gain_var(alloc)
    if gv is not None:
        g = alloc[gv]
        if "year" in g.dims:
            g = g.isel(year=-1)
            when = f" by {int(alloc['year'].values[-1])}"
        else:
            g = g.sum([d for d in g.dims if d not in ("indicator", "goal")])
            when = ""
        frame = g.to_dataframe(name="gain").reset_index()
        frame = frame[frame["gain"].abs() > 1e-12]
        if "indicator" in frame and "indicator_name" in alloc:
            frame["name"] = [textwrap.shorten(str(alloc["indicator_name"].sel(
                indicator=i).values), 55) for i in frame["indicator"]]
        out.append(f"<h3>Promised gains{_e(when)}</h3>")
        out.append(para("What the optimiser expects the roadmap to add to each indicator "
                        "(its response assumptions); step 6 monitors what is delivered."))
        out.append(table(frame, {"gain": ".4g"}))
    if "sdg_index_gain" in alloc:
        gain = alloc["sdg_index_gain"].isel(year=-1)
        by = int(alloc["year"].values[-1])
        if "scenario" in gain.dims:  # a robust plan: expected gain and its spread
            p = alloc.get("scenario_probability")
            mean = float(gain.weighted(p).mean("scenario")) if p is not None else float(
                gain.mean("scenario"))
            out.append(para(f"Promised SDG index gain: {mean:.3f} points by {by}, expected "
                            f"over {gain.sizes['scenario']} scenarios (from "
                            f"{float(gain.min()):.3f} to {float(gain.max()):.3f})."))
        else:
            out.append(para(f"Promised SDG index gain: {float(gain):.3f} points by {by}."))
    return out


def _roadmap(ctx: _Context) -> str:
    out = []
    if ctx.alloc is not None:
        out += _allocation_section(ctx.alloc)
    if ctx.ds is not None and "spend" in ctx.ds:
        ds = ctx.ds
        case = _focus_case(ctx)
        spend = members(ds, ds["spend"].rename("spend")).sel(case=case).mean("member")
        spend.attrs.update(ds["spend"].attrs)
        spend.attrs["units"] = spend_units(ds)
        out.append(f"<h3>Allocation under {_e(case)}</h3>")
        if np.nansum(spend.values) > 0:
            out.append(figure(plots.allocation_chart(spend, f"Allocation under {case}"),
                              f"Spend by action, year and source under {case}."))
        else:  # e.g. the reference case without a roadmap scores best
            out.append(missing(f"{case} spends nothing on the portfolio's actions: there is "
                               "no allocation to show."))
        if "strategy" in ds["spend"].dims:
            dims = [d for d in ds["spend"].dims if d not in ("strategy", "source")]
            by = ds["spend"].sum(dims)
            if "replicate" in by.dims:
                by = by.mean("replicate")
            frame = by.to_pandas()
            frame["total"] = frame.sum(axis=1)
            out.append(para("Total spend per strategy and source:"))
            out.append(table(frame.reset_index(), {c: ",.0f" for c in frame.columns}))
    if not out:
        return missing("No allocation in this input. Run `stisim optimise` (one optimised "
                       "roadmap) or `stisim compare` (allocations per strategy) and report on "
                       "its output directory.")
    return "\n".join(out)


def _execution(ctx: _Context) -> str:
    if ctx.ds is None:
        return missing("No simulated result in this input.")
    ds = ctx.ds
    out = []
    if not ctx.simulated:
        out.append(missing("The dataset holds the base year only: no indicator paths to "
                           "monitor against."))
    else:
        case = _focus_case(ctx)
        codes = [c for c in (ctx.options.indicators or KEY_INDICATORS)
                 if c in ds["indicator"].values]
        out.append(para(f"Monitoring plan for {case}: the expected path of each indicator is "
                        "the median across members; a re-planning trigger fires when the "
                        "monitored value is worse than 90% of simulated futures under this "
                        "roadmap (10th percentile, or 90th for lower-is-better indicators)."))
        mon = monitoring_table(ds, case, codes)
        if mon["trigger"].isna().all():
            out.append(missing("Triggers need an ensemble (at least 5 replicates) to measure "
                               "how far a path may drift by chance; this result has "
                               f"{int(mon['members'].max())} member(s). Run `stisim compare` "
                               "or `stisim sweep` with replicates. Expected paths are shown."))
        from stisim.data.indicators import registry

        reg = registry()
        figs = []
        for code in codes:
            target = float(reg.loc[code, "optimum"])
            figs.append(figure(
                plots.fan_chart(ds, "indicator_value", indicator=code, target=target,
                                trigger=mon[mon.indicator == code]),
                f"{code}: paths per case, SDR optimum as target, triggers for {case}."))
        out.append('<div class="grid">' + "".join(figs) + "</div>")
        out.append(para("Checkpoints: expected value / re-plan trigger (re-plan when the "
                        "monitored value is beyond the trigger in the direction shown)."))
        out.append(table(_monitoring_wide(mon)))
        if "adoption_share" in ds and "technology" in ds.dims:
            out.append(figure(plots.adoption_chart(ds, case),
                              f"Technology adoption under {case}: median and 5–95% band."))
        recorded = [v for v in ds.data_vars if "trigger" in str(v) or "replan" in str(v)]
        if recorded:
            out.append("<h3>Triggers recorded by the adaptive roadmap</h3>")
            for v in recorded:
                out.append(para(f"{v}: {ds[v].attrs.get('long_name', '')}"))
                out.append(table(ds[v].to_dataframe().reset_index().head(40)))
    out.append("<h3>Vulnerabilities: when does the roadmap miss?</h3>")
    if ctx.kind != "sweep":
        out.append(missing("Scenario discovery needs a sweep over uncertain futures; this "
                           f"input is a {ctx.kind}. Run `stisim sweep` and report on it."))
        return "\n".join(out)
    out.append(_discovery_section(ctx))
    return "\n".join(out)


def _monitoring_wide(mon: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for code, grp in mon.groupby("indicator", sort=False):
        row = {"indicator": code, "name": textwrap.shorten(str(grp["name"].iloc[0]), 48),
               "unit": grp["unit"].iloc[0],
               "re-plan if": f"{grp['direction'].iloc[0]} trigger"}
        for _, r in grp.iterrows():
            trigger = f"{r.trigger:.4g}" if np.isfinite(r.trigger) else "–"
            row[f"{r.year:.0f}"] = f"{r.expected:.4g} / {trigger}"
        rows.append(row)
    return pd.DataFrame(rows)


def default_condition(ds: xr.Dataset) -> str:
    """The default vulnerability condition: the SDG index in 2030 (or the last year) in the
    worst quarter of the sweep's outcomes."""
    ty = target_year(ds)
    return (f"sdg_index(time={ty:.0f}) < quantile(sdg_index(time={ty:.0f}), 0.25)")


def _discovery_section(ctx: _Context) -> str:
    from stisim.analysis.discovery import cart, prim
    from stisim.analysis.expression import condition as eval_condition

    ds = ctx.ds
    cond = ctx.options.condition or default_condition(ds)
    out = []
    if ctx.options.condition is None:
        out.append(para(f"Condition of interest (default, set your own with --condition): "
                        f"{cond}, i.e. the worst quarter of the futures."))
    else:
        out.append(para(f"Condition of interest: {cond}."))
    t0 = time.perf_counter()
    try:
        flags = eval_condition(ds, cond)
        p = prim(ds, flags.rename(cond))
        c = cart(ds, flags.rename(cond))
    except StisimError as exc:
        return missing(f"Scenario discovery not possible: {exc}")
    ctx.timings["discovery"] = time.perf_counter() - t0
    p.attrs["condition"] = c.attrs["condition"] = cond
    out.append(para(f"{p.attrs['n_of_interest']} of {p.attrs['n_cases']} cases (run × "
                    f"replicate) meet it (base rate {p.attrs['base_rate']:.2f})."))
    out.append(figure(sweep_plots.sample_trajectories(ds, flags, "sdg_index"),
                      "Sweep trajectories; red where the condition holds."))
    out.append("<h4>PRIM (peeling and pasting)</h4>")
    if p.sizes["box"]:
        out.append(_boxes_table(p))
        out.append(figure(sweep_plots.prim_tradeoff(p), "Coverage against density along PRIM's "
                          "trajectory; the circled box is reported."))
        out.append(figure(sweep_plots.box_limits(p, ds), "Limits of the first PRIM box on each "
                          "restricted parameter's sampled range."))
    else:
        out.append(missing(f"PRIM found no box: {p.attrs.get('note', '')}"))
        if "trajectory_coverage" in p:
            out.append(figure(sweep_plots.prim_tradeoff(p), "PRIM's trajectory (no box accepted)."))
    out.append("<h4>CART</h4>")
    if c.sizes["box"]:
        out.append(para(f"Tree accuracy on the cases: {c.attrs['tree_accuracy']:.2f}."))
        out.append(_boxes_table(c))
    else:
        out.append(missing(f"CART found no leaf predicting the condition: "
                           f"{c.attrs.get('note', '')}"))
    out.append(para("Coverage: share of all cases of interest inside the box. Density: share "
                    "of the box's cases that are of interest. A box with high density and "
                    "coverage names the conditions to watch; its parameters are the signposts "
                    "for re-planning."))
    return "\n".join(out)


def _boxes_table(result: xr.Dataset) -> str:
    frame = pd.DataFrame({
        "box": result["box"].values, "rule": result["box_rule"].values,
        "coverage": result["box_coverage"].values, "density": result["box_density"].values,
        "mass": result["box_mass"].values,
        "restricted": result["box_restricted"].sum("parameter").values,
    })
    return table(frame, {"coverage": ".2f", "density": ".2f", "mass": ".3f"})


def _appendix(ctx: _Context) -> str:
    out = []
    d = ctx.ds if ctx.ds is not None else ctx.alloc
    if d is not None and "indicator_provenance" in d.attrs:
        prov = json.loads(d.attrs["indicator_provenance"])
        frame = pd.DataFrame([{"indicator": k, **v} for k, v in prov.items()])
        out.append("<h3>Baseline provenance</h3>")
        out.append(table(frame))
    if d is not None and "data_sources" in d.attrs:
        out.append("<h3>Data sources</h3><ul>")
        for key, text in json.loads(d.attrs["data_sources"]).items():
            out.append(f"<li><b>{_e(key)}</b>: {_e(text)}</li>")
        out.append("</ul>")
    if d is not None and "config" in d.attrs:
        out.append("<details><summary>Resolved configuration</summary><pre>"
                   f"{_e(d.attrs['config'])}</pre></details>")
    out.append(f"<p class=\"note\">Method: {_e(GUIDEBOOK)}</p>")
    return "\n".join(out)


# ---------------------------------------------------------------- assembly

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
margin:0;color:#1d2733;background:#f6f7f9;line-height:1.45}
header{background:#19486A;color:#fff;padding:1.4rem 2rem}
header h1{margin:0 0 .3rem 0;font-size:1.6rem}header p{margin:0;opacity:.9}
nav{background:#fff;border-bottom:1px solid #dde2e8;padding:.6rem 2rem;position:sticky;top:0;
z-index:2}nav a{margin-right:1.1rem;color:#19486A;text-decoration:none;font-weight:600;
font-size:.92rem}
main{max-width:1100px;margin:0 auto;padding:1rem 2rem 3rem}
section{background:#fff;border:1px solid #dde2e8;border-radius:6px;padding:1rem 1.5rem;
margin:1.2rem 0}
section h2{margin-top:.2rem;border-bottom:3px solid #FD6925;padding-bottom:.3rem}
figure{margin:1rem 0;text-align:center}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(460px,1fr));gap:.5rem}
figure img{max-width:100%;height:auto}
figcaption{font-size:.85rem;color:#555;margin-top:.3rem}
table{border-collapse:collapse;font-size:.82rem;margin:.6rem 0;width:100%}
th,td{border-bottom:1px solid #e3e7ec;padding:.25rem .45rem;text-align:left;vertical-align:top}
th{background:#eef2f6}td.num{text-align:right;font-variant-numeric:tabular-nums}
tbody tr:nth-child(even){background:#fafbfc}
.missing{background:#fff6e5;border-left:4px solid #FCC30B;padding:.5rem .8rem}
.note{font-size:.8rem;color:#666}pre{white-space:pre-wrap;font-size:.75rem;background:#f3f5f7;
padding:.6rem}
@media print{nav{display:none}section{break-inside:avoid-page;border:none}}
"""


def build_report(source: str | os.PathLike | Results | xr.Dataset,
                 options: ReportOptions | None = None) -> str:
    """The report as one HTML string."""
    options = options or ReportOptions()
    if isinstance(source, xr.Dataset):
        res = Results(Path("<in memory>"))
        res.datasets[kind_of(source)] = [source]
        res.files[kind_of(source)] = [Path("<in memory>")]
    elif isinstance(source, Results):
        res = source
    else:
        res = load_results(source)
    primary = next((res.first(k) for k in ("comparison", "sweep", "run") if res.first(k)
                    is not None), None)
    ctx = _Context(res, options, primary, kind_of(primary) if primary is not None else None,
                   res.first("allocation"))
    builders: dict[str, Callable[[_Context], str]] = {
        "objectives": _objectives, "situation": _situation, "vision": _vision,
        "pathways": _pathways, "roadmap": _roadmap, "execution": _execution,
    }
    sections = []
    for key, title in STEPS:
        t0 = time.perf_counter()
        body = builders[key](ctx)
        ctx.timings[key] = time.perf_counter() - t0
        sections.append(f'<section id="{key}"><h2>{_e(title)}</h2>\n{body}\n</section>')
    sections.append(f'<section id="appendix"><h2>Appendix: provenance</h2>\n{_appendix(ctx)}'
                    "\n</section>")
    title = options.title or f"STI for SDGs roadmap — {ctx.country}"
    subtitle = (f"stisim report · {ctx.kind or 'allocation'} · generated "
                f"{datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}")
    notes = "".join(missing(n) for n in ctx.notes)
    nav = "".join(f'<a href="#{k}">{_e(t)}</a>' for k, t in STEPS)
    head = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title><style>{CSS}</style></head>\n"
        f"<body><header><h1>{_e(title)}</h1><p>{_e(subtitle)}</p></header>\n"
        f'<nav>{nav}<a href="#appendix">Appendix</a></nav>\n<main>{notes}\n')
    return head + "\n".join(sections) + "\n</main></body></html>\n"


def write_report(source: str | os.PathLike | Results | xr.Dataset,
                 out: str | os.PathLike | None = None,
                 options: ReportOptions | None = None) -> Path:
    """Write the report atomically; default name ``report.html`` beside the input."""
    if out is None:
        base = Path(source) if isinstance(source, (str, os.PathLike)) else Path.cwd()
        out = (base if base.is_dir() else base.parent) / "report.html"
    out = Path(out)
    text = build_report(source, options)
    from stisim.io import write_text

    return write_text(out, text)
