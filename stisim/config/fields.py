"""Declaring config fields with documentation, units and allowed ranges.

Every config section is a dataclass whose fields are declared with :func:`param`. The
metadata drives validation (:mod:`stisim.config.validate`), the reference docs and the
``--help`` text, so a parameter is described in exactly one place.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any


def param(
    default: Any = dataclasses.MISSING,
    doc: str = "",
    *,
    unit: str | None = None,
    ge: float | None = None,
    gt: float | None = None,
    le: float | None = None,
    lt: float | None = None,
    choices: Sequence[Any] | Callable[[], Sequence[Any]] | None = None,
    source: str | None = None,
    default_factory: Callable[[], Any] | None = None,
) -> Any:
    """A dataclass field with documentation and validation metadata.

    ``choices`` may be a callable, evaluated at validation time (e.g. the list of countries).
    ``source`` cites where a default comes from (a paper, a dataset, or "assumption").
    """
    meta = {"doc": doc, "unit": unit, "ge": ge, "gt": gt, "le": le, "lt": lt,
            "choices": choices, "source": source}
    if default_factory is not None:
        return dataclasses.field(default_factory=default_factory, metadata=meta)
    if isinstance(default, (list, dict)):
        value = default
        return dataclasses.field(default_factory=lambda: type(value)(value), metadata=meta)
    return dataclasses.field(default=default, metadata=meta)


def describe(section: type) -> list[dict[str, Any]]:
    """Rows (name, type, default, unit, range, doc, source) describing a section's fields."""
    rows = []
    for f in dataclasses.fields(section):
        m = f.metadata
        default = f.default if f.default is not dataclasses.MISSING else (
            f.default_factory() if f.default_factory is not dataclasses.MISSING else None)
        bounds = []
        for key, sym in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
            if m.get(key) is not None:
                bounds.append(f"{sym} {m[key]}")
        choices = m.get("choices")
        if choices is not None and not callable(choices):
            bounds.append("one of " + ", ".join(map(str, choices)))
        rows.append({
            "name": f.name,
            "type": getattr(f.type, "__name__", str(f.type)),
            "default": default,
            "unit": m.get("unit") or "",
            "range": "; ".join(bounds),
            "doc": m.get("doc", ""),
            "source": m.get("source") or "",
        })
    return rows
