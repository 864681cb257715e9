"""Research institutes' absorption limit: money beyond research capacity is not spent, is
returned to its funder and is visible in the accounts; capacity grows at a bounded rate."""

from __future__ import annotations

import numpy as np
import pytest

from stisim.agents.institutes import absorb_capacity, next_capacity
from stisim.agents.model import build_model
from tests.agents.test_accounts import dose, tiny


class _Cfg:
    capacity_headroom = 0.1
    capacity_growth_max = 0.2
    hiring_rate = 0.3


def test_absorb_spends_contracts_first_then_the_rest_pro_rata():
    table = {"block": np.array([6.0, 6.0]), "competitive": np.array([2.0, 2.0]),
             "international": np.array([2.0, 2.0]), "contracts": np.array([1.0, 1.0])}
    absorb_capacity(table, np.array([6.0, 20.0]))
    assert table["contracts"].tolist() == [1.0, 1.0]
    np.testing.assert_allclose(table["block"], [3.0, 6.0])
    np.testing.assert_allclose(table["unspent_block"] + table["unspent_competitive"]
                               + table["unspent_international"], [5.0, 0.0])
    spent = table["block"] + table["competitive"] + table["international"] + table["contracts"]
    np.testing.assert_allclose(spent, [6.0, 11.0])


def test_capacity_grows_at_most_g_over_premium_and_shrinks_at_the_hiring_rate():
    assert next_capacity(100.0, 500.0, 1.0, _Cfg, 1.0) == pytest.approx(120.0)
    assert next_capacity(100.0, 500.0, 2.0, _Cfg, 1.0) == pytest.approx(110.0)
    assert next_capacity(100.0, 95.0, 1.0, _Cfg, 1.0) == pytest.approx(104.5)  # to target
    assert next_capacity(100.0, 10.0, 1.0, _Cfg, 1.0) == pytest.approx(70.0)
    assert next_capacity(100.0, 10.0, 1.0, _Cfg, 1 / 12) == pytest.approx(97.5)


def _run(inputs, budgets=None):
    model = build_model(inputs, budgets).run()
    return model.recorder.dataset()  # the money check runs here


def test_business_as_usual_never_meets_the_limit():
    on = _run(tiny("country=kenya", end=2030))
    off = _run(tiny("country=kenya", "mechanisms.institute_capacity=false", end=2030))
    assert float(on["institute_unspent"].sum()) == 0.0
    np.testing.assert_array_equal(on["indicator_value"].values, off["indicator_value"].values)
    ratio = on["institute_capacity"] / on["institute_funding"].sum("stream")
    np.testing.assert_allclose(ratio, 1.1, rtol=1e-9)


def test_money_beyond_capacity_is_unspent_returned_and_absorbed_over_time():
    inputs = tiny("country=serbia", end=2034)
    off_inputs = tiny("country=serbia", "mechanisms.institute_capacity=false", end=2034)
    bau = build_model(inputs).calib.bau
    share = bau.get(("ministry", "institutional_funding"), 0.0)
    extra = dose(inputs, "institutional_funding", 3.0 * share)  # four times the BAU line
    base, on, off = _run(inputs), _run(inputs, extra), _run(off_inputs, extra)
    unspent = on["institute_unspent"].sum("stream")
    first = int(np.argmax(unspent.values > 0))  # the jump exceeds capacity when it lands
    assert first >= 1 and float(on["delivered"].sel(instrument="institutional_funding")[first]
                                ) > 2 * float(base["delivered"].sel(
                                    instrument="institutional_funding")[first])
    # Returned money is the institutional-funding and competitive money left unused.
    use = on["instrument_use"].sel(recipient="unused")
    returned = (use.sel(instrument="institutional_funding") + use.sel(instrument="rd_grants")
                - (off["instrument_use"].sel(recipient="unused", instrument="rd_grants")))
    np.testing.assert_allclose(returned[1:], unspent[1:], rtol=1e-6, atol=1e-3)
    # Capacity grows by at most capacity_growth_max a year.
    cap = on["institute_capacity"].values
    assert np.all(cap[1:] <= cap[:-1] * 1.2 * (1 + 1e-9))
    # Diminishing returns while capacity catches up: less R&D than without the limit, and
    # less in the first year than later (per unit of money the dose adds).
    d_on = (on["indicator_value"] - base["indicator_value"]).sel(indicator="9.5.1")
    d_off = (off["indicator_value"] - base["indicator_value"]).sel(indicator="9.5.1")
    assert float(d_on.isel(time=first)) < 0.8 * float(d_off.isel(time=first))
    assert 0 < float(d_on.isel(time=first)) < float(d_on.isel(time=-1))
    # Absorbed within the horizon: nothing left unspent at the end.
    assert float(unspent.isel(time=-1)) < 1e-6 * float(on["institute_funding"].isel(
        time=-1).sum())
