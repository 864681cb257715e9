"""Figures render headless and show what they claim (colours, bands, fronts, CIs)."""

from __future__ import annotations

import json

import matplotlib.colors as mcolors
import numpy as np
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from scipy import stats

from stisim.analysis import plots, sweep_plots
from stisim.analysis.discovery import prim
from stisim.analysis.sensitivity import sensitivity
from stisim.analysis.summaries import (
    comparison_table,
    mean_ci,
    monitoring_table,
    pareto_mask,
    peer_summary,
    peers,
    trend_status,
)

PNG = b"\x89PNG\r\n\x1a\n"


def test_fan_chart_has_one_band_pair_per_case(comparison_ds):
    fig = plots.fan_chart(comparison_ds, "indicator_value", indicator="9.5.1", target=3.7)
    ax = fig.axes[0]
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(bands) == 2 * comparison_ds.sizes["strategy"]
    medians = [line for line in ax.lines if line.get_label().endswith("(n=6)")]
    assert len(medians) == comparison_ds.sizes["strategy"]
    expected = comparison_ds["indicator_value"].sel(strategy="optimal_sdg", indicator="9.5.1")
    np.testing.assert_allclose(medians[0].get_ydata(), expected.median("replicate").values)
    assert plots.to_png(fig).startswith(PNG)


def test_fan_chart_sweep_groups_by_lever_and_base_year_only_run(sweep_ds, real_run_ds):
    fig = plots.fan_chart(sweep_ds, "goal_score", goal=9)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels[0].startswith("strategy=optimal_sdg")
    fig = plots.fan_chart(real_run_ds, "sdg_index")
    assert any("base year only" in t.get_text() for t in fig.axes[0].texts)
    with pytest.raises(ValueError, match="select"):
        plots.fan_chart(sweep_ds, "goal_score")


def test_goal_bars_use_official_sdg_colours(comparison_ds):
    fig = plots.goal_bars(comparison_ds, 2030)
    ax = fig.axes[0]
    first = ax.patches[0]
    assert mcolors.to_hex(first.get_facecolor()) == plots.SDG_COLOURS[1].lower()
    goal9 = [p for p in ax.patches if mcolors.to_hex(p.get_facecolor()) ==
             plots.SDG_COLOURS[9].lower()]
    assert len(goal9) == comparison_ds.sizes["strategy"]
    want = comparison_ds["goal_score"].sel(goal=9, time=2030.0).median("replicate")
    np.testing.assert_allclose([p.get_height() for p in goal9], want.values)


def test_sdg_wheel_and_coverage(real_run_ds):
    fig = plots.sdg_wheel(real_run_ds)
    assert plots.to_png(fig).startswith(PNG)
    assert plots.to_svg(plots.coverage_chart(list(real_run_ds["indicator"].values))).startswith(
        "<?xml")


def test_mean_ci_matches_student_t():
    rng = np.random.default_rng(0)
    import xarray as xr

    x = rng.normal(3.0, 2.0, 12)
    ci = mean_ci(xr.DataArray(x, dims="member"))
    lo, hi = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    assert float(ci["lower"]) == pytest.approx(lo)
    assert float(ci["upper"]) == pytest.approx(hi)


def test_strategy_comparison_orders_and_ranks(comparison_ds):
    table = comparison_table(comparison_ds, 2030)
    assert table["case"].iloc[0] == "optimal_sdg"
    assert list(table["rank"]) == sorted(table["rank"])
    assert (table["sdg_index_lower"] <= table["sdg_index"]).all()
    fig = plots.strategy_comparison(comparison_ds, "sdg_index", 2030)
    ax = fig.axes[0]
    at = dict(zip(ax.get_yticks(), (t.get_text() for t in ax.get_yticklabels())))
    assert at[max(at)] == "optimal_sdg"  # best at the top


def test_pareto_mask_known_front():
    cost = np.array([1.0, 2.0, 3.0, 2.5, 4.0])
    gain = np.array([1.0, 3.0, 2.0, 3.5, 3.5])
    np.testing.assert_array_equal(pareto_mask(cost, gain), [True, True, False, True, False])
    fig = plots.strategy_pareto
    assert callable(fig)


def test_allocation_shadow_and_pareto_figures(allocation_ds, comparison_ds):
    fig = plots.allocation_chart(allocation_ds["spend"])
    widths = sum(p.get_width() for p in fig.axes[0].patches)
    assert widths == pytest.approx(float(allocation_ds["spend"].sum()))
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert any(lab.startswith("rd_grants Rd grants") for lab in labels)
    assert isinstance(plots.shadow_price_chart(allocation_ds), Figure)
    assert plots.shadow_price_chart(allocation_ds.drop_vars("budget_shadow_price")) is None
    fig = plots.strategy_pareto(comparison_ds)
    assert "non-dominated" in [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    import analysis_data

    front = plots.optimiser_pareto(analysis_data.pareto())
    line = next(ln for ln in front.axes[0].lines if ln.get_label() == "non-dominated")
    assert len(line.get_xdata()) == 6  # every point of an optimiser front is efficient


def test_sensitivity_and_discovery_figures(sweep_ds):
    r = sensitivity(sweep_ds, "sdg_index(time=2030)", num_resamples=10)
    fig = sweep_plots.tornado(r)
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert ticks[-1] == "diffusion.p"  # the most influential at the top
    d = prim(sweep_ds, "sdg_index(time=2030) < quantile(sdg_index(time=2030), 0.2)")
    assert plots.to_png(sweep_plots.prim_tradeoff(d)).startswith(PNG)
    assert plots.to_png(sweep_plots.box_limits(d, sweep_ds)).startswith(PNG)


def test_tornado_never_draws_a_missing_index_as_zero(sweep_ds):
    r = sensitivity(sweep_ds, "sdg_index(time=2030)", num_resamples=10)
    first = str(r["parameter"].values[0])
    r["sobol_st"].loc[{"parameter": first}] = np.nan
    r.attrs["not_computed"] = json.dumps({first: "SALib returned no index from 4 runs"})
    r.attrs.update(minimum_runs=100, n_runs=4)
    ax = sweep_plots.tornado(r).axes[0]
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks[0] == first  # missing indices sort last (bottom)
    bars_at = {round(p.get_y() + p.get_height() / 2) for p in ax.patches}
    assert 0 not in bars_at and len(bars_at) == len(ticks) - 1
    notes = [t.get_text() for t in ax.texts]
    assert notes == ["not computed (4 runs, minimum 100)"]
    r["sobol_st"][:] = np.nan  # nothing computed: labelled rows, no legend of empty bars
    ax = sweep_plots.tornado(r).axes[0]
    assert not ax.patches and ax.get_legend() is None and len(ax.texts) == len(ticks)


def test_trend_status_classes():
    # higher is better: from 20 towards 100 by 2030 (base 2022) needs 10/year
    assert trend_status(20, 100, 2022, 2030, 0, 100) == "achieved"
    assert trend_status(20, 60, 2022, 2026, 0, 100) == "on track"
    assert trend_status(20, 50, 2022, 2026, 0, 100) == "moderately improving"
    assert trend_status(20, 30, 2022, 2026, 0, 100) == "stagnating"
    assert trend_status(20, 10, 2022, 2026, 0, 100) == "decreasing"
    # lower is better (optimum below lower bound)
    assert trend_status(40, 20, 2022, 2026, 87, 6.3) == "on track"
    assert trend_status(40, 45, 2022, 2026, 87, 6.3) == "decreasing"
    assert trend_status(40, 40, 2022, 2022, 87, 6.3) == "no trajectory"


def test_monitoring_triggers_on_the_unfavourable_side(comparison_ds):
    mon = monitoring_table(comparison_ds, "optimal_sdg", ["9.5.1", "9.4.1"])
    up = mon[mon.indicator == "9.5.1"]
    down = mon[mon.indicator == "9.4.1"]  # CO2 intensity: lower is better
    assert (up["trigger"] <= up["expected"]).all() and (up["direction"] == "below").all()
    assert (down["trigger"] >= down["expected"]).all() and (down["direction"] == "above").all()


def test_peers_use_observed_values_only():
    long = peers(288, 2022)
    assert long.attrs["region"] == "Western Africa"
    assert not long[~long.is_country]["imputed"].any()
    summary = peer_summary(long)
    row = summary.set_index("indicator").loc["9.5.1"]
    assert 1 <= row["rank"] <= row["n"]
    fig = plots.peer_chart(summary, long, "Ghana")
    assert plots.to_png(fig).startswith(PNG)


def test_single_run_has_no_triggers(comparison_ds):
    from stisim.analysis.summaries import checkpoints_of

    one = comparison_ds.isel(replicate=[0])
    mon = monitoring_table(one, "optimal_sdg", ["9.5.1"])
    assert mon["trigger"].isna().all() and (mon["members"] == 1).all()
    assert checkpoints_of(np.arange(2022.0, 2041.0)) == [2025.0, 2030.0, 2035.0, 2040.0]
    assert checkpoints_of(np.arange(2022.0, 2028.0)) == [2024.0, 2026.0, 2027.0]
