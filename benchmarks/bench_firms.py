"""Firm updates: vectorised population vs one Mesa agent per firm; memory; national run time.

Measures, side by side in one run:

* firm-steps per second of the vectorised firm rules (stisim.agents.firms) at ``--firms``
  firms (median and best of ``--repeats`` timings), and of the per-agent Mesa reference
  (benchmarks/reference_firms.py, the same rules) at ``--ref-firms`` firms; their ratio
  (medians);
* memory per firm: bytes of the firm arrays per firm, and the peak memory traced during a
  step per firm;
* the default national run (``stisim run`` defaults: Ghana, annual steps to 2040) after
  imports: build + simulate + finalise.

Both implementations start from the same calibrated population and see the same base-year
signals (``InnovationSystem.base_env()``); all core firm rules run.

    PYTHONPATH=. python benchmarks/bench_firms.py                 # full size (100,000 firms)
    PYTHONPATH=. python benchmarks/bench_firms.py --firms 20000 --ref-firms 2000 --steps 5
"""

from __future__ import annotations

import argparse
import json
import time
import tracemalloc

import numpy as np


def _population(n: int, country: str):
    from stisim.agents.model import build_model
    from stisim.config import load_config
    from stisim.pipeline import build

    cfg = load_config("run", [f"country={country}", f"firms.count={n}"])
    model = build_model(build(cfg))
    return model, model.base_env()


def bench_vectorised(n: int, steps: int, country: str, repeats: int = 5) -> dict:
    """``repeats`` timings of ``steps`` steps from the same state: a shared machine only ever
    adds time, so the best is the machine's throughput and the median what a run sees."""
    from benchmarks.reference_firms import restore, snapshot

    model, env = _population(n, country)
    firms = model.firms
    snap = snapshot(firms)
    firms.run(env)  # warm-up (first-touch allocations)
    times = []
    for _ in range(repeats):
        restore(firms, snap)
        t0 = time.perf_counter()
        for _ in range(steps):
            firms.run(env)
        times.append(time.perf_counter() - t0)
    restore(firms, snap)
    state = sum(getattr(firms, k).nbytes for k in firms.ARRAYS) + firms.adopted.nbytes
    tracemalloc.start()
    firms.run(env)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    elapsed = float(np.median(times))
    return {"firms": n, "steps": steps, "repeats": repeats, "seconds": elapsed,
            "firm_steps_per_s": n * steps / elapsed,
            "best_firm_steps_per_s": n * steps / min(times),
            "state_bytes_per_firm": state / firms.size,
            "step_peak_bytes_per_firm": peak / firms.size}


def bench_reference(n: int, steps: int, country: str) -> dict:
    from benchmarks.reference_firms import ReferenceEconomy

    model, env = _population(n, country)
    ref = ReferenceEconomy(model.firms, env, seed=1)
    t0 = time.perf_counter()
    for _ in range(steps):
        ref.step()
    elapsed = time.perf_counter() - t0
    return {"firms": n, "steps": steps, "seconds": elapsed,
            "firm_steps_per_s": n * steps / elapsed}


def bench_national_run() -> dict:
    from stisim.config import load_config
    from stisim.pipeline import build, finalize, simulate

    cfg = load_config("run", [])
    t0 = time.perf_counter()
    inputs = build(cfg)
    t1 = time.perf_counter()
    ds = simulate(inputs)
    t2 = time.perf_counter()
    finalize(ds, inputs)
    t3 = time.perf_counter()
    return {"country": cfg.country.name, "firms": cfg.firms.count,
            "steps": int(ds.sizes["time"]) - 1, "build_s": t1 - t0, "simulate_s": t2 - t1,
            "finalize_s": t3 - t2, "total_s": t3 - t0}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--firms", type=int, default=100_000)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=5, help="timings of --steps steps")
    parser.add_argument("--ref-firms", type=int, default=100_000)
    parser.add_argument("--ref-steps", type=int, default=1)
    parser.add_argument("--country", default="kenya")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args(argv)

    import stisim.agents.model
    import stisim.pipeline  # noqa: F401

    national = bench_national_run()  # also warms caches (baseline, config)
    vec = bench_vectorised(args.firms, args.steps, args.country, args.repeats)
    ref = bench_reference(args.ref_firms, args.ref_steps, args.country)
    out = {"vectorised": vec, "reference_mesa": ref,
           "ratio": vec["firm_steps_per_s"] / ref["firm_steps_per_s"], "national_run": national}
    print(f"vectorised  {vec['firms']:>9,} firms x {vec['steps']} steps: "
          f"{vec['firm_steps_per_s'] / 1e6:8.2f} M firm-steps/s (median of {vec['repeats']}; "
          f"best {vec['best_firm_steps_per_s'] / 1e6:.2f})")
    print(f"Mesa agents {ref['firms']:>9,} firms x {ref['steps']} steps: "
          f"{ref['firm_steps_per_s'] / 1e6:8.3f} M firm-steps/s")
    print(f"ratio vectorised / per-agent: {out['ratio']:.1f}x")
    print(f"memory: {vec['state_bytes_per_firm']:.0f} B/firm of state, "
          f"{vec['step_peak_bytes_per_firm']:.0f} B/firm peak during a step")
    print(f"default national run ({national['country']}, {national['firms']:,} firms, "
          f"{national['steps']} steps): {national['total_s']:.2f} s after imports "
          f"(build {national['build_s']:.2f}, simulate {national['simulate_s']:.2f}, "
          f"finalise {national['finalize_s']:.2f})")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(out, fh, indent=2, default=float)
    return out


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
