"""Journeys on real outputs made in this session: a small Morris sweep, a compare directory
and an optimise directory (fixtures in conftest.py), through report, sensitivity, discover
and the dashboard, as a user runs them."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from stisim.cli import main

CONDITION = "goal_score(goal=9, time=2027) < quantile(goal_score(goal=9, time=2027), 0.3)"
OUTCOME = "goal_score(goal=9, time=2027)"
STISIM = str(Path(sys.executable).with_name("stisim"))  # the console script users run
SIX_STEPS = ("1. Objectives and scope", "2. Current situation", "3. Vision, goals and targets",
             "4. Alternative pathways", "5. Detailed roadmap",
             "6. Execution, monitoring and update")


def _html(path) -> str:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    for step in SIX_STEPS:
        assert step in text
    return text


def test_report_on_a_real_sweep(real_sweep_dir, tmp_path, capsys):
    out = tmp_path / "sweep.html"
    assert main(["report", str(real_sweep_dir), "--condition", CONDITION, "-o", str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    html = _html(out)
    # the baseline table of step 2 (it crashed on (run, replicate, indicator) baselines)
    assert "<th>observed in</th>" in html and "<td>2022</td>" in html
    assert "12 runs, design morris" in html
    assert "Which uncertainties matter" in html and "Sensitivity analysis not possible" not in html
    assert "<h4>PRIM (peeling and pasting)</h4>" in html and "<h4>CART</h4>" in html


def test_report_on_real_compare_and_optimise_directories(real_compare_dir, real_optimise_dir,
                                                         tmp_path):
    for name, src in (("compare", real_compare_dir), ("optimise", real_optimise_dir)):
        out = tmp_path / f"{name}.html"
        assert main(["report", str(src), "-o", str(out)]) == 0
        html = _html(out)
        assert f"{src}/{name if name == 'compare' else 'allocation'}.nc" in html
    html = (tmp_path / "compare.html").read_text(encoding="utf-8")
    assert "equal_split" in html and "optimal_sdg" in html
    assert "shadow price" in (tmp_path / "optimise.html").read_text(encoding="utf-8").lower()


def test_sensitivity_on_a_real_sweep(real_sweep_dir, tmp_path, capsys):
    out, plot = tmp_path / "morris.nc", tmp_path / "tornado.png"
    assert main(["sensitivity", str(real_sweep_dir), OUTCOME, "--strict", "-o", str(out),
                 "--plot", str(plot)]) == 0
    captured = capsys.readouterr()
    assert "morris indices of goal_score(goal=9, time=2027)" in captured.out
    assert "n/a" not in captured.out and "warning" not in captured.err
    with xr.open_dataset(out) as r:
        assert np.isfinite(r["morris_mu_star"].values).all()
        assert r.attrs["minimum_runs"] == 8 and json.loads(r.attrs["not_computed"]) == {}
    assert plot.stat().st_size > 1000


def test_sensitivity_below_the_minimum_design_warns_or_refuses(real_sweep_dir, capsys):
    """Delta needs 100 runs; the 12-run sweep gets missing indices, shown as n/a and named
    with the minimum, and --strict refuses it."""
    assert main(["sensitivity", str(real_sweep_dir), OUTCOME, "--method", "delta"]) == 0
    captured = capsys.readouterr()
    assert "warning: delta needs at least 100 runs per setting" in captured.err
    assert "this sweep has 12 runs" in captured.err
    assert captured.out.count("n/a") >= 6 and "not computed" in captured.out
    assert main(["sensitivity", str(real_sweep_dir), OUTCOME, "--method", "delta",
                 "--strict"]) == 2
    assert "error: delta needs at least 100 runs" in capsys.readouterr().err


@pytest.mark.parametrize("method", ["prim", "cart"])
def test_discover_on_a_real_sweep(real_sweep_dir, tmp_path, capsys, method):
    out, plot = tmp_path / f"{method}.nc", tmp_path / f"{method}.png"
    assert main(["discover", str(real_sweep_dir), CONDITION, "--method", method,
                 "--mass-min", "0.1", "-o", str(out), "--plot", str(plot)]) == 0
    text = capsys.readouterr().out
    assert f"{method.upper()}: {CONDITION} holds in" in text and f"wrote {plot}" in text
    assert plot.read_bytes().startswith(b"\x89PNG")
    with xr.open_dataset(out) as r:
        assert r.attrs["n_cases"] == 24
        if method == "cart":
            assert r.sizes["node"] >= 3 and int(r["tree_cases"][0]) == 24
            assert int(r["tree_of_interest"][0]) == r.attrs["n_of_interest"]
        else:
            assert r.sizes["step"] > 1  # the peeling trajectory the picture shows


def test_dashboard_on_real_outputs(real_sweep_dir, real_compare_dir, real_optimise_dir):
    pytest.importorskip("panel")
    from stisim.analysis.dashboard import Dashboard, find_results

    files = [f for d in (real_sweep_dir, real_compare_dir, real_optimise_dir)
             for f in find_results(d)]
    assert sorted(f.name for f in files) == ["allocation.nc", "compare.nc", "sweep.nc"]
    dash = Dashboard(files)
    for label, path in dash.files.items():
        dash.dataset.value = label
        assert not dash.message.visible, dash.message.object
        if path.name == "allocation.nc":
            assert dash.allocation.object is not None
        else:
            assert dash.paths.object is not None
    sweep = next(label for label, p in dash.files.items() if p.name == "sweep.nc")
    dash.dataset.value = sweep
    dash.tabs.active = 0  # tabs draw when shown
    assert dash.cases.value == ["all runs"]
    dash.variable.value = "SDG index"
    assert dash.paths.object.axes[0].get_title(loc="left") == "SDG index"


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_dashboard_stops_cleanly_on_a_signal(real_sweep_dir, sig, code):
    """`stisim dashboard` as a process: serves the sweep, then Ctrl-C (SIGINT) or SIGTERM
    closes it with exit 128 + signal and no traceback."""
    pytest.importorskip("panel")
    from stisim.analysis.dashboard import free_port

    port = free_port()
    proc = subprocess.Popen([STISIM, "dashboard", str(real_sweep_dir), "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        page = _get(f"http://127.0.0.1:{port}/", proc)
        assert "<title>stisim dashboard</title>" in page
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == code, err
    assert "Traceback" not in err and "Error" not in err
    assert "stisim dashboard stopped" in out


def _get(url: str, proc: subprocess.Popen, timeout: float = 90.0) -> str:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                return response.read().decode("utf-8")
        except OSError:
            if proc.poll() is not None:
                raise AssertionError(f"the dashboard exited: {proc.communicate()}") from None
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
