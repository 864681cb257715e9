"""Fitted business-as-usual trends after the end of the history they were fitted to.

A trend ``r`` (per year) acts in full from the base year ``t0`` to its end year ``E``; after
``E`` it is damped: ``k`` years later it acts at ``phi**k`` of its rate (the damped trend of
Gardner & McKenzie 1985, Management Science 31(10):1237-1246). ``phi = 0`` stops the trend at
``E`` (the level of ``E`` is kept), ``phi = 1`` continues it undamped, and an end year of 0
means no end. Forecasting practice keeps ``phi`` in 0.8-0.98 (Hyndman & Athanasopoulos,
*Forecasting: Principles and Practice*, 3rd ed., section 8.2).
"""

from __future__ import annotations

import math


def trend_years(t: float, t0: float, end: float, damping: float) -> float:
    """Years of trend accumulated from ``t0`` to ``t``: ``t - t0`` up to ``end``, then
    ``sum over k of damping**k`` (continuous: ``phi (1 - phi**h) / (1 - phi)`` after ``h``
    more years)."""
    if not end or t <= end:
        return max(t - t0, 0.0)
    full = max(end - t0, 0.0)
    h = t - max(end, t0)
    if damping <= 0.0:
        return full
    if damping >= 1.0:
        return full + h
    return full + damping * (1.0 - damping ** h) / (1.0 - damping) if h > 0 else full


def trend_rate(t: float, end: float, damping: float) -> float:
    """Share of a trend's yearly rate acting at ``t``: 1 up to ``end``, ``damping**(t - end)``
    after it (0 with ``damping = 0``)."""
    if not end or t <= end:
        return 1.0
    if damping <= 0.0:
        return 0.0
    return 1.0 if damping >= 1.0 else math.pow(damping, t - end)
