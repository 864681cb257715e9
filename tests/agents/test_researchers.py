"""Researchers as a labour market: money beyond supply raises the wage premium, not
headcount; the pool follows graduates, retirement and emigration."""

from __future__ import annotations

import numpy as np
import pytest

from stisim.agents.model import build_model
from tests.agents.test_accounts import dose, tiny


def _end(inputs, budgets=None):
    model = build_model(inputs, budgets).run()
    ds = model.recorder.dataset()  # the money check runs here
    last = ds.isel(time=-1)
    return model, {"9.5.1": float(last["indicator_value"].sel(indicator="9.5.1")),
                   "9.5.2": float(last["indicator_value"].sel(indicator="9.5.2")),
                   "premium": float(last["researcher_premium"])}


def _public_rd(inputs, factor: float):
    """(factor - 1) x the business-as-usual public R&D lines, from the year after the base."""
    bau = build_model(inputs).calib.bau
    share = sum(bau.get(("ministry", i), 0.0) for i in ("rd_grants", "institutional_funding"))
    return dose(inputs, "institutional_funding", (factor - 1.0) * share)


@pytest.mark.parametrize("market", [True, False])
def test_money_beyond_supply_raises_cost_not_headcount(market):
    inputs = tiny("country=serbia", f"mechanisms.researcher_market={str(market).lower()}",
                  end=2032)
    _, base = _end(inputs)
    _, more = _end(inputs, _public_rd(inputs, 4.0))
    assert more["9.5.1"] > base["9.5.1"] and more["9.5.2"] > base["9.5.2"]  # direction
    ratio = (more["9.5.2"] / base["9.5.2"]) / (more["9.5.1"] / base["9.5.1"])
    if market:
        assert more["premium"] > base["premium"] >= 0.5
        assert ratio < 0.85  # researchers rise clearly less than R&D money
    else:
        assert more["premium"] == base["premium"] == 1.0
        assert ratio > 0.9  # pure accounting: researchers follow money


def test_business_researchers_are_the_wage_bill_over_the_premium_cost():
    model, _ = _end(tiny("country=kenya", end=2028), None)
    from stisim.agents.readout import business_researchers

    cal = model.calib
    wage_bill = (business_researchers(model) * cal.business_researcher_cost
                 * model.macro.researcher_cost_index * model.researcher_market.premium)
    lab = model.cfg.institutes.labour_cost_share
    assert wage_bill == pytest.approx(lab * model.firms.rd_account["total"], rel=1e-12)


def test_pool_is_a_stock_of_graduates_less_retirement_and_emigration():
    inputs = tiny("country=ghana", "scenario=shocks/brain_drain", end=2030)
    model = build_model(inputs)
    market = model.researcher_market
    cfg = model.cfg.institutes
    assert market.premium == 1.0 and market.entry_share > 0
    pools = []
    for _ in range(model.n_steps):
        before = market.pool
        model.step()
        flow = market.entrants - market.emigrants - cfg.researcher_retirement_rate * before
        assert market.pool == pytest.approx(before + flow * model.dt, rel=1e-12)
        pools.append(market.pool)
    assert np.all(np.isfinite(pools))
