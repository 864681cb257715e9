"""Issue items 1 and 10: a scenario file decides no path outside the output root and reads
no secret from the environment."""

from __future__ import annotations

import pytest

from tests.adversarial.conftest import cli, snapshot

FAST = ["time.end_year=2024", "firms.count=200", "output.summary=false"]


@pytest.mark.parametrize("body", [
    "output:\n  filename: {victim}\n",
    "output:\n  filename: ../../../victim.txt\n",
])
def test_scenario_cannot_overwrite_a_file(scratch, body):
    victim = scratch.root / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    option = scratch.scenario("evil", body.format(victim=victim))
    before = snapshot(scratch.root.parent)
    res = cli("run", option, *FAST)
    assert res.one_message(), res.text
    assert "output.filename" in res.err and "allowed" in res.err
    assert victim.read_text(encoding="utf-8") == "precious"
    assert snapshot(scratch.root.parent) == before


def test_scenario_name_cannot_leave_outputs(scratch):
    option = scratch.scenario("evil", "scenario:\n  name: ../../../../x\n")
    res = cli("run", option, *FAST)
    assert res.one_message(), res.text
    assert "scenario.name" in res.err and "'../../../../x'" in res.err
    assert sorted(p.name for p in scratch.root.parent.iterdir()) == ["shared", "work"]
    assert scratch.outputs() == []


@pytest.mark.parametrize("key,value", [("sweep.dir", "/tmp/elsewhere"),
                                       ("sweep.dir", "outputs/../../x"),
                                       ("coupling.cache_dir", "/tmp/cache"),
                                       ("calibrate.save_dir", "../scenarios")])
def test_scenario_output_dirs_stay_under_outputs(scratch, key, value):
    section, _, field = key.partition(".")
    option = scratch.scenario("evil", f"{section}:\n  {field}: {value}\n")
    res = cli("sweep", option, "sweep.name=s", "--cfg", "job")  # registration refuses it
    res = cli("run", option, *FAST)
    assert res.one_message(), res.text
    assert key in res.err and "scenario file" in res.err
    assert scratch.outputs() == []


def test_symlink_out_of_outputs_is_refused(scratch, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (scratch.root / "outputs").mkdir()
    (scratch.root / "outputs" / "link").symlink_to(outside)
    option = scratch.scenario("evil", "sweep:\n  dir: outputs/link/s\n")
    res = cli("sweep", option, "sweep.replicates=1")
    assert res.one_message(), res.text
    assert "sweep.dir" in res.err
    assert list(outside.iterdir()) == []


def test_command_line_may_choose_any_directory(scratch, tmp_path):
    """The user's own choice on the command line is not confined."""
    from stisim.cli.dispatch import preflight

    preflight("sweep", [f"sweep.dir={tmp_path / 'mine'}", "sweep.name=s"])
    preflight("run", [f"hydra.run.dir={tmp_path / 'mine'}"])


def test_scenario_input_path_outside_scenario_dirs_is_refused(scratch, tmp_path):
    secret = tmp_path / "secret.yaml"
    secret.write_text("key: value\n", encoding="utf-8")
    option = scratch.scenario("evil", f"compare:\n  portfolio: {secret}\n")
    res = cli("compare", option)
    assert res.one_message(), res.text
    assert "compare.portfolio" in res.err


def test_environment_secret_does_not_reach_outputs(scratch, monkeypatch):
    monkeypatch.setenv("STISIM_TEST_SECRET", "hunter2-secret")
    option = scratch.scenario("leak", "scenario:\n  description: key "
                              "${oc.env:STISIM_TEST_SECRET}\n")
    res = cli("run", option, *FAST)
    assert res.one_message(), res.text
    assert "oc.env" in res.err and "hunter2" not in res.text
    assert scratch.outputs() == []


def test_plain_interpolation_stays_allowed(scratch):
    option = scratch.scenario("ok", "scenario:\n  name: shock_${country.iso3}\n")
    res = cli("run", option, *FAST)
    assert res.rc == 0, res.text
    (nc,) = [p for p in scratch.outputs() if p.suffix == ".nc"]
    assert "shock_GHA" in nc.parts
