"""stisim: simulate and optimise STI investment for the Sustainable Development Goals.

The public functions are imported on first use (``stisim.run``, ``stisim.load_config``, ...),
so that ``import stisim`` and ``stisim --help`` do not load xarray, Mesa or Hydra.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from stisim._version import __version__

if TYPE_CHECKING:
    from stisim.config import load_config
    from stisim.io import open_dataset, write_dataset
    from stisim.pipeline import build, finalize, run, simulate

# Public name -> the module that defines it.
_LAZY = {"load_config": "stisim.config", "open_dataset": "stisim.io",
         "write_dataset": "stisim.io", "build": "stisim.pipeline",
         "finalize": "stisim.pipeline", "run": "stisim.pipeline", "simulate": "stisim.pipeline"}

__all__ = ["__version__", "build", "finalize", "load_config", "open_dataset", "run",
           "simulate", "write_dataset"]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'stisim' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
