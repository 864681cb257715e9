"""What the agent model's config sections share: citations of defaults, defaults keyed by
sector or technology, and checks of keyed values (through :mod:`stisim.config.kernel`).
"""

from __future__ import annotations

from typing import Any

from stisim.agents.catalog import SECTORS, TECHNOLOGIES
from stisim.config.kernel import allowed_text, out_of_bounds
from stisim.errors import Problem

ASSUMPTION = "assumption"
# Appended to a labelled assumption's range: tried in the influence screening (docs/model.md
# §12, tools/parameter_influence.py).
TRIED = " tried (Morris screening, tools/parameter_influence.py)"
SULTAN = "Sultan, Farley & Lehmann (1990), J. Marketing Research 27(1):70-77 (meta-analysis)"


def _sectors(**values: Any) -> dict[str, Any]:
    assert set(values) == set(SECTORS), set(SECTORS) ^ set(values)
    return {s: values[s] for s in SECTORS}


def _techs(**values: Any) -> dict[str, Any]:
    assert set(values) == set(TECHNOLOGIES), set(TECHNOLOGIES) ^ set(values)
    return {t: values[t] for t in TECHNOLOGIES}


def _mapping(path: str, mapping: dict, allowed: tuple[str, ...] | list[str], *,
             ge: float | None = None, le: float | None = None,
             complete: bool = False) -> list[Problem]:
    """Problems of a mapping keyed by names of ``allowed``: unknown keys, values out of
    [``ge``, ``le``], and (``complete``) missing keys."""
    out = []
    listing = ", ".join(allowed)
    for key, value in mapping.items():
        if key not in allowed:
            out.append(Problem(f"{path}.{key}", "unknown name", key, allowed_text(allowed, key)))
            continue
        if value is None or not isinstance(value, (int, float)):
            continue
        broken = out_of_bounds(value, {"ge": ge, "le": le})
        if broken:
            out.append(Problem(f"{path}.{key}", "out of range", value, broken))
    if complete:
        for key in allowed:
            if key not in mapping:
                out.append(Problem(f"{path}.{key}", "missing entry", None, listing))
    return out


def _names(items: list[str], path: str, allowed: tuple[str, ...] | list[str]) -> list[Problem]:
    return [Problem(f"{path}[{i}]", "unknown name", v, allowed_text(allowed, v))
            for i, v in enumerate(items) if v not in allowed]
