"""``STISIM_SMALL=1``: every command at a small size (the documentation's commands in tests).

With the environment variable ``STISIM_SMALL`` set to ``1`` (or ``true``/``yes``), the
composed configuration of every command is capped before validation: fewer firms, sweep
samples, replicates, workers, calibration evaluations and loop iterations. The simulated years,
countries, scenarios and every other setting are unchanged, so a documented command runs the
same path and prints the same lines, with other numbers. The caps are part of the validated
config, so every output records them (the ``config`` attribute); stisim says on standard error
which values it capped. Nothing is capped when the variable is unset or ``0``.
"""

from __future__ import annotations

import os
import sys
from typing import Any

ENV = "STISIM_SMALL"

# config path -> largest value under STISIM_SMALL (documented in docs/howto.md).
CAPS: dict[str, int] = {
    "firms.count": 400,
    "sweep.samples": 8,
    "sweep.replicates": 2,
    "sweep.executor.workers": 2,
    "compare.replicates": 2,
    "coupling.response_replicates": 1,
    "coupling.loop_max_iterations": 2,
    "coupling.loop_replicates": 1,
    "calibrate.max_evals": 8,
    "calibrate.replicates": 1,
    "optimise.robust.samples": 5,
    "atlas.replicates": 2,
    "atlas.workers": 2,
}

_told: set[str] = set()


def enabled() -> bool:
    return os.environ.get(ENV, "").strip().lower() in ("1", "true", "yes", "on")


def apply(data: dict[str, Any]) -> dict[str, Any]:
    """Cap ``data`` (a resolved config as plain containers) in place when ``STISIM_SMALL``
    is set; return it."""
    if not enabled():
        return data
    capped = []
    for path, cap in CAPS.items():
        *parents, key = path.split(".")
        node: Any = data
        for part in parents:
            node = node.get(part) if isinstance(node, dict) else None
        if not isinstance(node, dict) or not isinstance(node.get(key), int) \
                or isinstance(node.get(key), bool):
            continue
        value = node[key]
        # 0 means "one per core" for worker counts: capped too.
        if value > cap or (value == 0 and path.endswith("workers")):
            node[key] = cap
            capped.append(f"{path} {value} -> {cap}")
    text = ", ".join(capped)
    if capped and text not in _told:
        _told.add(text)
        print(f"stisim: {ENV}=1: small sizes ({text})", file=sys.stderr)
    return data
