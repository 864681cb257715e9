"""Rolling-horizon re-planning under a shock, against the static plan."""

from __future__ import annotations

import json

import numpy as np

from stisim.coupling.adaptive import adaptive_report, static_vs_adaptive
from tests.coupling.conftest import tiny_cfg


def test_static_vs_adaptive_replans_and_reports(tiny):
    _, portfolio, inputs = tiny
    cfg = tiny_cfg("scenario=shocks/funding_cut", "firms.count=150", "time.end_year=2030",
                   "coupling.replan_every=2")
    ds = static_vs_adaptive(cfg, portfolio, inputs, log=lambda *_: None)
    assert list(ds["plan"].values) == ["static", "adaptive"]
    assert (ds["replans"] >= 2).all()  # scheduled re-plans at least every 2 years
    assert ds.attrs["scenario"] == "funding_cut"
    text = adaptive_report(ds)
    assert "paired difference" in text
    events = json.loads(ds.attrs["replan_events"])
    assert all(2025 <= e["year"] < 2030 for e in events)
    assert np.isfinite(ds["sdg_gain"]).all()
