"""Time to verdict: wall seconds for ``stisim compare`` on Kenya's shipped portfolio to
separate the best strategy from the second with 95 % confidence (target: under 60 s on 2
cores).

When the replicates the pilot batch asks for do not fit in ``--max-seconds`` (default 60,
the target), the comparison runs what fits and warns; the benchmark then also reports the
time the needed replicates would take (pilot seconds per run x replicates x allocations /
workers).

The command runs as a user would (``stisim compare country=kenya`` with the defaults: ABM
response curves, the agents' business-as-usual counterfactual, a powered comparison), with
``compare.workers`` processes. Both the first run (response curves and counterfactual
estimated and cached) and a second run (read from the cache) are timed, from the command's
start to its verdict; the verdict line says whether the best two strategies separated.

Run: ``PYTHONPATH=. python benchmarks/bench_verdict.py [--firms 3000] [--workers 2]
[--strategies optimal_sdg,equal_split,greedy] [--max-seconds 60] [--json PATH]
[--log PATH]``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import platform
import re
import sys
import tempfile
import time
from pathlib import Path


def run_once(args, cache: Path, run_dir: Path) -> dict:
    from stisim.cli import main as stisim_main

    argv = ["compare", "country=kenya", f"firms.count={args.firms}",
            f"compare.workers={args.workers}", "compare.plot=false",
            f"compare.max_seconds={args.max_seconds}",
            f"coupling.cache_dir={cache / 'responses'}",
            f"coupling.counterfactual_cache_dir={cache / 'counterfactual'}",
            f"hydra.run.dir={run_dir}"]
    if args.strategies:
        argv.append(f"strategies=[{args.strategies}]")
    out = io.StringIO()
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(out):
        code = stisim_main(argv)
    wall = time.perf_counter() - t0
    text = out.getvalue()
    best = next((line for line in text.splitlines() if line.startswith("best ")), "")
    pilot = next((line for line in text.splitlines() if line.startswith("pilot batch")), "")
    vr = next((line for line in text.splitlines() if line.startswith("variance reduction")),
              "")
    reps = re.search(r"(\d+) replicates\)", best)
    plan = {}
    if (run_dir / "compare.nc").exists():
        from stisim.io import open_dataset

        with open_dataset(run_dir / "compare.nc") as ds:
            plan = json.loads(ds.attrs.get("power", "null")) or {}
            n_alloc = ds.sizes["strategy"]
    needed_s = None
    if plan:
        # the time the verdict would take with every replicate the pilot asks for
        needed_s = round(plan["needed"] * plan["seconds_per_run"] * n_alloc / args.workers, 1)
    if args.log:
        with open(args.log, "a", encoding="utf-8") as fh:
            fh.write(f"$ stisim {' '.join(argv)}\n{text}\n")
    return {"power": plan, "estimated_seconds_for_needed_replicates": needed_s,
            "exit_code": code, "wall_seconds": round(wall, 1),
            "separated": " beats " in best or " LOSES TO " in best, "verdict": best,
            "pilot": pilot, "variance_reduction": vr,
            "replicates": int(reps.group(1)) if reps else None,
            "warnings": [line for line in text.splitlines() if line.startswith("warning")]}


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--firms", type=int, default=3000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--strategies", default="")
    ap.add_argument("--max-seconds", type=float, default=60.0)
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--log", type=Path, default=None, help="append the commands' output here")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache"
        first = run_once(args, cache, Path(tmp) / "first")
        second = run_once(args, cache, Path(tmp) / "second")
    result = {"machine": platform.platform(), "python": platform.python_version(),
              "firms": args.firms, "workers": args.workers,
              "first_run (curves and counterfactual estimated)": first,
              "second_run (cached)": second, "target_seconds": 60}
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
