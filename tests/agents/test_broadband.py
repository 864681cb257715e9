"""Broadband money closes the usage gap as well as the coverage gap: its adoption share brings
covered non-users online at connection_cost each, and the accounts show it as households'."""

from __future__ import annotations

import numpy as np
import pytest

from stisim.agents.model import build_model
from tests.agents.test_accounts import dose, tiny


def _run(inputs, budgets=None):
    return build_model(inputs, budgets).run().recorder.dataset()


@pytest.mark.parametrize("share", [0.0, 0.2])
def test_broadband_money_brings_covered_non_users_online(share):
    inputs = tiny("country=kenya", f"infrastructure.adoption_share={share}", end=2030)
    base = _run(inputs)
    more = _run(inputs, dose(inputs, "infrastructure_broadband", 0.05))
    d = (more["indicator_value"] - base["indicator_value"]).sel(indicator="17.8.1")
    use = more["instrument_use"].sel(instrument="infrastructure_broadband")
    delivered = use.sum("recipient")
    np.testing.assert_allclose(use.sel(recipient="households"), share * delivered, rtol=1e-12)
    if share == 0.0:
        assert abs(float(d.isel(time=-1))) < 0.5  # networks alone: coverage is not the gap
        return
    extra = (more["delivered"] - base["delivered"]).sel(instrument="infrastructure_broadband")
    users = float(d.isel(time=-1)) / 100 * float(more["population"].isel(time=-1))
    # Each extra user costs at least connection_cost / adoption_share of extra money
    # (imitation by peers can only lower it), and the response is clearly positive.
    money = float((extra * np.diff(more["time"].values, prepend=more["time"].values[0])).sum())
    assert users > 0 and float(d.isel(time=-1)) > 1.0
    cost = money / users
    assert 60.0 < cost < 60.0 / share * 1.2


def test_cheap_connections_saturate_within_coverage():
    inputs = tiny("country=ethiopia", "infrastructure.connection_cost=1", end=2028)
    model = build_model(inputs, dose(inputs, "infrastructure_broadband", 1.0))
    infra = model.infrastructure
    cap = model.cfg.infrastructure.internet_max
    for _ in range(model.n_steps):
        model.step()
        # Near-free connections fill the covered population (and never beyond the ceiling).
        assert np.all(infra.internet <= cap + 1e-12)
    assert np.all(infra.internet >= 0.95 * cap * infra.coverage)
