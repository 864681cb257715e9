"""The two-sided technology-matching platform (stisim.agents.matching): what its money buys,
the direction of what a match does, money conservation (listings and brokerage, licence
fees) and reproducibility."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from stisim.agents import matching
from stisim.agents.accounts import MoneyNotConserved
from stisim.agents.catalog import SUPPLIER_ORIGINS
from stisim.agents.model import build_model
from stisim.agents.policy import Budgets
from stisim.config import load_config
from stisim.pipeline import build

SMALL = ["firms.count=3000", "institutes.count=6"]
PLATFORM_VARS = ("matches", "platform_matches", "platform_listings", "match_quality",
                 "matched_adoptions", "matched_adopters", "licensing_payments", "licence_paid",
                 "follow_on_collaborations", "matched_firms")


def inputs_for(*overrides: str, end: int = 2030):
    return build(load_config("run", [*SMALL, f"time.end_year={end}", *overrides]))


def platform_money(inputs, pct_gdp: float, executor: str = "ministry") -> Budgets:
    cfg = inputs.cfg
    gdp = build_model(inputs).macro.gdp0
    out = Budgets(cfg.regions.names, cfg.time.base_year, cfg.time.end_year)
    for year in range(cfg.time.base_year + 1, cfg.time.end_year + 1):
        out.add("matching_platform", year, pct_gdp / 100.0 * gdp, executor)
    return out


@pytest.fixture(scope="module")
def kenya():
    inputs = inputs_for("country=kenya")
    return inputs, build_model(inputs, platform_money(inputs, 0.2)).run().recorder.dataset()


def test_money_buys_listings_and_matches_of_every_origin(kenya):
    inputs, ds = kenya
    assert ds["matches"].dims == ("time", "supplier_origin", "sector")
    assert list(ds["supplier_origin"].values) == list(SUPPLIER_ORIGINS)
    later = ds.isel(time=slice(1, None))
    assert float(later["platform_matches"].sum()) > 0
    by_origin = later["matches"].sum(("time", "sector"))
    assert (by_origin > 0).sum() >= 3  # institutes, frontier firms, North, South supply
    listings = later["platform_listings"]
    assert np.all(listings.sel(supplier_origin="institute").isel(time=slice(1, None)) > 0)
    q = later["match_quality"].values
    q = q[np.isfinite(q)]
    assert q.size and np.all((q > 0) & (q < 1))
    # Matches never exceed what the brokerage money pays for (plus stochastic rounding of
    # one simulated firm a step); the platform plans at the GDP per capita of the step's
    # start (the previous record).
    gdp_pc = ds["gdp_per_capita"].shift(time=1).isel(time=slice(1, None))
    delivered = later["delivered"].sel(instrument="matching_platform")
    listing_cost = (listings.sum("supplier_origin") * inputs.cfg.matching.listing_cost
                    * gdp_pc)
    affordable = (delivered - listing_cost) / (inputs.cfg.partners.match_cost * gdp_pc)
    weight = ds.attrs["firm_weight"]
    assert np.all(later["platform_matches"] <= affordable * (1 + 1e-9) + weight)


def test_matches_raise_adoption_and_pay_licences(kenya):
    """Direction: adoptions through matches are positive, part of new adoptions, and pay
    their suppliers; no platform money, no matches."""
    inputs, ds = kenya
    later = ds.isel(time=slice(1, None))
    via = later["matched_adoptions"]
    assert float(via.sum()) > 0
    assert np.all(via <= later["new_adoptions"] + 1e-6)
    assert float(later["licence_paid"].sum()) > 0
    # Attributable adopters: a stock no larger than the adoptions through matches so far.
    held = later["matched_adopters"].sum("technology")
    assert float(held.isel(time=-1)) > 0
    dt = float(ds["time"][1] - ds["time"][0])
    assert np.all(held <= via.sum("technology").cumsum("time") * dt + 1e-6)
    bau = build_model(inputs).run().recorder.dataset().isel(time=slice(1, None))
    assert float(bau["platform_matches"].sum()) == 0.0
    assert float(bau["matched_adoptions"].sum()) == 0.0
    assert float(bau["licence_paid"].sum()) == 0.0
    assert float(bau["matched_adopters"].sum()) == 0.0


def test_adoption_effect_has_the_right_sign_and_vanishes_without_it():
    """With a strong match effect the matched technologies' adopters rise over business as
    usual (paired seeds); with adoption_rate=0 no adoption is attributed to matches."""
    gains = []
    for seed in (1, 2):
        inputs = inputs_for("country=ghana", f"seed={seed}", "matching.adoption_rate=2.0",
                            end=2032)
        money = platform_money(inputs, 1.0)
        with_p = build_model(inputs, money).run()
        without = build_model(inputs).run()
        gains.append(adopters(with_p) - adopters(without))
        assert float(with_p.recorder.dataset()["matched_adoptions"].sum()) > 0
    assert np.mean(gains) > 0
    off = inputs_for("country=ghana", "matching.adoption_rate=0", end=2026)
    ds = build_model(off, platform_money(off, 1.0)).run().recorder.dataset()
    assert float(ds["platform_matches"].sum()) > 0
    assert float(ds["matched_adoptions"].sum()) == 0.0


def adopters(model) -> float:
    f = model.firms
    return float((f.adopted & f.eligible).sum()) * f.weight


def test_quality_peaks_at_the_appropriate_distance_and_rises_with_skill():
    x = np.linspace(0.01, 5, 500)
    shape = x * np.exp(1 - x)
    assert abs(x[np.argmax(shape)] - 1.0) < 0.02 and shape.max() <= 1.0
    inputs = inputs_for("country=kenya", end=2023)
    model = build_model(inputs)
    f = model.firms
    idx = np.arange(f.size)
    a = matching.skill_share(f, idx)
    order = np.argsort(f.skill)
    assert np.all(np.diff(a[order]) >= 0) and a.max() < 1.0


def test_catch_up_closes_part_of_the_gap_never_more():
    inputs = inputs_for("country=kenya", end=2023)
    f = build_model(inputs).firms
    idx = np.arange(50)
    f.match_left[idx] = 2.0
    f.match_q[idx] = 1.0
    f.match_target[idx] = f.theta[idx] + 0.4
    before = f.theta.copy()
    matching.catch_up(f, 1.0)
    step = f.theta[idx] - before[idx]
    rate = inputs.cfg.matching.catchup_rate
    np.testing.assert_allclose(step, 0.4 * rate, rtol=1e-4)
    assert np.array_equal(f.theta[50:], before[50:])


def test_platform_money_is_conserved(kenya):
    """Delivered platform money = listings and brokerage paid + unused; licence fees paid =
    received by origin; the end-of-run check passes (the Dataset was built) and fails when a
    fee goes missing."""
    _, ds = kenya
    later = ds.isel(time=slice(1, None))
    use = later["instrument_use"].sel(instrument="matching_platform")
    np.testing.assert_allclose(use.sum("recipient"),
                               later["delivered"].sel(instrument="matching_platform"),
                               rtol=1e-9)
    assert float(use.sel(recipient="matching_platform").sum()) > 0
    assert np.all(use.sel(recipient="unused") >= -1e-6)
    np.testing.assert_allclose(later["licensing_payments"].sum("supplier_origin"),
                               later["licence_paid"], rtol=1e-9)


def test_a_missing_licence_fee_is_caught(monkeypatch):
    original = matching.settle

    def leaky(firms, j, hit, dt):
        original(firms, j, hit, dt)
        firms.platform_account["licence_received"][0] *= 0.5

    monkeypatch.setattr("stisim.agents.firm_rules.settle", leaky)
    inputs = inputs_for("country=kenya", "matching.adoption_rate=3.0",
                        "matching.origin_mix={institute: 1, domestic_firm: 0, north: 0, "
                        "south: 0}")
    model = build_model(inputs, platform_money(inputs, 1.0)).run()
    with pytest.raises(MoneyNotConserved, match="matching_platform licences"):
        model.recorder.dataset()


def test_platform_runs_are_reproducible():
    inputs = inputs_for("country=india", "time.steps_per_year=4", end=2026)
    money = platform_money(inputs, 0.2, "partner")
    a = build_model(inputs, money).run().recorder.dataset()
    b = build_model(inputs, money).run().recorder.dataset()
    assert float(a["platform_matches"].sum()) > 0
    for name in (*PLATFORM_VARS, "adoption_share", "indicator_value"):
        xr.testing.assert_identical(a[name], b[name])


def test_platform_draws_leave_the_firms_stream_paired():
    """The platform draws from its own generator and an adopter through a match keeps its
    place in the firms' Bass draw, so the model's main stream with platform money is the
    stream without it, draw for draw, while the platform's effects have not yet changed other
    draws (here: the first years, with catch-up and follow-on collaboration off)."""
    inputs = inputs_for("country=kenya", "matching.catchup_rate=0", "matching.follow_on=0",
                        end=2028)
    with_p = build_model(inputs, platform_money(inputs, 0.2))
    without = build_model(inputs)
    for _ in range(with_p.n_steps):
        with_p.step()
        without.step()
        assert with_p.rng.bit_generator.state == without.rng.bit_generator.state
    # The platform did act: matches were made and adoptions went through them.
    assert with_p.firms.shadow.any()
    assert float(with_p.firms.platform_account["adoptions"].sum()) > 0
