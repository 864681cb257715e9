"""The vectorised firm rules agree statistically with the per-agent Mesa reference
(benchmarks/reference_firms.py) run from the same state with the same signals."""

from __future__ import annotations

import numpy as np

from benchmarks.reference_firms import (
    ReferenceEconomy,
    restore,
    snapshot,
    vectorised_summary,
)
from stisim.agents.model import build_model
from tests.agents.conftest import small_inputs

REPLICATES = 6
STEPS = 4


def test_vectorised_and_per_agent_rules_agree():
    model = build_model(small_inputs("country=kenya", "firms.count=1500"))
    env = model.base_env()
    snap = snapshot(model.firms)
    ref, vec = [], []
    for seed in range(REPLICATES):
        restore(model.firms, snap)
        economy = ReferenceEconomy(model.firms, env, seed=seed)
        for _ in range(STEPS):
            economy.step()
        ref.append(economy.summary())
        restore(model.firms, snap)
        model.rng = np.random.default_rng(100 + seed)
        for _ in range(STEPS):
            model.firms.run(env)
        vec.append(vectorised_summary(model.firms))
    restore(model.firms, snap)
    start = vectorised_summary(model.firms)
    for key in ref[0]:
        r = np.array([x[key] for x in ref])
        v = np.array([x[key] for x in vec])
        se = np.sqrt(r.var(ddof=1) / len(r) + v.var(ddof=1) / len(v))
        # Within 4 standard errors of each other (or 1% where both barely vary).
        tol = max(4 * se, 0.01 * abs(r.mean()), 1e-6)
        assert abs(r.mean() - v.mean()) <= tol, (key, r.mean(), v.mean(), se)
    # The firms did move: the comparison is not between two frozen states.
    assert abs(np.mean([x["theta"] for x in vec]) - start["theta"]) > 0.02
    assert np.mean([x["adoption_digital"] for x in vec]) > start["adoption_digital"] + 0.02
