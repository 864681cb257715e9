"""The vectorised firm rules agree statistically with the per-agent Mesa reference
(benchmarks/reference_firms.py) run from the same state with the same signals, and the
comparison has the power to notice a 20 % change of any core rate (benchmarks/
reference_power.py: the statistic, the phases that isolate each rate, the measured power).

Power (Kenya, 1,500 firms, 4 steps, Welch t per key with Bonferroni critical values at
family-wise level 0.001 over 18 keys): with 8 replicates each of p, q, imitation,
innovation, exit and entry x 1.2 on the vectorised side gives |t| >= 7.7 against critical
values of 5.7-6.4 on two disjoint seed sets, and no key passes |t| = 3 without a
perturbation; the test uses 10 replicates for margin. The reference runs are computed once
and shared by all seven comparisons.
"""

from __future__ import annotations

import pytest

from benchmarks.reference_power import RATES, compare, reference_runs, vectorised_runs
from stisim.agents.model import build_model
from tests.agents.conftest import small_inputs

REPLICATES = 10
STEPS = 4
FACTOR = 1.2  # the smallest change of a core rate the comparison must detect


@pytest.fixture(scope="module")
def powered():
    model = build_model(small_inputs("country=kenya", "firms.count=1500"))
    return model, reference_runs(model, REPLICATES, STEPS)


def test_quick_agreement_of_the_full_rules():
    """All firm mechanisms together, few replicates (a fast check on every run of the
    suite; the powered comparison below is the real test)."""
    model = build_model(small_inputs("country=kenya", "firms.count=800"))
    ref = reference_runs(model, 4, 3, phases=("full",))
    c = compare(ref, vectorised_runs(model, 4, 3, phases=("full",)))
    assert not c.differ, (c.worst(), c.means)
    # The firms did move: the comparison is not between two frozen states.
    assert c.means["full:exits"][1] > 0 and c.means["full:entries"][1] > 0


@pytest.mark.slow
def test_vectorised_and_per_agent_rules_agree(powered):
    model, ref = powered
    c = compare(ref, vectorised_runs(model, REPLICATES, STEPS))
    assert not c.differ, (c.worst(), c.means)
    assert max(abs(t) for t in c.t.values()) < 4.0, c.t


@pytest.mark.slow
@pytest.mark.parametrize("rate", list(RATES))
def test_a_twenty_percent_change_of_a_core_rate_is_detected(powered, rate):
    """Each core rate x 1.2 on the vectorised side only: the comparison must fail."""
    model, ref = powered
    c = compare(ref, vectorised_runs(model, REPLICATES, STEPS, rate, FACTOR))
    key, t = c.worst()
    assert c.differ, (rate, key, t, c.critical[key])
