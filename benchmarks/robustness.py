"""Solve robustness: HiGHS methods over seeds and column orders on the benchmark set.

For each instance, each method of :data:`stisim.optimize.strategy.METHODS` (and the presolve
variants in :data:`VARIANTS`) solves the model's LP from scratch with ``random_seed`` 0..n-1
and two column orders (the model's, and a fixed random permutation), each in a fresh HiGHS
instance with stisim's options (:class:`stisim.optimize.strategy.QuietHighs`). Recorded per
solve: wall seconds, CPU seconds of this process (HiGHS's threads included; steadier than wall
time when other jobs share the machine), iterations, status and objective.

Per instance and method the report gives the median, the spread (slowest / fastest solve) and
the median relative to the best method's median; the ``auto`` row is what
:func:`stisim.optimize.strategy.choose` picks for that instance. Targets (issue: robust
solving): on each LP, spread <= 2 and median <= 1.2 x the best method's median.

MILPs (mknap1) keep branch and bound; they are solved with the ``mip`` defaults only.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from stisim.optimize.strategy import METHODS, QuietHighs, choose

ROOT = Path(__file__).resolve().parents[1]
# Method variants measured besides the plain methods: presolve off.
VARIANTS: dict[str, dict[str, Any]] = {
    "dual_presolve_off": METHODS["dual"] | {"presolve": "off"},
    "ipm_presolve_off": METHODS["ipm"] | {"presolve": "off"},
}
# Instance sizes: synthetic (actions, years), structured (actions, years),
# robust (actions, years, scenarios).
SIZES = {
    "full": {"synthetic": (500, 30), "structured": (500, 30), "robust": (200, 15, 50)},
    "medium": {"synthetic": (250, 20), "structured": (250, 20), "robust": (40, 10, 50)},
    "small": {"synthetic": (60, 8), "structured": (60, 8), "robust": (12, 5, 50)},
}


@dataclass
class Instance:
    name: str
    a: sp.csc_matrix
    row_lo: np.ndarray
    row_hi: np.ndarray
    col_lo: np.ndarray
    col_hi: np.ndarray
    cost: np.ndarray
    integer: np.ndarray
    maximise: bool
    offset: float

    @property
    def is_mip(self) -> bool:
        return bool(self.integer.any())

    def size(self) -> dict[str, int]:
        return {"columns": int(self.a.shape[1]), "rows": int(self.a.shape[0]),
                "nonzeros": int(self.a.nnz), "integer_columns": int(self.integer.sum())}


def from_model(name: str, model) -> Instance:
    """The LP/MILP of a built stisim model, as HiGHS receives it."""
    model.absorb_pyomo()
    a, row_lo, row_hi = model.matrix()
    col_lo, col_hi, integer = model.col_bounds()
    cost = np.zeros(model.ncols)
    cost[: min(model.ncols, model.cost.size)] = model.cost[: model.ncols]
    return Instance(name, a.tocsc(), row_lo, row_hi, col_lo, col_hi, cost,
                    integer.astype(bool), model.sense == "max", float(model.offset))


def benchmark_set(size: str = "medium", mknap: bool = True,
                  only: tuple[str, ...] = ("synthetic", "structured", "robust")
                  ) -> list[Instance]:
    """The instances of the robustness table (built with stisim's model builder); ``only``
    picks among the three generated LPs."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from structured import structured_portfolio
    from synthetic import synthetic_portfolio

    from stisim.optimize.model import create_model
    from stisim.optimize.params import OptimiseConfig, RobustConfig
    from stisim.roadmap import build_portfolio, load_portfolio

    dims = SIZES[size]
    out = []
    if "synthetic" in only:
        n, y = dims["synthetic"]
        p = build_portfolio(synthetic_portfolio(n, y, seed=1), "synthetic")
        out.append(from_model(f"synthetic {n}x{y}x3 (sdg)",
                              create_model(p, OptimiseConfig(objective="sdg"))))
    if "structured" in only:
        n, y = dims["structured"]
        p = build_portfolio(structured_portfolio(n, y), "structured")
        out.append(from_model(f"structured {n}x{y}x3 (value)",
                              create_model(p, OptimiseConfig(objective="value"))))
    if "robust" in only:
        n, y, k = dims["robust"]
        p = build_portfolio(synthetic_portfolio(n, y, seed=2), "synthetic")
        options = OptimiseConfig(objective="sdg", robust=RobustConfig(
            measure="cvar", samples=k, effect_spread=0.3, budget_spread=0.15))
        out.append(from_model(f"robust CVaR {k} scenarios, {n}x{y}x3",
                              create_model(p, options, seed=3)))
    if mknap:
        for i in range(1, 8):
            path = ROOT / "scenarios" / "portfolios" / "literature" / f"mknap1_{i}.yaml"
            out.append(from_model(f"mknap1_{i} (MILP)", create_model(
                load_portfolio(path), OptimiseConfig(objective="value", mip_gap=0.0))))
    return out


def solve_once(inst: Instance, options: dict[str, Any], seed: int, order: np.ndarray,
               time_limit: float) -> dict[str, Any]:
    """One solve from scratch with ``options``, ``seed`` and the column order ``order``."""
    import highspy

    a = inst.a[:, order].tocsc()
    h = QuietHighs()
    for key, value in options.items():
        h.setOptionValue(key, value)
    h.setOptionValue("random_seed", int(seed))
    h.setOptionValue("time_limit", float(time_limit))
    if inst.is_mip:
        h.setOptionValue("mip_rel_gap", 0.0)
    sense = highspy.ObjSense.kMaximize if inst.maximise else highspy.ObjSense.kMinimize
    h.passModel(a.shape[1], a.shape[0], a.nnz, 1, int(sense.value), inst.offset,
                inst.cost[order], inst.col_lo[order], inst.col_hi[order], inst.row_lo,
                inst.row_hi, a.indptr.astype(np.int32), a.indices.astype(np.int32),
                a.data.astype(float), inst.integer[order].astype(np.int32))
    w0, c0 = time.perf_counter(), time.process_time()
    h.run()
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    info = h.getInfo()
    return {"wall": wall, "cpu": cpu, "status": h.getModelStatus().name,
            "objective": float(info.objective_function_value),
            "simplex": max(0, int(info.simplex_iteration_count)),
            "ipm": max(0, int(info.ipm_iteration_count)),
            "pdlp": max(0, int(info.pdlp_iteration_count)),
            "nodes": max(0, int(info.mip_node_count))}


def orders(inst: Instance, count: int = 2) -> dict[str, np.ndarray]:
    """The model's column order and fixed random permutations of it."""
    n = inst.a.shape[1]
    out = {"model": np.arange(n)}
    rng = np.random.default_rng(20260)
    for k in range(1, count):
        out[f"permuted{k}"] = rng.permutation(n)
    return out


def methods_for(inst: Instance, names: list[str] | None = None) -> dict[str, dict[str, Any]]:
    """The option sets measured on an instance (MILPs: branch and bound only)."""
    if inst.is_mip:
        return {"mip": METHODS["mip"]}
    every = {k: v for k, v in METHODS.items() if k != "mip"} | VARIANTS
    return {k: every[k] for k in (names or list(every))}


def run(instances: list[Instance], seeds: int = 5, n_orders: int = 2,
        methods: list[str] | None = None, time_limit: float = 120.0,
        progress=None) -> list[dict[str, Any]]:
    """Every solve of the grid, one record each."""
    rows = []
    for inst in instances:
        for order_name, order in orders(inst, n_orders).items():
            for method, options in methods_for(inst, methods).items():
                for seed in range(seeds):
                    r = solve_once(inst, options, seed, order, time_limit)
                    r.update(instance=inst.name, method=method, order=order_name, seed=seed)
                    rows.append(r)
                    if progress:
                        progress(r)
    return rows


def summarise(instances: list[Instance], rows: list[dict[str, Any]], key: str = "cpu"
              ) -> list[dict[str, Any]]:
    """Per instance and method: median, spread and ratio to the best method's median."""
    out = []
    for inst in instances:
        mine = [r for r in rows if r["instance"] == inst.name]
        by_method: dict[str, list[dict]] = {}
        for r in mine:
            by_method.setdefault(r["method"], []).append(r)
        medians = {m: statistics.median(r[key] for r in rs) for m, rs in by_method.items()
                   if all(r["status"] == "kOptimal" for r in rs)}
        best = min(medians.values()) if medians else float("nan")
        chosen = choose(inst.is_mip, inst.a.nnz).options
        every = METHODS | VARIANTS
        for m, rs in by_method.items():
            times = [r[key] for r in rs]
            optimal = sum(r["status"] == "kOptimal" for r in rs)
            objs = [r["objective"] for r in rs if r["status"] == "kOptimal"]
            median = statistics.median(times)
            out.append({
                "instance": inst.name, "method": m, "auto": every.get(m) == chosen,
                "solves": len(rs),
                "optimal": optimal, "median": median, "fastest": min(times),
                "slowest": max(times), "spread": max(times) / max(min(times), 1e-9),
                "vs_best": median / best if best == best and best > 0 else float("nan"),
                "iterations": statistics.median(r["simplex"] + r["ipm"] + r["pdlp"]
                                                for r in rs),
                "objective_range": (max(objs) - min(objs)) if objs else float("nan"),
                "size": inst.size()})
    return out


def table(summary: list[dict[str, Any]], key: str = "cpu") -> str:
    """Markdown table of :func:`summarise` (auto rows marked, targets checked)."""
    lines = [f"| instance | method | optimal | median {key} s | fastest | slowest | spread "
             "(target <= 2) | median / best (target <= 1.2) | median iterations |",
             "|---|---|---|---|---|---|---|---|---|"]
    for s in summary:
        name = f"**{s['method']} (auto)**" if s["auto"] else s["method"]
        lines.append(
            f"| {s['instance']} | {name} | {s['optimal']}/{s['solves']} | {s['median']:.3f} "
            f"| {s['fastest']:.3f} | {s['slowest']:.3f} | {s['spread']:.2f} | "
            f"{s['vs_best']:.2f} | {s['iterations']:.0f} |")
    return "\n".join(lines)
