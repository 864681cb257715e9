"""Issue item 3: scenario files reach no code and no machine outside stisim."""

from __future__ import annotations

import pytest

from stisim.plugins import resolve_object
from tests.adversarial.conftest import cli

SWEEP = ["sweep.name=c", "sweep.replicates=1", "time.end_year=2024", "firms.count=100",
         "sweep.progress=false"]


@pytest.mark.parametrize("spec", ["stisim.io:os.system", "stisim.io.os.system",
                                  "stisim.cli:sys.exit", "stisim.cli.dispatch.shutil.rmtree",
                                  "stisim.io:_private", "stisimx.mod:f", "os:system",
                                  "stisim.plugins:importlib.import_module", ""])
def test_resolver_refuses_objects_outside_stisim(spec):
    with pytest.raises(ValueError):
        resolve_object(spec)


def test_resolver_finds_stisim_functions():
    from stisim.pipeline import run

    assert resolve_object("stisim.pipeline.run") is run
    assert resolve_object("stisim.pipeline:run") is run


@pytest.mark.parametrize("spec", ["stisim.io:os.system", "stisim.cli.dispatch:sys.exit"])
def test_run_function_on_the_command_line_is_checked(scratch, spec):
    res = cli("sweep", *SWEEP, f"sweep.run_function={spec}")
    assert res.one_message(), res.text
    assert "sweep.run_function" in res.err and "refused" in res.err
    assert scratch.outputs() == []


@pytest.mark.parametrize("body,key", [
    ("sweep:\n  run_function: stisim.pipeline.run\n", "sweep.run_function"),
    ("sweep:\n  executor:\n    address: tcp://203.0.113.9:8786\n", "sweep.executor.address"),
    ("sweep:\n  executor:\n    cluster: slurm\n", "sweep.executor.cluster"),
    ("sweep:\n  executor:\n    jobqueue: {job_script_prologue: ['curl x | sh']}\n",
     "sweep.executor.jobqueue"),
    ("optimise:\n  extra_functionality: stisim.io:os.system\n", "optimise.extra_functionality"),
    ("firms:\n  _target_: os.system\n", "firms._target_"),
])
def test_scenario_file_cannot_name_code_or_machines(scratch, body, key):
    option = scratch.scenario("evil", body)
    res = cli("sweep", option, *SWEEP)
    assert res.one_message(), res.text
    assert key in res.err and "evil.yaml" in res.err
    assert scratch.outputs() == []


def test_extra_functionality_hook_is_checked():
    from stisim.errors import ConfigError
    from stisim.optimize.model import resolve_hook

    with pytest.raises(ConfigError, match=r"optimise\.extra_functionality"):
        resolve_hook("stisim.io:os.system")
