"""Validation: firm adoption alone tracks the Bass (1969) closed form.

100,000 firms, monthly steps, economy-wide mixing, two (p, q) pairs other than the default:
the adopter share of every technology is within 0.02 of
F(t) = (1 - exp(-(p+q)t)) / (1 + (q/p) exp(-(p+q)t)) at every year.
"""

from __future__ import annotations

import numpy as np
import pytest

from stisim.config import load_config
from stisim.pipeline import build, simulate


def bass(t: np.ndarray, p: float, q: float) -> np.ndarray:
    e = np.exp(-(p + q) * t)
    return (1.0 - e) / (1.0 + (q / p) * e)


# The adopter share is stochastic: at 100,000 firms its standard deviation around the closed
# form peaks near the inflection at about 0.006 for (0.01, 0.5) (measured over seeds, the
# same as an exact binomial simulation of the process), so a 0.02 band is about 3.3 sd. Each
# technology is an independent replicate; over the eight trajectories below seeds 0, 1, 2 and
# 42 reach maxima of 0.0146, 0.0118, 0.0095 and 0.0077, but a 3.3 sd band is crossed by an
# occasional seed, so the test fixes seed 0 rather than the default.
@pytest.mark.parametrize(("p", "q"), [(0.01, 0.5), (0.05, 0.2)])
def test_bass_scenario_tracks_closed_form(p, q):
    cfg = load_config("run", ["scenario=validation/bass", f"diffusion.p={p}",
                              f"diffusion.q={q}", "firms.count=100000",
                              "time.steps_per_year=12", "time.end_year=2037", "seed=0"])
    assert cfg.scenario.name == "bass_validation"
    ds = simulate(build(cfg))
    share = ds["adoption_share"]
    years = share["time"].values[::12]
    assert len(years) == 16
    expected = bass(years - years[0], p, q)
    got = share.sel(time=years).values  # (year, technology)
    err = np.abs(got - expected[:, None])
    assert err.max() < 0.02, f"max deviation {err.max():.4f} (per technology {err.max(0)})"
    assert got[-1].min() > 0.5  # the process ran its course


def test_bass_scenario_switches_everything_else_off():
    cfg = load_config("run", ["scenario=validation/bass", "firms.count=2000",
                              "time.end_year=2025"])
    m = cfg.mechanisms
    on = [k for k, v in vars(m).items() if v]
    assert on == ["adoption"]
    ds = simulate(build(cfg))
    # Nothing but adoption moves (and, through adopters' productivity, value added):
    # employment, firms and researchers stay put.
    emp = ds["employment"].sum(["sector", "region"]).values
    np.testing.assert_allclose(emp, emp[0], rtol=1e-6)
    counts = ds["firm_count"].values
    np.testing.assert_allclose(counts, np.broadcast_to(counts[0], counts.shape))
    np.testing.assert_allclose(ds["researchers"].sel(agent_type="research_institutes"),
                               ds["researchers"].sel(agent_type="research_institutes")[0])
    assert float(ds["adoption_share"].isel(time=0).max()) == 0.0
