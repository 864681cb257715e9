"""Validate a composed config against the registered sections, reporting every problem.

Composition (Hydra) is kept untyped on purpose: Hydra's typed merge stops at the first
unknown key, while roadmap authors editing a scenario want the whole list at once, each with
the key path, the bad value and what is allowed. The dataclasses remain the single source of
defaults, types and ranges.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from collections.abc import Mapping
from typing import Any

from stisim.config.kernel import allowed_text, out_of_bounds
from stisim.config.sections import CHECKS, ROOT_KEYS, SECTIONS, load_builtin_sections
from stisim.errors import ConfigError, Problem
from stisim.plugins import allowed_prefixes, target_allowed

ROOT_SCALARS = ROOT_KEYS  # seed, plus registered shorthands (sections.root_key)


@dataclasses.dataclass
class StisimConfig:
    """The validated, typed configuration: one attribute per registered section + ``seed``."""

    seed: int
    sections: dict[str, Any]

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["sections"][name]
        except KeyError:
            raise AttributeError(name) from None

    def to_container(self) -> dict[str, Any]:
        """The full resolved config as plain containers (defaults filled in)."""
        out: dict[str, Any] = {"seed": self.seed}
        out.update({k: dataclasses.asdict(v) for k, v in self.sections.items()})
        return out


def _type_name(tp: Any) -> str:
    return getattr(tp, "__name__", str(tp).replace("typing.", ""))


class FieldValidator:
    """Checks values against dataclass fields and their metadata, collecting every problem
    (``.problems``) instead of stopping at the first; shared by config validation, the
    extension registry and the sweep engine's per-run checks."""

    def __init__(self, origins: Mapping[str, str] | None = None):
        self.problems: list[Problem] = []
        self.origins = origins or {}

    def add(self, path: str, message: str, value: Any = None, allowed: str | None = None):
        where = None
        for prefix, origin in self.origins.items():
            if path == prefix or path.startswith(prefix + "."):
                where = origin
        self.problems.append(Problem(path, message, value, allowed, where))

    # -- values -------------------------------------------------------------------------
    def coerce(self, path: str, value: Any, tp: Any) -> Any:
        origin = typing.get_origin(tp)
        args = typing.get_args(tp)
        if tp is Any:
            return value
        if origin in (typing.Union, types.UnionType):
            if value is None and type(None) in args:
                return None
            inner = [a for a in args if a is not type(None)]
            if len(inner) == 1:
                return self.coerce(path, value, inner[0])
            return value
        if dataclasses.is_dataclass(tp):
            if not isinstance(value, Mapping):
                self.add(path, f"must be a mapping of {tp.__name__} fields", value)
                return None
            return self.dataclass(path, value, tp)
        if origin is list:
            if not isinstance(value, (list, tuple)):
                self.add(path, "must be a list", value)
                return []
            (item,) = args or (Any,)
            return [self.coerce(f"{path}[{i}]", v, item) for i, v in enumerate(value)]
        if origin is dict:
            if not isinstance(value, Mapping):
                self.add(path, "must be a mapping", value)
                return {}
            _, item = args or (str, Any)
            return {str(k): self.coerce(f"{path}.{k}", v, item) for k, v in value.items()}
        if tp is bool:
            if not isinstance(value, bool):
                self.add(path, "must be true or false", value)
            return value
        if tp is int:
            if isinstance(value, bool) or not isinstance(value, int):
                if isinstance(value, float) and value.is_integer():
                    return int(value)
                self.add(path, "must be an integer", value)
            return value
        if tp is float:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                self.add(path, "must be a number", value)
                return value
            if not math.isfinite(value):
                self.add(path, "must be a finite number", value, "no NaN or infinity")
                return None
            return float(value)
        if tp is str:
            if not isinstance(value, str):
                self.add(path, "must be a string", value)
            return value
        return value

    def check_meta(self, path: str, value: Any, meta: Mapping[str, Any]) -> None:
        if value is None or (isinstance(value, bool) and meta.get("choices") is None):
            return
        choices = meta.get("choices")
        if choices is not None:
            allowed = list(choices() if callable(choices) else choices)
            if value not in allowed:
                self.add(path, "not an allowed value", value, allowed_text(allowed, value))
            return
        if not isinstance(value, (int, float)):
            return
        broken = out_of_bounds(value, meta)
        if broken:
            self.add(path, "out of range", value, broken)

    def dataclass(self, path: str, data: Mapping[str, Any], cls: type) -> Any:
        hints = typing.get_type_hints(cls)
        fields = {f.name: f for f in dataclasses.fields(cls)}
        kwargs = {}
        for key, value in data.items():
            sub = f"{path}.{key}" if path else str(key)
            if key not in fields:
                self.add(sub, f"unknown key in {path or 'config'}", None,
                         allowed_text(sorted(fields), key))
                continue
            f = fields[key]
            coerced = self.coerce(sub, value, hints[key])
            self.check_meta(sub, coerced, f.metadata)
            kwargs[key] = coerced
        try:
            return cls(**kwargs)
        except (TypeError, ValueError) as exc:  # missing required field
            self.add(path, f"cannot build {cls.__name__}: {exc}")
            return None


def check_targets(container: Any, path: str = "") -> list[Problem]:
    """Every ``_target_`` must name a ``stisim.*`` object or a registered plugin."""
    problems: list[Problem] = []
    if isinstance(container, Mapping):
        for key, value in container.items():
            sub = f"{path}.{key}" if path else str(key)
            if key == "_target_" and not (isinstance(value, str) and target_allowed(value)):
                problems.append(Problem(sub, "refused: configs and scenario files may only "
                                        "name stisim objects or registered plugins", value,
                                        ", ".join(p + "*" for p in allowed_prefixes())))
            else:
                problems += check_targets(value, sub)
    elif isinstance(container, list):
        for i, value in enumerate(container):
            problems += check_targets(value, f"{path}[{i}]")
    return problems


def validate(container: Mapping[str, Any], origins: Mapping[str, str] | None = None
             ) -> StisimConfig:
    """Check a composed config (plain containers, ``hydra`` key removed) and return it typed.

    Raises :class:`ConfigError` listing every problem: unknown keys (with the allowed keys),
    wrong types, values out of range or not among the allowed values, cross-section checks.
    """
    load_builtin_sections()
    data = {k: v for k, v in dict(container).items() if k != "hydra"}
    walker = FieldValidator(origins)
    walker.problems += check_targets(data)
    allowed = sorted([*SECTIONS, *ROOT_SCALARS])
    for key in data:
        if key not in SECTIONS and key not in ROOT_SCALARS:
            walker.add(str(key), "unknown top-level key", None, allowed_text(allowed, key))
    seed = data.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int):
        walker.add("seed", "must be an integer", seed, "0 <= seed < 2**32")
    elif not 0 <= seed < 2**32:
        walker.add("seed", "out of range", seed, "0 <= seed < 2**32")
    sections = {}
    for name, cls in SECTIONS.items():
        value = data.get(name, {})
        if value is None:
            value = {}
        if not isinstance(value, Mapping):
            walker.add(name, f"must be a mapping of {cls.__name__} fields", value)
            continue
        sections[name] = walker.dataclass(name, value, cls)
    cfg = StisimConfig(seed=seed, sections=sections)
    if not walker.problems:
        for func in CHECKS:
            walker.problems += func(cfg)
    if walker.problems:
        raise ConfigError(walker.problems)
    return cfg
