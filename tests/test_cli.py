"""The command line as a new user meets it (in-process, in a temporary working directory)."""

from __future__ import annotations

from pathlib import Path

import pytest

from stisim.cli import main
from stisim.dataset import identical_results
from stisim.io import open_dataset


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def outputs(root: Path) -> list[Path]:
    return sorted(p for p in (root / "outputs").rglob("*") if p.is_file()) \
        if (root / "outputs").exists() else []


def test_run_writes_a_labelled_dataset(workdir, capsys):
    assert main(["run", "country=ghana", "seed=3"]) == 0
    (nc,) = [p for p in outputs(workdir) if p.suffix == ".nc"]
    assert nc.name == "run.nc" and "GHA" in nc.parts
    ds = open_dataset(nc)
    assert ds.attrs["seed"] == 3 and "9.5.1" in ds["indicator"].values
    out = capsys.readouterr().out
    assert "SDG index" in out and "wrote" in out
    # Hydra's job logging goes to the terminal only: no empty run.log beside the result.
    assert [p for p in outputs(workdir) if p.suffix == ".log"] == []


@pytest.mark.parametrize("args", [["country=atlantis"], ["seed=-1"], ["time.stpes=2"],
                                  ["scenario=no_such_scenario"]])
def test_bad_input_exits_nonzero_and_writes_nothing(workdir, capsys, args):
    assert main(["run", *args]) != 0
    err = capsys.readouterr().err
    assert "error" in err and "allowed" in err
    assert outputs(workdir) == []


def test_bad_multirun_job_writes_nothing(workdir, capsys):
    assert main(["run", "-m", "seed=1,-1"]) != 0
    assert "seed=-1" in capsys.readouterr().err
    assert outputs(workdir) == []


def test_same_seed_same_dataset(workdir):
    for _ in range(2):
        assert main(["run", "country=kenya", "seed=7", "output.summary=false"]) == 0
    a, b = (open_dataset(p) for p in outputs(workdir) if p.suffix == ".nc")
    assert identical_results(a, b)


def test_multirun(workdir):
    assert main(["run", "-m", "country=ghana,serbia", "output.summary=false"]) == 0
    ncs = [p for p in outputs(workdir) if p.suffix == ".nc"]
    assert {open_dataset(p).attrs["country"] for p in ncs} == {"Ghana", "Serbia"}


def test_cfg_job_prints_config(workdir, capsys):
    assert main(["run", "--cfg", "job", "country=india"]) == 0
    assert "m49: 356" in capsys.readouterr().out
    assert outputs(workdir) == []


@pytest.mark.parametrize(("name", "own"), [
    ("run", ["time.end_year=2040", "output.summary=true"]),
    ("optimise", ["objective=value", "optimise.mip_gap=", "optimise.pareto.against=null"]),
    ("sweep", ["sweep.samples=16", "sweep.executor.kind=processes"]),
    ("compare", ["replicates=5", "compare.envelope=", "coupling.responses=auto",
                 "firms.count=3000"]),
    ("calibrate", ["calibrate.max_evals=200"])])
def test_hydra_command_help_shows_its_own_options(workdir, capsys, name, own):
    """--help: the command's options, groups and examples, not the composed config."""
    assert main([name, "--help"]) == 0
    out = capsys.readouterr().out
    assert len(out.splitlines()) < 80, len(out.splitlines())
    assert f"stisim {name} --cfg job prints the full composed config" in out
    assert "Model sections" in out and "firms, diffusion" in out
    for option in own:
        assert f"  {option}" in out, option
    assert "$CONFIG" not in out and "laumann_region:" not in out
    assert max(len(line) for line in out.splitlines()) <= 100
    assert outputs(workdir) == [] and not (workdir / "outputs").exists()


def test_every_hydra_command_has_a_short_help(workdir, capsys):
    from stisim.cli import COMMANDS

    hydra_commands = [c.name for c in COMMANDS.values() if c.config_name]
    assert {"run", "optimise", "sweep", "compare", "calibrate"} <= set(hydra_commands)
    for name in hydra_commands:
        assert main([name, "--help"]) == 0
        out = capsys.readouterr().out
        assert len(out.splitlines()) < 80 and "$CONFIG" not in out, name
        assert f"usage: stisim {name} " in out and "--cfg job" in out, name
    assert outputs(workdir) == []


def test_help_and_unknown_command(capsys):
    assert main([]) == 0
    assert "run" in capsys.readouterr().out
    assert main(["rnu"]) == 2
    assert "did you mean 'run'" in capsys.readouterr().err


def test_countries_listing(capsys):
    assert main(["countries", "--region", "Western Africa"]) == 0
    assert "ghana" in capsys.readouterr().out


def test_python_dash_m_stisim():
    """``python -m stisim`` is the same command line as the ``stisim`` script."""
    import subprocess
    import sys

    from stisim._version import __version__

    done = subprocess.run([sys.executable, "-m", "stisim", "--version"], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == __version__
    done = subprocess.run([sys.executable, "-m", "stisim", "rnu"], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 2 and "did you mean 'run'" in done.stderr
