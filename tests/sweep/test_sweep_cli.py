"""`stisim sweep` and `stisim collect` through the command line (in-process), and the
ready-made sweep configs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from stisim.cli import main
from stisim.config import load_config
from stisim.config.compose import config_dir
from stisim.errors import ConfigError
from stisim.sweep.plan import plan_sweep

SWEEPS = sorted(p.stem for p in (config_dir() / "sweep").glob("*.yaml"))


def test_sweep_command_runs_resumes_and_writes_its_directory(tmp_path, capsys):
    out = tmp_path / "cli"
    argv = ["sweep", "sweep.design=lhs", "sweep.samples=2", "sweep.replicates=2",
            "+sweep.uncertainties={time.base_year:{dist:integer,low:2019,high:2022}}",
            "sweep.executor.kind=serial", "sweep.progress=false", f"sweep.dir={out}"]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "4 tasks; 4 ok, 0 failed" in text
    ds = xr.open_dataset(out / "sweep.nc")
    assert ds.sizes["run"] == 2 and ds.sizes["replicate"] == 2
    assert set(ds["time.base_year"].values) <= {2019, 2020, 2021, 2022}
    assert np.isfinite(ds["sdg_index"].max())
    ds.close()
    assert (out / "sweep.log").exists() and (out / ".hydra" / "overrides.yaml").exists()
    assert main(argv) == 0  # same command again: everything is already done
    assert "0 run on none" in capsys.readouterr().out
    assert "4 already done" in (out / "sweep.log").read_text()


def test_bad_sweep_is_refused_before_anything_is_written(tmp_path, capsys):
    out = tmp_path / "bad"
    code = main(["sweep", "+sweep.uncertainties={time.base_year:{low:2019,high:2035}}",
                 f"sweep.dir={out}"])
    err = capsys.readouterr().err
    assert code == 2
    assert "sweep.uncertainties.time.base_year" in err and "integer" in err
    assert not out.exists()


@pytest.mark.slow
def test_collect_merges_a_real_multirun(tmp_path, capsys):
    multirun = tmp_path / "mr"
    assert main(["run", "-m", "country=ghana,kenya", "seed=1,2", "output.summary=false",
                 f"hydra.sweep.dir={multirun}"]) == 0
    assert main(["collect", str(multirun)]) == 0
    assert "4 jobs: 2 runs x 2 replicate(s)" in capsys.readouterr().out
    ds = xr.open_dataset(multirun / "collected.nc").load()
    assert list(ds["country"].values) == ["ghana", "kenya"]
    assert ds["seed"].values.tolist() == [[1, 2], [1, 2]]
    assert (ds["run_status"].values == "ok").all()
    ghana = xr.open_dataset(multirun / "0" / "run.nc").load()
    np.testing.assert_array_equal(ds["indicator_value"].sel(run=0, replicate=0).values,
                                  ghana["indicator_value"].values)
    assert ds["indicator_name"].dims == ("indicator",)  # the same in every job: once


@pytest.mark.slow
def test_collect_marks_jobs_without_output_failed(tmp_path, capsys):
    multirun = tmp_path / "mr"
    assert main(["run", "-m", "country=ghana,kenya", "output.summary=false",
                 f"hydra.sweep.dir={multirun}"]) == 0
    (multirun / "1" / "run.nc").unlink()
    assert main(["collect", str(multirun), "--out", str(tmp_path / "c.nc")]) == 0
    ds = xr.open_dataset(tmp_path / "c.nc").load()
    assert ds["run_status"].values[:, 0].tolist() == ["ok", "failed"]
    assert np.isnan(ds["indicator_value"].sel(run=1)).all()
    assert main(["collect", str(tmp_path / "nothing")]) == 2


@pytest.mark.parametrize("name", SWEEPS)
def test_ready_made_sweeps_validate_and_plan(name):
    try:
        cfg = load_config("sweep", [f"sweep={name}"])
    except ConfigError as exc:
        missing = [p for p in exc.problems if "no config section" in p.message]
        if missing and len(missing) == len(exc.problems):
            pytest.skip(f"needs model sections not in this build: {missing[0].value}")
        raise
    plan = plan_sweep(cfg, [f"sweep={name}"])
    assert plan.n_runs >= 2 and len(plan.tasks) == plan.n_runs * cfg.sweep.replicates
    assert Path(config_dir() / "sweep" / f"{name}.yaml").read_text().startswith(
        "# @package _global_")
