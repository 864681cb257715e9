"""Allocations executed by the agents: ``spend(action, year, source)`` -> agent ``Budgets``.

Each roadmap instrument feeds one agent instrument (:data:`INSTRUMENT_MAP`, from the
``agent_instrument`` and ``execution`` columns of ``stisim/roadmap/instruments.csv``;
documented in docs/coupling.md). The money of an action in allocation year ``y`` becomes a
budget line of year ``y + coupling.delay``, in base-year USD (``coupling.currency_factor``),
scaled by ``coupling.execution_efficiency``; the agents then apply their own delays and
efficiencies.

* public sources -> ``ministry`` lines, or ``local_government`` lines for sources of
  sub-national governments (id or name mentions county, local, municipal, district,
  province, region) on regional instruments;
* donor and partner sources -> ``partner`` lines;
* private co-finance follows leverage: it is delivered through the lead executor's channel,
  at most ``leverage x`` the official money of the same action and year, times
  ``coupling.private_follow``.

Actions in a named portfolio region are executed in the matching agent region: a region
whose id or name names the capital (capital, metropolitan, city, or the first agent region's
name) goes to the first agent region, every other named region to the last one (rural).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import xarray as xr

from stisim.agents.catalog import REGIONAL_INSTRUMENTS, TECHNOLOGY_INSTRUMENTS
from stisim.agents.policy import Budgets
from stisim.agents.region_set import region_labels


def _instrument_map() -> dict[str, tuple[str | None, str]]:
    from stisim.roadmap.instruments import instruments

    table = instruments()
    return {rid: (row.agent_instrument or None, row.execution)
            for rid, row in table.iterrows()}


# roadmap instrument -> (agent instrument, how the agents execute it): the columns
# agent_instrument and execution of stisim/roadmap/instruments.csv (a finance channel is
# one row there; no agent instrument: the money is spent and nothing is delivered).
INSTRUMENT_MAP: dict[str, tuple[str | None, str]] = _instrument_map()

# Technology of an adoption subsidy, from the indicators its expert effects name.
TECHNOLOGY_BY_INDICATOR = {"17.8.1": "digital", "8.10.2": "digital", "9.c.1": "digital",
                           "7.1.2": "clean_energy", "7.2.1": "clean_energy",
                           "11.6.2": "clean_energy", "13.2.2": "clean_energy",
                           "2.1.1": "agri_tech", "1.1.1": "agri_tech", "3.2.1": "health_tech",
                           "3.8.1": "health_tech"}
LOCAL_WORDS = ("county", "counties", "local", "municipal", "district", "province", "region",
               "woreda", "state gov")
CAPITAL_WORDS = ("capital", "metropolitan", "city")


def mechanism(instrument: str) -> tuple[str, str]:
    """Whether a roadmap instrument has an agent mechanism of its own: ``own``, ``proxy``
    (executed through a neighbouring agent instrument, as its execution note says) or
    ``none`` (money spent, nothing delivered), with the execution note."""
    agent, text = INSTRUMENT_MAP.get(instrument, (None, "not a known roadmap instrument"))
    if agent is None:
        return "none", text
    if "treated as" in text:
        return "proxy", text
    return "own", text


def without_mechanism(portfolio) -> pd.DataFrame:
    """Actions whose instrument has no agent mechanism of its own (proxy or none)."""
    rows = []
    for a, row in portfolio.actions.iterrows():
        status, text = mechanism(str(row["instrument"]))
        if status != "own":
            rows.append({"action": a, "instrument": row["instrument"], "status": status,
                         "execution": text})
    return pd.DataFrame(rows, columns=["action", "instrument", "status", "execution"])


def instrument_table() -> pd.DataFrame:
    """The roadmap instrument -> agent instrument -> mechanism table."""
    from stisim.roadmap.instruments import instruments

    roadmap = instruments()
    rows = []
    for rid, (agent, mechanism) in INSTRUMENT_MAP.items():
        rows.append({"roadmap_instrument": rid, "roadmap_mechanism":
                     roadmap.loc[rid, "mechanism"] if rid in roadmap.index else "",
                     "agent_instrument": agent or "-", "agent_mechanism": mechanism})
    return pd.DataFrame(rows)


@dataclass
class Execution:
    """Budget lines for the agents plus what was planned and what was passed on."""

    budgets: Budgets
    lines: pd.DataFrame  # action, source, executor, instrument, region, technology, year, amount
    dropped: list[str] = field(default_factory=list)  # notes on money the agents cannot take
    ledger: pd.DataFrame | None = None  # channel, source, action, year, flow, amount (USD)

    def official(self) -> float:
        kind = self.lines["kind"]
        return float(self.lines.loc[(kind != "private") & (kind != "repayment"),
                                    "amount"].sum())


def _executor(source_id: str, source_row: pd.Series, instrument: str) -> str:
    kind = source_row["kind"]
    if kind in ("donor", "partner"):
        return "partner"
    text = f"{source_id} {source_row.get('name', '')}".lower()
    if kind == "public" and instrument in REGIONAL_INSTRUMENTS and any(
            w in text for w in LOCAL_WORDS):
        return "local_government"
    return "ministry"


def agent_region(portfolio, region: str, agent_regions: list[str]) -> str:
    """The agent region where an action of a portfolio region is executed."""
    if region in (None, "", "national") or not isinstance(region, str):
        return "all"
    if region in agent_regions:
        return region
    name = ""
    if region in portfolio.regions.index:
        name = str(portfolio.regions.loc[region, "name"])
    # A country's real regions (stisim.agents.region_set) match by name; the generic labels
    # capital and rural stay valid with them.
    by_name = {r.lower().replace(" ", "_"): r for r in agent_regions}
    for key in (region, name):
        hit = by_name.get(key.lower().replace(" ", "_"))
        if hit is not None:
            return hit
    capital = "capital" if "capital" in agent_regions else agent_regions[0]
    text = f"{region} {name}".lower()
    if any(w in text for w in (*CAPITAL_WORDS, agent_regions[0].lower())):
        return capital
    if region.lower() in {"capital", "nairobi", "addis_ababa", "accra", "delhi", "belgrade",
                          "kyiv"}:
        return capital
    return agent_regions[-1]


def action_technology(portfolio, action: str) -> str:
    eff = portfolio.effects[portfolio.effects["action"] == action]
    techs = [TECHNOLOGY_BY_INDICATOR[i] for i in eff["indicator"] if i in
             TECHNOLOGY_BY_INDICATOR]
    return techs[0] if techs else "all"


def execute(spend: xr.DataArray, portfolio, cfg, *, from_year: int | None = None,
            until_year: int | None = None, seed: int | None = None) -> Execution:
    """Turn ``spend(action, year, source)`` (portfolio currency) into agent budget lines.

    ``from_year``/``until_year`` restrict the allocation years executed (rolling horizon).
    With ``coupling.channels`` (default), official money obeys its finance channel's rules
    (:mod:`stisim.coupling.finance`; draws seeded by ``seed``, default ``cfg.seed``) and
    :attr:`Execution.ledger` records promised vs delivered money per channel.
    """
    c = cfg.coupling
    regions = region_labels(cfg)
    base, end = int(cfg.time.base_year), int(cfg.time.end_year)
    budgets = Budgets(regions, base, end)
    actions = portfolio.actions
    sources = portfolio.sources
    kinds = {s: sources.loc[s, "kind"] for s in sources.index}
    dropped: list[str] = []
    values = spend.transpose("action", "year", "source")
    # Plain floats by position: label lookups per cell would dominate coupled runs.
    cells = values.to_numpy()
    source_ids = [str(s) for s in values["source"].values]
    where = {}
    for a in values["action"].values:
        act = actions.loc[str(a)]
        agent_inst, _ = INSTRUMENT_MAP.get(act["instrument"], (None, ""))
        region = agent_region(portfolio, act.get("region"), regions)
        technology = action_technology(portfolio, str(a))
        if agent_inst not in REGIONAL_INSTRUMENTS:
            region = "all"
        if agent_inst not in TECHNOLOGY_INSTRUMENTS:
            technology = "all"
        where[str(a)] = (agent_inst, region, technology)
    if getattr(c, "channels", False):
        from stisim.coupling.finance import channel_lines, check_ledger

        official, ledger = channel_lines(
            spend, portfolio, cfg, instrument_of=lambda a: where[a][0],
            seed=int(cfg.seed) if seed is None else int(seed), from_year=from_year,
            until_year=until_year)
        check_ledger(ledger)
    else:
        official, ledger = _plain_lines(values, cells, source_ids, kinds, sources, c, end,
                                        from_year, until_year), None
    rows = []
    delivered: dict[tuple[str, int], dict[int, float]] = {}  # (action, year) -> budget year
    for a, y, s, kind, _channel, executor, year, amount in official:
        agent_inst, region, technology = where[a]
        if agent_inst is None:
            dropped.append(f"{a} ({actions.loc[a, 'instrument']}): no agent mechanism")
            continue
        if year > end:
            dropped.append(f"{a}: {year} after the simulated horizon ({end})")
            continue
        if executor == "repayment":
            rows.append((a, s, "repayment", "ministry", agent_inst, "all", "all", year, amount))
            continue
        if kind == "public":
            executor = _executor(s, sources.loc[s], agent_inst)
        timing = delivered.setdefault((a, y), {})
        timing[year] = timing.get(year, 0.0) + amount
        rows.append((a, s, kind, executor, agent_inst, region, technology, year, amount))
    private_rows: list[tuple] = []
    for ia, a in enumerate(values["action"].values):
        a = str(a)
        agent_inst, region, technology = where[a]
        leverage = float(actions.loc[a].get("leverage") or 0.0)
        for iy, y in enumerate(values["year"].values):
            y = int(y)
            year = y + int(c.delay)
            if (from_year is not None and y < from_year) or (
                    until_year is not None and y > until_year):
                continue
            private_planned = sum(float(cells[ia, iy, i]) for i, s in enumerate(source_ids)
                                  if kinds[s] == "private") * c.currency_factor
            if private_planned > 0 and year > end:
                private_rows += _private_rows(a, year, private_planned, 0.0, "after_horizon")
            if private_planned > 0 and agent_inst is not None and year <= end:
                timing = delivered.get((a, y), {})
                official = sum(timing.values())
                private = min(private_planned * c.private_follow, leverage * official)
                private_rows += _private_rows(a, year, private_planned, private)
                # private money follows the official money it leverages, year by year
                for at, part in sorted(timing.items()):
                    if private > 0 and part > 0:
                        rows.append((a, "private", "private", "ministry", agent_inst,
                                     region, technology, at, private * part / official))
    if ledger is not None and private_rows:
        from stisim.coupling.finance import COLUMNS

        ledger = pd.concat([ledger, pd.DataFrame(private_rows, columns=COLUMNS)],
                           ignore_index=True)
    lines = pd.DataFrame(rows, columns=["action", "source", "kind", "executor", "instrument",
                                        "region", "technology", "year", "amount"])
    if len(lines):
        grouped = lines.groupby(["instrument", "executor", "region", "technology", "year"],
                                as_index=False)["amount"].sum()
        for r in grouped.itertuples(index=False):
            if r.year >= base:
                budgets.add(r.instrument, int(r.year), float(r.amount), r.executor, r.region,
                            r.technology)
    return Execution(budgets, lines, sorted(set(dropped)), ledger)


def _private_rows(action: str, year: int, planned: float, private: float,
                  rest: str = "withheld_cofinance") -> list[tuple]:
    """Ledger rows of private co-finance: what was planned, and what followed the official
    money delivered (at most leverage x delivered official money); the rest did not follow
    (``withheld_cofinance``) or fell after the horizon."""
    rows = [("domestic_private", "private", action, year, "promised", planned),
            ("domestic_private", "private", action, year, "delivered", private)]
    if planned - private > 0:
        rows.append(("domestic_private", "private", action, year, rest, planned - private))
    return rows


def _plain_lines(values, cells, source_ids, kinds, sources, c, end, from_year,
                 until_year) -> list[tuple]:
    """Official money without channel rules (``coupling.channels=false``): every source's
    money is a budget line of its allocation year (+ ``coupling.delay``), scaled by
    ``coupling.execution_efficiency``; donors and partners execute through the partners."""
    out = []
    for ia, a in enumerate(values["action"].values):
        for iy, y in enumerate(values["year"].values):
            y = int(y)
            if (from_year is not None and y < from_year) or (
                    until_year is not None and y > until_year):
                continue
            for i_s, s in enumerate(source_ids):
                amount = float(cells[ia, iy, i_s]) * c.currency_factor
                if amount <= 0 or kinds[s] == "private":
                    continue
                executor = "partner" if kinds[s] in ("donor", "partner") else "ministry"
                out.append((str(a), y, s, kinds[s], "", executor, y + int(c.delay),
                            amount * c.execution_efficiency))
    return out
