"""Validation of portfolio files against the declarative attribute table ``attributes.yml``.

Each component (portfolio, source, action, effect, agency, region, floor, scenario) is a
mapping whose attributes are described by one row of the table: type, default, unit, bounds,
allowed values and a description. :func:`check_component` walks a raw mapping, fills
defaults, normalises values (e.g. a source list becomes ``{source: 1.0}``) and records every
problem with the path of the value (``actions[KE03].cost``), the file or sheet row it came
from and what is allowed. The docs table comes from :func:`attribute_rows`.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from stisim.config.kernel import allowed_text, bounds_text, out_of_bounds
from stisim.errors import Problem

SCHEMA_FILE = Path(__file__).with_name("attributes.yml")
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
YEAR_RANGE = (1900, 2200)

# Locates an item for error messages: (component, position, item id) -> "file, sheet row".
Locator = Callable[[str, int | None, str | None], str]


@cache
def attributes() -> dict[str, dict[str, dict[str, Any]]]:
    """The attribute table: component -> attribute -> metadata."""
    with SCHEMA_FILE.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@cache
def _allowed_values(name: str) -> tuple[str, ...]:
    if name == "instruments":
        from stisim.roadmap.instruments import instrument_ids

        return tuple(instrument_ids())
    if name == "indicators":
        from stisim.data.indicators import codes

        return tuple(codes())
    raise KeyError(name)


def attribute_rows(component: str) -> list[dict[str, str]]:
    """Rows (attribute, type, unit, default, required, allowed, description) for docs."""
    rows = []
    for name, meta in attributes()[component].items():
        bounds = bounds_text(meta)
        allowed = meta.get("allowed")
        if isinstance(allowed, list):
            bounds.append("one of " + ", ".join(map(str, allowed)))
        elif isinstance(allowed, str):
            bounds.append({"countries": "a known country", "instruments": "an instrument id",
                           "indicators": "a registry indicator code"}[allowed])
        rows.append({
            "attribute": name,
            "type": meta["type"],
            "unit": meta.get("unit", ""),
            "default": "(required)" if meta.get("required") else repr(meta.get("default")),
            "allowed": "; ".join(bounds),
            "description": " ".join(str(meta.get("description", "")).split()),
        })
    return rows


class Checker:
    """Collects problems while normalising one portfolio."""

    def __init__(self, file: str, locate: Locator | None = None):
        self.file = file
        self.locate = locate
        self.problems: list[Problem] = []

    def where(self, component: str | None = None, position: int | None = None,
              item_id: str | None = None) -> str:
        if self.locate is not None and component is not None:
            return self.locate(component, position, item_id)
        return self.file

    def add(self, path: str, message: str, value: Any = None, allowed: str | None = None,
            where: str | None = None) -> None:
        self.problems.append(Problem(path, message, value, allowed, where or self.file))

    # -- components ---------------------------------------------------------------------
    def component(self, component: str, raw: Any, path: str, where: str,
                  skip: tuple[str, ...] = ()) -> dict[str, Any]:
        table = {k: v for k, v in attributes()[component].items() if k not in skip}
        if not isinstance(raw, Mapping):
            self.add(path, f"must be a mapping of {component} attributes", _short(raw),
                     allowed_text(list(table)), where)
            return {}
        out: dict[str, Any] = {}
        for key in raw:
            if key not in table and key not in skip:
                self.add(f"{path}.{key}", f"unknown {component} attribute", None,
                         allowed_text(list(table), key), where)
        for name, meta in table.items():
            sub = f"{path}.{name}" if path else name
            value = raw.get(name)
            if value is None or (isinstance(value, str) and value.strip() == ""
                                 and meta["type"] not in ("text",)):
                if meta.get("required"):
                    self.add(sub, "is required", None, _type_hint(meta), where)
                    out[name] = None
                else:
                    default = meta.get("default")
                    out[name] = _copy(default)
                    if default is not None and meta["type"] in ("shares", "response"):
                        out[name] = self.value(sub, default, meta, where, component)
                continue
            out[name] = self.value(sub, value, meta, where, component)
        return out

    def items(self, component: str, raw: Any, path: str) -> list[dict[str, Any]]:
        if raw is None:
            return []
        if not isinstance(raw, list):
            self.add(path, f"must be a list of {component}s", _short(raw), None,
                     self.where(component))
            return []
        out = []
        seen: set[str] = set()
        for i, item in enumerate(raw):
            item_id = item.get("id") if isinstance(item, Mapping) else None
            label = f"{path}[{item_id}]" if item_id not in (None, "") else f"{path}[{i}]"
            where = self.where(component, i, None if item_id is None else str(item_id))
            normalised = self.component(component, item, label, where)
            if item_id not in (None, ""):
                if str(item_id) in seen:
                    self.add(f"{label}.id", f"duplicate {component} id", item_id, None, where)
                seen.add(str(item_id))
            normalised["_where"] = where
            normalised["_path"] = label
            out.append(normalised)
        return out

    # -- values -------------------------------------------------------------------------
    def value(self, path: str, value: Any, meta: dict[str, Any], where: str,
              component: str) -> Any:
        kind = meta["type"]
        if kind.startswith("list:"):
            sub = kind.split(":", 1)[1]
            return self.nested(sub, value, path, where)
        handler = getattr(self, f"_t_{kind}")
        result = handler(path, value, meta, where)
        if result is not None and kind in ("int", "float", "year"):
            self._bounds(path, result, meta, where)
        if result is not None and "allowed" in meta and kind in ("str", "id"):
            allowed = meta["allowed"]
            if isinstance(allowed, str):
                if allowed == "countries":
                    return result  # resolved by the portfolio builder (names, codes)
                allowed = _allowed_values(allowed)
            if result not in allowed:
                self.add(path, "not an allowed value", result, allowed_text(allowed, result),
                         where)
        return result

    def nested(self, component: str, value: Any, path: str, where: str) -> list[dict]:
        if not isinstance(value, list):
            self.add(path, f"must be a list of {component} mappings", _short(value), None,
                     where)
            return []
        out = []
        for i, item in enumerate(value):
            norm = self.component(component, item, f"{path}[{i}]", where)
            norm["_where"] = where
            norm["_path"] = f"{path}[{i}]"
            out.append(norm)
        return out

    def _bounds(self, path: str, value: float, meta: dict[str, Any], where: str) -> None:
        broken = out_of_bounds(value, meta)
        if broken:
            self.add(path, "out of range", value, broken, where)

    def _t_text(self, path, value, meta, where):
        if isinstance(value, (dict, list)):
            self.add(path, "must be text", _short(value), None, where)
            return ""
        return str(value).strip()

    def _t_str(self, path, value, meta, where):
        if isinstance(value, (dict, list, bool)):
            self.add(path, "must be a single name", _short(value), None, where)
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value).strip()

    def _t_id(self, path, value, meta, where):
        text = self._t_str(path, value, meta, where)
        if text is not None and not ID_PATTERN.match(text):
            self.add(path, "not a valid identifier", text,
                     "letters, digits, '_', '.', '-' (starting with a letter or digit)", where)
        return text

    def _t_int(self, path, value, meta, where):
        number = _number(value)
        if number is None or not float(number).is_integer():
            self.add(path, "must be a whole number", _short(value), _type_hint(meta), where)
            return None
        return int(number)

    def _t_year(self, path, value, meta, where):
        year = self._t_int(path, value, meta, where)
        if year is not None and not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
            self.add(path, "not a plausible calendar year", year,
                     f"{YEAR_RANGE[0]}-{YEAR_RANGE[1]}", where)
            return None
        return year

    def _t_float(self, path, value, meta, where):
        number = _number(value)
        if number is None:
            self.add(path, NUMBER_MESSAGE, _short(value), _type_hint(meta), where)
        return number

    def _t_bool(self, path, value, meta, where):
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "yes", "1", "y"):
            return True
        if text in ("false", "no", "0", "n"):
            return False
        self.add(path, "must be true or false", _short(value), "true, false", where)
        return bool(meta.get("default"))

    def _t_year_range(self, path, value, meta, where):
        if isinstance(value, str):
            value = [p for p in re.split(r"[\s,;]+|(?<=\d)-(?=\d)", value.strip()) if p]
        if not isinstance(value, (list, tuple)) or len(value) != 2:
            self.add(path, "must be [first_year, last_year]", _short(value),
                     "e.g. [2025, 2034]", where)
            return None
        first = self._t_year(f"{path}[0]", value[0], {}, where)
        last = self._t_year(f"{path}[1]", value[1], {}, where)
        if first is None or last is None:
            return None
        if last < first:
            self.add(path, "last year is before the first year", [first, last], None, where)
            return None
        return (first, last)

    def _t_amounts(self, path, value, meta, where):
        return self._series(path, value, where, allow_null=True)

    def _t_profile(self, path, value, meta, where):
        return self._series(path, value, where, allow_null=False)

    def _series(self, path, value, where, allow_null):
        if isinstance(value, Mapping):
            out: dict[int, float] = {}
            for year, amount in value.items():
                y = self._t_year(f"{path}.{year}", year, {}, where)
                a = self._amount(f"{path}.{year}", amount, where)
                if y is not None and a is not None:
                    out[y] = a
            return out
        if isinstance(value, (list, tuple)):
            amounts = [self._amount(f"{path}[{i}]", a, where) for i, a in enumerate(value)]
            if not amounts:
                self.add(path, "must not be empty", value, None, where)
            return [0.0 if a is None else a for a in amounts]
        if isinstance(value, str) and ";" in value:
            return self._series(path, [p for p in value.split(";") if p.strip()], where,
                                allow_null)
        amount = self._amount(path, value, where)
        return amount

    def _amount(self, path, value, where):
        number = _number(value)
        if number is None:
            self.add(path, NUMBER_MESSAGE, _short(value), ">= 0", where)
            return None
        if number < 0:
            self.add(path, "must not be negative", number, ">= 0", where)
            return None
        return number

    def _t_shares(self, path, value, meta, where):
        if isinstance(value, str):
            value = _split_list(value)
            if all(":" in v for v in value):
                value = {k.strip(): v for k, _, v in (p.partition(":") for p in value)}
            else:
                value = [v.split(":")[0] for v in value]
        if isinstance(value, (list, tuple)):
            out = {}
            for _i, item in enumerate(value):
                if isinstance(item, Mapping):  # [{treasury: 0.5}, ...]
                    for k, v in item.items():
                        out[str(k)] = v
                    continue
                out[str(item).strip()] = 1.0
            value = out
        if not isinstance(value, Mapping) or not value:
            self.add(path, "must list at least one source", _short(value),
                     "a list of source ids or {source: max_share}", where)
            return {}
        shares = {}
        for key, share in value.items():
            number = _number(share)
            if number is None or not 0 < number <= 1:
                self.add(f"{path}.{key}", "max share must be in (0, 1]", share, "0 < share <= 1",
                         where)
                continue
            shares[str(key)] = number
        return shares

    def _t_ids(self, path, value, meta, where):
        if isinstance(value, str):
            value = _split_list(value)
        if not isinstance(value, (list, tuple)):
            self.add(path, "must be a list of ids", _short(value), None, where)
            return []
        return [str(v).strip() for v in value if str(v).strip()]

    def _t_factors(self, path, value, meta, where):
        if isinstance(value, str):
            value = {k.strip(): v for k, _, v in (p.partition(":") for p in _split_list(value))}
        if not isinstance(value, Mapping):
            self.add(path, "must be a mapping of name -> number", _short(value), None, where)
            return {}
        out = {}
        for key, factor in value.items():
            number = _number(factor)
            if number is None:
                self.add(f"{path}.{key}", NUMBER_MESSAGE, factor, None, where)
                continue
            out[str(key)] = number
        return out

    def _t_response(self, path, value, meta, where):
        if isinstance(value, str):
            text = value.strip().lower()
            if text in ("linear", "concave"):
                return response_points(text)
            try:  # tables write breakpoints as "0:0;0.5:0.7;1:1"
                value = [[float(x) for x in p.split(":")] for p in _split_list(text)]
            except ValueError:
                self.add(path, "unknown response", value,
                         "linear, concave or [[scale, fraction], ...]", where)
                return response_points("linear")
        points = []
        if isinstance(value, (list, tuple)):
            for p in value:
                if (isinstance(p, (list, tuple)) and len(p) == 2
                        and all(_number(v) is not None for v in p)):
                    points.append((float(p[0]), float(p[1])))
                else:
                    points = []
                    break
        if len(points) < 2:
            self.add(path, "response breakpoints must be a list of [scale, fraction] pairs",
                     _short(value), "linear, concave or [[0, 0], [0.5, 0.7], [1, 1]]", where)
            return response_points("linear")
        problem = concavity_problem(points)
        if problem:
            self.add(path, problem, points, "a concave curve through [0, 0] with increasing "
                     "scales (diminishing returns)", where)
            return response_points("linear")
        return points


def response_points(name: str) -> list[tuple[float, float]]:
    """Breakpoints of the named response shapes (scale, fraction of the full effect)."""
    if name == "linear":
        return [(0.0, 0.0), (1.0, 1.0)]
    # Diminishing returns f(s) = 1 - (1 - s)^2 at quarters: 44% of the effect at 25% scale.
    return [(s, 1.0 - (1.0 - s) ** 2) for s in (0.0, 0.25, 0.5, 0.75, 1.0)]


def concavity_problem(points: list[tuple[float, float]], tol: float = 1e-9) -> str | None:
    """Why breakpoints do not describe a concave curve through the origin (None when they do)."""
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    if abs(xs[0]) > tol or abs(ys[0]) > tol:
        return "response must start at [0, 0]"
    if any(b <= a for a, b in itertools.pairwise(xs)):
        return "response scales must increase strictly"
    slopes = [(y2 - y1) / (x2 - x1) for x1, x2, y1, y2 in zip(xs, xs[1:], ys, ys[1:])]
    if any(s2 > s1 + tol * max(1.0, abs(s1)) for s1, s2 in itertools.pairwise(slopes)):
        return "response is not concave (its slope increases somewhere)"
    return None


def _split_list(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"[;|]", str(text)) if p.strip()]


NUMBER_MESSAGE = "must be a number (finite: no NaN or infinity; at most 1e12 in size)"
MAX_MAGNITUDE = 1e12  # larger numbers are typos or infinities (HiGHS: >= 1e20 is infinite)


def _number(value: Any) -> float | None:
    """A finite number of magnitude <= MAX_MAGNITUDE, or None (NaN, infinity, text, a
    formula, a huge value: reported by the caller, where null is not meant)."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value) if isinstance(value, (int, float)) else \
            float(str(value).strip())
    except (ValueError, OverflowError):
        return None
    if not math.isfinite(number) or abs(number) > MAX_MAGNITUDE:
        return None
    return number


def _short(value: Any) -> Any:
    text = repr(value)
    return value if len(text) <= 60 else text[:57] + "..."


def _copy(value: Any) -> Any:
    if isinstance(value, list):
        return list(value)
    if isinstance(value, dict):
        return dict(value)
    return value


def _type_hint(meta: dict[str, Any]) -> str | None:
    allowed = meta.get("allowed")
    if isinstance(allowed, list):
        return ", ".join(map(str, allowed))
    return {"year_range": "[first_year, last_year]", "profile": "yearly amounts",
            "shares": "a list of source ids or {source: max_share}",
            "year": "a calendar year"}.get(meta.get("type"), meta.get("type"))
