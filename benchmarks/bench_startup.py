"""Start-up benchmark: per command, the wall time to the first line of its own work and in
total, warm (bytecode cached) and cold (a fresh interpreter that must compile every module,
as right after installation).

Each command runs in a fresh ``python -m stisim`` process. A small wrapper marks the entry
and exit of the function that does the command's work (``stisim.pipeline.run`` for ``run``,
``stisim.optimize.api.run`` for ``optimise``; ``--help`` has none), so

* ``to work``: from launching the process to the work function's first line (interpreter
  start, imports, config composition and validation, Hydra's job set-up);
* ``work``: time inside the work function (for ``run`` also ``simulation``, the time inside
  ``stisim.pipeline.simulate``);
* ``after``: from the end of the work to the end of the process (writing, printing, exit);
* ``overhead``: total minus the work (``run``: total minus the simulation).

CPU seconds of the child (user + system) are given too: on a machine shared with other jobs
they move less than wall time. Targets (warm): ``--help`` <= 0.3 s; overhead of every command
before its work <= 1 s; ``optimise`` on a pilot portfolio <= 2 s in all; ``run`` default
<= 1 s beyond its simulation.

Run: ``python benchmarks/bench_startup.py [--repeats 3] [--commands help,optimise,run,...]
[--no-cold] [--json PATH]``. ``--commands help,version --repeats 1`` is the minimal size
(tests/test_benchmarks.py runs it).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MARK = "@@stisim-bench"
# name -> (command line after ``stisim``, work function "module:function" or None,
#          simulation function or None)
COMMANDS: dict[str, tuple[list[str], str | None, str | None]] = {
    "help": (["--help"], None, None),
    "version": (["--version"], None, None),
    "optimise": (["optimise", "portfolio=kenya", "objective=sdg", "optimise.summary=false"],
                 "stisim.optimize.api:run", None),
    "run-small": (["run", "firms.count=500", "time.end_year=2024", "output.summary=false"],
                  "stisim.pipeline:run", "stisim.pipeline:simulate"),
    "run": (["run", "output.summary=false"], "stisim.pipeline:run",
            "stisim.pipeline:simulate"),
}

WRAPPER = """
import functools, importlib, sys, time
MARK = {mark!r}
def _wrap(spec, label):
    mod_name, func_name = spec.split(":")
    mod = importlib.import_module(mod_name)
    orig = getattr(mod, func_name)
    @functools.wraps(orig)  # same module and name: stisim's own checks see the original
    def wrapped(*args, **kwargs):
        print(f"{{MARK}} {{label}}-start {{time.time()!r}}", file=sys.stderr, flush=True)
        try:
            return orig(*args, **kwargs)
        finally:
            print(f"{{MARK}} {{label}}-end {{time.time()!r}}", file=sys.stderr, flush=True)
    setattr(mod, func_name, wrapped)
{wraps}
from stisim.cli import main
sys.argv = ["stisim", *{argv!r}]
sys.exit(main())
"""


def launch(argv: list[str], work: str | None, simulation: str | None, cold: bool,
           out_dir: Path) -> dict[str, float]:
    """One fresh process: its timings (seconds)."""
    extra = [] if argv[0].startswith("-") else [f"hydra.run.dir={out_dir}"]
    if work is None:
        code = f"import sys\nfrom stisim.cli import main\nsys.argv = ['stisim', *{argv!r}]\n" \
               "sys.exit(main())"
    else:
        wraps = "\n".join(f"_wrap({spec!r}, {label!r})" for spec, label in
                          ((work, "work"), (simulation, "simulation")) if spec)
        # The wrapper imports the work module itself: those imports count as start-up.
        code = WRAPPER.format(mark=MARK, wraps=wraps, argv=[*argv, *extra])
    env = dict(os.environ)
    if cold:
        env["PYTHONPYCACHEPREFIX"] = tempfile.mkdtemp(prefix="stisim-cold-")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.time()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=out_dir.parent, env=env, timeout=900)
    t1 = time.time()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"stisim {' '.join(argv)} failed ({done.returncode}):\n"
                           f"{done.stderr[-2000:]}")
    marks = {}
    for line in done.stderr.splitlines():
        if line.startswith(MARK):
            _, label, stamp = line.split()
            marks[label] = float(stamp)
    out = {"total": t1 - t0,
           "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)}
    if "work-start" in marks:
        out["to_work"] = marks["work-start"] - t0
        out["work"] = marks["work-end"] - marks["work-start"]
        out["after"] = t1 - marks["work-end"]
        out["overhead"] = out["total"] - out["work"]
    if work is None:  # nothing but start-up
        out["overhead"] = out["total"]
    if "simulation-start" in marks:
        out["simulation"] = marks["simulation-end"] - marks["simulation-start"]
        out["overhead"] = out["total"] - out["simulation"]
    return out


def measure(names: list[str], repeats: int, cold: bool) -> dict[str, dict]:
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="stisim-startup-") as tmp:
        for name in names:
            argv, work, simulation = COMMANDS[name]
            for mode in ("warm", "cold") if cold else ("warm",):
                runs = []
                if mode == "warm":  # one unmeasured run fills the bytecode cache
                    launch(argv, work, simulation, False, Path(tmp) / f"{name}-prime")
                for k in range(repeats if mode == "warm" else 1):
                    runs.append(launch(argv, work, simulation, mode == "cold",
                                       Path(tmp) / f"{name}-{mode}-{k}"))
                keys = runs[0].keys()
                results[f"{name} ({mode})"] = {
                    "command": "stisim " + " ".join(argv), "runs": runs,
                    "median": {k: statistics.median(r[k] for r in runs) for k in keys}}
    return results


def table(results: dict[str, dict]) -> str:
    cols = ["to_work", "work", "simulation", "after", "overhead", "total", "cpu"]
    lines = ["| command | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
    for name, r in results.items():
        m = r["median"]
        cells = [f"{m[c]:.2f}" if c in m else "—" for c in cols]
        lines.append(f"| {name}: `{r['command']}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="warm runs per command "
                        "(median reported; cold runs once)")
    parser.add_argument("--commands", default="help,optimise,run-small,run",
                        help=f"comma-separated, from {', '.join(COMMANDS)}")
    parser.add_argument("--no-cold", action="store_true", help="warm runs only")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args(argv)
    names = args.commands.split(",")
    unknown = [n for n in names if n not in COMMANDS]
    if unknown:
        parser.error(f"unknown command(s) {unknown}; allowed: {', '.join(COMMANDS)}")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {platform.node()}, {os.cpu_count()} cores, load average {load:.1f} at "
          f"start, python {platform.python_version()}; seconds, median of {args.repeats} "
          "warm runs, one cold run")
    results = measure(names, args.repeats, not args.no_cold)
    print(table(results))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
