"""Figures of sweep analyses: sensitivity (tornado, Morris μ*/σ), scenario discovery (PRIM
trade-off, box limits, CART tree) and sweep trajectories coloured by a condition. Like
:mod:`stisim.analysis.plots`, every function returns a headless matplotlib ``Figure``."""

from __future__ import annotations

import json
import textwrap
import warnings

import matplotlib.ticker
import numpy as np
import xarray as xr
from matplotlib.figure import Figure

from stisim.analysis.plots import _figure, _label, _style, _years


def tornado(result: xr.Dataset, *, max_parameters: int = 15, title: str | None = None
            ) -> Figure:
    """Sensitivity tornado: parameters sorted by influence (Sobol ST with S1 inside, Morris
    μ*, or δ with S1), with confidence intervals. Other dims are averaged."""
    if "sobol_st" in result:
        main, inner, label = "sobol_st", "sobol_s1", ("total order ST", "first order S1")
    elif "morris_mu_star" in result:
        main, inner, label = "morris_mu_star", None, ("μ* (mean |elementary effect|)", "")
    else:
        main, inner, label = "delta", "delta_s1", ("δ (moment-independent)", "first order S1")
    other = [d for d in result[main].dims if d != "parameter"]

    def avg(name: str) -> np.ndarray:
        da = result[name]
        return (da.mean(other, skipna=True) if other else da).values

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN means of missing indices
        score = avg(main)
        conf = avg(f"{main}_conf") if f"{main}_conf" in result else None
        first = avg(inner) if inner is not None and inner in result else None
    # Missing indices (SALib could not compute them) sort last and get no bar: a missing
    # index drawn as zero would read as "no influence".
    order = np.argsort(np.nan_to_num(score, nan=-np.inf), kind="stable")[-max_parameters:]
    params = [str(p) for p in result["parameter"].values[order]]
    missing = ~np.isfinite(score[order])
    fig = _figure(7.5, 1.2 + 0.42 * len(params))
    ax = fig.add_subplot()
    y = np.arange(len(params))
    shown = ~missing
    ax.barh(y[shown], score[order][shown], color="#0072B2", alpha=0.45, label=label[0],
            xerr=None if conf is None else np.nan_to_num(conf[order][shown]),
            ecolor="#333333", capsize=3)
    if first is not None:
        ax.barh(y[shown], first[order][shown], height=0.45, color="#0072B2", label=label[1])
    reasons = json.loads(result.attrs.get("not_computed", "{}"))
    least, runs = result.attrs.get("minimum_runs"), result.attrs.get("n_runs")
    for k in np.flatnonzero(missing):
        why = reasons.get(params[k], "")
        note = ("outcome constant" if why.startswith("the outcome is the same") else
                f"{runs} runs, minimum {least}" if least and runs and runs < least else
                "SALib returned no index")
        ax.text(0.01, y[k], f"not computed ({note})",
                transform=ax.get_yaxis_transform(), va="center", fontsize=8,
                style="italic", color="#666666")
    ax.set_yticks(y, params, fontsize=9)
    ax.axvline(0, color="#333333", linewidth=0.8)
    scope = f" (mean over {', '.join(other)})" if other else ""
    ax.set_title(title or f"Sensitivity of {result.attrs.get('output', 'output')}{scope}",
                 fontsize=10, loc="left")
    units = result[main].attrs.get("units", "")
    ax.set_xlabel("index (share of output variance)" if main.startswith("sobol") else
                  "index (0-1)" if units == "1" else units)
    ax.grid(True, axis="x", color="#dddddd", linewidth=0.6)
    ax.spines[["top", "right"]].set_visible(False)
    if shown.any():
        ax.legend(fontsize=8, frameon=False, loc="lower right")
    else:
        ax.set_xlim(0, 1)
    return fig


def morris_scatter(result: xr.Dataset) -> Figure:
    """Morris μ* against σ: influential factors to the right, interacting ones high."""
    other = [d for d in result["morris_mu_star"].dims if d != "parameter"]
    mu = result["morris_mu_star"].mean(other) if other else result["morris_mu_star"]
    sigma = result["morris_sigma"].mean(other) if other else result["morris_sigma"]
    fig = _figure(6, 4.5)
    ax = fig.add_subplot()
    ax.scatter(mu, sigma, color="#0072B2")
    for p, xv, yv in zip(result["parameter"].values, mu.values, sigma.values):
        ax.annotate(str(p), (xv, yv), textcoords="offset points", xytext=(4, 3), fontsize=8)
    lim = float(np.nanmax([mu.max(), sigma.max()])) * 1.1 or 1.0
    ax.plot([0, lim], [0, lim], color="#999999", linestyle=":", linewidth=1)
    ax.set_xlabel("μ*")
    ax.set_ylabel("σ")
    ax.set_title("Morris screening", fontsize=11, loc="left")
    _style(ax)
    return fig


def prim_tradeoff(result: xr.Dataset, search: int = 0) -> Figure:
    """PRIM's coverage/density trade-off along the peeling and pasting trajectory, coloured
    by the number of restricted parameters; the reported box is circled. Without a search
    (the condition holds in every case or in none) the axes carry PRIM's note instead."""
    if result.sizes.get("search", 0) <= search:
        fig = _figure(6.2, 4.5)
        ax = fig.add_subplot()
        ax.text(0.5, 0.5, textwrap.fill(result.attrs.get("note", "no PRIM search"), 50),
                ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        ax.set_title("PRIM coverage/density trade-off\n" + textwrap.shorten(
            result.attrs.get("condition", ""), 70), fontsize=10, loc="left")
        return fig
    cov = result["trajectory_coverage"].isel(search=search)
    den = result["trajectory_density"].isel(search=search)
    res = result["trajectory_restricted"].isel(search=search)
    keep = np.isfinite(cov.values)
    fig = _figure(6.2, 4.5)
    ax = fig.add_subplot()
    sc = ax.scatter(cov.values[keep], den.values[keep], c=res.values[keep], cmap="viridis",
                    s=18)
    bar = fig.colorbar(sc, ax=ax, label="restricted parameters")
    bar.ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    if "box_step" in result and search < result.sizes["box"]:
        step = int(result["box_step"].isel(box=search))
        ax.scatter([cov.values[step]], [den.values[step]], s=140, facecolors="none",
                   edgecolors="#C0392B", linewidths=2, label="reported box")
        ax.legend(fontsize=8, frameon=False)
    ax.set_xlabel("coverage")
    ax.set_ylabel("density")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_title("PRIM coverage/density trade-off\n" + textwrap.shorten(
        result.attrs.get("condition", ""), 70), fontsize=10, loc="left")
    _style(ax)
    return fig


def box_limits(result: xr.Dataset, ds: xr.Dataset, box: int = 0) -> Figure:
    """The restricted parameters of a box, each on its sampled range (0 = min, 1 = max)."""
    b = result.isel(box=box)
    params = [str(p) for p in result["parameter"].values
              if bool(b["box_restricted"].sel(parameter=p))]
    fig = _figure(7.5, 1.3 + 0.5 * max(len(params), 1))
    ax = fig.add_subplot()
    for i, p in enumerate(params):
        cats = str(b["box_categories"].sel(parameter=p).values)
        ax.plot([0, 1], [i, i], color="#dddddd", linewidth=6, solid_capstyle="butt")
        if cats:
            ax.text(0.5, i, f"{{{cats}}}", ha="center", va="center", fontsize=9)
            continue
        values = np.asarray(ds[p].values, float)
        lo, hi = float(np.nanmin(values)), float(np.nanmax(values))
        a = (float(b["box_lower"].sel(parameter=p)) - lo) / (hi - lo or 1.0)
        z = (float(b["box_upper"].sel(parameter=p)) - lo) / (hi - lo or 1.0)
        ax.plot([a, z], [i, i], color="#C0392B", linewidth=6, solid_capstyle="butt")
        ax.text(a, i + 0.28, f"{float(b['box_lower'].sel(parameter=p)):.3g}", ha="center",
                fontsize=8)
        ax.text(z, i + 0.28, f"{float(b['box_upper'].sel(parameter=p)):.3g}", ha="center",
                fontsize=8)
        ax.text(-0.02, i - 0.3, f"{lo:.3g}", ha="right", fontsize=7, color="#777777")
        ax.text(1.02, i - 0.3, f"{hi:.3g}", ha="left", fontsize=7, color="#777777")
    ax.set_yticks(range(len(params)), params, fontsize=9)
    ax.set_ylim(-0.7, max(len(params), 1) - 0.3)
    ax.set_xlim(-0.15, 1.15)
    ax.set_xticks([])
    ax.spines[["top", "right", "bottom"]].set_visible(False)
    ax.set_title(f"{result.attrs.get('method', '').upper()} box {box}: coverage "
                 f"{float(b['box_coverage']):.2f}, density {float(b['box_density']):.2f}",
                 fontsize=10, loc="left")
    return fig


def sample_trajectories(ds: xr.Dataset, condition: xr.DataArray, var: str = "sdg_index",
                        *, goal: int | None = None, max_lines: int = 300) -> Figure:
    """Sweep trajectories (a random subset of ``max_lines``) coloured by whether a
    condition, e.g. a failure, holds for that run and replicate."""
    da = ds[var] if goal is None else ds[var].sel(goal=goal)
    dims = [d for d in ("run", "replicate") if d in da.dims]
    cond = condition.broadcast_like(da.isel(time=0)).transpose(*dims).values.ravel()
    lines = da.transpose(*dims, "time").values.reshape(-1, da.sizes["time"])
    idx = np.flatnonzero(np.isfinite(lines).any(axis=1))
    if idx.size > max_lines:
        idx = np.random.default_rng(0).choice(idx, max_lines, replace=False)
    fig = _figure()
    ax = fig.add_subplot()
    t = da["time"].values
    for k in idx[np.argsort(cond[idx])]:  # failures drawn last, on top
        hit = bool(cond[k])
        ax.plot(t, lines[k], color="#C0392B" if hit else "#999999",
                alpha=0.5 if hit else 0.15, linewidth=0.8)
    _years(ax)
    ax.plot([], [], color="#C0392B", label="condition holds")
    ax.plot([], [], color="#999999", label="condition does not hold")
    title, unit = _label(ds, var, None, goal)
    ax.set_title(title, fontsize=11, loc="left")
    ax.set_ylabel(unit)
    ax.set_xlabel("year")
    _style(ax)
    ax.legend(fontsize=8, frameon=False)
    return fig


def cart_tree(result: xr.Dataset) -> Figure:
    """The CART tree of a discovery result: each node with its split, its cases and the
    share of them where the condition holds; leaves that predict the condition in red."""
    left = result["tree_left"].values
    right = result["tree_right"].values
    split = result["tree_split"].values.astype(str)
    n = result["tree_cases"].values
    k = result["tree_of_interest"].values
    depth = np.zeros(left.size, int)
    xpos = np.zeros(left.size)
    leaves = 0

    def place(node: int, d: int) -> None:  # leaves left to right, parents over children
        nonlocal leaves
        depth[node] = d
        if left[node] < 0:
            xpos[node] = leaves
            leaves += 1
            return
        place(int(left[node]), d + 1)
        place(int(right[node]), d + 1)
        xpos[node] = (xpos[left[node]] + xpos[right[node]]) / 2

    place(0, 0)
    fig = _figure(max(6.0, 1.7 * leaves), 1.2 + 1.25 * (depth.max() + 1))
    ax = fig.add_subplot()
    for node in range(left.size):
        for child, label in ((left[node], "yes"), (right[node], "no")):
            if child >= 0:
                ax.plot([xpos[node], xpos[child]], [-depth[node], -depth[child]],
                        color="#999999", linewidth=1, zorder=1)
                ax.text((xpos[node] + xpos[child]) / 2, -(depth[node] + depth[child]) / 2,
                        label, fontsize=7, color="#555555", ha="center", va="center",
                        backgroundcolor="white")
        share = k[node] / n[node] if n[node] else 0.0
        leaf = left[node] < 0
        hit = leaf and share > 0.5
        text = (f"{split[node]}\n" if not leaf else "") + f"n={n[node]}, holds {share:.0%}"
        ax.text(xpos[node], -depth[node], text, ha="center", va="center", fontsize=7.5,
                zorder=2, bbox={"boxstyle": "round,pad=0.35", "linewidth": 1,
                                "facecolor": "#F6D5D1" if hit else "white",
                                "edgecolor": "#C0392B" if hit else "#777777"})
    ax.set_xlim(-0.7, max(leaves - 1, 0) + 0.7)
    ax.set_ylim(-depth.max() - 0.6, 0.6)
    ax.axis("off")
    ax.set_title("CART tree (red: leaves where the condition holds)\n" + textwrap.shorten(
        result.attrs.get("condition", ""), 90), fontsize=10, loc="left")
    return fig
