"""SDG layer: SDR 2022 normalisation and goal scores (``scores``), interaction matrices
(``matrices``), interlinkage dynamics (``interlinkages``) and Policy Priority Inference
interoperability (``ppi``). The indicator registry it scores is the table
:mod:`stisim.data.indicators` (the baseline reads it too, so it lives below this layer).

Importing the package documents the SDG layer's dataset variables (``variables.yml``).
"""

from pathlib import Path

import yaml

from stisim.data.indicators import Indicator, registry
from stisim.dataset import register_variables
from stisim.sdg.scores import goal_scores, index_score, normalise

with (Path(__file__).parent / "variables.yml").open(encoding="utf-8") as _fh:
    register_variables(yaml.safe_load(_fh), kind="sdg")

__all__ = ["Indicator", "goal_scores", "index_score", "normalise", "registry"]
