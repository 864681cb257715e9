"""Held-out validation: ``stisim validate`` (a driver; the engines never import it).

* :mod:`~stisim.validate.holdout` — :func:`run_validation`: fit up to ``fit_end``, predict
  the held-out years, baselines;
* :mod:`~stisim.validate.baselines` — persistence, linear trend, mean growth, ETS, Theta;
* :mod:`~stisim.validate.scoring` — ``validation.nc``, score tables, figures;
* :mod:`~stisim.validate.params` — the ``validate`` config section.

The package is imported whenever configs are validated (for its section), so the rest is
loaded on demand.
"""

from __future__ import annotations

from typing import Any

_EXPORTS = {
    "run_validation": "stisim.validate.holdout",
    "validate_country": "stisim.validate.holdout",
    "CountryValidation": "stisim.validate.holdout",
    "to_dataset": "stisim.validate.scoring",
    "summary": "stisim.validate.scoring",
    "score_table": "stisim.validate.scoring",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'stisim.validate' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
