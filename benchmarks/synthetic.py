"""Synthetic roadmap portfolios of any size for benchmarks (seeded, reproducible)."""

from __future__ import annotations

import numpy as np

INDICATORS = ["7.1.1", "7.2.1", "8.2.1", "9.2.1", "9.5.1", "9.5.2", "9.b.1", "9.c.1",
              "17.6.1", "17.8.1", "4.1.2", "3.8.1"]
CHANGE = {"7.1.1": 2.0, "7.2.1": 1.0, "8.2.1": 0.3, "9.2.1": 0.3, "9.5.1": 0.02,
          "9.5.2": 10.0, "9.b.1": 0.8, "9.c.1": 2.0, "17.6.1": 0.5, "17.8.1": 2.0,
          "4.1.2": 1.0, "3.8.1": 0.8}
INSTRUMENTS = ["research_grants", "business_rd_grants", "adoption_subsidy",
               "digital_infrastructure", "energy_infrastructure", "skills_training",
               "innovation_finance", "technology_transfer"]


def synthetic_portfolio(n_actions: int = 500, n_years: int = 30, seed: int = 0,
                        indivisible_share: float = 0.0, agencies: int = 10, regions: int = 4,
                        concave_share: float = 0.3, budget_share: float = 0.35,
                        country: str = "kenya") -> dict:
    """A raw portfolio mapping: public, donor and private sources; every action costs money
    in every year of the horizon (so spend has n_actions x n_years x 3 cells)."""
    rng = np.random.default_rng(seed)
    first = 2025
    list(range(first, first + n_years))
    costs = rng.lognormal(0.0, 0.6, size=(n_actions, n_years)) * rng.uniform(
        0.5, 3.0, size=(n_actions, 1))
    total = costs.sum(axis=0)
    actions = []
    for a in range(n_actions):
        k = rng.integers(1, 4)
        inds = rng.choice(INDICATORS, size=k, replace=False)
        effects = []
        for i in inds:
            effects.append({"indicator": str(i),
                            "change": float(CHANGE[i] * rng.uniform(0.2, 1.5) / 10),
                            "lag": int(rng.integers(0, 4)),
                            "response": "concave" if rng.random() < concave_share
                            else "linear"})
        actions.append({
            "id": f"A{a:04d}", "name": f"synthetic action {a}",
            "instrument": str(INSTRUMENTS[a % len(INSTRUMENTS)]),
            "lead": f"agency{a % agencies}", "region": f"region{a % regions}",
            "indivisible": bool(rng.random() < indivisible_share),
            "cost": [round(float(c), 4) for c in costs[a]], "start": first,
            "sources": {"public": 1.0, "donor": round(float(rng.uniform(0.3, 1.0)), 3),
                        "private": round(float(rng.uniform(0.2, 0.8)), 3)},
            "leverage": round(float(rng.uniform(0.2, 1.5)), 3),
            "value": round(float(rng.uniform(1, 10)), 3),
            "effects": effects,
        })
    return {
        "name": f"synthetic {n_actions} actions x {n_years} years",
        "country": country,
        "horizon": [first, first + n_years - 1],
        "discount_rate": 0.03,
        "sources": [
            {"id": "public", "kind": "public",
             "budget": [round(float(b), 3) for b in budget_share * 0.7 * total]},
            {"id": "donor", "kind": "donor",
             "budget": [round(float(b), 3) for b in budget_share * 0.3 * total]},
            {"id": "private", "kind": "private"},
        ],
        "agencies": [{"id": f"agency{g}", "capacity": round(float(total.mean() / agencies
                                                                  * 0.6), 3)}
                     for g in range(agencies)],
        "regions": [{"id": f"region{r}", "min_share": round(0.5 / regions, 4)}
                    for r in range(regions)],
        "actions": actions,
    }
