"""The sensitivity and discover commands, in-process."""

from __future__ import annotations

import xarray as xr

from stisim.cli import main


def test_sensitivity_command(tmp_path, sweep_file, capsys):
    out = tmp_path / "s.nc"
    plot = tmp_path / "tornado.png"
    assert main(["sensitivity", str(sweep_file), "goal_score(goal=9, time=2030)", "-o", str(out),
                 "--plot", str(plot)]) == 0
    text = capsys.readouterr().out
    assert "sobol indices of goal_score(goal=9, time=2030)" in text
    assert text.index("diffusion.p") < text.index("finance.budget_growth")
    with xr.open_dataset(out) as ds:
        assert set(ds.data_vars) >= {"sobol_s1", "sobol_st"}
    assert plot.stat().st_size > 1000


def test_discover_command(tmp_path, sweep_file, capsys):
    out = tmp_path / "boxes.nc"
    cond = "goal_score(goal=9, time=2030) < quantile(goal_score(goal=9, time=2030), 0.2)"
    assert main(["discover", str(sweep_file), cond, "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert "PRIM:" in text and "diffusion.p" in text
    with xr.open_dataset(out) as ds:
        assert ds.sizes["box"] >= 1
    assert main(["discover", str(sweep_file), cond, "--method", "cart"]) == 0
    assert "CART:" in capsys.readouterr().out


def test_bad_input_is_a_clean_error(tmp_path, sweep_file, comparison_dir, capsys):
    assert main(["discover", str(sweep_file), "goal_score(goal=9) < 50"]) == 2
    assert "unselected" in capsys.readouterr().err
    assert main(["discover", str(sweep_file), "sdg_index(time=2030) < 60",
                 "--threshold", "2"]) == 2
    assert "--threshold" in capsys.readouterr().err
    assert main(["sensitivity", str(comparison_dir), "sdg_index(time=2030)"]) == 2
    assert "no sweep dataset found" in capsys.readouterr().err


def test_dashboard_command_rejects_bad_input(tmp_path, capsys):
    assert main(["dashboard", str(tmp_path), "--port", "70000"]) == 2
    assert "--port" in capsys.readouterr().err
    assert main(["dashboard", str(tmp_path / "none"), "--port", "0"]) == 2
    assert "no .nc or .zarr result files" in capsys.readouterr().err
