"""Policy input: budgets per instrument, year, region, technology and executing agent type.

Business-as-usual budgets come from the config (shares of GDP, partly calibrated to the
baseline) and are computed by the ministries, local governments and partners themselves.
:class:`Budgets` holds *exogenous* lines on top of them, e.g. the allocations of a roadmap
optimisation::

    budgets = Budgets.from_config(cfg)
    budgets.add("adoption_subsidy", 2026, 5e6, executor="ministry", region="rural",
                technology="clean_energy")
    ds = simulate_agents(inputs, budgets=budgets)

Amounts are base-year USD. An executor spends the line of budget year ``y`` evenly over
``[y + delay, y + delay + 1)`` and a share ``efficiency`` reaches beneficiaries (see
docs/model.md, "Instruments and mechanisms"). Lines may be changed while a model runs
(``model.budgets.add(...)``) for rolling-horizon re-planning: only money not yet disbursed
is affected.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from stisim.agents.catalog import (
    EXECUTORS,
    INSTRUMENTS,
    REGIONAL_INSTRUMENTS,
    TECHNOLOGIES,
    TECHNOLOGY_INSTRUMENTS,
)
from stisim.errors import ConfigError, Problem


@dataclass(frozen=True)
class LineKey:
    instrument: str
    executor: str
    region: str = "all"
    technology: str = "all"


class Budgets:
    """Exogenous budget lines (base-year USD per budget year)."""

    def __init__(self, regions: Iterable[str], base_year: int, end_year: int):
        self.regions = list(regions)
        self.base_year = int(base_year)
        self.end_year = int(end_year)
        self._lines: dict[LineKey, dict[int, float]] = defaultdict(dict)

    # -- building -------------------------------------------------------------------------
    def problems(self, instrument: str, year: int, amount: float, executor: str, region: str,
                 technology: str, path: str = "budget") -> list[Problem]:
        out = []
        if instrument not in INSTRUMENTS:
            out.append(Problem(f"{path}.instrument", "unknown instrument", instrument,
                               ", ".join(INSTRUMENTS)))
        if executor not in EXECUTORS:
            out.append(Problem(f"{path}.executor", "unknown executor", executor,
                               ", ".join(EXECUTORS)))
        if not self.base_year <= int(year) <= self.end_year:
            out.append(Problem(f"{path}.year", "outside the simulated horizon", year,
                               f"{self.base_year} <= year <= {self.end_year}"))
        if not np.isfinite(amount):
            out.append(Problem(f"{path}.amount", "must be a finite number", amount))
        if region != "all" and region not in self.regions:
            out.append(Problem(f"{path}.region", "unknown region", region,
                               ", ".join(["all", *self.regions])))
        elif region != "all" and instrument not in REGIONAL_INSTRUMENTS:
            out.append(Problem(f"{path}.region", f"{instrument} is a national instrument",
                               region, "all"))
        if technology != "all" and technology not in TECHNOLOGIES:
            out.append(Problem(f"{path}.technology", "unknown technology", technology,
                               ", ".join(["all", *TECHNOLOGIES])))
        elif technology != "all" and instrument not in TECHNOLOGY_INSTRUMENTS:
            out.append(Problem(f"{path}.technology", f"{instrument} does not target a "
                               "technology", technology, "all"))
        if executor == "local_government" and instrument not in REGIONAL_INSTRUMENTS:
            out.append(Problem(f"{path}.executor", "local governments execute regional "
                               "instruments only", instrument, ", ".join(REGIONAL_INSTRUMENTS)))
        return out

    def add(self, instrument: str, year: int, amount: float, executor: str = "ministry",
            region: str = "all", technology: str = "all") -> None:
        """Add ``amount`` (base-year USD; negative cuts business as usual) to a line."""
        problems = self.problems(instrument, year, amount, executor, region, technology)
        if problems:
            raise ConfigError(problems, title="invalid budget line")
        key = LineKey(instrument, executor, region, technology)
        self._lines[key][int(year)] = self._lines[key].get(int(year), 0.0) + float(amount)

    def set(self, instrument: str, year: int, amount: float, executor: str = "ministry",
            region: str = "all", technology: str = "all") -> None:
        """Replace a line's amount for one year."""
        problems = self.problems(instrument, year, amount, executor, region, technology)
        if problems:
            raise ConfigError(problems, title="invalid budget line")
        self._lines[LineKey(instrument, executor, region, technology)][int(year)] = float(amount)

    @classmethod
    def from_config(cls, cfg) -> Budgets:
        """The exogenous lines of ``policy.budgets`` (validated with the config)."""
        from stisim.agents.region_set import region_labels

        out = cls(region_labels(cfg), cfg.time.base_year, cfg.time.end_year)
        problems = []
        for i, b in enumerate(cfg.policy.budgets):
            p = out.problems(b.instrument, b.year, b.amount, b.executor, b.region,
                             b.technology, path=f"policy.budgets[{i}]")
            if p:
                problems += p
                continue
            out.add(b.instrument, b.year, b.amount, b.executor, b.region, b.technology)
        if problems:
            raise ConfigError(problems)
        return out

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, regions: Iterable[str], base_year: int,
                   end_year: int) -> Budgets:
        """Lines from a table with columns instrument, year, amount and optionally executor,
        region, technology (defaults ministry, all, all). Every bad row is reported."""
        out = cls(regions, base_year, end_year)
        missing = [c for c in ("instrument", "year", "amount") if c not in frame.columns]
        if missing:
            raise ConfigError([Problem("budgets", "missing columns", missing,
                                       "instrument, year, amount[, executor, region, "
                                       "technology]")])
        problems = []
        for i, row in enumerate(frame.itertuples(index=False)):
            r = row._asdict()
            args = (r["instrument"], int(r["year"]), float(r["amount"]),
                    r.get("executor", "ministry"), r.get("region", "all"),
                    r.get("technology", "all"))
            p = out.problems(*args, path=f"budgets[row {i}]")
            if p:
                problems += p
            else:
                out.add(*args)
        if problems:
            raise ConfigError(problems, title="invalid budget table")
        return out

    def merge(self, other: Budgets) -> Budgets:
        """Add every line of ``other`` to this one (returns self)."""
        for key, years in other._lines.items():
            for year, amount in years.items():
                self.add(key.instrument, year, amount, key.executor, key.region, key.technology)
        return self

    # -- reading --------------------------------------------------------------------------
    def lines(self, instrument: str | None = None, executor: str | None = None
              ) -> list[tuple[LineKey, dict[int, float]]]:
        return [(k, v) for k, v in self._lines.items()
                if (instrument is None or k.instrument == instrument)
                and (executor is None or k.executor == executor)]

    def amount(self, key: LineKey, year: int) -> float:
        return self._lines.get(key, {}).get(int(year), 0.0)

    def to_frame(self) -> pd.DataFrame:
        rows = [{"instrument": k.instrument, "executor": k.executor, "region": k.region,
                 "technology": k.technology, "year": y, "amount": a}
                for k, years in self._lines.items() for y, a in sorted(years.items())]
        return pd.DataFrame(rows, columns=["instrument", "executor", "region", "technology",
                                           "year", "amount"])

    def __bool__(self) -> bool:
        return any(self._lines.values())


def disbursement_rate(amount_of_year: Callable[[int], float], t0: float, t1: float,
                      delay: float) -> float:
    """Average spending rate (per year) over ``[t0, t1)`` when the budget of year ``y`` is
    spent evenly over ``[y + delay, y + delay + 1)``."""
    first = int(np.floor(t0 - delay)) - 1
    last = int(np.floor(t1 - delay)) + 1
    total = 0.0
    for year in range(first, last + 1):
        lo, hi = year + delay, year + delay + 1.0
        overlap = min(t1, hi) - max(t0, lo)
        if overlap > 0:
            total += amount_of_year(year) * overlap
    return total / (t1 - t0)


def split(amount: float, weights: np.ndarray) -> np.ndarray:
    """Split an amount in proportion to weights."""
    w = np.asarray(weights, dtype=float)
    return amount * w / w.sum()


def region_weights(model, instrument: str) -> np.ndarray:
    """How national ("all") money of a regional instrument is split across regions:
    adoption subsidies by firms, infrastructure and skills by population."""
    s = model.structure
    return s.region_firms if instrument == "adoption_subsidy" else s.region_population


def technology_weights(model) -> np.ndarray:
    split = model.cfg.ministries.adoption_split
    w = np.array([split[t] for t in TECHNOLOGIES], dtype=float)
    return w / w.sum() if w.sum() > 0 else np.full(len(TECHNOLOGIES), 1 / len(TECHNOLOGIES))


def _spread(model, instrument: str, amount: float, region: str, technology: str,
            tech_w: np.ndarray | None = None) -> np.ndarray:
    from stisim.agents.flows import cell_shape

    n_t, n_r = cell_shape(instrument, model.regions.n)
    if n_r == 1:
        r_w = np.ones(1)
    elif region == "all":
        r_w = region_weights(model, instrument)
    else:  # a region, or a generic label spread over the real regions it covers
        r_w = model.regions.weights(region)
    if n_t == 1:
        t_w = np.ones(1)
    elif technology == "all":
        t_w = technology_weights(model) if tech_w is None else tech_w
    else:
        t_w = np.zeros(n_t)
        t_w[TECHNOLOGIES.index(technology)] = 1.0
    return amount * np.outer(t_w, r_w)


def step_cells(model, instrument: str, executor: str, delay: float,
               bau_of_year: Callable[[int], float] | None = None,
               bau_technology: np.ndarray | None = None) -> np.ndarray:
    """Money an executor disburses for one instrument during the current step, as
    (technology, region) cells in USD per year: business as usual plus exogenous lines,
    each spent evenly over the year after ``delay``; cells are floored at zero."""
    t0, t1 = model.t, model.t + model.dt
    cells = 0.0
    if bau_of_year is not None:
        rate = disbursement_rate(bau_of_year, t0, t1, delay)
        cells = cells + _spread(model, instrument, rate, "all", "all", bau_technology)
    for key, years in model.budgets.lines(instrument, executor):
        rate = disbursement_rate(lambda y, years=years: years.get(y, 0.0), t0, t1, delay)
        if rate != 0.0:
            cells = cells + _spread(model, instrument, rate, key.region, key.technology)
    if np.isscalar(cells):
        from stisim.agents.flows import cell_shape

        return np.zeros(cell_shape(instrument, model.regions.n))
    return np.maximum(cells, 0.0)
