"""One simulation path: every entry point simulates through stisim.pipeline.simulate, so the
same config and seed give the same Dataset through each of them (for the variables they
share), to the last bit."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from stisim.config import load_config
from stisim.pipeline import build, run, simulate

OVERRIDES = ["country=kenya", "firms.count=1500", "time.end_year=2026", "seed=11"]
SHARED = ("indicator_value", "indicator_score", "goal_score", "sdg_index")


@pytest.fixture(scope="module")
def reference():
    """``stisim run``'s Dataset (pipeline.run) and the inputs it was built from."""
    cfg = load_config("run", OVERRIDES)
    return run(cfg), build(cfg)


def same(a: xr.Dataset, b: xr.Dataset, names=SHARED) -> None:
    for name in names:
        x, y = a[name], b[name]
        assert x.dims == y.dims, name
        for dim in x.dims:
            assert np.array_equal(x[dim].values, y[dim].values), (name, dim)
        assert x.values.tobytes() == y.values.tobytes(), f"{name} differs"


def test_coupling_runner_without_budgets(reference):
    from stisim.coupling.replicates import run_replicates

    ds, inputs = reference
    coupled = run_replicates(inputs, None, [inputs.cfg.seed]).isel(replicate=0, drop=True)
    same(coupled, ds)


def test_calibration_simulator(reference):
    from stisim.calibrate.simulators import pipeline_simulator

    ds, inputs = reference
    fitted = pipeline_simulator(inputs.cfg)({})
    same(fitted, ds, ("indicator_value",))


def test_step_by_step_with_a_driver_between_steps(reference):
    """A driver acting between steps (as adaptive roadmaps do) sees, at every step, the
    values the finished run reports, interlinkages included."""
    ds, inputs = reference
    seen = {}

    def observe(sim):
        seen[float(sim.model.t)] = sim.indicators().values.copy()

    stepped = simulate(inputs, on_step=observe)
    same(stepped, ds, ("indicator_value",))
    assert sorted(seen) == list(ds["time"].values[1:])
    for t, row in seen.items():
        assert row.tobytes() == ds["indicator_value"].sel(time=t).values.tobytes()


def test_adaptive_runner_without_replanning(reference):
    """The adaptive roadmap's runner, with an allocation of nothing and a plan that promises
    nothing (so it never re-plans), runs to the end exactly as stisim run does."""
    from stisim.coupling.adaptive import run_adaptive
    from stisim.roadmap.portfolio import load_portfolio

    ds, inputs = reference
    portfolio = load_portfolio("kenya")
    spend = xr.zeros_like(portfolio.cost * portfolio.max_share).transpose(
        "action", "year", "source")
    flat = xr.DataArray(np.zeros((ds.sizes["indicator"], portfolio.years.size)),
                        dims=("indicator", "year"),
                        coords={"indicator": ds["indicator"].values, "year": portfolio.years})
    plan = (spend, xr.Dataset({"indicator_level": flat, "indicator_counterfactual": flat}))
    out, events, _ = run_adaptive(inputs.cfg, portfolio, inputs, None, inputs.cfg.seed, 0, plan)
    assert events == []
    same(out, ds)


def test_sweep_run(tmp_path):
    """A sweep run is stisim run of its task's config and seed."""
    from stisim.sweep import run_sweep

    result = run_sweep([*OVERRIDES, "sweep.executor.kind=serial", "sweep.progress=false"],
                       directory=tmp_path / "sweep")
    swept = result.open().isel(run=0, replicate=0)
    seed = int(swept["seed"])
    assert seed != 11  # the task's replicate seed, derived from the root seed
    same(swept, run(load_config("run", [*OVERRIDES[:-1], f"seed={seed}"])))
