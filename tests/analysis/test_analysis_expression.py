"""Outcome and condition expressions: evaluation and errors that name the problem."""

from __future__ import annotations

import numpy as np
import pytest

from stisim.analysis.expression import ExpressionError, condition, evaluate, outcome


def test_selection_by_labels(sweep_ds):
    v = outcome(sweep_ds, 'indicator_value(indicator="9.5.1", time=2030)')
    assert v.dims == ("run", "replicate")
    expected = sweep_ds["indicator_value"].sel(indicator="9.5.1", time=2030.0)
    np.testing.assert_array_equal(v.values, expected.values)


def test_condition_with_arithmetic_logic_and_quantile(sweep_ds):
    g9 = sweep_ds["goal_score"].sel(goal=9, time=2030.0)
    q = g9.quantile(0.25, dim=["run", "replicate"]).item()
    c = condition(sweep_ds, "goal_score(goal=9, time=2030) < quantile(goal_score(goal=9, "
                            "time=2030), 0.25) or not sdg_index(time=2030) > 0")
    # failed runs are NaN: NaN > 0 is False, so "not" makes them True
    expected = (g9 < q) | ~(sweep_ds["sdg_index"].sel(time=2030.0) > 0)
    np.testing.assert_array_equal(c.values, expected.values)
    gain = condition(sweep_ds, "sdg_index(time=2030) - sdg_index(time=2022) >= 5 and "
                               "0 < goal_score(goal=9, time=2030) <= 100")
    idx = sweep_ds["sdg_index"]
    expected = ((idx.sel(time=2030.0) - idx.sel(time=2022.0)) >= 5) & (g9 > 0)
    np.testing.assert_array_equal(gain.values, expected.values)


def test_time_nearest_step_and_goal_as_string(sweep_ds):
    a = evaluate(sweep_ds, 'goal_score(goal="9", time=2029.8)')
    b = evaluate(sweep_ds, "goal_score(goal=9, time=2030)")
    np.testing.assert_array_equal(a.values, b.values)


@pytest.mark.parametrize(("text", "message"), [
    ("goal_scor(goal=9, time=2030) < 5", "unknown variable 'goal_scor'"),
    ("goal_score(goal=99, time=2030) < 5", "goal=99 not found"),
    ("goal_score(region=1, time=2030) < 5", "has no dim 'region'"),
    ("goal_score(goal=9, time=2090) < 5", "outside the simulated period"),
    ("goal_score(time=2030) < 5", r"leaves dims \['goal'\] unselected"),
    ("goal_score(goal=9, time=2030)", "is not a comparison"),
    ("goal_score.__class__", "Attribute is not allowed"),
    ("(lambda: 1)()", "call a variable or a function"),
    ("goal_score(goal=9, time=2030) <", "syntax error"),
    ("quantile(goal_score(goal=9, time=2030), 2) > 1", "0 <= q <= 1"),
    ('goal_score(goal=9, time=2030) < "high"', "quoted label"),
])
def test_errors_name_the_problem(sweep_ds, text, message):
    with pytest.raises(ExpressionError, match=message):
        condition(sweep_ds, text)
