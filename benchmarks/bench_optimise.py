"""Benchmark of the optimiser: stisim's routes against HiGHS alone.

Cases (sizes from ``--size``; ``full`` is the size of the targets):

1. LP, 500 actions x 30 years x 3 sources (sdg objective, concave responses, agencies,
   regions). Routes on the same problem:
   * ``stisim``: create_model + persistent HiGHS (matrix blocks) + assign_solution. Target:
     total <= 1.5 x solver_seconds (time inside HiGHS).
   * ``highs alone``: the same LP formulated directly with highspy from numpy arrays
     (benchmarks/highs_reference.py); its optimum must equal stisim's.
   * ``pyomo persistent``: the same Pyomo model through Pyomo's persistent HiGHS interface
     (pyomo.contrib.solver), which walks every constraint.
   * ``pyomo lp writer``: Pyomo's LP writer, then HiGHS reads the file.
2. Re-solve after a budget change (+10% public budget): stisim's set_param + warm solve vs
   HiGHS's own warm re-solve (changeRowsBounds + run) on the reference model. Target <= 2x.
3. Robust model, 50 scenarios x 200 actions x 15 years (CVaR; sampled effect and budget
   scenarios, so financing has a scenario dim). Target: total <= 2 x solver_seconds.

4. ``--robustness``: HiGHS methods (dual and primal simplex, interior point with and without
   crossover, PDLP, presolve off) over ``--seeds`` seeds x ``--orders`` column orders on the
   benchmark set of benchmarks/robustness.py (synthetic and structured portfolios, the robust
   50-scenario model, OR-Library mknap1); prints the table of docs/optimise.md (solve
   strategy) with the method stisim chooses marked. Targets per LP: slowest <= 2 x fastest,
   median <= 1.2 x the best method's median.

Run: ``PYTHONPATH=. python benchmarks/bench_optimise.py [--size full|small] [--json PATH]
[--skip-pyomo]`` or ``... --robustness [--size full|medium|small] [--seeds 5] [--orders 2]
[--methods dual,ipm,...] [--time-limit S] [--no-mknap] [--instances synthetic,...]``.
Timings are wall-clock seconds on the machine it runs on; the robustness table also gives CPU
seconds of the process, which other jobs sharing the machine disturb less.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from highs_reference import build_reference
from synthetic import synthetic_portfolio

from stisim.baseline import load_baseline
from stisim.optimize.model import create_model, stats
from stisim.optimize.params import OptimiseConfig, RobustConfig
from stisim.optimize.results import assign_solution
from stisim.roadmap import build_portfolio

SIZES = {
    "full": {"lp": (500, 30), "robust": (200, 15, 50)},
    "small": {"lp": (100, 10), "robust": (40, 8, 10)},
}


def timed(func, *args, **kwargs):
    t0 = time.perf_counter()
    out = func(*args, **kwargs)
    return out, time.perf_counter() - t0


def lp_case(n_actions: int, n_years: int, skip_pyomo: bool) -> dict:
    raw = synthetic_portfolio(n_actions, n_years, seed=1)
    portfolio, t_portfolio = timed(build_portfolio, raw, "synthetic")
    options = OptimiseConfig(objective="sdg")
    load_baseline(portfolio.country_m49, 2022)  # data loading is not part of the optimiser
    t0 = time.perf_counter()
    model = create_model(portfolio, options)
    t_build = time.perf_counter() - t0
    solver = model.solver
    t_load = solver.load_seconds
    result = solver.solve()
    ds = assign_solution(model, result)
    total = time.perf_counter() - t0
    out = {"size": {"actions": n_actions, "years": n_years, "sources": 3, **stats(model)},
           "portfolio_seconds": t_portfolio,
           "stisim": {"build": t_build, "load": t_load, "solver_seconds": result.solver_seconds,
                      "assign": ds.attrs["assign_seconds"], "total": total,
                      "objective": result.objective,
                      "ratio_total_to_solver": total / result.solver_seconds}}
    # HiGHS alone on its own formulation of the same LP.
    h, budget_rows, t_ref_build = build_reference(model.inputs)
    _, t_ref_solve = timed(h.run)
    ref_obj = h.getInfo().objective_function_value
    out["highs_alone"] = {"build": t_ref_build, "solve": t_ref_solve, "objective": ref_obj,
                          "same_optimum": bool(abs(ref_obj - result.objective)
                                               <= 1e-6 * max(1.0, abs(ref_obj)))}
    out["stisim"]["ratio_total_to_highs_alone_solve"] = total / t_ref_solve
    # Re-solve after a budget change.
    budget = model.param("budget_amount")
    bumped = budget.copy()
    bumped.loc[{"source": "public"}] = budget.sel(source="public") * 1.1
    t0 = time.perf_counter()
    model.set_param("budget_amount", bumped)
    again = solver.solve()
    t_resolve = time.perf_counter() - t0
    _ds2, t_assign2 = timed(assign_solution, model, again)
    lo = np.full(len(budget_rows), -np.inf)
    new_hi = np.array(h.getLp().row_upper_)[budget_rows]
    public = np.arange(len(budget_rows)) < len(portfolio.years)  # public rows come first
    new_hi = np.where(public, new_hi * 1.1, new_hi)
    t0 = time.perf_counter()
    h.changeRowsBounds(len(budget_rows), budget_rows.astype(np.int32), lo, new_hi)
    h.run()
    t_ref_resolve = time.perf_counter() - t0
    out["resolve"] = {"stisim": t_resolve, "stisim_with_assign": t_resolve + t_assign2,
                      "stisim_solver_seconds": again.solver_seconds,
                      "highs_alone": t_ref_resolve,
                      "ratio": t_resolve / t_ref_resolve,
                      "ratio_with_assign": (t_resolve + t_assign2) / t_ref_resolve,
                      "same_optimum": bool(abs(h.getInfo().objective_function_value
                                               - again.objective)
                                           <= 1e-6 * max(1.0, abs(again.objective)))}
    if not skip_pyomo:
        out["pyomo_persistent"] = pyomo_persistent(portfolio, options)
        out["pyomo_lp_writer"] = pyomo_lp_writer(portfolio, options)
    return out


def pyomo_persistent(portfolio, options) -> dict:
    from pyomo.contrib.solver.solvers.highs import Highs

    t0 = time.perf_counter()
    model = create_model(portfolio, options)
    t_build = time.perf_counter() - t0
    opt = Highs()
    res = opt.solve(model.m, load_solutions=False, raise_exception_on_nonoptimal_result=False)
    total = time.perf_counter() - t0
    return {"build": t_build, "total": total, "objective": res.incumbent_objective,
            "highs_run_time": float(opt._solver_model.getRunTime())}


def pyomo_lp_writer(portfolio, options) -> dict:
    import highspy

    t0 = time.perf_counter()
    model = create_model(portfolio, options)
    t_build = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.lp"
        model.write_lp(path)
        t_write = time.perf_counter() - t0 - t_build
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.readModel(str(path))
        t_read = time.perf_counter() - t0 - t_build - t_write
        _, t_run = timed(h.run)
    total = time.perf_counter() - t0
    return {"build": t_build, "write": t_write, "read": t_read, "solve": t_run,
            "total": total, "objective": h.getInfo().objective_function_value}


def robust_case(n_actions: int, n_years: int, n_scen: int) -> dict:
    raw = synthetic_portfolio(n_actions, n_years, seed=2)
    portfolio = build_portfolio(raw, "synthetic")
    load_baseline(portfolio.country_m49, 2022)
    options = OptimiseConfig(objective="sdg", robust=RobustConfig(
        measure="cvar", samples=n_scen, effect_spread=0.3, budget_spread=0.15))
    t0 = time.perf_counter()
    model = create_model(portfolio, options, seed=3)
    t_build = time.perf_counter() - t0
    from stisim.optimize.robust import solve_robust

    result = solve_robust(model)
    ds = assign_solution(model, result)
    total = time.perf_counter() - t0
    return {"size": {"actions": n_actions, "years": n_years, "scenarios": n_scen,
                     **stats(model)},
            "build": t_build, "load": model.solver.load_seconds,
            "solver_seconds": result.solver_seconds, "assign": ds.attrs["assign_seconds"],
            "total": total, "ratio_total_to_solver": total / result.solver_seconds,
            "objective": result.objective, "status": result.status}


def report(results: dict) -> str:
    lp, rs = results["lp"], results["robust"]
    s = lp["stisim"]
    lines = [
        f"machine: {results['machine']}",
        f"LP {lp['size']['actions']} actions x {lp['size']['years']} years x 3 sources: "
        f"{lp['size']['columns']} columns, {lp['size']['rows']} rows, "
        f"{lp['size']['nonzeros']} non-zeros",
        f"  stisim: build {s['build']:.2f} s + load {s['load']:.2f} s + HiGHS "
        f"{s['solver_seconds']:.2f} s + assign {s['assign']:.2f} s = total {s['total']:.2f} s"
        f" -> {s['ratio_total_to_solver']:.2f} x solver_seconds (target <= 1.5)",
        f"  HiGHS alone (highspy formulation): build {lp['highs_alone']['build']:.2f} s, "
        f"solve {lp['highs_alone']['solve']:.2f} s; same optimum: "
        f"{lp['highs_alone']['same_optimum']}; stisim total / HiGHS-alone solve = "
        f"{s['ratio_total_to_highs_alone_solve']:.2f}",
    ]
    if "pyomo_persistent" in lp:
        pp, lw = lp["pyomo_persistent"], lp["pyomo_lp_writer"]
        lines += [
            f"  Pyomo persistent HiGHS (contrib.solver) on the same model: total "
            f"{pp['total']:.2f} s ({pp['total'] / s['solver_seconds']:.2f} x)",
            f"  Pyomo LP writer + HiGHS readModel: total {lw['total']:.2f} s (write "
            f"{lw['write']:.2f} s, read {lw['read']:.2f} s, solve {lw['solve']:.2f} s; "
            f"{lw['total'] / s['solver_seconds']:.2f} x)",
        ]
    r = lp["resolve"]
    lines += [
        f"Re-solve after +10% public budget: stisim {r['stisim']:.3f} s (HiGHS "
        f"{r['stisim_solver_seconds']:.3f} s), HiGHS alone warm {r['highs_alone']:.3f} s -> "
        f"{r['ratio']:.2f} x (target <= 2); with assign_solution {r['ratio_with_assign']:.2f}"
        f" x; same optimum: {r['same_optimum']}",
        f"Robust {rs['size']['scenarios']} scenarios x {rs['size']['actions']} actions x "
        f"{rs['size']['years']} years (CVaR): {rs['size']['columns']} columns, "
        f"{rs['size']['rows']} rows; build {rs['build']:.2f} s + load {rs['load']:.2f} s + "
        f"HiGHS {rs['solver_seconds']:.2f} s + assign {rs['assign']:.2f} s = "
        f"{rs['total']:.2f} s -> {rs['ratio_total_to_solver']:.2f} x (target <= 2)",
    ]
    return "\n".join(lines)


def machine() -> str:
    import os

    from stisim.optimize.strategy import QuietHighs

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{platform.node()} {platform.processor() or platform.machine()}, "
            f"{os.cpu_count()} cores, load average {load:.1f} at start, python "
            f"{platform.python_version()}, highspy {QuietHighs().version()}")


def robustness_main(args, results: dict) -> int:
    import robustness as rb

    methods = args.methods.split(",") if args.methods else None
    t0 = time.perf_counter()
    instances = rb.benchmark_set(args.size, mknap=not args.no_mknap,
                                 only=tuple(args.instances.split(",")))

    def progress(r):
        print(f"  {r['instance']:<38} {r['method']:<18} {r['order']:<9} seed {r['seed']} "
              f"{r['status']:<10} wall {r['wall']:8.3f} s cpu {r['cpu']:8.3f} s", flush=True)

    rows = rb.run(instances, seeds=args.seeds, n_orders=args.orders, methods=methods,
                  time_limit=args.time_limit, progress=progress)
    results["robustness"] = {"rows": rows, "cpu": rb.summarise(instances, rows, "cpu"),
                             "wall": rb.summarise(instances, rows, "wall"),
                             "seconds": time.perf_counter() - t0,
                             "args": vars(args) | {"json": str(args.json)}}
    print(f"machine: {results['machine']}")
    print(f"{args.seeds} seeds x {args.orders} column orders; CPU seconds of the process:")
    print(rb.table(results["robustness"]["cpu"], "cpu"))
    print("\nwall-clock seconds:")
    print(rb.table(results["robustness"]["wall"], "wall"))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2, default=float))
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=["full", "medium", "small"], default="full")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    parser.add_argument("--skip-pyomo", action="store_true",
                        help="skip the slow Pyomo routes")
    parser.add_argument("--robustness", action="store_true",
                        help="measure HiGHS methods over seeds and column orders instead")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--orders", type=int, default=2)
    parser.add_argument("--methods", default=None,
                        help="comma-separated LP methods (default: all of robustness.py)")
    parser.add_argument("--time-limit", type=float, default=120.0,
                        help="HiGHS time limit per robustness solve (s)")
    parser.add_argument("--no-mknap", action="store_true",
                        help="leave the mknap1 MILPs out of the robustness set")
    parser.add_argument("--instances", default="synthetic,structured,robust",
                        help="generated LPs of the robustness set (comma-separated)")
    args = parser.parse_args(argv)
    results = {"machine": machine(), "size": args.size}
    if args.robustness:
        return robustness_main(args, results)
    if args.size not in SIZES:
        parser.error(f"--size {args.size} is for --robustness only")
    size = SIZES[args.size]
    results["lp"] = lp_case(*size["lp"], skip_pyomo=args.skip_pyomo)
    results["robust"] = robust_case(*size["robust"])
    print(report(results))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2, default=float))
    return 0


if __name__ == "__main__":
    sys.exit(main())
