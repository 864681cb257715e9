"""Response curves: expert effects as curves, tables from estimates, concavity."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from stisim.roadmap import ResponseCurves, build_portfolio
from stisim.roadmap.responses import concave_majorant, is_concave

RAW = {"name": "t", "horizon": [2025, 2026], "country": "kenya",
       "sources": [{"id": "pub", "kind": "public", "budget": 10}],
       "actions": [{"id": "A", "name": "a", "instrument": "research_grants", "lead": "x",
                    "cost": [4, 4], "sources": ["pub"], "max_scale": 2,
                    "effects": [{"indicator": "9.5.1", "change": 0.02, "lag": 2,
                                 "response": "concave"}]}]}


def test_expert_effects_as_spending_curves():
    p = build_portfolio(RAW)
    curves = ResponseCurves.from_portfolio(p)
    c = curves.curves[("A", "9.5.1")]
    assert c.spend.tolist() == [0, 2, 4, 6, 8] and c.lag == 2
    assert float(c.at(8)) == pytest.approx(0.02)
    assert float(c.at(4)) == pytest.approx(0.015)  # f(0.5) = 0.75
    # Beyond full scale the last slope continues (max_scale 2).
    assert float(c.at(16)) == pytest.approx(0.02 + 8 * (0.02 - 0.01875) / 2)
    gains = curves.gains(pd.Series({"A": 4.0}))
    assert gains[("A", "9.5.1")] == pytest.approx(0.015)


def test_concavity_checks():
    x = np.array([0.0, 1.0, 2.0, 3.0])
    assert is_concave(x, np.array([0.0, 2.0, 3.0, 3.5]))
    assert not is_concave(x, np.array([0.0, 1.0, 3.0, 3.5]))
    hull = concave_majorant(x, np.array([0.0, 1.0, 3.0, 3.5]))
    assert hull.tolist() == pytest.approx([0.0, 1.5, 3.0, 3.5])
    assert is_concave(x, hull)


def test_decreasing_indicator_curves_are_concave_in_progress():
    """For a lower-is-better indicator a gain curve is checked in the direction of
    progress: falling by less and less is concave progress."""
    p = build_portfolio(RAW)
    table = pd.DataFrame({"action": "A", "indicator": "2.1.1", "spend": [0, 4, 8],
                          "gain": [0, -1.0, -1.5]})
    curves = ResponseCurves.from_table(table, p, origin="t")
    assert ("A", "2.1.1") in curves.curves
    round_trip = ResponseCurves.from_table(curves.table(), p, origin="t")
    assert np.array_equal(round_trip.curves[("A", "2.1.1")].gain, [0, -1.0, -1.5])
