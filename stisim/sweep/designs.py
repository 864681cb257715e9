"""Designs over the uncertainties: full factorial, Latin hypercube, Sobol (Saltelli), Morris.

Every design returns its sample matrix ``x`` in the SALib problem's space (one row per
design point, one column per uncertainty) and the decoded config values. LHS points come
from :class:`scipy.stats.qmc.LatinHypercube` mapped through SALib's distribution scaling;
Sobol and Morris matrices come from SALib's own samplers, so that ``SALib.analyze.sobol`` /
``SALib.analyze.morris`` accept the sweep's results in run order.
"""

from __future__ import annotations

import itertools
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from stisim.sweep.parameters import Parameter


@dataclass
class Design:
    """Design points over the uncertainties."""

    name: str
    parameters: list[Parameter]
    x: np.ndarray  # (points, uncertainties), SALib problem space
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return int(self.x.shape[0])

    def values(self) -> list[dict[str, Any]]:
        """Config values of each design point (integer and categorical decoded)."""
        columns = [p.decode(self.x[:, j]) for j, p in enumerate(self.parameters)]
        return [{p.name: columns[j][i] for j, p in enumerate(self.parameters)}
                for i in range(self.size)]

    def problem(self) -> dict[str, Any] | None:
        """The SALib problem dict (names are config paths); None without uncertainties."""
        return salib_problem(self.parameters) if self.parameters else None


def salib_problem(parameters: list[Parameter]) -> dict[str, Any]:
    dists, bounds = zip(*(p.salib() for p in parameters))
    return {"num_vars": len(parameters), "names": [p.name for p in parameters],
            "bounds": [list(map(float, b)) for b in bounds], "dists": list(dists)}


def factorial(parameters: list[Parameter], levels: int) -> Design:
    """Every combination of each uncertainty's levels (first parameter varies slowest)."""
    axes = [p.factorial_levels(levels) for p in parameters]
    x = np.array(list(itertools.product(*axes)), dtype=float).reshape(-1, len(parameters))
    return Design("factorial", parameters, x,
                  {"levels": {p.name: len(a) for p, a in zip(parameters, axes)}})


def latin_hypercube(parameters: list[Parameter], n: int, rng: np.random.Generator,
                    optimization: str | None = None) -> Design:
    """``n`` Latin hypercube points (scipy.stats.qmc), scaled to each distribution."""
    from SALib.util import scale_samples
    from scipy.stats import qmc

    sampler = qmc.LatinHypercube(d=len(parameters), optimization=optimization, rng=rng)
    u = sampler.random(n)
    x = scale_samples(u, salib_problem(parameters))
    return Design("lhs", parameters, np.asarray(x, dtype=float),
                  {"samples": n, "optimization": optimization or "none"})


def sobol(parameters: list[Parameter], n: int, rng: np.random.Generator,
          second_order: bool = True) -> Design:
    """Saltelli's scheme on a scrambled Sobol' sequence (SALib): N(2D+2) or N(D+2) points."""
    from SALib.sample import sobol as sobol_sample

    with warnings.catch_warnings():
        # SALib warns when N is not a power of 2; the sweep logs that itself.
        warnings.simplefilter("ignore", UserWarning)
        x = sobol_sample.sample(salib_problem(parameters), n, calc_second_order=second_order,
                                seed=rng)
    return Design("sobol", parameters, np.asarray(x, dtype=float),
                  {"samples": n, "calc_second_order": second_order,
                   "power_of_two": bool(n & (n - 1) == 0)})


def morris(parameters: list[Parameter], n: int, rng: np.random.Generator,
           num_levels: int = 4) -> Design:
    """``n`` Morris trajectories of D+1 points each (SALib)."""
    from SALib.sample import morris as morris_sample

    x = morris_sample.sample(salib_problem(parameters), n, num_levels=num_levels, seed=rng)
    return Design("morris", parameters, np.asarray(x, dtype=float),
                  {"trajectories": n, "num_levels": num_levels})


def build_design(name: str, parameters: list[Parameter], *, samples: int,
                 rng: np.random.Generator, levels: int = 3, morris_levels: int = 4,
                 second_order: bool = True, lhs_optimization: str = "none") -> Design:
    """The design ``name`` over ``parameters``; a single point when there are none."""
    if not parameters:
        return Design(name, [], np.zeros((1, 0)), {"note": "no uncertainties: one point"})
    if name == "factorial":
        return factorial(parameters, levels)
    if name == "lhs":
        opt = None if lhs_optimization == "none" else lhs_optimization
        return latin_hypercube(parameters, samples, rng, opt)
    if name == "sobol":
        return sobol(parameters, samples, rng, second_order)
    if name == "morris":
        return morris(parameters, samples, rng, morris_levels)
    raise ValueError(f"unknown design {name!r}; allowed: factorial, lhs, sobol, morris")
