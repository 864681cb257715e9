"""The SDG indicator registry: one row per indicator in ``data/indicators.csv``.

It sits with the packaged data (below the SDG layer) because the baseline loader reads it to
know which series makes each indicator; the SDG layer scores and moves indicators with it.

Columns: ``code`` (UN indicator code), ``name``, ``unit``, ``goal``, ``better`` (higher or
lower), ``source`` (``unsd`` series or ``sdr`` panel code in ``series``: the baseline source),
``sdr_code`` (SDR 2022 bounds used), ``lower`` (score 0) and ``optimum`` (score 100),
``bounds_source`` (``sdr2022`` or ``derived`` by the SDR method, see
``tools/build_indicator_bounds.py``), ``driver`` (``agents``: computed from agent state;
``network``: moved through the SDG interaction network), a ``note`` on proxies,
``computed_from`` (how the value follows from model state), and the physically valid range
``valid_min``/``valid_max`` (empty: unbounded) that simulated values are kept within.

The table is validated when loaded; every problem is reported at once with the file, the row
and the allowed values.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from stisim import data
from stisim.errors import ConfigError, Problem

DRIVERS = ("agents", "network")
DIRECTIONS = ("higher", "lower")
SOURCES = ("unsd", "sdr")
BOUNDS_SOURCES = ("sdr2022", "derived")
COLUMNS = ("code", "name", "unit", "goal", "better", "source", "series", "sdr_code", "lower",
           "optimum", "bounds_source", "driver", "note", "computed_from", "valid_min",
           "valid_max")
_NUMERIC = ("lower", "optimum", "valid_min", "valid_max")
# The SDR bounds file rounds to one decimal for some indicators; the registry may keep more.
_BOUNDS_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    unit: str
    goal: int
    better: str
    source: str
    series: str
    sdr_code: str
    lower: float
    optimum: float
    bounds_source: str
    driver: str
    note: str
    computed_from: str
    valid_min: float
    valid_max: float


def load_registry(path: str | Path | None = None) -> pd.DataFrame:
    """Read and validate a registry table (default: the shipped ``indicators.csv``).

    Raises :class:`ConfigError` listing every problem: missing columns, duplicate or empty
    codes, goals outside 1–17, unknown directions/drivers/sources, missing or contradictory
    normalisation bounds, SDR codes without a row in the SDR 2022 bounds file.
    """
    path = Path(path) if path is not None else data.path("indicators.csv")
    where = str(path)
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ConfigError([Problem("<file>", f"cannot read the indicator registry: {exc}",
                                   where=where)], title="invalid indicator registry") from None
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise ConfigError([Problem("<columns>", "missing columns", ", ".join(missing),
                                   ", ".join(COLUMNS), where=where)],
                          title="invalid indicator registry")
    df = df[list(COLUMNS)].copy()
    problems: list[Problem] = []

    def bad(row_code: str, column: str, message: str, value=None, allowed=None) -> None:
        problems.append(Problem(f"{row_code}.{column}", message, value, allowed, where))

    for column in _NUMERIC:
        text = df[column].str.strip()
        numbers = pd.to_numeric(text.where(text != ""), errors="coerce")
        for code, raw, num in zip(df["code"], text, numbers, strict=True):
            if raw != "" and np.isnan(num):
                bad(code, column, "not a number", raw)
        df[column] = numbers.astype(float)
    goal = pd.to_numeric(df["goal"], errors="coerce")
    sdr_bounds = data.sdr_bounds()
    seen: set[str] = set()
    for i, row in df.iterrows():
        code = row.code.strip() or f"<row {i + 2}>"
        if not row.code.strip():
            bad(code, "code", "empty indicator code")
        elif code in seen:
            bad(code, "code", "duplicate indicator code", code)
        seen.add(code)
        if not (goal[i] == goal[i] // 1 and 1 <= goal[i] <= 17):
            bad(code, "goal", "must be a goal number", row.goal, "1-17")
        for column, allowed in (("better", DIRECTIONS), ("driver", DRIVERS),
                                ("source", SOURCES), ("bounds_source", BOUNDS_SOURCES)):
            if row[column] not in allowed:
                bad(code, column, f"unknown {column}", row[column], ", ".join(allowed))
        if not row.series.strip():
            bad(code, "series", "no baseline series given")
        if np.isnan(row.lower) or np.isnan(row.optimum):
            bad(code, "lower/optimum", "normalisation bounds missing",
                (row.lower, row.optimum))
        elif row.lower == row.optimum:
            bad(code, "lower/optimum", "normalisation bounds are equal", row.lower)
        elif row.better in DIRECTIONS and (row.optimum > row.lower) != (row.better == "higher"):
            bad(code, "lower/optimum", f"bounds contradict better={row.better}",
                (row.lower, row.optimum), "optimum above lower when higher is better, "
                "below it when lower is better")
        if row.bounds_source == "sdr2022":
            if row.sdr_code not in sdr_bounds.index:
                bad(code, "sdr_code", "no row for this code in the SDR 2022 bounds file "
                    "(sdr2022/SDR2022_tech_bounds.csv)", row.sdr_code or None,
                    "an IndCode of that file, or bounds_source=derived")
            else:
                b = sdr_bounds.loc[row.sdr_code]
                expected = (float(b["Lower Bound (=0)"]), float(b["Optimum (= 100)"]))
                if not np.allclose((row.lower, row.optimum), expected,
                                   atol=_BOUNDS_TOLERANCE, equal_nan=False):
                    bad(code, "lower/optimum", "differ from the SDR 2022 bounds of "
                        f"{row.sdr_code}", (row.lower, row.optimum), str(expected))
        if not np.isnan(row.valid_min) and not np.isnan(row.valid_max) \
                and row.valid_min >= row.valid_max:
            bad(code, "valid_min/valid_max", "empty valid range",
                (row.valid_min, row.valid_max))
    if problems:
        raise ConfigError(problems, title="invalid indicator registry")
    df["goal"] = goal.astype(int)
    df["valid_min"] = df["valid_min"].fillna(-np.inf)
    df["valid_max"] = df["valid_max"].fillna(np.inf)
    return df.set_index("code", drop=False)


@cache
def registry() -> pd.DataFrame:
    """The shipped registry as a DataFrame indexed by indicator code, in file order."""
    return load_registry()


def check_codes(codes: Iterable[str], where: str = "indicator") -> list[str]:
    """``codes`` as a list; unknown codes raise one error naming all of them."""
    codes = [str(c) for c in codes]
    known = registry().index
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise ConfigError([Problem(where, "unknown indicator code", c, ", ".join(known))
                           for c in unknown])
    return codes


def indicator(code: str) -> Indicator:
    """One registry entry; unknown codes raise an error listing the known ones."""
    check_codes([code])
    return Indicator(**registry().loc[code].to_dict())


def codes(driver: str | None = None) -> list[str]:
    """Indicator codes in registry order, optionally only those of one driver."""
    reg = registry()
    if driver is not None:
        if driver not in DRIVERS:
            raise ConfigError([Problem("driver", "unknown driver", driver, ", ".join(DRIVERS))])
        reg = reg[reg.driver == driver]
    return list(reg.index)


def goals() -> list[int]:
    return list(range(1, 18))


def covered_goals() -> list[int]:
    """Goals with at least one indicator in the registry."""
    return sorted(set(registry()["goal"].astype(int)))
