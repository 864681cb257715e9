"""The SDG indicator registry: one row per indicator in ``data/indicators.csv``.

Columns: ``code`` (UN indicator code), ``name``, ``unit``, ``goal``, ``better`` (higher or
lower), ``source`` (``unsd`` series or ``sdr`` panel code in ``series``), ``sdr_code`` (SDR
2022 bounds used), ``lower`` (score 0) and ``optimum`` (score 100), ``bounds_source``
(``sdr2022`` or ``derived`` by the SDR method, see ``tools/build_indicator_bounds.py``),
``driver`` (``agents``: computed from agent state; ``network``: moved through the SDG
interaction network) and a ``note`` on proxies.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import pandas as pd

from stisim import data
from stisim.errors import ConfigError, Problem

DRIVERS = ("agents", "network")


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


@cache
def registry() -> pd.DataFrame:
    """The registry as a DataFrame indexed by indicator code, in file order."""
    df = pd.read_csv(data.path("indicators.csv"), dtype={"code": str, "sdr_code": str},
                     keep_default_na=False, na_values={"lower": [""], "optimum": [""]})
    problems = []
    for _, row in df.iterrows():
        if row.driver not in DRIVERS:
            problems.append(Problem(f"indicators.csv:{row.code}.driver", "unknown driver",
                                    row.driver, ", ".join(DRIVERS)))
        if pd.isna(row.lower) or pd.isna(row.optimum) or row.lower == row.optimum:
            problems.append(Problem(f"indicators.csv:{row.code}", "normalisation bounds "
                                    "missing or equal", (row.lower, row.optimum)))
    if problems:
        raise ConfigError(problems, title="invalid indicator registry")
    return df.set_index("code", drop=False)


def indicator(code: str) -> Indicator:
    """One registry entry; unknown codes raise an error listing the known ones."""
    reg = registry()
    if code not in reg.index:
        raise ConfigError([Problem("indicator", "unknown indicator code", code,
                                   ", ".join(reg.index))])
    return Indicator(**reg.loc[code].to_dict())


def codes(driver: str | None = None) -> list[str]:
    reg = registry()
    if driver is not None:
        reg = reg[reg.driver == driver]
    return list(reg.index)


def goals() -> list[int]:
    return list(range(1, 18))
