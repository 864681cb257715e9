"""Finance channels: each channel's rules move its money in the documented direction, every
unit promised is accounted for, loans are repaid, draws are seeded, bad portfolios are
refused with one clear message, and a shift of donor money to South-South is conserved."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from stisim.coupling.execute import execute
from stisim.coupling.finance import (
    FLOWS,
    LOSSES,
    ChannelMoneyNotConserved,
    check_ledger,
    ledger_array,
)
from stisim.errors import ConfigError
from stisim.roadmap import build_portfolio
from stisim.roadmap import channels as ch
from tests.coupling.conftest import tiny_cfg

YEARS = [2025, 2026, 2027]


def portfolio(channel: str | None, instrument: str = "technology_transfer",
              public_share: float = 0.0, kind: str = "partner", agencies=None):
    """One action funded by one foreign source of ``channel`` (and, with ``public_share``,
    by the treasury)."""
    sources = [{"id": "pub", "kind": "public", "budget": 100},
               {"id": "ext", "kind": kind, "budget": 100}]
    if channel is not None:
        sources[1]["channel"] = channel
    raw = {"name": "t", "horizon": [2025, 2027], "sources": sources,
           "actions": [{"id": "A", "name": "a", "instrument": instrument, "lead": "x",
                        "cost": 20, "sources": {"ext": 1.0, "pub": max(public_share, 1e-9)},
                        "effects": [{"indicator": "9.5.1", "change": 0.01}]}]}
    if agencies is not None:
        raw["agencies"] = agencies
    return build_portfolio(raw)


def spend(p, foreign: float = 10.0, public: float = 0.0):
    import xarray as xr

    values = np.zeros((1, len(YEARS), 2))
    values[0, :, 0] = public
    values[0, :, 1] = foreign
    return xr.DataArray(values, dims=("action", "year", "source"),
                        coords={"action": ["A"], "year": YEARS, "source": ["pub", "ext"]})


@pytest.fixture(scope="module")
def cfg():
    return tiny_cfg()


def totals(ex, channel):
    return ledger_array(ex.ledger, range(2022, 2030)).sel(channel=channel).sum("year")


def test_channel_table_is_complete_and_sourced():
    table = ch.channels()
    assert set(table.index) == {"domestic_public", "domestic_private", "trust_fund",
                                "north_south", "south_south", "triangular",
                                "development_bank"}
    for cid, row in table.iterrows():
        assert len(row["source"]) > 40, cid  # a citation or a labelled assumption
        assert 0 <= row["disbursement_ratio"] <= 1 and 0 <= row["appropriateness"] <= 1
        assert row["capacity_weight"] >= 1
        if cid not in ch.DOMESTIC:
            assert row["range_tried"] not in ("", "none"), cid
    assert table.loc["development_bank", "loan"] and not table.loc["trust_fund", "loan"]


def test_every_promised_dollar_is_accounted_for(cfg):
    for cid in ("trust_fund", "north_south", "south_south", "triangular",
                "development_bank"):
        kind = "donor" if cid == "trust_fund" else "partner"
        p = portfolio(cid, kind=kind)
        ex = execute(spend(p, 10.0, 5.0), p, cfg)
        t = totals(ex, cid)
        assert np.isclose(float(t.sel(flow="promised")), 30e6)
        accounted = float(t.sel(flow=[*LOSSES, "delivered"]).sum())
        assert np.isclose(accounted, 30e6, rtol=1e-12), cid
        # what reaches the agents' budget lines is the delivered money inside the horizon
        official = ex.lines[(ex.lines["source"] == "ext") & (ex.lines["amount"] > 0)]
        assert np.isclose(official["amount"].sum(), float(t.sel(flow="delivered")))


def test_broken_ledger_is_reported():
    bad = pd.DataFrame([("north_south", "ext", "A", 2025, "promised", 10.0),
                        ("north_south", "ext", "A", 2025, "delivered", 9.0)],
                       columns=["channel", "source", "action", "year", "flow", "amount"])
    with pytest.raises(ChannelMoneyNotConserved, match=r"north_south.*promised 10"):
        check_ledger(bad)


def test_domestic_money_is_executed_as_before(cfg):
    p = portfolio("north_south")
    plain = execute(spend(p, 0.0, 10.0), p, tiny_cfg("coupling.channels=false"))
    ruled = execute(spend(p, 0.0, 10.0), p, cfg)
    pd.testing.assert_frame_equal(plain.budgets.to_frame(), ruled.budgets.to_frame())


def test_directions_of_the_rules(cfg):
    share = {}
    for cid in ("trust_fund", "north_south", "south_south"):
        p = portfolio(cid, kind="donor" if cid == "trust_fund" else "partner")
        t = totals(execute(spend(p, 10.0, 10.0), p, cfg), cid)
        share[cid] = {f: float(t.sel(flow=f)) / float(t.sel(flow="promised")) for f in FLOWS}
    # tied procurement: untied trust funds lose nothing to tying, South-South most
    assert share["trust_fund"]["tied_premium"] == 0
    assert share["south_south"]["tied_premium"] > share["north_south"]["tied_premium"] > 0
    # appropriateness: South-South technology is more usable than North-South technology
    disb = {c: 1 - share[c]["undisbursed"] for c in share}
    assert (share["south_south"]["inappropriate"] / disb["south_south"]
            < share["north_south"]["inappropriate"] / disb["north_south"])
    # a grant instrument carries no technology: nothing inappropriate
    p = portfolio("north_south", instrument="research_grants")
    t = totals(execute(spend(p, 10.0, 10.0), p, cfg), "north_south")
    assert float(t.sel(flow="inappropriate")) == 0


def test_cofinance_requirement_withholds_money_without_counterpart(cfg):
    p = portfolio("development_bank", instrument="energy_infrastructure", public_share=1.0)
    alone = totals(execute(spend(p, 10.0, 0.0), p, cfg), "development_bank")
    matched = totals(execute(spend(p, 10.0, 2.0), p, cfg), "development_bank")
    assert np.isclose(float(alone.sel(flow="withheld_cofinance")), 30e6)
    assert float(alone.sel(flow="delivered")) == 0
    assert float(matched.sel(flow="withheld_cofinance")) == 0  # 2 >= 0.15 x 10
    assert float(matched.sel(flow="delivered")) > 0


def test_administrative_capacity_limits_foreign_money(cfg):
    roomy = portfolio("triangular", agencies=[{"id": "x", "capacity": 100}])
    tight = portfolio("triangular", agencies=[{"id": "x", "capacity": 12}])
    s = spend(roomy, 10.0, 2.0)  # the treasury's 2 meets the 20% counterpart requirement
    assert float(totals(execute(s, roomy, cfg), "triangular").sel(
        flow="withheld_capacity")) == 0
    t = totals(execute(s, tight, cfg), "triangular")
    # 12 of capacity less 2 of domestic money absorbs 10 / (1.4 x 10) of the triangular
    # money each year
    assert np.isclose(float(t.sel(flow="withheld_capacity")), 30e6 * (1 - 10 / 14))


def test_loans_are_repaid_and_cut_later_budgets(cfg):
    p = portfolio("development_bank", instrument="energy_infrastructure", public_share=1.0)
    long = tiny_cfg("time.end_year=2040")
    ex = execute(spend(p, 10.0, 5.0), p, long)
    t = ledger_array(ex.ledger, range(2022, 2041)).sel(channel="development_bank")
    disbursed = float(t.sel(flow="promised").sum()) - float(
        t.sel(flow=["withheld_cofinance", "withheld_capacity", "undisbursed",
                    "refused"]).sum())
    repaid = float(t.sel(flow="repaid").sum())
    assert 0 < repaid < disbursed
    assert np.isclose(repaid + float(t.sel(flow="outstanding").sum()), disbursed)
    assert float(t.sel(flow="interest").sum()) > 0
    # no repayment during the grace period; debt service is a cut of ministry budgets
    first = int(t["year"][t.sel(flow="repaid") > 0].min())
    assert first >= 2025 + int(ch.channels().loc["development_bank", "grace"]) + 1
    cuts = ex.lines[ex.lines["kind"] == "repayment"]
    assert (cuts["amount"] < 0).all() and set(cuts["executor"]) == {"ministry"}
    assert np.isclose(-cuts["amount"].sum(), repaid + float(t.sel(flow="interest").sum()))
    # loan money is the government's own: the ministry executes it
    assert set(ex.lines.loc[(ex.lines["source"] == "ext") & (ex.lines["amount"] > 0),
                            "executor"]) == {"ministry"}


def test_draws_are_seeded(cfg):
    p = portfolio("south_south")
    a = execute(spend(p), p, cfg).ledger
    b = execute(spend(p), p, cfg).ledger
    c = execute(spend(p), p, tiny_cfg("seed=7")).ledger
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a.sort_values(["year", "flow"])["amount"].to_numpy()[:5],
                           c.sort_values(["year", "flow"])["amount"].to_numpy()[:5])


def test_schema_errors_name_source_value_and_allowed():
    with pytest.raises(ConfigError) as err:
        portfolio("south_north")
    text = str(err.value)
    assert "sources[ext].channel" in text and "south_north" in text and "south_south" in text
    with pytest.raises(ConfigError) as err:
        portfolio("domestic_public", kind="donor")
    text = str(err.value)
    assert "channel domestic_public does not take donor money" in text
    assert "trust_fund" in text
    with pytest.raises(ConfigError) as err:
        portfolio("triangular", instrument="energy_infrastructure")
    text = str(err.value)
    assert "actions[A].sources.ext" in text and "may not finance" in text
    assert "energy_infrastructure" in text


def test_default_channels_keep_old_portfolios_working():
    assert portfolio(None, kind="donor").sources.loc["ext", "channel"] == "trust_fund"
    assert portfolio(None).sources.loc["ext", "channel"] == "north_south"
    assert ch.default_channel("partner", "ssc", "South-South cooperation") == "south_south"
    assert ch.default_channel("public") == "domestic_public"


def test_shift_moves_donor_money_to_south_south_and_conserves_it():
    from stisim.roadmap.portfolio import load_portfolio

    p = load_portfolio("kenya")
    q = ch.shift(p, "trust_fund", "south_south", 0.5)
    limited = np.isfinite(p.budget)
    before = float(p.budget.where(limited, 0).sum())
    after = float(q.budget.where(np.isfinite(q.budget), 0).sum())
    assert np.isclose(before, after)
    assert np.isclose(float(q.budget.sel(source="donor_tf").sum()),
                      0.5 * float(p.budget.sel(source="donor_tf").sum()))
    # South-South may now fund the donor's actions where its channel funds the instrument
    assert (q.max_share.sel(source="south_south") > 0).sum() > (
        p.max_share.sel(source="south_south") > 0).sum()
    # a portfolio without a South-South source gets one
    ukraine = load_portfolio("ukraine")
    u = ch.shift(ukraine, "trust_fund", "south_south", 0.3)
    assert "south_south_shift" in u.sources.index
    assert u.sources.loc["south_south_shift", "channel"] == "south_south"


def test_shipped_portfolios_declare_their_channels():
    from stisim.roadmap.portfolio import load_portfolio

    for name in ("kenya", "ghana", "ethiopia", "india", "serbia", "ukraine"):
        raw = load_portfolio(name).raw
        assert all("channel" in s for s in raw["sources"]), name



def test_shifted_comparison_reports_promised_and_delivered_per_channel():
    from stisim.coupling import compare as cmp
    from stisim.coupling.finance import channel_report

    cfg = tiny_cfg("scenario=finance/south_south_shift", "strategies=[equal_split]",
                   "replicates=1", "coupling.responses=expert", "time.end_year=2027")
    assert cfg.coupling.shift_from == "trust_fund" and cfg.coupling.shift_share == 0.5
    ds = cmp.run_compare(cfg, log=lambda *_: None)
    money = ds["channel_money"].sel(strategy="equal_split").sum("year")
    base = cmp.run_compare(tiny_cfg("strategies=[equal_split]", "replicates=1",
                                    "coupling.responses=expert", "time.end_year=2027"),
                           log=lambda *_: None)["channel_money"].sel(
        strategy="equal_split").sum("year")
    promised = {c: float(m.sel(flow="promised")) for c, m in
                ((c, money.sel(channel=c)) for c in ("trust_fund", "south_south"))}
    before = {c: float(base.sel(channel=c, flow="promised"))
              for c in ("trust_fund", "south_south")}
    assert promised["south_south"] > before["south_south"]
    assert promised["trust_fund"] < before["trust_fund"]
    assert float(ds["channel_money"].sel(strategy="no_roadmap").sum()) == 0
    text = channel_report(ds["channel_money"].sel(strategy="equal_split"))
    assert "south_south" in text and "promised" in text


def test_model_docs_hold_the_channel_table():
    from pathlib import Path

    doc = (Path(__file__).parents[2] / "docs" / "model.md").read_text(encoding="utf-8")
    assert ch.table_markdown() in doc


def test_compare_draws_disbursement_per_replicate(cfg):
    """`stisim compare` executes each strategy's money with each replicate's own draws: the
    same replicate seed gives the same donor shock, another replicate another one, and the
    reported channel money is their mean (money conserved in each)."""
    from stisim.coupling import compare as cmp

    p = portfolio("south_south")
    s = spend(p)
    batches, ledgers = cmp.per_replicate(["no_roadmap", "x"], [s * 0, s], p, cfg, [11, 12, 11],
                                         {"no_roadmap": None, "x": object()})
    assert batches[0] is None and len(batches[1]) == 3
    delivered = [float(led.loc[led["flow"] == "delivered", "amount"].sum())
                 for led in ledgers["x"]]
    assert delivered[0] == delivered[2]
    assert delivered[0] != delivered[1]
    for led in ledgers["x"]:
        check_ledger(led)
    money = cmp.channel_money(ledgers, ["no_roadmap", "x"], cfg)
    got = float(money.sel(strategy="x", channel="south_south", flow="delivered").sum())
    assert got == pytest.approx(np.mean(delivered))
    assert float(money.sel(strategy="no_roadmap").sum()) == 0.0
