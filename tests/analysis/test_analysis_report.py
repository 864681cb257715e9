"""The six-step HTML report on a comparison, a sweep and a real base-year run."""

from __future__ import annotations

import re

import pytest

from stisim.analysis.report import STEPS, ReportOptions, build_report, write_report
from stisim.cli import main


def sections(text: str) -> dict[str, str]:
    found = dict(re.findall(r'<section id="(\w+)">(.*?)</section>', text, flags=re.S))
    return found


@pytest.fixture(scope="module")
def comparison_report(comparison_dir):
    return build_report(comparison_dir)


def test_comparison_report_has_six_sections_with_figures(comparison_report):
    parts = sections(comparison_report)
    assert [k for k in parts if k != "appendix"] == [k for k, _ in STEPS]
    for key, title in STEPS:
        assert f"<h2>{title}</h2>" in parts[key]
        assert 'src="data:image/png;base64,' in parts[key], f"no figure in step {title}"
        notices = re.findall(r'<p class="missing">(.*?)</p>', parts[key], flags=re.S)
        # only scenario discovery, which needs a sweep, may be missing from a comparison
        assert all("needs a sweep" in n for n in notices), (title, notices)
    # self-contained: no external resources
    assert not re.search(r'(src|href)="https?://', comparison_report)


def test_comparison_report_content(comparison_report):
    parts = sections(comparison_report)
    assert "Western Africa" in parts["situation"]  # peers
    assert "optimal_sdg" in parts["pathways"] and "95%" in parts["pathways"]
    assert "Shadow prices" in parts["roadmap"] and "unlimited" in parts["roadmap"]
    assert "capacity_shadow_price" in parts["roadmap"]  # other shadow prices listed too
    assert "USD million (2023 prices)" in parts["roadmap"]  # spend units from currency
    assert "Pareto front of the optimiser" in parts["pathways"]
    assert "re-plan" in parts["execution"]
    # comparisons cannot show vulnerabilities: the report says so and names the command
    assert "stisim sweep" in parts["execution"]


def test_sweep_report_runs_sensitivity_and_discovery(sweep_file):
    text = build_report(sweep_file, ReportOptions(
        condition="goal_score(goal=9, time=2030) < quantile(goal_score(goal=9, time=2030), "
                  "0.2)", indicators=("9.5.1",)))
    parts = sections(text)
    assert "Which uncertainties matter" in parts["pathways"]
    assert "sobol" in parts["pathways"]
    assert "PRIM" in parts["execution"] and "CART" in parts["execution"]
    assert "diffusion.p" in parts["execution"]
    assert "No allocation in this input" in parts["roadmap"]


def test_base_year_run_says_plainly_what_is_missing(real_run_ds):
    parts = sections(build_report(real_run_ds))
    assert "Ghana" in parts["objectives"]
    assert "Western Africa" in parts["situation"]
    assert "base year only" in parts["vision"]
    assert "base year only" in parts["pathways"]
    assert "No allocation" in parts["roadmap"]
    assert "Scenario discovery needs a sweep" in parts["execution"]


def test_report_of_a_real_trajectory_has_paths(real_trajectory_ds):
    parts = sections(build_report(real_trajectory_ds))
    assert "base year only" not in parts["vision"]
    assert "<img" in parts["execution"]


def test_write_report_beside_the_input(tmp_path, real_run_ds):
    from stisim.io import write_dataset

    path = write_dataset(real_run_ds, tmp_path / "run.nc")
    out = write_report(path)
    assert out == tmp_path / "report.html"
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert not list(tmp_path.glob(".*.tmp"))


def test_report_cli(tmp_path, comparison_dir, capsys):
    target = tmp_path / "cli.html"
    assert main(["report", str(comparison_dir), "-o", str(target), "--case", "greedy",
                 "--indicators", "9.5.1"]) == 0
    text = target.read_text(encoding="utf-8")
    assert "Allocation under greedy" in text
    assert main(["report", str(comparison_dir), "-o", str(tmp_path / "bad.html"),
                 "--indicators", "9.5.1,9.9.9"]) == 2
    assert not (tmp_path / "bad.html").exists()
    assert "9.9.9" in capsys.readouterr().err
    assert main(["report", str(tmp_path / "missing")]) == 2


def test_steps_5_and_6_detail_the_optimisers_plan(comparison_report):
    """Steps 5-6 default to the optimiser's allocation (objective sdg here), the objective
    row is a sentence, the baseline table has names and units, plot titles do not repeat
    the indicator code."""
    parts = sections(comparison_report)
    assert "Allocation under optimal_sdg" in parts["roadmap"]
    assert "Monitoring plan for optimal_sdg" in parts["execution"]
    row = re.search(r"<td>Objective</td><td>(.*?)</td>", parts["objectives"], flags=re.S)
    assert row and "{" not in row.group(1) and "SDG-index points" in row.group(1)
    baseline = parts["situation"].split("<h3>Baseline indicators</h3>", 1)[1].split(
        "</table>", 1)[0]
    assert "Researchers (in full-time equivalent) per million inhabitants" in baseline or \
        "per million inhabitants" in baseline
    assert not re.search(r"(\d+\.\d+\.\d+) \1\b", comparison_report)


def test_regional_equity_view_of_a_pilot_run(tmp_path):
    """A pilot's report shows its real regions' equity: lowest and highest region, gap."""
    from stisim.analysis.regional_equity import regional_equity
    from stisim.config import load_config
    from stisim.pipeline import run

    ds = run(load_config("run", ["country=kenya", "firms.count=500", "time.end_year=2025"]))
    frame = regional_equity(ds)
    assert set(frame["indicator"]) == {"7.1.1", "7.1.2", "9.c.1", "17.6.1", "17.8.1"}
    e = frame[frame["indicator"] == "7.1.1"].iloc[0]
    assert e["year"] == 2022 and e["gap"] > 10 and "Western" in e["lowest region"]
    assert 0 < e["population below national"] < 1
    html = build_report(ds)
    part = sections(html)["situation"]
    assert "Regional equity" in part and "first-level administrative regions" in part
    assert "Nairobi" in part


def test_budget_table_of_a_robust_plan_averages_its_scenarios(allocation_ds):
    """A robust plan's budgets carry a scenario dimension: the table shows the mean."""
    import xarray as xr

    from stisim.analysis.report import _per_source

    factor = xr.DataArray([0.5, 1.0, 1.5], dims="scenario")
    robust = allocation_ds.assign(budget_used=allocation_ds["budget_used"] * factor,
                                  budget_shadow_price=allocation_ds["budget_shadow_price"]
                                  * factor)
    used = _per_source(robust["budget_used"])
    plain = _per_source(allocation_ds["budget_used"])
    assert list(used.index) == list(plain.index)
    assert used.to_numpy() == pytest.approx(plain.to_numpy())
    years = allocation_ds["year"]
    robust["sdg_index_gain"] = xr.DataArray(
        [0.1 * (i + 1) for i in range(years.size)], dims="year",
        coords={"year": years}) * factor
    text = build_report(robust)
    assert "Budgets and their use" in text
    assert "expected over 3 scenarios" in text
