"""SDG layer: indicator registry, SDR 2022 normalisation, goal scores."""

from stisim.sdg.registry import Indicator, registry
from stisim.sdg.scores import goal_scores, index_score, normalise

__all__ = ["Indicator", "goal_scores", "index_score", "normalise", "registry"]
