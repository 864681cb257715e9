"""Discounting of a roadmap's years: the one discount factor of stisim.

``δ(t) = (1 + r)^-(t - t0)`` with ``r`` the portfolio's ``discount_rate`` and ``t0`` the
first roadmap year. The optimiser's ``sdg`` and ``min_cost`` objectives, the comparison's
discounted SDG gain and public cost, and the adaptive-roadmap gain all weigh years by it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def discount_factors(rate: float, times: Sequence[float] | np.ndarray,
                     start: float | None = None) -> np.ndarray:
    """``(1 + rate) ** -(t - start)`` for each time ``t`` (``start``: the first time)."""
    t = np.asarray(times, dtype=float)
    t0 = float(t[0]) if start is None else float(start)
    return (1.0 + float(rate)) ** -(t - t0)
