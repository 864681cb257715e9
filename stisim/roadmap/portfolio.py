"""The validated roadmap portfolio: tables and labelled arrays the optimiser reads.

:func:`load_portfolio` reads a YAML, CSV or XLSX file, checks it against the attribute table
and the cross-references (sources, dependencies, agencies, regions, horizon, financing) and
returns a :class:`Portfolio`. Every problem is reported at once in a
:class:`~stisim.errors.ConfigError` naming the file (and row), the action id, the field and
what is allowed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from stisim.errors import ConfigError, Problem
from stisim.roadmap.loaders import read_portfolio_file
from stisim.roadmap.schema import Checker, Locator, allowed_text

OFFICIAL_KINDS = ("public", "donor", "partner")
_PACKAGE = Path(__file__).resolve().parents[1]
# Shipped portfolios: the installed copy (stisim/_scenarios) or the repository's scenarios/.
SCENARIO_DIR = next((d for d in (_PACKAGE / "_scenarios" / "portfolios",
                                 _PACKAGE.parent / "scenarios" / "portfolios") if d.is_dir()),
                    _PACKAGE.parent / "scenarios" / "portfolios")


@dataclass
class Portfolio:
    """A roadmap portfolio ready for optimisation.

    Arrays are labelled by ``action``, ``year``, ``source``, ``agency``; money is in
    :attr:`currency` (per year at full scale for ``cost``).
    """

    name: str
    description: str
    country_m49: int | None
    country_name: str | None
    currency: str
    years: np.ndarray
    discount_rate: float
    equity_basis: str
    sources: pd.DataFrame  # index id: name, kind, carry_over, note
    actions: pd.DataFrame  # index id: scalar action attributes
    cost: xr.DataArray  # (action, year) cost at full scale
    budget: xr.DataArray  # (source, year), inf where unlimited
    max_share: xr.DataArray  # (action, source), 0 where not eligible
    dependencies: list[tuple[str, str]]  # (action, prerequisite)
    effects: pd.DataFrame  # action, indicator, change, lag, response, note
    agencies: pd.DataFrame  # index id: name
    capacity: xr.DataArray  # (agency, year), inf where unlimited
    regions: pd.DataFrame  # index id: name, min_share
    floors: pd.DataFrame  # name, indicator, goal, target, year
    scenarios: pd.DataFrame  # index id: probability and factors
    baseline_trend: dict[str, float]
    path: str | None = None
    sha256: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def action_ids(self) -> list[str]:
        return list(self.actions.index)

    @property
    def source_ids(self) -> list[str]:
        return list(self.sources.index)

    def exclusive_groups(self) -> dict[str, list[str]]:
        groups = self.actions["exclusive_group"].dropna()
        return {g: list(groups.index[groups == g]) for g in pd.unique(groups)}

    def total_cost(self) -> xr.DataArray:
        """Cost of each action over the horizon at full scale."""
        return self.cost.sum("year")

    def summary(self) -> str:
        kinds = self.sources["kind"].value_counts().to_dict()
        return (f"{self.name}: {len(self.actions)} actions, {len(self.sources)} sources "
                f"({kinds}), horizon {self.years[0]}-{self.years[-1]}, {self.currency}")


def resolve_portfolio_path(name: str | Path) -> Path:
    """A path as given, or a portfolio name looked up in ``portfolios/`` of the scenario
    directories (``$STISIM_SCENARIO_PATH``, then the shipped ``scenarios/``)."""
    path = Path(name)
    if path.exists():
        return path
    from stisim.config.compose import scenario_dirs

    roots = [d / "portfolios" for d in scenario_dirs()] + [SCENARIO_DIR]
    for root in roots:
        for candidate in (root / f"{name}.yaml", root / str(name)):
            if candidate.exists():
                return candidate
    shipped = sorted(p.relative_to(SCENARIO_DIR).with_suffix("").as_posix()
                     for p in SCENARIO_DIR.rglob("*.yaml")) if SCENARIO_DIR.exists() else []
    raise ConfigError([Problem("portfolio", "no such file or shipped portfolio", str(name),
                               allowed_text(shipped, name) if shipped else None)])


def load_portfolio(path: str | Path) -> Portfolio:
    """Read and validate a portfolio file (YAML, CSV directory/table, or XLSX)."""
    path = resolve_portfolio_path(path)
    raw, locate, label = read_portfolio_file(path)
    portfolio = build_portfolio(raw, label, locate)
    portfolio.path = str(path)
    portfolio.sha256 = _digest(path)
    return portfolio


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    files = sorted(path.glob("*.csv")) if path.is_dir() else (
        sorted(path.parent.glob("*.csv")) if path.suffix.lower() == ".csv" else [path])
    for f in files:
        h.update(f.read_bytes())
    return h.hexdigest()


def build_portfolio(raw: Mapping[str, Any], label: str = "<portfolio>",
                    locate: Locator | None = None) -> Portfolio:
    """Validate a raw portfolio mapping (as read from a file) into a :class:`Portfolio`."""
    chk = Checker(label, locate)
    lists = ("sources", "actions", "agencies", "regions", "floors", "scenarios")
    top = chk.component("portfolio", raw, "", label, skip=lists)
    sources = chk.items("source", raw.get("sources"), "sources")
    actions = chk.items("action", raw.get("actions"), "actions")
    agencies = chk.items("agency", raw.get("agencies"), "agencies")
    regions = chk.items("region", raw.get("regions"), "regions")
    floors = chk.items("floor", raw.get("floors"), "floors")
    scenarios = chk.items("scenario", raw.get("scenarios"), "scenarios")
    for key, component in (("sources", "source"), ("actions", "action")):
        if raw.get(key) in (None, []):
            chk.add(key, f"at least one {component} is required", None, None, label)
    if chk.problems and top.get("horizon") is None:
        raise ConfigError(chk.problems, title=f"invalid portfolio {label}")
    horizon = top.get("horizon") or (0, -1)
    years = np.arange(horizon[0], horizon[1] + 1)
    builder = _Builder(chk, years, label)
    country_m49, country_name = builder.country(top.get("country"))
    source_df, budget = builder.sources(sources)
    agency_df, capacity = builder.agencies(agencies)
    region_df = builder.regions(regions)
    action_df, cost, share, deps, effects = builder.actions(actions, source_df, agency_df,
                                                            region_df)
    floor_df = builder.floors(floors, country_m49)
    scenario_df = builder.scenarios(scenarios, action_df, source_df)
    trend = builder.trend(top.get("baseline_trend") or {})
    if chk.problems:
        raise ConfigError(chk.problems, title=f"invalid portfolio {label}")
    return Portfolio(
        name=top["name"], description=top.get("description") or "",
        country_m49=country_m49, country_name=country_name, currency=top["currency"],
        years=years, discount_rate=float(top["discount_rate"]),
        equity_basis=top["equity_basis"], sources=source_df, actions=action_df, cost=cost,
        budget=budget, max_share=share, dependencies=deps, effects=effects,
        agencies=agency_df, capacity=capacity, regions=region_df, floors=floor_df,
        scenarios=scenario_df, baseline_trend=trend, raw=dict(raw),
    )


class _Builder:
    """Cross-reference checks and array construction for one portfolio."""

    def __init__(self, chk: Checker, years: np.ndarray, label: str):
        self.chk = chk
        self.years = years
        self.label = label

    @property
    def horizon_text(self) -> str:
        return f"{self.years[0]}-{self.years[-1]}" if len(self.years) else "?"

    def yearly(self, value: Any, path: str, where: str, missing: float) -> np.ndarray:
        """Amounts per horizon year from a number, list or {year: amount}."""
        n = len(self.years)
        if value is None:
            return np.full(n, missing)
        if isinstance(value, (int, float)):
            return np.full(n, float(value))
        if isinstance(value, list):
            if len(value) != n:
                self.chk.add(path, f"has {len(value)} yearly amounts but the horizon "
                             f"{self.horizon_text} has {n} years", len(value),
                             f"{n} amounts, one number, or {{year: amount}}", where)
                return np.zeros(n)
            return np.asarray(value, dtype=float)
        out = np.zeros(n)
        for year, amount in value.items():
            if not self.years[0] <= year <= self.years[-1]:
                self.chk.add(f"{path}.{year}", "year outside the horizon", year,
                             self.horizon_text, where)
                continue
            out[year - self.years[0]] = amount
        return out

    def country(self, value: Any) -> tuple[int | None, str | None]:
        if value in (None, ""):
            return None, None
        from stisim.data import countries

        table = countries()
        text = str(value).strip()
        lowered = text.lower().replace(" ", "_")
        for m49, row in table.iterrows():
            if lowered in (str(m49), row["slug"], row["iso3"].lower(),
                           row["name"].lower().replace(" ", "_")):
                return int(m49), row["name"]
        self.chk.add("country", "not a known country", value,
                     "a country name, slug (e.g. kenya), ISO3 code or M49 code; "
                     "`stisim countries` lists them", self.label)
        return None, None

    def sources(self, items: list[dict]) -> tuple[pd.DataFrame, xr.DataArray]:
        rows, budgets = [], []
        for s in items:
            if s.get("id") is None:
                continue
            rows.append({"id": s["id"], "name": s["name"] or s["id"], "kind": s["kind"],
                         "channel": self.channel(s), "carry_over": bool(s["carry_over"]),
                         "note": s["note"]})
            budgets.append(self.yearly(s["budget"], f"{s['_path']}.budget", s["_where"],
                                       np.inf))
        df = pd.DataFrame(rows, columns=["id", "name", "kind", "channel", "carry_over",
                                         "note"])
        df = df.set_index("id", drop=False)
        budget = xr.DataArray(np.array(budgets).reshape(len(rows), len(self.years)),
                              dims=("source", "year"),
                              coords={"source": list(df.index), "year": self.years})
        return df, budget

    def channel(self, s: dict) -> str | None:
        """The source's finance channel (declared, or the default of its kind); a channel
        that does not take money of the source's kind is reported."""
        from stisim.roadmap import channels as ch

        if s.get("kind") is None:
            return s.get("channel")
        if s.get("channel") is None:
            return ch.default_channel(s["kind"], str(s["id"]), str(s.get("name") or ""))
        if s["channel"] in ch.channel_ids() and not ch.kind_allowed(s["channel"], s["kind"]):
            kinds = ch.channels().loc[s["channel"], "kinds"]
            self.chk.add(f"{s['_path']}.channel", f"channel {s['channel']} does not take "
                         f"{s['kind']} money", s["channel"],
                         f"a source of kind {' or '.join(kinds)}, or a channel for kind "
                         f"{s['kind']}: " + ", ".join(c for c in ch.channel_ids()
                                                      if ch.kind_allowed(c, s["kind"])),
                         s["_where"])
        return s["channel"]

    def agencies(self, items: list[dict]) -> tuple[pd.DataFrame, xr.DataArray]:
        rows, caps = [], []
        for a in items:
            if a.get("id") is None:
                continue
            rows.append({"id": a["id"], "name": a["name"] or a["id"]})
            caps.append(self.yearly(a["capacity"], f"{a['_path']}.capacity", a["_where"],
                                    np.inf))
        df = pd.DataFrame(rows, columns=["id", "name"]).set_index("id", drop=False)
        capacity = xr.DataArray(np.array(caps).reshape(len(rows), len(self.years)),
                                dims=("agency", "year"),
                                coords={"agency": list(df.index), "year": self.years})
        return df, capacity

    def regions(self, items: list[dict]) -> pd.DataFrame:
        rows = [{"id": r["id"], "name": r["name"] or r["id"], "min_share": r["min_share"]}
                for r in items if r.get("id") is not None]
        df = pd.DataFrame(rows, columns=["id", "name", "min_share"]).set_index("id", drop=False)
        total = float(df["min_share"].fillna(0).sum()) if len(df) else 0.0
        if total > 1 + 1e-9:
            self.chk.add("regions", "minimum regional shares add up to more than 100%",
                         round(total, 4), "a total <= 1", self.label)
        return df

    def actions(self, items: list[dict], sources: pd.DataFrame, agencies: pd.DataFrame,
                regions: pd.DataFrame):
        chk, years = self.chk, self.years
        n_years = len(years)
        ids = [a["id"] for a in items if a.get("id")]
        known_sources = list(sources.index)
        rows, costs, shares, deps, effects = [], [], [], [], []
        for a in items:
            if not a.get("id"):
                continue
            path, where = a["_path"], a["_where"]
            cost = self.cost_profile(a, path, where)
            costs.append(cost)
            if a["cost"] is not None and cost.sum() <= 0:
                chk.add(f"{path}.cost", "the action costs nothing at full scale", 0,
                        "positive yearly amounts", where)
            share = np.zeros(len(known_sources))
            for sid, s in (a["sources"] or {}).items():
                if sid not in sources.index:
                    chk.add(f"{path}.sources.{sid}", "unknown finance source", sid,
                            allowed_text(known_sources, sid), where)
                    continue
                share[known_sources.index(sid)] = s
                self.check_channel(a, sid, s, sources, path, where)
            shares.append(share)
            self.check_financing(a, share, sources, path, where)
            if a["indivisible"] and (a["min_scale"] not in (0.0, None)
                                     or a["max_scale"] not in (1.0, None)):
                chk.add(f"{path}.indivisible", "an indivisible action is all-or-nothing; "
                        "min_scale/max_scale do not apply",
                        {"min_scale": a["min_scale"], "max_scale": a["max_scale"]},
                        "remove min_scale/max_scale or set indivisible: false", where)
            if (a["min_scale"] or 0) > (a["max_scale"] or 1):
                chk.add(f"{path}.min_scale", "is above max_scale", a["min_scale"],
                        f"<= {a['max_scale']}", where)
            if a["mandatory"] and not a["indivisible"] and not a["min_scale"]:
                chk.add(f"{path}.min_scale", "a mandatory divisible action needs a positive "
                        "min_scale", a["min_scale"], "> 0", where)
            if len(agencies) and a["lead"] is not None and a["lead"] not in agencies.index:
                chk.add(f"{path}.lead", "not one of the portfolio's agencies", a["lead"],
                        allowed_text(list(agencies.index), a["lead"]), where)
            if (len(regions) and a["region"] not in regions.index
                    and a["region"] != "national"):
                chk.add(f"{path}.region", "not one of the portfolio's regions", a["region"],
                        allowed_text(["national", *regions.index], a["region"]), where)
            for dep in a["depends_on"] or []:
                if dep == a["id"]:
                    chk.add(f"{path}.depends_on", "an action cannot depend on itself", dep,
                            None, where)
                elif dep not in ids:
                    chk.add(f"{path}.depends_on", "unknown action", dep,
                            allowed_text(ids, dep), where)
                else:
                    deps.append((a["id"], dep))
            seen = set()
            for e in a["effects"] or []:
                if e.get("indicator") in seen:
                    chk.add(f"{e['_path']}.indicator", "indicator listed twice for this action",
                            e["indicator"], "one effect per indicator", where)
                seen.add(e.get("indicator"))
                if e.get("indicator") is None or e.get("change") is None:
                    continue
                effects.append({"action": a["id"], "indicator": e["indicator"],
                                "change": float(e["change"]), "lag": int(e["lag"] or 0),
                                "response": e["response"], "note": e["note"]})
            rows.append({k: a[k] for k in ("id", "name", "instrument", "lead", "region",
                                           "indivisible", "mandatory", "min_scale",
                                           "max_scale", "leverage", "exclusive_group",
                                           "value", "cost_note", "note")}
                        | {"start": int(years[np.argmax(cost > 0)]) if cost.sum() > 0
                           else int(years[0]) if n_years else None})
        self.check_cycles(deps)
        df = pd.DataFrame(rows).set_index("id", drop=False) if rows else pd.DataFrame(
            columns=["id"]).set_index("id", drop=False)
        self.check_exclusive(df)
        cost = xr.DataArray(np.array(costs).reshape(len(rows), n_years),
                            dims=("action", "year"),
                            coords={"action": list(df.index), "year": years})
        share = xr.DataArray(np.array(shares).reshape(len(rows), len(known_sources)),
                             dims=("action", "source"),
                             coords={"action": list(df.index), "source": known_sources})
        eff = pd.DataFrame(effects, columns=["action", "indicator", "change", "lag",
                                             "response", "note"])
        return df, cost, share, deps, eff

    def cost_profile(self, a: dict, path: str, where: str) -> np.ndarray:
        years, chk = self.years, self.chk
        out = np.zeros(len(years))
        value, start = a["cost"], a["start"]
        if value is None or not len(years):
            return out
        if isinstance(value, dict):
            out = self.yearly(value, f"{path}.cost", where, 0.0)
            if start is not None and any(y < start and v > 0 for y, v in value.items()):
                chk.add(f"{path}.cost", "has spending before the action's start", value,
                        f"years >= {start}", where)
            return out
        amounts = [value] if isinstance(value, (int, float)) else list(value)
        first = years[0] if start is None else start
        if not years[0] <= first <= years[-1]:
            chk.add(f"{path}.start", "outside the horizon", first, self.horizon_text, where)
            return out
        last = first + len(amounts) - 1
        if last > years[-1]:
            chk.add(f"{path}.cost", f"runs {len(amounts)} years from {first} to {last}, after "
                    f"the horizon ends in {years[-1]}", amounts,
                    f"at most {years[-1] - first + 1} yearly amounts from {first}", where)
            amounts = amounts[: years[-1] - first + 1]
        out[first - years[0]: first - years[0] + len(amounts)] = amounts
        return out

    def check_channel(self, a: dict, sid: str, share: float, sources: pd.DataFrame,
                      path: str, where: str) -> None:
        """A source may finance an action only if its channel may fund the instrument."""
        from stisim.roadmap import channels as ch

        channel = sources.loc[sid, "channel"]
        if (share <= 0 or channel not in ch.channel_ids() or a.get("instrument") is None
                or ch.eligible(channel, a["instrument"])):
            return
        self.chk.add(f"{path}.sources.{sid}", f"source {sid} (channel {channel}) may not "
                     f"finance instrument {a['instrument']}", sid,
                     f"sources whose channel funds {a['instrument']}; {channel} funds "
                     + ch.allowed_instruments(channel), where)

    def check_financing(self, a: dict, share: np.ndarray, sources: pd.DataFrame, path: str,
                        where: str) -> None:
        if not len(sources) or not share.any():
            return
        kinds = sources["kind"].to_numpy()
        official = float(share[kinds != "private"].sum())
        private = float(share[kinds == "private"].sum())
        leverage = a["leverage"] or 0.0
        if private > 0 and leverage <= 0:
            self.chk.add(f"{path}.leverage", "a private source is eligible but leverage is 0",
                         leverage, "> 0 (private co-finance per unit of official finance)",
                         where)
        # The largest fraction of the yearly cost the eligible sources can pay together.
        reach = min(official, 1.0) + min(private, leverage * min(official, 1.0))
        if reach < 1 - 1e-9:
            self.chk.add(f"{path}.sources", f"the eligible sources can finance at most "
                         f"{reach:.0%} of the action's cost", dict(zip(
                             sources.index, share, strict=True)),
                         "max shares (and leverage) that can cover 100%", where)

    def check_cycles(self, deps: list[tuple[str, str]]) -> None:
        import networkx as nx

        graph = nx.DiGraph(deps)
        try:
            cycle = nx.find_cycle(graph)
        except nx.NetworkXNoCycle:
            return
        chain = " -> ".join([c[0] for c in cycle] + [cycle[0][0]])
        self.chk.add("actions.depends_on", "dependencies form a cycle", chain,
                     "an acyclic set of prerequisites", self.label)

    def check_exclusive(self, df: pd.DataFrame) -> None:
        if not len(df):
            return
        groups = df["exclusive_group"].dropna()
        for g in pd.unique(groups):
            members = df.loc[groups.index[groups == g]]
            must = members.index[members["mandatory"]].tolist()
            if len(must) > 1:
                self.chk.add(f"actions[{must[1]}].mandatory", f"exclusive group {g!r} has "
                             f"several mandatory actions ({', '.join(must)})", True,
                             "at most one mandatory action per exclusive group",
                             self.label)

    def floors(self, items: list[dict], country_m49: int | None) -> pd.DataFrame:
        from stisim.data.indicators import registry

        reg = registry()
        goals_with = sorted(set(reg["goal"].astype(int)))
        rows = []
        for f in items:
            path, where = f["_path"], f["_where"]
            ind, goal = f.get("indicator"), f.get("goal")
            if f.get("target") is None:
                continue  # missing or not a finite number: reported by the schema
            if (ind is None) == (goal is None):
                self.chk.add(path, "give either indicator or goal", {"indicator": ind,
                                                                     "goal": goal},
                             "indicator: CODE or goal: N", where)
                continue
            if goal is not None and goal not in goals_with:
                self.chk.add(f"{path}.goal", "no registry indicator belongs to this goal",
                             goal, ", ".join(map(str, goals_with)), where)
                continue
            if goal is not None and f["target"] is not None and not 0 <= f["target"] <= 100:
                self.chk.add(f"{path}.target", "goal scores run from 0 to 100", f["target"],
                             "0-100", where)
            year = f.get("year")
            if year is not None and len(self.years) and not (
                    self.years[0] <= year <= self.years[-1]):
                self.chk.add(f"{path}.year", "outside the horizon", year, self.horizon_text,
                             where)
            if country_m49 is None:
                self.chk.add(path, "SDG floors need the portfolio's country (its baseline is "
                             "the starting level)", None, "country: NAME", where)
            name = f["name"] or (f"SDG {goal} score >= {f['target']:g} by {year}"
                                 if goal is not None else
                                 f"{ind} {'>=' if reg.loc[ind, 'better'] == 'higher' else '<='}"
                                 f" {f['target']:g} by {year}" if ind in reg.index else str(ind))
            rows.append({"name": name, "indicator": ind, "goal": goal,
                         "target": f["target"], "year": year})
        df = pd.DataFrame(rows, columns=["name", "indicator", "goal", "target", "year"])
        dupes = df["name"][df["name"].duplicated()].tolist()
        for d in dupes:
            self.chk.add("floors", "two floors have the same name", d, "unique names",
                         self.label)
        return df

    def scenarios(self, items: list[dict], actions: pd.DataFrame, sources: pd.DataFrame
                  ) -> pd.DataFrame:
        from stisim.data.indicators import codes

        rows = []
        probs = [s["probability"] for s in items]
        given = [p for p in probs if p is not None]
        if given and len(given) != len(items):
            self.chk.add("scenarios", "give a probability for every scenario or for none",
                         probs, None, self.label)
        elif given and abs(sum(given) - 1) > 1e-6:
            self.chk.add("scenarios", "scenario probabilities must add up to 1",
                         round(sum(given), 6), "a total of 1", self.label)
        for s in items:
            for key, allowed in (("indicator_factors", codes()),
                                 ("action_factors", list(actions.index)),
                                 ("budget_factors", list(sources.index))):
                for name, factor in (s.get(key) or {}).items():
                    if name not in allowed:
                        self.chk.add(f"{s['_path']}.{key}.{name}", "unknown name", name,
                                     allowed_text(allowed, name), s["_where"])
                    elif factor < 0:
                        self.chk.add(f"{s['_path']}.{key}.{name}", "must not be negative",
                                     factor, ">= 0", s["_where"])
            rows.append({k: s[k] for k in ("id", "probability", "effect_factor",
                                           "indicator_factors", "action_factors",
                                           "budget_factor", "budget_factors",
                                           "value_factor")})
        df = pd.DataFrame(rows, columns=["id", "probability", "effect_factor",
                                         "indicator_factors", "action_factors",
                                         "budget_factor", "budget_factors", "value_factor"])
        if len(df) and not given:
            df["probability"] = 1.0 / len(df)
        return df.set_index("id", drop=False)

    def trend(self, value: dict[str, float]) -> dict[str, float]:
        from stisim.data.indicators import codes

        known = codes()
        for code in value:
            if code not in known:
                self.chk.add(f"baseline_trend.{code}", "unknown indicator code", code,
                             allowed_text(known, code), self.label)
        return {k: float(v) for k, v in value.items() if k in known}
