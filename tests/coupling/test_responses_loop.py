"""ABM response curves (concave, banded, cached) and the closed loop's convergence report."""

from __future__ import annotations

import numpy as np
import pytest

from stisim.coupling.abm_responses import estimate_responses
from stisim.coupling.loop import closed_loop, loop_report
from stisim.data.indicators import registry
from stisim.roadmap.responses import is_concave
from tests.coupling.conftest import tiny_cfg


@pytest.mark.slow
def test_response_curves_are_concave_banded_and_cached(tiny, tmp_path):
    _, portfolio, inputs = tiny
    cfg = tiny_cfg(f"coupling.cache_dir={tmp_path}", "coupling.response_levels=[1.0,2.0]",
                   "coupling.response_replicates=2", "firms.count=150")
    first = estimate_responses(cfg, portfolio, inputs)
    assert not first.from_cache and first.cache_path.exists()
    assert len(first.curves) >= 10
    reg = registry()
    for (_action, code), c in first.curves.items():
        sign = 1.0 if reg.loc[code, "better"] == "higher" else -1.0
        assert c.spend[0] == 0 and c.gain[0] == 0
        assert is_concave(c.spend, sign * c.gain)
        assert c.low is not None and np.all(c.low <= c.high + 1e-12)
    # energy money raises electricity access in the agent model
    assert first.curves[("KE10", "7.1.1")].gain[-1] > 0
    second = estimate_responses(cfg, portfolio, inputs)
    assert second.from_cache and second.config_hash == first.config_hash
    assert second.curves.keys() == first.curves.keys()
    other = estimate_responses(tiny_cfg(f"coupling.cache_dir={tmp_path}", "seed=9",
                                        "coupling.response_levels=[1.0]",
                                        "coupling.response_replicates=1",
                                        "firms.count=150"), portfolio, inputs)
    assert other.config_hash != first.config_hash and not other.from_cache


def test_optimiser_uses_abm_curves(tiny, tmp_path):
    from stisim.coupling.bridge import optimise_spend

    _, portfolio, inputs = tiny
    cfg = tiny_cfg(f"coupling.cache_dir={tmp_path}", "coupling.response_levels=[1.0]",
                   "coupling.response_replicates=1", "firms.count=150")
    curves = estimate_responses(cfg, portfolio, inputs)
    _, alloc = optimise_spend(portfolio, cfg, "sdg", responses=curves, relax_floors=True)
    assert float(alloc["scale"].sum()) > 0


@pytest.mark.slow
def test_loop_reports_convergence_status(tiny):
    _, portfolio, inputs = tiny
    cfg = tiny_cfg("coupling.loop_max_iterations=2", "coupling.loop_replicates=1",
                   "firms.count=150", "time.end_year=2026")
    result = closed_loop(cfg, portfolio, inputs, log=lambda *_: None)
    assert isinstance(result.converged, bool)
    assert 1 <= result.iterations <= 2
    text = loop_report(result)
    assert ("converge" in text) and ("promised" in text)
    if not result.converged:
        assert "DID NOT converge" in text
    ds = result.dataset
    assert {"promised_gain", "delivered_gain", "promised_goal_gain"} <= set(ds.data_vars)
    huge = tiny_cfg("coupling.loop_max_iterations=2", "coupling.loop_replicates=1",
                    "firms.count=150", "time.end_year=2026", "coupling.loop_tolerance=1000")
    assert closed_loop(huge, portfolio, inputs, log=lambda *_: None).converged
