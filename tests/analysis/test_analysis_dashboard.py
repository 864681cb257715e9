"""Dashboard logic without a browser: result discovery, widgets, redraws."""

from __future__ import annotations

import pytest

pytest.importorskip("panel")

from stisim.analysis.dashboard import ADDRESS, Dashboard, find_results
from stisim.io import write_dataset


def test_find_results_skips_sweep_run_files(tmp_path, real_run_ds):
    write_dataset(real_run_ds, tmp_path / "a" / "run.nc")
    sweep = tmp_path / "sweep"
    (sweep / "runs").mkdir(parents=True)
    (sweep / "manifest.json").write_text("{}")
    write_dataset(real_run_ds, sweep / "runs" / "000001.nc")
    write_dataset(real_run_ds, sweep / "run-000002.nc")
    write_dataset(real_run_ds, sweep / "sweep.nc")
    found = {p.relative_to(tmp_path).as_posix() for p in find_results(tmp_path)}
    assert found == {"a/run.nc", "sweep/sweep.nc"}
    assert find_results(tmp_path / "nothing") == []


def test_dashboard_widgets_follow_the_dataset(comparison_dir):
    dash = Dashboard(find_results(comparison_dir))
    assert dash.dataset.value.endswith("comparison.nc")  # simulated result preferred
    assert dash.cases.options == ["optimal_sdg", "equal_split", "expert_ranking", "greedy",
                                  "gap_proportional"]
    assert dash.indicator.value == "9.5.1"
    assert dash.year.value == 2030.0
    before = dash.paths.object.axes[0].get_title(loc="left")
    dash.indicator.value = "9.c.1"
    after = dash.paths.object.axes[0].get_title(loc="left")
    assert before.startswith("9.5.1") and after.startswith("9.c.1")
    dash.cases.value = ["greedy"]
    legend = [t.get_text() for t in dash.paths.object.axes[0].get_legend().get_texts()]
    assert legend == ["greedy (n=6)"]
    # other tabs draw when opened
    assert dash.allocation.object is None
    dash.tabs.active = 3
    assert dash.alloc_case.visible and dash.alloc_case.value == "optimal_sdg"
    dash.alloc_case.value = "greedy"
    assert "greedy" in dash.allocation.object.texts[0].get_text()
    assert dash.shadow.object is not None  # allocation.nc beside the comparison
    dash.tabs.active = 2
    assert list(dash.compare_table.object["case"]) == ["greedy"]


def test_dashboard_on_a_sweep_groups_by_lever(sweep_file):
    dash = Dashboard(find_results(sweep_file))
    assert dash.group.visible and dash.group.value == "strategy"
    assert dash.cases.value == ["strategy=optimal_sdg", "strategy=equal_split"]
    dash.variable.value = "SDG index"
    assert dash.paths.object.axes[0].get_title(loc="left") == "SDG index"


def test_dashboard_serves_on_loopback_only():
    assert ADDRESS == "127.0.0.1"


def test_dashboard_on_optimiser_outputs(comparison_dir):
    files = [f for f in find_results(comparison_dir) if f.name != "comparison.nc"]
    dash = Dashboard(files)
    assert dash.ds is None and dash.tabs.active == 3
    assert dash.allocation.object is not None and dash.front_pane.object is not None
    assert "allocation" in dash.info.object or "pareto" in dash.info.object


def test_dashboard_report_download(real_run_ds, tmp_path):
    from stisim.io import write_dataset

    write_dataset(real_run_ds, tmp_path / "run.nc")
    dash = Dashboard(find_results(tmp_path))
    html = dash._report().getvalue().decode("utf-8")
    assert html.startswith("<!DOCTYPE html>") and "6. Execution, monitoring and update" in html
