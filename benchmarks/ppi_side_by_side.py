"""stisim's interlinkage dynamics and Policy Priority Inference (PPI) side by side.

Both models run on PPI's tutorial data (72 indicators, PPI's 215-edge network, 16 expenditure
programmes, PPI's calibrated parameters), from the last data year (2022) for ``--years``:

A. Business as usual. PPI: the Monte Carlo mean of ``--samples`` runs with each programme's
   budget held at its last-year level. stisim: every indicator its own node, PPI's network as
   the interaction matrix, damped Theil-Sen trends from the last 10 years of each series
   (``sdg.trend_damping``), interactions of strength ``sdg.strength`` on the anomaly basis.
   Compared: projected change per indicator and per goal (score points = 100 x PPI scale).
B. A push on SDG 9. PPI: programme 9's budget x ``--push`` (paired runs with the same seeds).
   stisim: the SDG 9 indicators are forced onto stisim's own path plus PPI's SDG 9 gain
   (the role agent-driven indicators play in stisim), and the network carries it on.
   Compared: the spill-over on the other goals' indicators.
C. Throughput: simulated indicator-years per second of each model (one run).

What the agreement in A measures: both models extrapolate each indicator from its recent
history (PPI through its calibrated growth parameters, stisim through damped trends of the
last 10 years), so a high correlation says the two extrapolate alike, not that either
predicts the future. The table therefore puts two trend lines with no model at all beside
stisim: a straight least-squares line through the last 10 years, and the undamped
Theil-Sen slope. Forecast skill against observed outcomes is measured by
``stisim validate`` (held-out years, docs/sdg.md), not here.

Writes ``ppi_side_by_side.md`` (tables) and ``ppi_side_by_side.png`` into ``--out``.

    python benchmarks/ppi_side_by_side.py --samples 500 --years 8 --out docs/figures
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr
from scipy.stats import pearsonr, spearmanr

from stisim.sdg.ppi import PERIODS_PER_YEAR, ppi_samples, ppi_trends, read_ppi, run_stisim


def _line_change(ppi, years: int, window: int = 10) -> pd.Series:
    """Change over ``years`` (score points) of a straight least-squares line through the
    last ``window`` years of each series, the end point kept within 0-100."""
    recent = ppi.series.iloc[-window:]
    t = recent.index.to_numpy(float)
    start = 100.0 * ppi.indicators["IF"].astype(float)
    out = {}
    for c in ppi.codes:
        slope = np.polyfit(t, 100.0 * recent[c].to_numpy(float), 1)[0]
        out[c] = float(np.clip(start[c] + slope * years, 0.0, 100.0) - start[c])
    return pd.Series(out)


def _timing(ppi, years: int, repeats: int = 20) -> dict[str, float]:
    t = time.perf_counter()
    ppi_samples(ppi, years, repeats, seed=99)
    ppi_s = (time.perf_counter() - t) / repeats
    t = time.perf_counter()
    for _ in range(repeats):
        trends = ppi_trends(ppi)
    trend_s = (time.perf_counter() - t) / repeats
    t = time.perf_counter()
    for _ in range(repeats):
        run_stisim(ppi, years, trends=trends)
    stisim_s = (time.perf_counter() - t) / repeats
    cells = len(ppi.codes) * years
    return {"ppi_run_s": ppi_s, "stisim_run_s": stisim_s, "trend_s": trend_s,
            "ppi_indicator_years_per_s": cells / ppi_s,
            "stisim_indicator_years_per_s": cells / stisim_s, "ratio": ppi_s / stisim_s}


def _goal_table(values: dict[str, pd.Series], goal: pd.Series) -> pd.DataFrame:
    frame = pd.DataFrame(values)
    frame["goal"] = goal
    return frame.groupby("goal").mean()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=500, help="PPI Monte Carlo runs")
    parser.add_argument("--years", type=int, default=8)
    parser.add_argument("--push", type=float, default=2.0, help="SDG 9 budget multiplier")
    parser.add_argument("--strength", type=float, default=0.5)
    parser.add_argument("--damping", type=float, default=0.7)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--out", type=Path, default=Path("docs/figures"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    ppi = read_ppi()
    codes, goal = ppi.codes, ppi.indicators["sdg"]
    t0 = time.perf_counter()
    base_s = ppi_samples(ppi, args.years, args.samples, args.seed)
    push_s = ppi_samples(ppi, args.years, args.samples, args.seed, {9: args.push})
    ppi_wall = time.perf_counter() - t0
    coords = {"year": np.arange(args.years + 1), "indicator": codes}
    ppi_base = xr.DataArray(base_s.mean(0), dims=("year", "indicator"), coords=coords)
    ppi_push = xr.DataArray(push_s.mean(0), dims=("year", "indicator"), coords=coords)
    paired = (push_s - base_s)[:, -1, :] * 100
    ppi_se = pd.Series(paired.std(0, ddof=1) / np.sqrt(args.samples), index=codes)

    st_base = run_stisim(ppi, args.years, args.strength, args.damping)
    st_trend = run_stisim(ppi, args.years, 0.0, args.damping)
    st_change = run_stisim(ppi, args.years, args.strength, args.damping, basis="change")
    sdg9 = [c for c in codes if goal[c] == 9]
    others = [c for c in codes if goal[c] != 9]
    gain9 = (ppi_push - ppi_base).sel(indicator=sdg9)
    forced = (st_base.sel(indicator=sdg9) + gain9).clip(0.0, 1.0)
    st_push = run_stisim(ppi, args.years, args.strength, args.damping, forced=forced)

    end = args.years
    d_ppi = ((ppi_base.sel(year=end) - ppi_base.sel(year=0)) * 100).to_pandas()
    d_st = ((st_base.sel(year=end) - st_base.sel(year=0)) * 100).to_pandas()
    d_tr = ((st_trend.sel(year=end) - st_trend.sel(year=0)) * 100).to_pandas()
    d_ch = ((st_change.sel(year=end) - st_change.sel(year=0)) * 100).to_pandas()
    spill_ppi = ((ppi_push - ppi_base).sel(year=end) * 100).to_pandas()
    spill_st = ((st_push - st_base).sel(year=end) * 100).to_pandas()
    timing = _timing(ppi, args.years)
    d_line = _line_change(ppi, args.years)
    start = 100.0 * ppi.indicators["IF"].astype(float)
    d_ts = (start + ppi_trends(ppi) * args.years).clip(0.0, 100.0) - start

    r, _ = pearsonr(d_ppi, d_st)
    rho, _ = spearmanr(d_ppi, d_st)
    r_tr, _ = pearsonr(d_ppi, d_tr)
    r_ch, _ = pearsonr(d_ppi, d_ch)
    r_line, _ = pearsonr(d_ppi, d_line)
    r_ts, _ = pearsonr(d_ppi, d_ts)
    r_st_line, _ = pearsonr(d_st, d_line)
    r_st_ts, _ = pearsonr(d_st, d_ts)
    mae_line = float((d_ppi - d_line).abs().mean())
    agree = float((np.sign(d_ppi.round(6)) == np.sign(d_st.round(6))).mean())
    mae = float((d_ppi - d_st).abs().mean())
    significant = [c for c in others if abs(spill_ppi[c]) > 2 * ppi_se[c]]
    spill_r = pearsonr(spill_ppi[others], spill_st[others])[0]

    lines = [
        f"# stisim vs PPI on the PPI tutorial data ({len(codes)} indicators, "
        f"{int((ppi.network != 0).to_numpy().sum())} edges), {args.years} years from 2022",
        "",
        f"PPI: {args.samples} Monte Carlo runs per scenario ({PERIODS_PER_YEAR} periods a "
        f"year, budgets held at the last year's level; {ppi_wall:.1f} s for both scenarios). "
        f"stisim: strength {args.strength}, trend damping {args.damping}, anomaly basis, "
        "PPI's network at indicator level.",
        "",
        "## A. Business as usual: projected change per indicator (score points)",
        "",
        "| statistic | value |",
        "|---|---|",
        f"| Pearson r, PPI vs stisim | {r:.3f} |",
        f"| Spearman rho, PPI vs stisim | {rho:.3f} |",
        f"| Pearson r, PPI vs stisim trend only (no interactions) | {r_tr:.3f} |",
        f"| Pearson r, PPI vs stisim with basis=change | {r_ch:.3f} |",
        f"| same direction of change | {agree:.0%} |",
        f"| mean absolute difference of the change | {mae:.2f} |",
        f"| mean change PPI / stisim | {d_ppi.mean():.2f} / {d_st.mean():.2f} |",
        "",
        "Trend lines with no model, beside stisim:",
        "",
        "| against PPI's change | Pearson r | mean absolute difference |",
        "|---|---|---|",
        f"| stisim | {r:.3f} | {mae:.2f} |",
        f"| straight least-squares line, last 10 years | {r_line:.3f} | {mae_line:.2f} |",
        f"| Theil-Sen slope, last 10 years, undamped | {r_ts:.3f} | "
        f"{float((d_ppi - d_ts).abs().mean()):.2f} |",
        "",
        f"stisim's change correlates {r_st_line:.4f} with the straight line's and "
        f"{r_st_ts:.5f} with the undamped Theil-Sen slope's: the agreement with PPI "
        "measures how alike the two models extrapolate recent trends, and a trend "
        "line matches PPI about as well as stisim does. It is no evidence of forecast skill; "
        "held-out skill against observed outcomes is what `stisim validate` measures.",
        "",
        "| goal | PPI | stisim | stisim trend only | stisim basis=change |",
        "|---|---|---|---|---|",
    ]
    goals = _goal_table({"ppi": d_ppi, "stisim": d_st, "trend": d_tr, "change": d_ch}, goal)
    lines += [f"| {g} | {row.ppi:.2f} | {row.stisim:.2f} | {row.trend:.2f} | "
              f"{row.change:.2f} |" for g, row in goals.iterrows()]
    lines += [
        "",
        f"## B. SDG 9 budget x{args.push:g}: gain on SDG 9 and spill-over on other goals "
        f"after {args.years} years (score points)",
        "",
        f"Direct gain on SDG 9 indicators (PPI, imposed on stisim): mean "
        f"{float(gain9.sel(year=end).mean()) * 100:.2f}. Spill-over on the "
        f"{len(others)} other indicators: PPI mean {spill_ppi[others].mean():.3f} "
        f"(paired standard error per indicator {ppi_se[others].mean():.3f}; "
        f"{len(significant)} indicators beyond 2 SE), stisim mean "
        f"{spill_st[others].mean():.3f}; correlation across indicators {spill_r:.3f}.",
        "",
        "| goal | PPI spill-over | stisim spill-over |",
        "|---|---|---|",
    ]
    spill = _goal_table({"ppi": spill_ppi, "stisim": spill_st}, goal).drop(index=9)
    lines += [f"| {g} | {row.ppi:.3f} | {row.stisim:.3f} |" for g, row in spill.iterrows()]
    lines += [
        "",
        "## C. Throughput (one run, this machine)",
        "",
        "| model | s per run | indicator-years per s |",
        "|---|---|---|",
        f"| PPI (one Monte Carlo run) | {timing['ppi_run_s'] * 1e3:.1f} ms | "
        f"{timing['ppi_indicator_years_per_s']:,.0f} |",
        f"| stisim interlinkages (trends given) | {timing['stisim_run_s'] * 1e3:.2f} ms | "
        f"{timing['stisim_indicator_years_per_s']:,.0f} |",
        f"| stisim trend estimation (Theil-Sen, once per data set) | "
        f"{timing['trend_s'] * 1e3:.1f} ms | |",
        f"| ratio (PPI run / stisim run) | {timing['ratio']:.1f} | |",
        "",
        f"PPI needs many runs per estimate ({args.samples} here); stisim's equation is "
        "deterministic, so one run is the estimate.",
    ]
    text = "\n".join(lines) + "\n"
    (args.out / "ppi_side_by_side.md").write_text(text, encoding="utf-8")
    print(text)

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
    ax = axes[0]
    ax.scatter(d_ppi, d_st, s=14, c=goal.to_numpy(), cmap="tab20")
    lim = [min(d_ppi.min(), d_st.min()), max(d_ppi.max(), d_st.max())]
    ax.plot(lim, lim, color="grey", lw=0.8)
    ax.set_xlabel(f"PPI change {2022}-{2022 + args.years} (score points)")
    ax.set_ylabel("stisim change (score points)")
    ax.set_title(f"A. business as usual (r = {r:.2f})")
    ax = axes[1]
    x = np.arange(len(spill))
    ax.bar(x - 0.2, spill["ppi"], 0.4, label="PPI")
    ax.bar(x + 0.2, spill["stisim"], 0.4, label="stisim")
    ax.set_xticks(x, [str(g) for g in spill.index])
    ax.set_xlabel("goal")
    ax.set_ylabel("spill-over (score points)")
    ax.set_title(f"B. SDG 9 budget x{args.push:g}: effect on other goals")
    ax.axhline(0, color="grey", lw=0.8)
    ax.legend()
    fig.tight_layout()
    fig.savefig(args.out / "ppi_side_by_side.png", dpi=120)
    print(f"wrote {args.out / 'ppi_side_by_side.md'} and {args.out / 'ppi_side_by_side.png'}")


if __name__ == "__main__":
    main()
