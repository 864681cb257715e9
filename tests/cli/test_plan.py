"""``stisim plan``: portfolio in, plan tested in the agent model and report out, in one folder;
a re-run after editing one action simulates only the allocations that changed."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from stisim.cli import main
from stisim.roadmap.portfolio import SCENARIO_DIR


def _small(tmp_path: Path) -> list[str]:
    return ["firms.count=150", "time.end_year=2026", "compare.workers=1",
            "compare.pilot_replicates=2", "compare.max_replicates=3", "replicates=2",
            "coupling.response_replicates=2", "coupling.response_levels=[1.0]",
            "coupling.counterfactual_replicates=1",
            f"coupling.counterfactual_cache_dir={tmp_path / 'cache' / 'cf'}",
            f"coupling.cache_dir={tmp_path / 'cache' / 'responses'}",
            f"coupling.run_cache_dir={tmp_path / 'cache' / 'runs'}"]


def _runs(out: str) -> tuple[int, int]:
    m = re.search(r"agent-model runs: (\d+) simulated, (\d+) read from the run cache", out)
    assert m, out
    return int(m[1]), int(m[2])


@pytest.mark.slow
def test_plan_writes_one_folder_and_a_rerun_reuses_what_did_not_change(tmp_path, capsys):
    portfolio = tmp_path / "roadmap.yaml"
    text = (SCENARIO_DIR / "ghana.yaml").read_text(encoding="utf-8")
    portfolio.write_text(text, encoding="utf-8")
    first = tmp_path / "first"
    code = main(["plan", f"portfolio={portfolio}", *_small(tmp_path), "plan.report=false",
                 f"hydra.run.dir={first}"])
    out = capsys.readouterr().out
    assert code == 0, out
    for name in ("allocation.nc", "allocation_robust.nc", "compare.nc", "summary.txt"):
        assert (first / name).exists(), name
    for stage in ("[1/6] validate", "[2/6] counterfactual", "[3/6] responses",
                  "[4/6] optimise", "[5/6] compare"):
        assert stage in out
    assert "stisim plan: " in out and "(Ghana, scenario baseline, objective sdg)" in out
    assert (first / "summary.txt").read_text(encoding="utf-8").strip() in out
    cmp = xr.open_dataset(first / "compare.nc")
    strategies = list(map(str, cmp["strategy"].values))
    assert strategies == ["no_roadmap", "optimal_sdg", "robust_sdg", "equal_split",
                          "expert_ranking"]
    alloc = xr.open_dataset(first / "allocation.nc")
    # the plan compared is the plan written
    spend = alloc["spend"].transpose("action", "year", "source").fillna(0.0)
    compared = cmp["spend"].sel(strategy="optimal_sdg", drop=True)
    np.testing.assert_array_equal(compared.values, spend.sel(action=compared["action"],
                                                             source=compared["source"],
                                                             year=compared["year"]).values)
    assert xr.open_dataset(first / "allocation_robust.nc").attrs["robust_measure"] == "cvar"
    simulated, cached = _runs(out)
    assert simulated > 0 and cached == 0

    # one action's cost edited: its response runs and the allocations that changed only
    assert "    cost: [4, 6, 7, 7, 7, 7, 7, 7, 7]\n" in text  # the first action's
    edited = text.replace("    cost: [4, 6, 7, 7, 7, 7, 7, 7, 7]\n",
                          "    cost: [5, 6, 7, 7, 7, 7, 7, 7, 7]\n", 1)
    portfolio.write_text(edited, encoding="utf-8")
    third = tmp_path / "third"
    assert main(["plan", f"portfolio={portfolio}", *_small(tmp_path),
                 f"hydra.run.dir={third}"]) == 0
    out = capsys.readouterr().out
    assert "[6/6] report" in out
    report = (third / "report.html").read_text(encoding="utf-8")
    assert "5. Detailed roadmap" in report and "optimal_sdg" in report
    simulated3, cached3 = _runs(out)
    assert 0 < simulated3 < simulated and cached3 > 0
    # (a cached run is the simulated run: tests/coupling/test_runcache.py)


def test_plan_takes_the_country_from_the_portfolio_and_refuses_another(tmp_path, capsys):
    run_dir = tmp_path / "run"
    code = main(["plan", "portfolio=ghana", "country=kenya", f"hydra.run.dir={run_dir}"])
    err = capsys.readouterr().err
    assert code == 2 and "the portfolio is for Ghana" in err
    assert not run_dir.exists()


def test_plan_without_a_portfolio_or_with_a_bad_one_writes_nothing(tmp_path, capsys):
    run_dir = tmp_path / "run"
    assert main(["plan", f"hydra.run.dir={run_dir}"]) == 2
    assert "no portfolio given" in capsys.readouterr().err
    bad = tmp_path / "bad.yaml"
    bad.write_text((SCENARIO_DIR / "kenya.yaml").read_text(encoding="utf-8")
                   .replace("discount_rate: 0.05", "discount_rate: lots"), encoding="utf-8")
    assert main(["plan", f"portfolio={bad}", f"hydra.run.dir={run_dir}"]) == 2
    assert "discount_rate" in capsys.readouterr().err
    assert main(["plan", "-m", "portfolio=kenya,ghana", f"hydra.run.dir={run_dir}"]) == 2
    assert "runs one job" in capsys.readouterr().err
    assert not run_dir.exists()


def test_plan_help_names_its_options_and_examples(capsys):
    assert main(["plan", "--help"]) == 0
    out = capsys.readouterr().out
    assert "stisim plan portfolio=kenya" in out and "plan.robust" in out
    assert "compare.max_replicates" in out


def test_plan_cfg_job_shows_the_portfolios_country(capsys):
    assert main(["plan", "portfolio=serbia", "--cfg", "job"]) == 0
    out = capsys.readouterr().out
    assert "name: Serbia" in out and "portfolio: serbia" in out


def test_plan_refuses_settings_it_would_ignore(tmp_path, capsys):
    run_dir = tmp_path / "run"
    code = main(["plan", "portfolio=kenya", "compare.loop=true",
                 "optimise.pareto.against=min_cost", f"hydra.run.dir={run_dir}"])
    err = capsys.readouterr().err
    assert code == 2 and "compare.loop" in err and "optimise.pareto.against" in err
    assert not run_dir.exists()
