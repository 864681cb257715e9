"""Plugins: third-party modules that register config sections, agent types or rules.

A plugin is a Python package exposing an entry point in the ``stisim.plugins`` group; loading
it runs its registrations. Only ``stisim.*`` objects and modules named by such an entry point
(or by :func:`allow_module`) may appear as ``_target_`` in configs and scenario files.
"""

from __future__ import annotations

from importlib.metadata import entry_points

_ALLOWED_PREFIXES: set[str] = {"stisim."}
_loaded = False


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
