"""Business R&D response to tax credits and grants: direction, additionality, diminishing
returns and crowding out beyond absorptive capacity."""

from __future__ import annotations

import numpy as np
import pytest

from stisim.agents.rd_finance import absorb, tax_price_multiplier, tax_rate_for_budget


@pytest.mark.parametrize("e", [0.0, 0.5, 1.0, 1.5])
def test_tax_rate_spends_the_budget(e):
    base = 100.0
    for budget in (0.0, 1.0, 10.0, 40.0):
        tau = tax_rate_for_budget(budget, base, e, cap=0.9)
        cost = tau * tax_price_multiplier(tau, e) * base
        assert cost == pytest.approx(budget, rel=1e-9, abs=1e-12)
    # A capped rate claims less than the budget.
    tau = tax_rate_for_budget(1e6, base, e, cap=0.3)
    assert tau == 0.3 and tau * tax_price_multiplier(tau, e) * base < 1e6


@pytest.mark.parametrize("e", [0.5, 1.0, 1.5])
def test_tax_credit_additionality_lies_between_one_and_the_elasticity(e):
    """Extra own R&D per unit of credit paid, (1 - (1 - tau)^e) / tau: e for a small credit,
    1 exactly at unit elasticity (Bloom, Van Reenen & Williams 2019: about 1)."""
    base = 100.0
    for b in (0.01, 1.0, 10.0, 30.0):
        tau = tax_rate_for_budget(b, base, e, cap=0.9)
        extra = (tax_price_multiplier(tau, e) - 1.0) * base / b
        assert min(e, 1.0) - 1e-6 <= extra <= max(e, 1.0) + 1e-6
    tau = tax_rate_for_budget(0.01, base, e, cap=0.9)
    assert (tax_price_multiplier(tau, e) - 1.0) * base / 0.01 == pytest.approx(e, rel=1e-3)


def test_grants_crowd_in_below_capacity_and_out_above():
    own = np.array([1.0, 1.0, 0.0])
    cap = np.array([10.0, 10.0, 10.0])
    small = absorb(own, np.array([1.0, 0.0, 1.0]), cap, 0.2, 0.2)
    np.testing.assert_allclose(small, [2.2, 1.0, 1.2])  # own + (1 + phi) g
    grants = np.array([5.0, 10.0, 20.0, 40.0])
    total = absorb(np.ones(4), grants, np.full(4, 10.0), 0.2, 0.2)
    assert np.all(np.diff(total) > 0)  # more money, more R&D
    own_money = total - grants
    # Crowding in below capacity (own money above its level of 1), out above it.
    assert own_money[0] == pytest.approx(1.0 + 0.2 * 5.0)
    assert own_money[1] < 1.0 and np.all(np.diff(own_money) <= 0)
    # Extra R&D per unit of grant: 1 + phi below capacity, lambda (1 + phi) just above.
    g = np.array([1.0, 2.0, 17.0, 18.0])
    marginal = np.diff(absorb(np.ones(4), g, np.full(4, 20.0), 0.2, 0.2)) / np.diff(g)
    assert marginal[0] == pytest.approx(1.2) and marginal[2] == pytest.approx(0.2 * 1.2)
    assert np.all(total >= grants)  # a grant is always spent on R&D
