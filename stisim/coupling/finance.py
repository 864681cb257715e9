"""Finance channels executed by their rules: what a source promised and what reached the
agents.

For the money ``A`` a source of channel ``c`` (``stisim/roadmap/channels.csv``) promises to
action ``a`` in allocation year ``y`` (base-year USD):

1. **eligibility**: money for an instrument the channel does not fund is *refused*;
2. **co-finance**: the channels' counterpart requirements ``sum_s k_c(s) A_s`` must be met by
   the domestic public money of the same action and year ``P``; otherwise every requiring
   source is scaled by ``P / sum_s k_c(s) A_s`` (*withheld_cofinance*);
3. **administrative capacity**: the lead agency's delivery capacity ``K`` (portfolio
   ``agencies``) left after domestic money ``D`` absorbs foreign money weighted by the
   channel's ``capacity_weight`` w: a share ``min(1, (K - D) / sum_s w_c(s) A_s)`` is
   absorbed, the rest *withheld_capacity*;
4. **predictability**: a share ``r ~ N(ratio, sd)`` (clipped to [0, 1]) is disbursed
   (the rest *undisbursed*), after a delay ``d ~ N(delay, sd)`` (>= 0) years, split between
   the budget years ``y + floor(d)`` and ``y + floor(d) + 1``; money falling after the
   simulated horizon is *after_horizon*; draws are seeded by (seed, source, year), and
   ``stisim compare`` executes once per replicate with the replicate's seed;
5. **tied procurement**: of the disbursed money a share ``tau`` buys from the funder's
   suppliers at a premium ``pi``: ``tau pi / (1 + pi)`` of it is *tied_premium* (no value
   delivered);
6. **appropriateness**: on technology-bearing instruments a share ``1 - alpha`` of the rest
   buys technology the firms cannot use (*inappropriate*); ``coupling.execution_efficiency``
   applies to what is left (*execution*);
7. the rest is *delivered*: a budget line of the partners (or, for loans, of the ministry:
   borrowed money is the government's own, Frascati Manual 2015 section 4.2);
8. **loans** (development banks): the disbursed principal is repaid with interest
   (:func:`stisim.roadmap.channels.loan_service`); debt service inside the simulated
   horizon is *repaid* / *interest* and cuts the ministry's budget for the same instrument
   (negative lines), the rest of the principal is *outstanding* at the end.

The ledger holds every flow by channel, source, action and year; :func:`check_ledger` proves
promised = refused + withheld + undisbursed + after_horizon + tied_premium + inappropriate
+ execution + delivered per channel, and that repaid + outstanding = disbursed principal of loans.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from stisim.errors import StisimError
from stisim.roadmap import channels as ch

LOSSES = ("refused", "withheld_cofinance", "withheld_capacity", "undisbursed",
          "after_horizon", "tied_premium", "inappropriate", "execution")
FLOWS = ("promised", *LOSSES, "delivered", "repaid", "interest", "outstanding")
COLUMNS = ["channel", "source", "action", "year", "flow", "amount"]
RTOL = 1e-9


class ChannelMoneyNotConserved(StisimError):
    """The channel ledger does not balance."""

    exit_code = 3


def capacity_share(portfolio, values: np.ndarray, source_ids: list[str], ia_year: tuple,
                   foreign: dict) -> dict:
    """Absorbed share per (agency, year index) of foreign money (step 3)."""
    if not len(portfolio.agencies):
        return {}
    cap = portfolio.capacity
    lead = portfolio.actions["lead"].astype(str)
    channel = portfolio.sources["channel"]
    weights = np.array([float(ch.channels().loc[channel[s], "capacity_weight"])
                        if s in foreign else 1.0 for s in source_ids])
    is_foreign = np.array([s in foreign for s in source_ids])
    out = {}
    actions = list(portfolio.actions.index)
    for agency in portfolio.agencies.index:
        rows = [i for i, a in enumerate(actions) if lead[a] == agency]
        if not rows:
            continue
        for iy, _ in enumerate(ia_year):
            k = float(cap.sel(agency=agency).values[iy]) if iy < cap.sizes["year"] else np.inf
            if not np.isfinite(k):
                continue
            block = values[rows, iy, :]
            domestic = float(block[:, ~is_foreign].sum())
            load = float((block[:, is_foreign] * weights[is_foreign]).sum())
            if load > 0:
                out[(agency, iy)] = min(1.0, max(k - domestic, 0.0) / load)
    return out


def channel_lines(spend: xr.DataArray, portfolio, cfg, *, instrument_of, seed: int,
                  from_year: int | None = None, until_year: int | None = None
                  ) -> tuple[list[tuple], pd.DataFrame]:
    """Apply every channel rule to the official money of ``spend(action, year, source)``.

    Returns the budget lines ``(action, allocation_year, source, kind, channel, executor,
    budget_year, amount)`` in base-year USD (executor ``repayment``: debt service, a cut of
    the ministry's budget) and the ledger (columns :data:`COLUMNS`).
    ``instrument_of(action)`` gives the agent instrument (None: no mechanism)."""
    c = cfg.coupling
    end = int(cfg.time.end_year)
    sources = portfolio.sources
    kinds = sources["kind"]
    channel = sources["channel"]
    values = spend.transpose("action", "year", "source")
    cells = values.to_numpy().astype(float) * c.currency_factor
    source_ids = [str(s) for s in values["source"].values]
    years = [int(y) for y in values["year"].values]
    foreign = {s for s in source_ids if channel[s] not in ch.DOMESTIC}
    public = np.array([kinds[s] == "public" for s in source_ids])
    absorbed = capacity_share(portfolio, cells / c.currency_factor, source_ids, years, foreign)
    table = ch.channels()
    rules = {s: table.loc[channel[s]].to_dict() for s in source_ids}
    lead = portfolio.actions["lead"].astype(str).to_dict()
    instrument = portfolio.actions["instrument"].astype(str).to_dict()
    draws: dict[tuple[str, int], tuple[float, float]] = {}
    lines, ledger = [], []
    for ia, a in enumerate(values["action"].values):
        a = str(a)
        roadmap_inst = instrument[a]
        agent_inst = instrument_of(a)
        for iy, y in enumerate(years):
            if (from_year is not None and y < from_year) or (
                    until_year is not None and y > until_year):
                continue
            col = cells[ia, iy]
            year = y + int(c.delay)
            counterpart = float(col[public].sum())
            need = sum(rules[s]["cofinance"] * col[i]
                       for i, s in enumerate(source_ids) if s in foreign and col[i] > 0)
            co_share = min(1.0, counterpart / need) if need > 0 else 1.0
            cap_share = absorbed.get((lead[a], iy), 1.0)
            for i, s in enumerate(source_ids):
                amount = float(col[i])
                if amount <= 0 or kinds[s] == "private":
                    continue
                row = rules[s]
                cid = row["id"]

                def book(flow, value, at=year, cid=cid, s=s, a=a):
                    if value != 0.0:
                        ledger.append((cid, s, a, at, flow, float(value)))

                book("promised", amount)
                if roadmap_inst in row["ineligible"]:
                    book("refused", amount)
                    continue
                if row["cofinance"] > 0 and co_share < 1.0:
                    book("withheld_cofinance", amount * (1.0 - co_share))
                    amount *= co_share
                if s in foreign and cap_share < 1.0:
                    book("withheld_capacity", amount * (1.0 - cap_share))
                    amount *= cap_share
                if (s, y) not in draws:
                    draws[(s, y)] = ch.draw(seed, s, y, cid)
                ratio, delay = draws[(s, y)]
                book("undisbursed", amount * (1.0 - ratio))
                disbursed = amount * ratio
                tied = disbursed * row["tied_share"] * row["tied_premium"] / (
                    1.0 + row["tied_premium"])
                book("tied_premium", tied)
                usable = disbursed - tied
                if roadmap_inst in ch.TECHNOLOGY_BEARING:
                    book("inappropriate", usable * (1.0 - row["appropriateness"]))
                    usable *= row["appropriateness"]
                book("execution", usable * (1.0 - c.execution_efficiency))
                usable *= c.execution_efficiency
                whole = int(np.floor(delay))
                frac = delay - whole
                executor = "ministry" if row["loan"] or cid in ch.DOMESTIC else "partner"
                for at, part in ((year + whole, usable * (1.0 - frac)),
                                 (year + whole + 1, usable * frac)):
                    if part <= 0:
                        continue
                    if at > end or agent_inst is None:
                        book("after_horizon" if at > end else "delivered", part)
                        continue
                    book("delivered", part, at)
                    lines.append((a, y, s, kinds[s], cid, executor, at, part))
                if row["loan"] and disbursed > 0:
                    _loan(book, disbursed, year + whole, cid, end, lines, (a, y, s, kinds[s]),
                          agent_inst)
    return lines, pd.DataFrame(ledger, columns=COLUMNS)


def _loan(book, principal, year, cid, end, lines, key, agent_inst) -> None:
    """Debt service inside the horizon cuts the ministry's budget for the instrument."""
    repaid_in = 0.0
    for at, repaid, interest in ch.loan_service(principal, year, cid):
        if at > end:
            break
        book("repaid", repaid, at)
        book("interest", interest, at)
        repaid_in += repaid
        if agent_inst is not None and repaid + interest > 0:
            lines.append((*key, cid, "repayment", at, -(repaid + interest)))
    book("outstanding", principal - repaid_in, end)


def check_ledger(ledger: pd.DataFrame) -> None:
    """Raise :class:`ChannelMoneyNotConserved` when a channel's promised money is not fully
    accounted for, or a loan's repaid + outstanding principal differs from what was
    disbursed."""
    if not len(ledger):
        return
    totals = ledger.groupby(["channel", "source", "action", "flow"])["amount"].sum().unstack(
        "flow").reindex(columns=list(FLOWS), fill_value=0.0).fillna(0.0)
    problems = []
    for key, r in totals.iterrows():
        accounted = sum(r[f] for f in (*LOSSES, "delivered"))
        if abs(accounted - r["promised"]) > RTOL * max(abs(r["promised"]), 1.0):
            problems.append(f"{key[0]} ({key[1]}, {key[2]}): promised {r['promised']:.6g} USD "
                            f"but accounted {accounted:.6g}")
        if r["repaid"] + r["outstanding"] > 0:
            principal = r["promised"] - sum(r[f] for f in LOSSES[:4])
            if abs(r["repaid"] + r["outstanding"] - principal) > RTOL * max(principal, 1.0):
                problems.append(f"{key[0]} ({key[1]}, {key[2]}): loan principal {principal:.6g}"
                                f" but repaid {r['repaid']:.6g} + outstanding "
                                f"{r['outstanding']:.6g}")
    if problems:
        raise ChannelMoneyNotConserved("channel money is not conserved: "
                                       + "; ".join(problems[:5]))


def ledger_array(ledger: pd.DataFrame, years) -> xr.DataArray:
    """``channel_money(channel, year, flow)`` in base-year USD (every channel of the table)."""
    years = [int(y) for y in years]
    out = xr.DataArray(np.zeros((len(ch.channel_ids()), len(years), len(FLOWS))),
                       dims=("channel", "year", "flow"),
                       coords={"channel": ch.channel_ids(), "year": years, "flow": list(FLOWS)})
    if len(ledger):
        g = ledger.groupby(["channel", "year", "flow"])["amount"].sum()
        for (cid, year, flow), v in g.items():
            y = min(max(int(year), years[0]), years[-1])
            out.loc[{"channel": cid, "year": y, "flow": flow}] += v
    out.attrs.update(units="USD (base year)", long_name="money by finance channel and flow")
    return out


def channel_report(money: xr.DataArray, label: str = "") -> str:
    """Promised vs delivered per channel (USD million over the horizon)."""
    from stisim.summary import table as fmt

    tot = money.sum("year") / 1e6
    rows = []
    for cid in tot["channel"].values:
        r = tot.sel(channel=cid)
        promised = float(r.sel(flow="promised"))
        if promised <= 0 and float(r.sel(flow="delivered")) <= 0:
            continue
        delivered = float(r.sel(flow="delivered"))
        lost = {f: float(r.sel(flow=f)) for f in LOSSES}
        main = max(lost, key=lost.get)
        rows.append([str(cid), f"{promised:.2f}", f"{delivered:.2f}",
                     f"{delivered / promised:.0%}" if promised > 0 else "-",
                     f"{main} {lost[main]:.2f}" if lost[main] > 0 else "-",
                     f"{float(r.sel(flow='repaid')) + float(r.sel(flow='interest')):.2f}",
                     f"{float(r.sel(flow='outstanding')):.2f}"])
    head = f"promised vs delivered per finance channel{label} (USD million)"
    return head + "\n" + fmt(rows, ["channel", "promised", "delivered", "ratio",
                                    "largest loss", "debt service", "outstanding"])
