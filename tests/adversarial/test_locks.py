"""Issue items 2, 5, 6 and 11: concurrent and failed commands lose nothing; clean-up removes
only what the command itself created."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from tests.adversarial.conftest import cli, snapshot

SWEEP = ["sweep.replicates=1", "time.end_year=2023", "firms.count=100", "sweep.progress=false",
         "sweep.executor.kind=serial"]


@pytest.fixture
def holder(scratch):
    """Another process holding the lock of outputs/sweeps/c3 (a running sweep)."""
    directory = scratch.root / "outputs" / "sweeps" / "c3"
    code = textwrap.dedent(f"""
        import sys, time
        from stisim.io import DirectoryLock
        lock = DirectoryLock({str(directory)!r})
        lock.acquire()
        print("held", flush=True)
        time.sleep(120)
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    for name, text in (("sweep.log", "log of the running sweep\n"),
                       ("sweep.json", "{}\n")):
        (directory / name).write_text(text, encoding="utf-8")
    (directory / ".hydra").mkdir()
    (directory / ".hydra" / "config.yaml").write_text("seed: 1\n", encoding="utf-8")
    yield directory, proc
    proc.kill()
    proc.wait()


def test_refused_concurrent_sweep_touches_nothing(scratch, holder):
    directory, proc = holder
    before = snapshot(directory)
    for _ in range(2):  # the second refusal proves the lock survived the first
        res = cli("sweep", "sweep.name=c3", *SWEEP)
        assert res.one_message(), res.text
        assert f"pid {proc.pid}" in res.err
        assert snapshot(directory) == before


def test_lock_is_released_and_reentrant(tmp_path):
    from stisim.io import DirectoryLock

    a, b = DirectoryLock(tmp_path / "d"), DirectoryLock(tmp_path / "d")
    a.acquire()
    b.acquire()  # the same process nests
    b.release()
    a.release()
    code = ("from stisim.io import DirectoryLock; import sys; "
            f"DirectoryLock({str(tmp_path / 'd')!r}).acquire()")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_failed_resume_keeps_the_folder(scratch, monkeypatch):
    """An unexpected failure (unreachable scheduler, full disk) of a resumed sweep removes
    nothing that existed before."""
    assert cli("sweep", "sweep.name=r", *SWEEP).rc == 0
    directory = scratch.root / "outputs" / "sweeps" / "r"
    (directory / "sweep.nc").unlink()
    before = snapshot(directory)

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device", str(directory / "sweep.nc"))

    monkeypatch.setattr("stisim.sweep.runner._run", boom)
    res = cli("sweep", "sweep.name=r", *SWEEP)
    assert res.one_message(), res.text
    assert "No space left on device" in res.err
    after = snapshot(directory)
    assert {k: v for k, v in after.items() if not k.startswith(".hydra") and k != "sweep.log"
            and k != "sweep.json"} == {k: v for k, v in before.items()
                                      if not k.startswith(".hydra") and k != "sweep.log"
                                      and k != "sweep.json"}
    assert (directory / "sweep.log").exists() and (directory / ".hydra").is_dir()
    assert (directory / "manifest.jsonl").exists()


def test_fresh_failed_sweep_leaves_nothing(scratch, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("scheduler unreachable")

    monkeypatch.setattr("stisim.sweep.runner._run", boom)
    assert cli("sweep", "sweep.name=f", *SWEEP).rc != 0
    assert not (scratch.root / "outputs").exists()


def test_same_instant_multiruns_get_their_own_folders(scratch):
    from stisim.cli import outdirs
    from stisim.config.compose import compose

    cfg = compose("run", ["seed=1"])  # one composed config: the same ${now} for both
    first = outdirs.claim(cfg, ["seed=1,2"], True, False)
    second = outdirs.claim(cfg, ["seed=1,2"], True, False)
    outdirs.forget()
    assert first != second
    a, b = (o.partition("=")[2].strip("'") for o in (*first, *second))
    assert b == a + "_2"


def test_two_multiruns_collect_their_own_runs(scratch):
    for seeds in ("1,2", "3,4"):
        assert cli("run", "-m", f"seed={seeds}", "time.end_year=2023", "firms.count=100",
                   "output.summary=false").rc == 0
    folders = sorted((scratch.root / "outputs" / "multirun").iterdir())
    assert len(folders) == 2
    runs = [sorted(p.parent.name for p in f.rglob("run.nc")) for f in folders]
    assert runs == [["0", "1"], ["0", "1"]]


def test_sweep_whose_runs_all_fail_exits_nonzero(scratch):
    res = cli("sweep", "sweep.name=allfail", *SWEEP,
              "sweep.run_function=stisim.summary.run_summary")
    assert res.rc == 1, res.text
    assert "every run of the sweep failed" in res.err
    assert (scratch.root / "outputs" / "sweeps" / "allfail" / "manifest.jsonl").exists()


def test_portfolio_error_leaves_no_empty_folders(scratch):
    bad = scratch.root / "bad.yaml"
    bad.write_text("name: x\nactions: 3\n", encoding="utf-8")
    res = cli("optimise", f"optimise.portfolio={bad}")
    assert res.one_message(), res.text
    assert not (scratch.root / "outputs").exists()


def test_unreachable_scheduler_is_one_message_and_leaves_nothing(scratch):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    res = cli("sweep", "sweep.name=u", *SWEEP[:-1], "sweep.executor.kind=dask",
              f"sweep.executor.address=tcp://127.0.0.1:{port}")
    assert res.one_message(), res.text
    assert "cannot reach the Dask scheduler" in res.err
    assert not (scratch.root / "outputs").exists()


def test_resume_removes_staging_left_by_a_killed_assembly(scratch):
    directory = scratch.root / "outputs" / "sweeps" / "st"
    assert cli("sweep", "sweep.name=st", *SWEEP).rc == 0
    (directory / ".sweep.nc.k1ll3d").mkdir()
    (directory / ".sweep.nc.k1ll3d" / "part").write_bytes(b"x" * 100)
    (directory / ".sweep.nc.tmp42").write_bytes(b"partial")
    assert cli("sweep", "sweep.name=st", *SWEEP).rc == 0
    assert sorted(p.name for p in directory.glob(".sweep.nc.*")) == []
    assert (directory / "sweep.nc").exists()
