"""Kill a running sweep with SIGKILL, run it again: it finishes the rest and the dataset
equals that of an uninterrupted sweep with the same seeds."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil

from stisim.dataset import identical_results
from stisim.sweep.runner import run_sweep
from stisim.sweep.store import SweepStore

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
OVERRIDES = ["sweep.design=lhs", "sweep.samples=30", "sweep.replicates=2",
             "+sweep.uncertainties={toy.x1:{low:-3,high:3},toy.x2:{low:-3,high:3}}",
             "++toy.delay=0.05", "sweep.progress=false"]
SCRIPT = textwrap.dedent(f"""
    import sys
    sys.path[:0] = [{str(ROOT)!r}, {str(HERE)!r}]
    import sweeptoy
    from stisim.sweep.runner import run_sweep
    run_sweep({OVERRIDES!r}, directory=sys.argv[1], run_function=sweeptoy.toy_run,
              executor="processes", workers=2, batch_size=2)
""")


def _manifest_lines(path: Path) -> int:
    try:
        return path.read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


def test_sigkill_midway_then_resume_equals_uninterrupted(tmp_path, toy):
    directory = tmp_path / "killed"
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT, str(directory)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    children: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + 60
        while _manifest_lines(directory / "manifest.jsonl") < 8:
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "the sweep did not start"
            time.sleep(0.02)
        children = psutil.Process(proc.pid).children(recursive=True)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        _, alive = psutil.wait_procs(children, timeout=15)
        assert not alive, f"worker processes outlived the killed sweep: {alive}"
    finally:
        if proc.poll() is None:
            proc.kill()
        for child in children:
            if child.is_running():
                child.kill()
        proc.stderr.close()
    finished = _manifest_lines(directory / "manifest.jsonl")
    assert 8 <= finished < 60, "the kill came too late to test a resume"
    assert not (directory / "sweep.nc").exists()

    resumed = run_sweep(OVERRIDES, directory=directory, run_function=toy.toy_run,
                        executor="processes", workers=2)
    assert resumed.already_done >= 8 and resumed.ran == 60 - resumed.already_done
    assert resumed.failed == 0
    store = SweepStore(directory)
    assert len(store.load()) == 60 and store.bad_lines == 0

    reference = run_sweep(OVERRIDES, directory=tmp_path / "whole", run_function=toy.toy_run,
                          executor="processes", workers=2)
    assert reference.ran == 60
    assert identical_results(resumed.open(), reference.open())
