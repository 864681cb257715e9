"""The run Dataset contract: labelled dims, documented variables, provenance attributes.

Conventions: dims ``time`` (calendar years, fractional for sub-annual steps), ``indicator``
(UN codes such as "9.5.1"), ``goal`` (1-17), and as needed ``sector``, ``region``,
``technology``, ``agent_type``, ``action``, ``source``. Every variable carries ``units``,
``long_name`` and ``description`` from ``data/variables.yml``; the Dataset carries the
resolved config (YAML), the seed, the stisim version, the git commit when available and
per-indicator data provenance.
"""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from stisim import data
from stisim._version import __version__

if TYPE_CHECKING:  # annotations only: registering variables does not load xarray
    import xarray as xr

# Attributes that legitimately differ between two identical runs.
VOLATILE_ATTRS = ("created",)


@cache
def _common() -> dict[str, dict[str, Any]]:
    with data.path("variables.yml").open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


# Variables documented per kind of Dataset ("run": the run dataset and its extensions,
# "allocation", "comparison", "sweep", "sdg", "analysis"). The same name may mean different
# things in different kinds (``spend`` of a strategy comparison is per strategy), so a
# Dataset is annotated from the table of its own kind, never from whatever was registered
# last in the process.
_KINDS: dict[str, dict[str, dict[str, Any]]] = {}
_DOC_KEYS = ("units", "long_name", "description")


def register_variables(entries: dict[str, dict[str, Any]], kind: str = "run") -> None:
    """Document variables of the Datasets of ``kind`` (same keys as variables.yml).

    Re-registering a variable with the same documentation is a no-op; a different one for a
    name the kind already documents is an error (two meanings of one name in one Dataset).
    """
    table = _KINDS.setdefault(kind, {})
    base = _common() if kind == "run" else {}
    for name, meta in entries.items():
        old = table.get(name, base.get(name))
        if old is not None and _docs(old) != _docs(meta):
            raise ValueError(f"variable {name!r} of {kind} datasets is already documented "
                             f"differently: {_docs(old)} vs {_docs(meta)}")
        table[name] = dict(meta)
    variable_table.cache_clear()


def _docs(meta: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(meta.get(k, "")).strip() for k in _DOC_KEYS)


def variable_kinds() -> list[str]:
    """Kinds of Dataset with registered variables, sorted."""
    return sorted(_KINDS)


@cache
def variable_table(kind: str | None = None) -> dict[str, dict[str, Any]]:
    """Documented variables: the common ones (``data/variables.yml``) with those of ``kind``
    (which take precedence); without ``kind``, every documented variable, a name documented
    by several kinds taking the common meaning, else that of the first kind by name."""
    table = dict(_common())
    if kind is not None:
        table.update(_KINDS.get(kind, {}))
        return table
    for name in sorted(_KINDS):
        for var, meta in _KINDS[name].items():
            table.setdefault(var, meta)
    return table


@cache
def git_commit() -> str:
    """The commit of the stisim source tree, or "unknown" outside a git checkout."""
    root = Path(__file__).resolve().parents[1]
    try:
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True,
                             text=True, timeout=5, check=True)
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--", "stisim"],
                               capture_output=True, text=True, timeout=5).stdout.strip()
        return out.stdout.strip() + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def annotate(ds: xr.Dataset, kind: str | None = None) -> xr.Dataset:
    """Attach units, long_name and description to every data variable, from the table of
    ``kind`` (:func:`variable_table`).

    Raises ``KeyError`` for a variable missing from the table, so nothing undocumented ships.
    """
    table = variable_table(kind)
    missing = [name for name in ds.data_vars if name not in table]
    if missing:
        raise KeyError(f"undocumented dataset variables {missing}: add them to variables.yml "
                       "or stisim.dataset.register_variables")
    for name in ds.data_vars:
        meta = table[name]
        ds[name].attrs.update({k: str(meta[k]).strip() for k in ("units", "long_name",
                                                                  "description")})
    if "time" in ds.coords:
        ds["time"].attrs.update(units="year", long_name="calendar year (start of step)")
    if "goal" in ds.coords:
        ds["goal"].attrs.update(long_name="Sustainable Development Goal")
    if "indicator" in ds.coords:
        ds["indicator"].attrs.update(long_name="SDG indicator code")
    return ds


def provenance_attrs(cfg_container: dict[str, Any], seed: int,
                     indicator_provenance: dict[str, dict] | None = None,
                     **extra: Any) -> dict[str, Any]:
    """Dataset attributes recording how a result was made."""
    attrs = {
        "title": "stisim result",
        "Conventions": "CF-1.8",
        "stisim_version": __version__,
        "git_commit": git_commit(),
        "seed": int(seed),
        "config": yaml.safe_dump(cfg_container, sort_keys=True),
        "data_sources": json.dumps(data.SOURCES, sort_keys=True),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    if indicator_provenance is not None:
        attrs["indicator_provenance"] = json.dumps(indicator_provenance, sort_keys=True)
    for key, value in extra.items():
        attrs[key] = value if isinstance(value, (str, int, float)) else json.dumps(value)
    return attrs


def config_of(ds: xr.Dataset) -> dict[str, Any]:
    """The resolved config a Dataset was made with."""
    from stisim.io import load_yaml_limited

    return load_yaml_limited(str(ds.attrs["config"]), "the dataset's config attribute")


def identical_results(a: xr.Dataset, b: xr.Dataset) -> bool:
    """True when two results are identical apart from volatile attributes (creation time)."""
    a2, b2 = a.copy(), b.copy()
    for key in VOLATILE_ATTRS:
        a2.attrs.pop(key, None)
        b2.attrs.pop(key, None)
    return a2.identical(b2)
