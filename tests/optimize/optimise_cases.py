"""Small portfolios written by hand for known-answer and property tests."""

from __future__ import annotations

from typing import Any

from stisim.optimize.api import make_config, run
from stisim.roadmap import build_portfolio


def action(id: str, cost: Any, value: float = 0.0, sources: Any = ("pub",), **kw) -> dict:
    return {"id": id, "name": f"action {id}", "instrument": "research_grants",
            "lead": kw.pop("lead", "agency"), "cost": cost, "sources": list(sources)
            if isinstance(sources, tuple) else sources, "value": value, **kw}


def portfolio(actions: list[dict], sources: list[dict] | None = None,
              horizon: tuple[int, int] = (2025, 2025), **top: Any):
    raw = {"name": "test portfolio", "horizon": list(horizon),
           "sources": sources or [{"id": "pub", "kind": "public", "budget": 10}],
           "actions": actions, **top}
    return build_portfolio(raw, "test")


def solve(p, objective: str = "value", **options: Any):
    """(allocation Dataset, model) with exact MIP solves unless told otherwise."""
    options.setdefault("mip_gap", 0.0)
    return run(make_config(objective, **options), p)
