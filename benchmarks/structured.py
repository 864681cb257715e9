"""A second family of generated portfolios, with another structure than ``synthetic.py``.

Where ``synthetic.py`` has every action costing money in every year with the same three
sources, these portfolios have:

* actions lasting from a third of the horizon to all of it, starting anywhere in it (so
  the spend grid is sparse);
* per-action source eligibility with a maximum share per source (donor money covers at most
  30–80 % of an action, some actions cannot take donor or private money), and a leverage ratio
  drawn per action (private co-finance per unit of official money, 0.2–2);
* dependency chains (each action of a chain needs its predecessor funded at least as far);
* optionally exclusive groups of two or three alternatives (these make the model a MILP);
* SDG indicator floors by a mid-horizon year, set at a fifth of the gain the portfolio could
  reach on that indicator (so they bind without making the portfolio infeasible);
* agencies with delivery capacities and regions with minimum shares.

``structured_portfolio(500, 30)`` is the 500 x 30 x 3 instance of the solve-robustness table
in docs/optimise.md. Seeded and reproducible.
"""

from __future__ import annotations

import itertools

import numpy as np
from synthetic import CHANGE, INDICATORS, INSTRUMENTS


def structured_portfolio(n_actions: int = 500, n_years: int = 30, seed: int = 7,
                         chains: int = 40, exclusive_groups: int = 0, floors: int = 4,
                         agencies: int = 8, regions: int = 5, budget_share: float = 0.3,
                         country: str = "kenya") -> dict:
    """A raw portfolio mapping (see the module docstring for its structure)."""
    from stisim import data
    from stisim.baseline import load_baseline

    rng = np.random.default_rng(seed)
    first = 2025
    last = first + n_years - 1
    durations = rng.integers(max(1, n_years // 3), n_years + 1, size=n_actions)
    starts = first + (rng.random(n_actions) * (n_years - durations + 1)).astype(int)
    yearly = np.zeros((n_actions, n_years))
    actions = []
    gain_by_indicator: dict[str, np.ndarray] = {i: np.zeros(n_years) for i in INDICATORS}
    for a in range(n_actions):
        d, s = int(durations[a]), int(starts[a])
        profile = rng.lognormal(0.0, 0.4, size=d) * rng.uniform(0.5, 4.0)
        yearly[a, s - first:s - first + d] = profile
        sources: dict[str, float] = {"public": 1.0}
        if rng.random() < 0.85:
            sources["donor"] = round(float(rng.uniform(0.3, 0.8)), 3)
        if rng.random() < 0.8:
            sources["private"] = round(float(rng.uniform(0.2, 0.7)), 3)
        effects = []
        for code in rng.choice(INDICATORS, size=int(rng.integers(1, 3)), replace=False):
            change = float(CHANGE[str(code)] * rng.uniform(0.1, 1.0) / 8)
            lag = int(rng.integers(0, 3))
            effects.append({"indicator": str(code), "change": change, "lag": lag,
                            "response": "concave" if rng.random() < 0.25 else "linear"})
            begin = min(s + lag - first, n_years)
            gain_by_indicator[str(code)][begin:] += change
        actions.append({
            "id": f"S{a:04d}", "name": f"structured action {a}",
            "instrument": str(INSTRUMENTS[int(rng.integers(len(INSTRUMENTS)))]),
            "lead": f"agency{int(rng.integers(agencies))}",
            "region": f"region{int(rng.integers(regions))}" if rng.random() < 0.8
            else "national",
            "cost": [round(float(c), 4) for c in profile], "start": s,
            "sources": sources,
            "leverage": round(float(rng.uniform(0.2, 2.0)), 3) if "private" in sources
            else 0.0,
            "value": round(float(rng.uniform(1, 10) * d / 10), 3),
            "effects": effects,
        })
    order = rng.permutation(n_actions)
    pos = 0
    for _ in range(chains):
        length = int(rng.integers(3, 7))
        chain = order[pos:pos + length]
        pos += length
        for before, after in itertools.pairwise(chain):
            actions[int(after)]["depends_on"] = [actions[int(before)]["id"]]
    for g in range(exclusive_groups):
        members = order[pos:pos + int(rng.integers(2, 4))]
        pos += len(members)
        for m in members:
            actions[int(m)]["exclusive_group"] = f"alternatives{g}"
    total = yearly.sum(axis=0)
    table = data.countries()
    base = load_baseline(int(table.index[table.slug == country][0]), 2022)
    floor_year = first + n_years // 2
    candidates = [i for i in INDICATORS if gain_by_indicator[i][floor_year - first] > 0
                  and i in base.value.index and np.isfinite(base.value[i])]
    floor_list = []
    for code in candidates[:floors]:
        reach = gain_by_indicator[code][floor_year - first]
        floor_list.append({"indicator": code, "year": floor_year,
                           "target": round(float(base.value[code] + 0.2 * reach), 4)})
    return {
        "name": f"structured {n_actions} actions x {n_years} years",
        "country": country,
        "horizon": [first, last],
        "discount_rate": 0.04,
        "sources": [
            {"id": "public", "kind": "public",
             "budget": [round(float(b), 3) for b in budget_share * 0.65 * total]},
            {"id": "donor", "kind": "donor",
             "budget": [round(float(b), 3) for b in budget_share * 0.35 * total]},
            {"id": "private", "kind": "private"},
        ],
        "agencies": [{"id": f"agency{g}",
                      "capacity": round(float(total.mean() / agencies * 0.5), 3)}
                     for g in range(agencies)],
        "regions": [{"id": f"region{r}", "min_share": round(0.4 / regions, 4)}
                    for r in range(regions)],
        "floors": floor_list,
        "actions": actions,
    }
