"""Scenario sweeps: designs over uncertainties crossed with levers, replicated over seeds,
executed in batches (serial, local processes or Dask), resumable, assembled into one Dataset.

The package is imported whenever configs are validated (for the ``sweep`` section), so the
engine itself is loaded lazily::

    from stisim.sweep import run_sweep, plan_sweep, collect
"""

from __future__ import annotations

from typing import Any

_EXPORTS = {
    "run_sweep": "stisim.sweep.runner",
    "SweepResult": "stisim.sweep.runner",
    "assemble_plan": "stisim.sweep.runner",
    "plan_sweep": "stisim.sweep.plan",
    "SweepPlan": "stisim.sweep.plan",
    "build_design": "stisim.sweep.designs",
    "replicate_seeds": "stisim.seeds",
    "collect": "stisim.sweep.collect",
    "SweepStore": "stisim.sweep.store",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'stisim.sweep' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
