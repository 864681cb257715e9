"""Plugins: third-party modules that register config sections, agent types or rules.

A plugin is a Python package exposing an entry point in the ``stisim.plugins`` group
(``[project.entry-points."stisim.plugins"] NAME = "my_package"`` in its pyproject.toml);
loading it runs its registrations, and a plugin that ships scenario files makes them
selectable with :func:`add_scenario_dir`. Only ``stisim.*`` objects and modules of such a
package (or of :func:`allow_module`) may appear as ``_target_`` or extension modules in
configs and scenario files. A worked example to copy: ``examples/stisim-venture``.
"""

from __future__ import annotations

import types
from importlib.metadata import entry_points
from pathlib import Path

_ALLOWED_PREFIXES: set[str] = {"stisim."}
_SCENARIO_DIRS: list[Path] = []
_loaded = False


def add_scenario_dir(path: str | Path) -> None:
    """Make the scenario files under ``path`` selectable by their relative name
    (``scenario=venture/boom`` for ``path/venture/boom.yaml``); a plugin calls this for the
    directory it ships. Shipped and ``$STISIM_SCENARIO_PATH`` files of the same name win."""
    resolved = Path(path).resolve()
    if resolved not in _SCENARIO_DIRS:
        _SCENARIO_DIRS.append(resolved)


def scenario_dirs() -> list[Path]:
    """The scenario directories registered by plugins, in the order they were added."""
    return list(_SCENARIO_DIRS)


def allow_module(prefix: str) -> None:
    """Allow ``_target_`` values starting with ``prefix`` (a plugin's module path)."""
    _ALLOWED_PREFIXES.add(prefix.rstrip(".") + ".")


def allowed_prefixes() -> list[str]:
    return sorted(_ALLOWED_PREFIXES)


def target_allowed(target: str) -> bool:
    return any(target.startswith(p) for p in _ALLOWED_PREFIXES)


def load_plugins() -> None:
    """Import every installed ``stisim.plugins`` entry point once."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    for ep in entry_points(group="stisim.plugins"):
        allow_module(ep.value.split(":")[0])
        ep.load()


def _module_allowed(name: str) -> bool:
    return name == "stisim" or target_allowed(name + ".")


def resolve_object(spec: str) -> object:
    """The object named by ``spec`` (``pkg.mod:attr`` or ``pkg.mod.attr``), refused unless
    the module and the object itself belong to stisim or a registered plugin.

    Checking the name's prefix alone is not enough: ``stisim.io:os.system`` starts with
    ``stisim.`` and names :func:`os.system`. Every step of the walk must stay in an allowed
    module, and the object found must be defined in one. Raises :class:`ValueError` with a
    message naming ``spec`` and what is allowed.
    """
    import importlib

    load_plugins()
    allowed = ", ".join(p + "*" for p in allowed_prefixes())
    refused = ValueError(f"{spec!r} refused: must name a function defined in {allowed}")
    if not isinstance(spec, str) or not spec or not target_allowed(spec.replace(":", ".")):
        raise refused
    if ":" in spec:
        module_name, _, attr = spec.partition(":")
    else:
        module_name, _, attr = spec.rpartition(".")
    if not module_name or not attr or not all(p.isidentifier() for p in
                                              [*module_name.split("."), *attr.split(".")]):
        raise ValueError(f"{spec!r} is malformed; allowed: module.function or "
                         f"module:function in {allowed}")
    if not _module_allowed(module_name):
        raise refused
    try:
        obj: object = importlib.import_module(module_name)
    except ImportError as exc:
        raise ValueError(f"{spec!r}: cannot import {module_name} ({exc})") from None
    for part in attr.split("."):
        if part.startswith("_"):
            raise refused
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise ValueError(f"{spec!r}: {module_name} has no {attr}") from None
        home = obj.__name__ if isinstance(obj, types.ModuleType) else \
            getattr(obj, "__module__", None)
        if not isinstance(home, str) or not _module_allowed(home):
            raise refused
    if not callable(obj) or isinstance(obj, types.ModuleType):
        raise ValueError(f"{spec!r} is not a function")
    return obj
