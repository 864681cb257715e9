"""Benchmark of the sweep engine on the default model (``stisim.pipeline.run``).

Reports, each against its reference:

1. **Parallel efficiency** of the ``processes`` and ``dask`` executors against ``serial`` on
   the same sweep: ``T_serial / (workers x T_parallel)`` over the execution phase (start-up
   of the pool or cluster included), target >= 85 % on 2 cores. ``--scaling 1,2,4,8,16`` adds
   the speed-up at each worker count (target >= 12x at 16 workers on a 16-core machine).
2. **stisim's overhead per run** beyond the simulation itself: the serial sweep's wall time
   (config, run file, manifest, progress, assembly) minus the time spent inside the run
   function, per run, in a process that has run a small sweep before (what a process pays
   once, imports and first-use caches, is reported apart); target <= 20 ms. A plain loop
   calling ``stisim.run(cfg)`` on the same configs is timed alongside as the reference.
3. **A 10,000-run sweep**: completes and assembles; peak memory of the whole process tree
   (driver + workers, sampled with psutil) and the driver's own peak RSS; target < 2 GB.

The sweep is the default config replicated over seeds (no swept parameters), so each run is
one default-model simulation. Usage::

    python benchmarks/bench_sweep.py                       # full sizes (minutes)
    python benchmarks/bench_sweep.py --quick               # small sizes (a check it works)
    python benchmarks/bench_sweep.py --scaling 1,2,4,8,16  # on a 16-core machine
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


class ProcessTree:
    """Peak summed RSS and CPU seconds of this process and all its descendants.

    Sampled in a thread; the CPU time of each process is the last value seen (a process that
    ends between samples loses at most one interval). CPU time is what a sweep costs whatever
    else the machine runs; wall time on a shared machine is not.
    """

    def __init__(self, interval: float = 0.1) -> None:
        self.interval = interval
        self.peak = 0
        self.cpu: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        me = psutil.Process()
        total = 0
        for p in [me, *me.children(recursive=True)]:
            try:
                with p.oneshot():
                    total += p.memory_info().rss
                    t = p.cpu_times()
                    self.cpu[p.pid] = t.user + t.system
            except psutil.Error:
                continue
        self.peak = max(self.peak, total)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.interval)

    @property
    def cpu_seconds(self) -> float:
        return sum(self.cpu.values())

    def __enter__(self) -> ProcessTree:
        self._base = dict(self.cpu)
        self._sample()
        self._start_cpu = dict(self.cpu)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()
        # CPU spent inside the block: subtract what the processes had used before it.
        self.cpu = {pid: c - self._start_cpu.get(pid, 0.0) for pid, c in self.cpu.items()}


def overrides(runs: int, name: str) -> list[str]:
    return [f"sweep.name={name}", f"sweep.replicates={runs}", "sweep.progress=false"]


def sweep(tmp: Path, runs: int, executor: str, workers: int, name: str, **kw):
    from stisim.sweep.runner import run_sweep

    return run_sweep(overrides(runs, name), directory=tmp / name, executor=executor,
                     workers=workers, **kw)


def measured(tmp: Path, runs: int, kind: str, workers: int, name: str):
    with ProcessTree() as tree:
        res = sweep(tmp, runs, kind, workers, name, assemble=False)
    return res, tree.cpu_seconds


def efficiency(tmp: Path, runs: int, workers: int, kinds: list[str]) -> dict:
    print(f"\n== parallel efficiency: {runs} default-model runs, {workers} workers ==")
    print("wall: T_serial / (workers x T_parallel); steady: the same after the time to the "
          "first result (start-up);\ncpu: serial CPU seconds / parallel CPU seconds of the "
          "whole process tree (load-independent)")
    serial, serial_cpu = measured(tmp, runs, "serial", 1, "eff-serial")
    ts, ts0 = serial.execute_seconds, serial.startup_seconds
    out = {"runs": runs, "workers": workers, "serial_s": ts, "serial_cpu_s": serial_cpu,
           "serial_model_s": serial.model_seconds}
    print(f"serial      {ts:8.2f} s  ({ts / runs * 1e3:.1f} ms/run, model "
          f"{serial.model_seconds / runs * 1e3:.1f} ms/run), CPU {serial_cpu:.1f} s")
    for kind in kinds:
        res, cpu = measured(tmp, runs, kind, workers, f"eff-{kind}")
        tp, tp0 = res.execute_seconds, res.startup_seconds
        wall = ts / (workers * tp)
        steady = (ts - ts0) / (workers * max(tp - tp0, 1e-9))
        cpu_eff = serial_cpu / cpu
        out[kind] = {"seconds": tp, "startup_s": tp0, "cpu_s": cpu, "wall_efficiency": wall,
                     "steady_efficiency": steady, "cpu_efficiency": cpu_eff,
                     "executor": res.executor}
        print(f"{kind:<11} {tp:8.2f} s  (start-up {tp0:.1f} s) speed-up {ts / tp:5.2f}x  "
              f"efficiency wall {wall:6.1%} steady {steady:6.1%} cpu {cpu_eff:6.1%}  "
              f"{'OK' if max(wall, steady) >= 0.85 else 'below'} target 85%  [{res.executor}]")
    return out


def scaling(tmp: Path, runs: int, counts: list[int], kind: str) -> dict:
    print(f"\n== speed-up of {kind} over serial: {runs} runs ==")
    serial = sweep(tmp, runs, "serial", 1, "scale-serial", assemble=False)
    out = {"runs": runs, "serial_s": serial.execute_seconds, "speedup": {}}
    for n in counts:
        res = sweep(tmp, runs, kind, n, f"scale-{kind}-{n}", assemble=False)
        s = serial.execute_seconds / res.execute_seconds
        out["speedup"][n] = s
        print(f"{n:3d} workers {res.execute_seconds:8.2f} s  speed-up {s:6.2f}x  "
              f"efficiency {s / n:6.1%}")
    return out


def overhead(tmp: Path, runs: int) -> dict:
    from stisim.config import load_config
    from stisim.pipeline import run

    print(f"\n== stisim overhead per run: serial sweep of {runs} runs ==")
    # A first, small sweep pays what a process pays once (imports of the netCDF, zarr and
    # Dask layers, first-use caches); the measured sweep then shows the cost per run.
    warm_runs = 20
    warm = sweep(tmp, warm_runs, "serial", 1, "overhead-warm-up")
    warm_total = warm.execute_seconds + warm.assemble_seconds - warm.model_seconds
    res = sweep(tmp, runs, "serial", 1, "overhead")
    wall = res.execute_seconds + res.assemble_seconds
    per_run = (wall - res.model_seconds) / runs
    exec_only = (res.execute_seconds - res.model_seconds) / runs
    once = warm_total - warm_runs * per_run
    # Reference: the same runs called directly (configs composed beforehand).
    ds = res.open()
    cfgs = [load_config("run", [f"seed={int(s)}"]) for s in ds["seed"].values[0, :runs]]
    t0 = time.perf_counter()
    for cfg in cfgs:
        run(cfg)
    loop = (time.perf_counter() - t0) / runs
    print(f"simulation (inside the sweep) {res.model_seconds / runs * 1e3:7.2f} ms/run; "
          f"plain loop of stisim.run {loop * 1e3:7.2f} ms/run")
    print(f"overhead: execution {exec_only * 1e3:6.2f} ms/run + assembly "
          f"{res.assemble_seconds / runs * 1e3:6.2f} ms/run = {per_run * 1e3:6.2f} ms/run  "
          f"{'OK' if per_run <= 0.020 else 'above'} target 20 ms; once per process "
          f"{once:.2f} s (first sweep of {warm_runs} runs: {warm_total:.2f} s beyond the "
          "simulations)")
    return {"runs": runs, "model_ms": res.model_seconds / runs * 1e3, "loop_ms": loop * 1e3,
            "execute_overhead_ms": exec_only * 1e3,
            "assemble_ms": res.assemble_seconds / runs * 1e3, "overhead_ms": per_run * 1e3,
            "once_per_process_s": once}


def big(tmp: Path, runs: int, kind: str, workers: int) -> dict:
    print(f"\n== {runs}-run sweep on {kind} ({workers} workers), assembled ==")
    with ProcessTree(interval=0.5) as mem:
        t0 = time.perf_counter()
        res = sweep(tmp, runs, kind, workers, "big")
        wall = time.perf_counter() - t0
    driver = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    size = res.output.stat().st_size
    ds = res.open()
    ok = int((ds["run_status"] == "ok").sum())
    print(f"{res.tasks} tasks ({ok} ok) in {wall:.1f} s: execution {res.execute_seconds:.1f} s, "
          f"assembly {res.assemble_seconds:.1f} s; sweep.nc {size / 2**20:.1f} MiB")
    print(f"peak memory: process tree {mem.peak / 2**30:.2f} GiB, driver {driver / 2**30:.2f} "
          f"GiB  {'OK' if mem.peak < 2 * 2**30 else 'above'} target 2 GB")
    return {"runs": runs, "executor": res.executor, "wall_s": wall,
            "execute_s": res.execute_seconds, "assemble_s": res.assemble_seconds,
            "ok": ok, "peak_tree_bytes": mem.peak, "peak_driver_bytes": driver,
            "output_bytes": size}


def _autogroup() -> bool:
    try:
        return Path("/proc/sys/kernel/sched_autogroup_enabled").read_text().strip() == "1"
    except OSError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: check it works")
    parser.add_argument("--runs", type=int, default=2000, help="runs of the efficiency test")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--executors", default="processes,dask")
    parser.add_argument("--overhead-runs", type=int, default=300)
    parser.add_argument("--big-runs", type=int, default=10_000)
    parser.add_argument("--big-executor", default="processes")
    parser.add_argument("--scaling", default="", help="worker counts, e.g. 1,2,4,8,16")
    parser.add_argument("--scaling-executor", default="processes")
    parser.add_argument("--skip", default="", help="parts to skip: efficiency,overhead,big")
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    parser.add_argument("--tmp", type=Path, default=None, help="directory for the sweeps")
    args = parser.parse_args()
    if args.quick:
        args.runs, args.overhead_runs, args.big_runs = 60, 60, 300
    skip = set(filter(None, args.skip.split(",")))
    cores = len(os.sched_getaffinity(0))
    print(f"stisim sweep benchmark: {platform.node()}, {cores} cores available, load average "
          f"{os.getloadavg()[0]:.2f}, Python {platform.python_version()}")
    results: dict = {"host": platform.node(), "cores": cores,
                     "load_average_start": os.getloadavg()[0]}
    if os.getloadavg()[0] > cores * 0.5 and _autogroup():
        print("note: other sessions are busy and the kernel shares CPU between sessions "
              "(sched_autogroup), so this process tree gets a fixed share whatever its "
              "number of workers: wall-clock speed-ups are not meaningful here; the cpu "
              "efficiency is.")
    with tempfile.TemporaryDirectory(prefix="stisim-bench-", dir=args.tmp) as tmp_name:
        tmp = Path(tmp_name)
        if "efficiency" not in skip:
            results["efficiency"] = efficiency(tmp, args.runs, args.workers,
                                               args.executors.split(","))
        if args.scaling:
            counts = [int(n) for n in args.scaling.split(",")]
            results["scaling"] = scaling(tmp, args.runs, counts, args.scaling_executor)
        if "overhead" not in skip:
            results["overhead"] = overhead(tmp, args.overhead_runs)
        if "big" not in skip:
            results["big"] = big(tmp, args.big_runs, args.big_executor, args.workers)
    results["load_average_end"] = os.getloadavg()[0]
    print(f"\nload average at the end: {results['load_average_end']:.2f} "
          "(figures from a shared machine are provisional)")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=1))
        print(f"wrote {args.out}")


if __name__ == "__main__":  # the guard matters: worker processes import this module
    main()
