"""SDG layer: indicator registry, SDR 2022 normalisation and goal scores; interaction
matrices (``matrices``), interlinkage dynamics (``interlinkages``), calibration to history
(``calibration``) and Policy Priority Inference interoperability (``ppi``) live in their own
modules (imported on demand: they depend on the baseline, which depends on the registry)."""

from stisim.sdg.registry import Indicator, registry
from stisim.sdg.scores import goal_scores, index_score, normalise

__all__ = ["Indicator", "goal_scores", "index_score", "normalise", "registry"]
