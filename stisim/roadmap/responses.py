"""Response curves: how much an indicator moves for the money spent on an action.

A :class:`ResponseCurves` object holds, per (action, indicator), a piecewise-linear curve of
the indicator gain (native units, sustained from ``start + lag`` to the end of the horizon)
against the action's total spending over the horizon, optionally with a low/high band.

The optimiser reads curves only through this class, so expert effects from the portfolio
(:meth:`ResponseCurves.from_portfolio`) can be replaced by curves estimated elsewhere, e.g.
from agent-model ensembles (:meth:`ResponseCurves.from_table`)::

    table = pd.DataFrame({"action": ..., "indicator": ..., "spend": ..., "gain": ...,
                          "gain_low": ..., "gain_high": ..., "lag": ...})
    curves = ResponseCurves.from_table(table, portfolio, origin="ABM ensemble 3f2a...")
    ds = stisim.optimize.optimise(portfolio, objective="sdg", responses=curves)

Curves must be concave in the direction of progress (diminishing returns) so the model stays
linear: gains that improve an indicator are modelled exactly through their hypograph. A curve
that is not concave raises an error unless ``make_concave=True``, which replaces it by its
least concave majorant (an optimistic bound, reported in :attr:`notes`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from stisim.errors import ConfigError, Problem


@dataclass(frozen=True)
class Curve:
    """One response curve: gains at spending breakpoints (first point at zero spending)."""

    spend: np.ndarray  # currency over the horizon, increasing, spend[0] == 0
    gain: np.ndarray  # indicator units, gain[0] == 0
    lag: int
    low: np.ndarray | None = None
    high: np.ndarray | None = None
    extrapolate: str = "last_slope"  # beyond the last breakpoint: "last_slope" or "flat"

    def at(self, spend: np.ndarray | float, which: str = "central") -> np.ndarray:
        """Gain at the given spending (piecewise-linear, extrapolated past the last point)."""
        ys = {"central": self.gain, "low": self.low, "high": self.high}[which]
        if ys is None:
            ys = self.gain
        x = np.asarray(spend, dtype=float)
        out = np.interp(x, self.spend, ys)
        if self.extrapolate == "last_slope" and len(self.spend) > 1:
            slope = (ys[-1] - ys[-2]) / (self.spend[-1] - self.spend[-2])
            out = np.where(x > self.spend[-1], ys[-1] + slope * (x - self.spend[-1]), out)
        return out


@dataclass
class ResponseCurves:
    """Response curves per (action, indicator) and where they come from."""

    curves: dict[tuple[str, str], Curve]
    origin: str
    notes: list[str] = field(default_factory=list)

    # -- constructors ------------------------------------------------------------------
    @classmethod
    def from_portfolio(cls, portfolio) -> ResponseCurves:
        """The portfolio's expert effects: change × response(scale), scale = spend / cost."""
        total = portfolio.total_cost().to_series()
        curves = {}
        for e in portfolio.effects.itertuples(index=False):
            pts = np.asarray(e.response, dtype=float)
            full = float(total[e.action])
            curves[(e.action, e.indicator)] = Curve(
                spend=pts[:, 0] * full, gain=pts[:, 1] * e.change, lag=int(e.lag))
        return cls(curves, origin="portfolio expert effects"
                   + (f" ({portfolio.path})" if portfolio.path else ""))

    @classmethod
    def from_table(cls, table: pd.DataFrame, portfolio, origin: str,
                   make_concave: bool = False, extrapolate: str = "flat") -> ResponseCurves:
        """Curves from a long table: action, indicator, spend, gain, optional gain_low,
        gain_high and lag (defaults to the portfolio effect's lag, else 1). A zero-spend point
        with zero gain is added when missing."""
        from stisim.data.indicators import registry

        required = {"action", "indicator", "spend", "gain"}
        missing = required - set(table.columns)
        if missing:
            raise ConfigError([Problem("responses", "missing columns", sorted(missing),
                                       ", ".join(sorted(required)))],
                              title="invalid response curves")
        reg = registry()
        known_actions = set(portfolio.action_ids)
        expert_lag = {(e.action, e.indicator): int(e.lag)
                      for e in portfolio.effects.itertuples(index=False)}
        problems, notes, curves = [], [], {}
        for (action, indicator), grp in table.groupby(["action", "indicator"], sort=False):
            label = f"responses[{action}, {indicator}]"
            if action not in known_actions:
                problems.append(Problem(label, "unknown action", action))
                continue
            if indicator not in reg.index:
                problems.append(Problem(label, "unknown indicator", indicator))
                continue
            grp = grp.sort_values("spend")
            x = grp["spend"].to_numpy(float)
            cols = {k: grp[k].to_numpy(float) for k in ("gain", "gain_low", "gain_high")
                    if k in grp}
            if np.any(np.diff(x) <= 0) or x[0] < 0:
                problems.append(Problem(label, "spending breakpoints must be distinct and "
                                        "non-negative", x.tolist()))
                continue
            if x[0] > 0:
                x = np.concatenate([[0.0], x])
                cols = {k: np.concatenate([[0.0], v]) for k, v in cols.items()}
            sign = 1.0 if reg.loc[indicator, "better"] == "higher" else -1.0
            for key, ys in cols.items():
                if abs(ys[0]) > 1e-12:
                    problems.append(Problem(label, f"{key} at zero spending must be 0",
                                            float(ys[0])))
                if not is_concave(x, sign * ys):
                    if not make_concave:
                        problems.append(Problem(label, f"{key} is not concave in the "
                                                "direction of progress", ys.tolist(),
                                                "diminishing returns, or make_concave=True"))
                        continue
                    cols[key] = sign * concave_majorant(x, sign * ys)
                    notes.append(f"{label}: {key} replaced by its least concave majorant")
            lag = (int(grp["lag"].iloc[0]) if "lag" in grp
                   else expert_lag.get((action, indicator), 1))
            curves[(action, indicator)] = Curve(
                spend=x, gain=cols["gain"], lag=lag, low=cols.get("gain_low"),
                high=cols.get("gain_high"), extrapolate=extrapolate)
        if problems:
            raise ConfigError(problems, title="invalid response curves")
        return cls(curves, origin=origin, notes=notes)

    # -- views for the optimiser ---------------------------------------------------------
    @property
    def pairs(self) -> list[tuple[str, str]]:
        return list(self.curves)

    def has_bands(self) -> bool:
        return any(c.low is not None and c.high is not None for c in self.curves.values())

    def full_scale_gain(self, total_cost: pd.Series) -> pd.Series:
        """Gain at each action's full-scale spending, indexed by (action, indicator)."""
        idx = pd.MultiIndex.from_tuples(self.pairs, names=["action", "indicator"])
        return pd.Series([float(c.at(total_cost[a])) for (a, _), c in self.curves.items()],
                         index=idx, dtype=float)

    def gains(self, spend: pd.Series, which: str = "central") -> pd.Series:
        """Gains (native units) for the total spending per action in ``spend``."""
        idx = pd.MultiIndex.from_tuples(self.pairs, names=["action", "indicator"])
        return pd.Series([float(c.at(spend.get(a, 0.0), which))
                          for (a, _), c in self.curves.items()], index=idx, dtype=float)

    def table(self) -> pd.DataFrame:
        """The long table form (inverse of :meth:`from_table`)."""
        rows = []
        for (a, i), c in self.curves.items():
            for k, x in enumerate(c.spend):
                row = {"action": a, "indicator": i, "spend": x, "gain": c.gain[k], "lag": c.lag}
                if c.low is not None:
                    row["gain_low"] = c.low[k]
                if c.high is not None:
                    row["gain_high"] = c.high[k]
                rows.append(row)
        return pd.DataFrame(rows)


def is_concave(x: np.ndarray, y: np.ndarray, tol: float = 1e-9) -> bool:
    if len(x) < 3:
        return True
    slopes = np.diff(y) / np.diff(x)
    scale = max(1.0, float(np.max(np.abs(slopes))))
    return bool(np.all(np.diff(slopes) <= tol * scale))


def concave_majorant(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The least concave majorant of points (x, y) evaluated at x (upper hull)."""
    hull: list[int] = []
    for i in range(len(x)):
        while len(hull) >= 2:
            a, b = hull[-2], hull[-1]
            # Drop b when it lies on or below the chord from a to i.
            if (y[b] - y[a]) * (x[i] - x[a]) <= (y[i] - y[a]) * (x[b] - x[a]):
                hull.pop()
            else:
                break
        hull.append(i)
    return np.interp(x, x[hull], y[hull])
