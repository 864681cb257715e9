"""Fast start: importing stisim, listing the commands and composing a config load no heavy
library; each command imports what it uses when it runs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("pyomo", "dask", "distributed", "panel", "matplotlib", "SALib", "zarr", "mesa",
         "highspy", "scipy", "statsforecast", "netCDF4")


def _loaded_after(code: str) -> set[str]:
    """Top-level packages among HEAVY (and xarray, hydra) loaded by ``code`` in a fresh
    interpreter."""
    probe = (f"{code}\nimport sys, json\n"
             "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_listing_the_commands_loads_only_the_command_table():
    loaded = _loaded_after("from stisim.cli import main\nmain(['--help'])")
    assert not loaded & {*HEAVY, "xarray", "pandas", "numpy", "hydra", "omegaconf"}


@pytest.mark.parametrize("command", ["run", "optimise", "sweep", "compare"])
def test_composing_a_config_loads_no_engine(command):
    loaded = _loaded_after(f"from stisim.config import load_config\n"
                           f"load_config({command!r}, ['portfolio=kenya'] "
                           f"if {command!r} == 'optimise' else [])")
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_the_public_names_are_there_on_first_use():
    import stisim
    import stisim.agents
    import stisim.sdg

    assert callable(stisim.run) and callable(stisim.load_config)
    assert stisim.agents.InnovationSystem.__name__ == "InnovationSystem"
    assert callable(stisim.sdg.goal_scores) and "run" in dir(stisim)
    with pytest.raises(AttributeError):
        _ = stisim.no_such_name
