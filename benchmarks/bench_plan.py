"""``stisim plan`` on the shipped pilot portfolios: a first run with empty caches, then a
re-run after editing one action (the first action's cost +10% in every year).

Each run is a fresh ``stisim plan`` process; reported per portfolio and run: wall seconds,
CPU seconds of the process and its workers (user + system), runs simulated and read from the
run cache, the stage times the command prints, and the load average when it started (the
machine may be shared: CPU seconds are the steadier figure). Caches live in a scratch folder,
so the first run is cold for stisim's caches (the Python bytecode cache is warm).

    python benchmarks/bench_plan.py                      # the six pilots
    python benchmarks/bench_plan.py --portfolios kenya --firms 1000
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
PILOTS = ("ethiopia", "ghana", "india", "kenya", "serbia", "ukraine")


def _scaled(cost, factor: float):
    if isinstance(cost, list):
        return [round(float(c) * factor, 6) for c in cost]
    if isinstance(cost, dict):
        return {k: round(float(v) * factor, 6) for k, v in cost.items()}
    return round(float(cost) * factor, 6)


def run_plan(portfolio: Path, scratch: Path, out: Path, extra: list[str]) -> dict:
    cmd = [str(Path(sys.executable).with_name("stisim")), "plan", f"portfolio={portfolio}",
           f"coupling.run_cache_dir={scratch / 'runs'}",
           f"coupling.cache_dir={scratch / 'responses'}",
           f"coupling.counterfactual_cache_dir={scratch / 'counterfactual'}",
           f"hydra.run.dir={out}", *extra]
    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=scratch)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    m = re.search(r"agent-model runs: (\d+) simulated, (\d+) read", done.stdout)
    stages = re.search(r"  time: (.*)", done.stdout)
    reps = re.search(r"in the agent model, (\d+) replicates", done.stdout)
    return {"wall": wall, "cpu": cpu, "simulated": int(m[1]) if m else -1,
            "cached": int(m[2]) if m else -1, "stages": stages[1] if stages else "",
            "replicates": int(reps[1]) if reps else -1, "load": load}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--portfolios", default=",".join(PILOTS))
    parser.add_argument("--firms", type=int, help="firms.count (default: configs/plan.yaml)")
    parser.add_argument("--no-report", action="store_true", help="plan.report=false")
    parser.add_argument("--keep", help="keep the scratch folders under this directory")
    args = parser.parse_args(argv)
    extra = [f"firms.count={args.firms}"] if args.firms else []
    if args.no_report:
        extra.append("plan.report=false")
    rows = []
    for name in args.portfolios.split(","):
        scratch = Path(tempfile.mkdtemp(prefix=f"plan-{name}-", dir=args.keep))
        raw = yaml.safe_load((ROOT / "scenarios" / "portfolios" / f"{name}.yaml")
                             .read_text(encoding="utf-8"))
        path = scratch / f"{name}.yaml"
        path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
        first = run_plan(path, scratch, scratch / "first", extra)
        action = raw["actions"][0]
        action["cost"] = _scaled(action["cost"], 1.1)
        path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
        second = run_plan(path, scratch, scratch / "edited", extra)
        for label, r in (("first run (empty caches)", first),
                         (f"after editing {action['id']}'s cost", second)):
            rows.append((name, label, r))
            print(f"{name:<9} {label:<32} wall {r['wall']:6.1f} s  CPU {r['cpu']:6.1f} s  "
                  f"runs {r['simulated']} simulated / {r['cached']} cached  "
                  f"{r['replicates']} replicates  load {r['load']:.1f}  [{r['stages']}]",
                  flush=True)
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
    print("\n| portfolio | run | wall s | CPU s | runs simulated | runs cached | replicates "
          "| load avg |")
    print("|---|---|---|---|---|---|---|---|")
    for name, label, r in rows:
        print(f"| {name} | {label} | {r['wall']:.1f} | {r['cpu']:.1f} | {r['simulated']} | "
              f"{r['cached']} | {r['replicates']} | {r['load']:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
