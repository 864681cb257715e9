"""The registry of config sections.

A section is a dataclass that becomes one top-level key of the composed config
(``country``, ``time``, ``firms``, ...). Engines and plugins register their own sections,
so adding a parameter group needs no edit to the core::

    @section("incubator")
    @dataclass
    class IncubatorConfig:
        enabled: bool = param(False, "switch the incubator agent on")
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

SECTIONS: dict[str, type] = {}
# Top-level keys besides sections: ``seed`` and shorthands such as ``portfolio`` that a
# primary config interpolates into a section (``optimise.portfolio: ${portfolio}``).
ROOT_KEYS: set[str] = {"seed"}
# Cross-section checks: functions taking the typed root config and returning problems.
CHECKS: list[Callable[[Any], list]] = []


def section(name: str) -> Callable[[type[T]], type[T]]:
    """Class decorator registering a dataclass as the config section ``name``."""

    def register(cls: type[T]) -> type[T]:
        if not dataclasses.is_dataclass(cls):
            raise TypeError(f"section {name!r}: {cls.__name__} must be a dataclass")
        existing = SECTIONS.get(name)
        if existing is not None and existing.__qualname__ != cls.__qualname__:
            raise ValueError(f"config section {name!r} is already registered by {existing}")
        SECTIONS[name] = cls
        return cls

    return register


def root_key(name: str) -> None:
    """Allow a top-level shorthand key (its value should be interpolated into a section)."""
    ROOT_KEYS.add(name)


def check(func: Callable[[Any], list]) -> Callable[[Any], list]:
    """Register a cross-section validation function ``func(cfg) -> list[Problem]``."""
    if func not in CHECKS:
        CHECKS.append(func)
    return func


# The modules that declare stisim's own sections, by name: the config layer knows where the
# sections are, not what they hold (each package declares its sections in a module named
# ``params``; plugins add theirs through stisim.plugins).
BUILTIN_SECTION_MODULES = ("stisim.config.params", "stisim.agents.params",
                           "stisim.optimize.params", "stisim.sweep.params",
                           "stisim.coupling.params", "stisim.sdg.params",
                           "stisim.calibrate.params", "stisim.atlas.params",
                           "stisim.validate.params")


def load_builtin_sections() -> None:
    """Import the modules that declare stisim's own sections."""
    import importlib

    from stisim.plugins import load_plugins

    for module in BUILTIN_SECTION_MODULES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:  # engine not present in this build
            if exc.name is None or not module.startswith(exc.name):
                raise
    load_plugins()
