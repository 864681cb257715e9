"""Finance channels: where a portfolio source's money comes from and the rules it obeys.

Every portfolio source belongs to exactly one channel (its ``channel`` attribute; by
default derived from its ``kind``, see :func:`default_channel`). The channel table
``channels.csv`` (one row per channel, every number with its source or a labelled
assumption and the range tried) says

* what the channel may fund (``ineligible``: roadmap instruments it never finances);
* its conditionality: the share of its money tied to the funder's suppliers
  (``tied_share``) and the price premium paid on tied purchases (``tied_premium``), and the
  counterpart (co-finance) share of domestic public money it requires per unit
  (``cofinance``);
* its predictability: the disbursement ratio (share of a commitment ever disbursed) and the
  delay (years) from commitment to disbursement, each with a standard deviation; draws are
  seeded per source and year (:func:`draw`);
* the appropriateness of the technology it brings (share of technology-bearing money that
  buys technology the country's firms can use) and the administrative absorptive capacity
  it needs (``capacity_weight``: lead-agency delivery capacity used per unit of money);
* whether it lends (``loan``) and on what terms (``grace``, ``maturity``, ``interest``):
  loans are repaid by the treasury (:func:`loan_service`).

The agents' execution of these rules is :mod:`stisim.coupling.finance`; docs/model.md
("Finance channels") gives the equations.
"""

from __future__ import annotations

import zlib
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

TABLE = Path(__file__).with_name("channels.csv")
NUMBERS = ("tied_share", "tied_premium", "cofinance", "disbursement_ratio", "disbursement_sd",
           "delay", "delay_sd", "appropriateness", "capacity_weight", "grace", "maturity",
           "interest")
# Roadmap instruments whose money buys technology (equipment, licences, know-how): the
# channel's appropriateness applies to them.
TECHNOLOGY_BEARING = ("adoption_subsidy", "technology_transfer", "platform_matching",
                      "digital_infrastructure", "energy_infrastructure", "standards_quality",
                      "research_infrastructure")
DOMESTIC = ("domestic_public", "domestic_private")
SOUTH_WORDS = ("south-south", "south_south", "south south")
TRIANGULAR_WORDS = ("triangular",)


@cache
def channels() -> pd.DataFrame:
    """The channel table, indexed by channel id; ``kinds`` and ``ineligible`` as tuples."""
    df = pd.read_csv(TABLE, dtype={"ineligible": str}, keep_default_na=False)
    df = df.set_index("id", drop=False)
    for col in NUMBERS:
        df[col] = df[col].astype(float)
    df["loan"] = df["loan"].astype(int).astype(bool)
    df["kinds"] = [tuple(str(k).split()) for k in df["kinds"]]
    df["ineligible"] = [tuple(str(k).split()) for k in df["ineligible"]]
    return df


def channel_ids() -> list[str]:
    return list(channels().index)


def default_channel(kind: str, source_id: str = "", name: str = "") -> str:
    """The channel of a source that declares none: public -> domestic_public, private ->
    domestic_private, donor -> trust_fund, partner -> south_south or triangular when its id
    or name says so, else north_south."""
    if kind == "public":
        return "domestic_public"
    if kind == "private":
        return "domestic_private"
    text = f"{source_id} {name}".lower()
    if kind == "partner":
        if any(w in text for w in TRIANGULAR_WORDS):
            return "triangular"
        if any(w in text for w in SOUTH_WORDS):
            return "south_south"
        return "north_south"
    return "trust_fund"


def kind_allowed(channel: str, kind: str) -> bool:
    return kind in channels().loc[channel, "kinds"]


def eligible(channel: str, instrument: str) -> bool:
    """Whether a channel may finance a roadmap instrument."""
    return instrument not in channels().loc[channel, "ineligible"]


def allowed_instruments(channel: str) -> str:
    bad = channels().loc[channel, "ineligible"]
    return "every instrument" + (f" except {', '.join(bad)}" if bad else "")


def draw(seed: int, source: str, year: int, channel: str) -> tuple[float, float]:
    """(disbursement ratio in [0, 1], delay in years >= 0) of a source's commitments of one
    allocation year: normal draws around the channel's means, clipped, from a generator
    seeded by (seed, source, year) - the same for every strategy and action of a run."""
    row = channels().loc[channel]
    if row["disbursement_sd"] <= 0 and row["delay_sd"] <= 0:
        return float(row["disbursement_ratio"]), float(row["delay"])
    rng = np.random.default_rng(np.random.SeedSequence(
        [int(seed) & 0xFFFFFFFF, zlib.crc32(source.encode()), int(year)]))
    z = rng.standard_normal(2)
    ratio = float(np.clip(row["disbursement_ratio"] + row["disbursement_sd"] * z[0], 0.0, 1.0))
    delay = float(max(row["delay"] + row["delay_sd"] * z[1], 0.0))
    return ratio, delay


def loan_service(principal: float, year: int, channel: str) -> list[tuple[int, float, float]]:
    """Debt service of a loan disbursed in ``year``: ``(year, principal repaid, interest)``
    for every year of its life. Interest on the outstanding balance from the year after
    disbursement; ``grace`` years of interest only, then equal principal instalments until
    ``maturity`` years after disbursement. The instalments add up to the principal."""
    row = channels().loc[channel]
    grace, maturity, rate = int(row["grace"]), int(row["maturity"]), float(row["interest"])
    n = max(maturity - grace, 1)
    out, outstanding = [], float(principal)
    for k in range(1, max(maturity, grace + 1) + 1):
        interest = outstanding * rate
        repaid = principal / n if k > grace else 0.0
        repaid = min(repaid, outstanding)
        outstanding -= repaid
        out.append((int(year) + k, repaid, interest))
    return out


def shift(portfolio, from_channel: str, to_channel: str, share: float):
    """The portfolio with ``share`` of every limited budget of ``from_channel`` sources moved
    to ``to_channel``: to its sources in proportion to their budgets, or to a new partner
    source ``<to_channel>_shift`` when the portfolio has none. The receiving sources may fund
    every action the giving ones could, where ``to_channel`` funds the instrument (at the
    larger of the two maximum shares)."""
    import dataclasses

    import xarray as xr

    if share <= 0 or from_channel == to_channel:
        return portfolio
    src = portfolio.sources
    give = [s for s in src.index if src.loc[s, "channel"] == from_channel]
    if not give:
        return portfolio
    budget = portfolio.budget.copy()
    share_ms = portfolio.max_share.copy()
    b_give = budget.sel(source=give)
    limited = np.isfinite(b_give)
    moved = (b_give.where(limited, 0.0) * share).sum("source")
    budget.loc[{"source": give}] = b_give.where(~limited, b_give * (1.0 - share))
    take = [s for s in src.index if src.loc[s, "channel"] == to_channel]
    sources = src.copy()
    if not take:
        new = f"{to_channel}_shift"
        kind = channels().loc[to_channel, "kinds"][0]
        sources.loc[new] = {"id": new, "name": f"{channels().loc[to_channel, 'name']} "
                            f"(shifted from {from_channel})", "kind": kind,
                            "channel": to_channel, "carry_over": False,
                            "note": f"{share:.0%} of {from_channel} budgets"}
        budget = xr.concat([budget, xr.zeros_like(budget.isel(source=0)).expand_dims(
            source=[new])], "source")
        share_ms = xr.concat([share_ms, xr.zeros_like(share_ms.isel(source=0)).expand_dims(
            source=[new])], "source").transpose(*portfolio.max_share.dims)
        take = [new]
    b_take = budget.sel(source=take)
    weights = b_take.where(np.isfinite(b_take), 0.0)
    total = weights.sum("source")
    weights = xr.where(total > 0, weights / total.where(total > 0, 1.0), 1.0 / len(take))
    budget.loc[{"source": take}] = b_take + weights * moved
    instruments = portfolio.actions["instrument"]
    for a in portfolio.actions.index:
        if not eligible(to_channel, str(instruments[a])):
            continue
        most = float(share_ms.sel(action=a, source=give).max())
        for s in take:
            if most > float(share_ms.sel(action=a, source=s)):
                share_ms.loc[{"action": a, "source": s}] = most
    return dataclasses.replace(portfolio, sources=sources, budget=budget, max_share=share_ms)


def table_markdown() -> str:
    """The channel table as markdown (docs/model.md embeds it; tests keep it in sync)."""
    head = ("| channel | kinds | may not fund | tied share x premium | co-finance | "
            "disbursement ratio (sd) | delay, years (sd) | appropriateness | capacity weight "
            "| loan terms |")
    rows = [head, "|" + "---|" * 10]
    for cid, r in channels().iterrows():
        loan = (f"{int(r['grace'])} y grace, {int(r['maturity'])} y, {r['interest']:.2%}"
                if r["loan"] else "-")
        rows.append(
            f"| `{cid}` | {', '.join(r['kinds'])} | {', '.join(r['ineligible']) or '-'} | "
            f"{r['tied_share']:g} x {r['tied_premium']:g} | {r['cofinance']:g} | "
            f"{r['disbursement_ratio']:g} ({r['disbursement_sd']:g}) | {r['delay']:g} "
            f"({r['delay_sd']:g}) | {r['appropriateness']:g} | {r['capacity_weight']:g} | "
            f"{loan} |")
    return "\n".join(rows)
