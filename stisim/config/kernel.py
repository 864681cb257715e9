"""The validation kernel: one value against declared bounds and allowed values, with
suggestions, in one message format.

Config validation (:mod:`stisim.config.validate`), the portfolio schema
(:mod:`stisim.roadmap.schema`), sweep parameters (:mod:`stisim.sweep.parameters`) and
calibration intervals all check values with these functions, so a bad value reads the same
wherever it is found: *what* is wrong (the caller's message), the value, and what is allowed
(``>= 0 and <= 1``; ``a, b, c (did you mean 'b'?)``).
"""

from __future__ import annotations

import difflib
import operator
from collections.abc import Callable, Iterable, Mapping
from typing import Any

# Bound keys of field metadata (``param(..., ge=0)``, attributes.yml ``ge: 0``).
BOUNDS: tuple[tuple[str, str, Callable[[Any, Any], bool]], ...] = (
    ("ge", ">=", operator.ge), ("gt", ">", operator.gt),
    ("le", "<=", operator.le), ("lt", "<", operator.lt))
LISTED = 20  # longer lists of allowed values are shortened to their first SHOWN entries
SHOWN = 8


def bounds_text(meta: Mapping[str, Any]) -> list[str]:
    """The bounds declared in ``meta`` as text (``[">= 0", "< 1"]``)."""
    return [f"{sym} {meta[key]}" for key, sym, _ in BOUNDS if meta.get(key) is not None]


def out_of_bounds(value: Any, meta: Mapping[str, Any]) -> str | None:
    """The allowed range (``">= 0 and <= 1"``) when ``value`` breaks a bound, else None."""
    if any(meta.get(key) is not None and not ok(value, meta[key]) for key, _, ok in BOUNDS):
        return " and ".join(bounds_text(meta))
    return None


def interval_violations(low: float, high: float, meta: Mapping[str, Any]) -> list[str]:
    """The bounds of ``meta`` that some value of ``[low, high]`` breaks (sweep
    distributions, calibration intervals), as text."""
    ends = {"ge": low, "gt": low, "le": high, "lt": high}
    return [f"{sym} {meta[key]}" for key, sym, ok in BOUNDS
            if meta.get(key) is not None and not ok(ends[key], meta[key])]


def allowed_text(allowed: Iterable[Any], got: Any = None) -> str:
    """The allowed values as text, with the closest ones to ``got`` suggested.

    Up to :data:`LISTED` values are listed; longer lists show their size and first
    :data:`SHOWN` values, and up to three suggestions.
    """
    shown = [str(a) for a in allowed]
    long = len(shown) > LISTED
    text = (f"{len(shown)} values such as {', '.join(shown[:SHOWN])}, ..." if long
            else ", ".join(shown))
    if got is not None:
        close = difflib.get_close_matches(str(got), shown, n=3 if long else 1)
        if close:
            names = [repr(c) for c in close]
            listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
            text += f" (did you mean {listed}?)"
    return text
