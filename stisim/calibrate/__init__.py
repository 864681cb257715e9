"""Calibration to history: fit config parameters to a country's observed indicator series.

A driver: it runs the model through the one simulation path (:mod:`stisim.pipeline`) or the
interlinkage dynamics alone, and the engines never import it.

* :mod:`~stisim.calibrate.search` — the fit of any simulator (loss, block-coordinate and
  scipy searches);
* :mod:`~stisim.calibrate.simulators` — the simulators fitted;
* :mod:`~stisim.calibrate.history` — :func:`run_calibration`, what ``stisim calibrate`` runs;
* :mod:`~stisim.calibrate.outputs` — the result Dataset, fit table and scenario file;
* :mod:`~stisim.calibrate.params` — the ``calibrate`` config section.

The package is imported whenever configs are validated (for its section), so the rest is
loaded on demand::

    from stisim.calibrate import run_calibration, fit_table
"""

from __future__ import annotations

from typing import Any

_EXPORTS = {
    "run_calibration": "stisim.calibrate.history",
    "CalibrationRun": "stisim.calibrate.history",
    "calibrate": "stisim.calibrate.search",
    "CalibrationResult": "stisim.calibrate.search",
    "Parameter": "stisim.calibrate.search",
    "fit_table": "stisim.calibrate.outputs",
    "pipeline_simulator": "stisim.calibrate.simulators",
    "hindcast_simulator": "stisim.calibrate.simulators",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'stisim.calibrate' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
