"""How HiGHS solves a roadmap model: the method is chosen for robustness, not by a seed.

The measurements behind the rule are in docs/optimise.md ("Solve strategy"), made by
``benchmarks/bench_optimise.py --robustness`` over 5 seeds x 2 column orders on the benchmark
set (synthetic and structured portfolios, the robust 50-scenario model, OR-Library mknap1).

* MILPs keep HiGHS's branch and bound with its defaults (``mip``).
* LPs are solved by the method :data:`RULE` names for their size; ``RoadmapModel.method``
  (set before the first solve) or ``method=`` of :func:`choose` overrides it.
* Re-solves of a persistent model (budget sweeps, Pareto points, regret) restart the dual
  simplex from the last basis whatever the first method was (``RESOLVE``).

``seed`` stays a user option (HiGHS ``random_seed``); the chosen method, its options and the
reason are recorded in ``allocation.nc`` (attributes ``solve_method``, ``solve_options``,
``solve_reason``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import highspy

# HiGHS option sets by method name (HiGHS 1.16 option names).
METHODS: dict[str, dict[str, Any]] = {
    "dual": {"solver": "simplex", "simplex_strategy": 1},
    "primal": {"solver": "simplex", "simplex_strategy": 4},
    "ipm": {"solver": "ipm", "run_crossover": "on"},
    "ipm_nocrossover": {"solver": "ipm", "run_crossover": "off"},
    "pdlp": {"solver": "pdlp"},
    "mip": {},
}
LP_METHODS = tuple(k for k in METHODS if k != "mip")
CHOICES = ("auto", *LP_METHODS)
# What a warm re-solve of a persistent model uses (the last basis is kept by HiGHS).
RESOLVE = {"solver": "simplex", "simplex_strategy": 1}


@dataclass(frozen=True)
class Strategy:
    """A method, the HiGHS options it sets and why it was chosen."""

    method: str
    options: dict[str, Any] = field(default_factory=dict)
    reason: str = ""


# Size-based rule for LPs: (largest number of non-zeros, method, extra HiGHS options), first
# match wins. Measured (docs/optimise.md, solve strategy): the dual simplex is the fastest
# method on every LP of the benchmark set and the steadiest over seeds and column orders;
# below about 50,000 non-zeros presolve costs more than it saves (about 2x on 10^4
# non-zeros), above it presolve pays or is neutral.
RULE: tuple[tuple[float, str, dict[str, Any]], ...] = (
    (50_000, "dual", {"presolve": "off"}),
    (float("inf"), "dual", {}),
)


def choose(is_mip: bool, nonzeros: int, method: str = "auto") -> Strategy:
    """The strategy for a model of this kind and size (``method`` other than ``auto``
    forces an LP method; MILPs always use branch and bound)."""
    if is_mip:
        return Strategy("mip", dict(METHODS["mip"]), "MILP: HiGHS branch and bound defaults")
    if method != "auto":
        if method not in METHODS or method == "mip":
            raise ValueError(f"unknown LP method {method!r}; allowed: {', '.join(CHOICES)}")
        return Strategy(method, dict(METHODS[method]), "requested (RoadmapModel.method)")
    for limit, name, extra in RULE:
        if nonzeros <= limit:
            options = METHODS[name] | extra
            detail = "".join(f", {k} {v}" for k, v in extra.items())
            return Strategy(name, options,
                            f"LP with {nonzeros} non-zeros: {name}{detail} by the size rule "
                            "(docs/optimise.md, solve strategy)")
    raise AssertionError("RULE must end with an infinite limit")


class QuietHighs(highspy.Highs):
    """A ``highspy.Highs`` that prints nothing unless asked.

    highspy's constructor registers its callback, a HiGHS call made while ``output_flag``
    is still true, and HiGHS prints its banner then; here the flag is cleared first, and
    ``output_flag`` set later (``optimise.solver_output``) turns the log back on.
    """

    def enableCallbacks(self) -> None:
        if not getattr(self, "_quiet", False):
            self._quiet = True
            highspy.Highs.setOptionValue(self, "output_flag", False)
        super().enableCallbacks()
