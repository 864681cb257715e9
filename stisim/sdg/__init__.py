"""SDG layer: SDR 2022 normalisation and goal scores (``scores``), interaction matrices
(``matrices``), interlinkage dynamics (``interlinkages``) and Policy Priority Inference
interoperability (``ppi``). The indicator registry it scores is the table
:mod:`stisim.data.indicators` (the baseline reads it too, so it lives below this layer).

Importing the package documents the SDG layer's dataset variables (``variables.yml``); the
functions below are imported on first use, so that reading the config section
(``stisim.sdg.params``) does not load xarray.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from stisim.dataset import register_variables

if TYPE_CHECKING:
    from stisim.data.indicators import Indicator, registry
    from stisim.sdg.scores import goal_scores, index_score, normalise

with (Path(__file__).parent / "variables.yml").open(encoding="utf-8") as _fh:
    register_variables(yaml.safe_load(_fh), kind="sdg")

__all__ = ["Indicator", "goal_scores", "index_score", "normalise", "registry"]
_HOME = {"Indicator": "stisim.data.indicators", "registry": "stisim.data.indicators",
         "goal_scores": "stisim.sdg.scores", "index_score": "stisim.sdg.scores",
         "normalise": "stisim.sdg.scores"}


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module 'stisim.sdg' has no attribute {name!r}")
    return getattr(importlib.import_module(_HOME[name]), name)
