"""Sensitivity indices against analytic values (Ishigami, linear) and sweep bookkeeping."""

from __future__ import annotations

import json

import numpy as np
import pytest
import xarray as xr
from SALib.sample import latin, morris
from SALib.sample import sobol as sobol_sample
from SALib.test_functions import Ishigami

from stisim.analysis.sensitivity import ranking, sensitivity
from stisim.errors import DataError

PROBLEM = {"num_vars": 3, "names": ["model.x1", "model.x2", "model.x3"],
           "bounds": [[-np.pi, np.pi]] * 3}
# Ishigami & Homma (1990) with a=7, b=0.1: analytic indices (Sobol' & Levitan 1999).
A, B = 7.0, 0.1
V = A**2 / 8 + B * np.pi**4 / 5 + B**2 * np.pi**8 / 18 + 0.5
V1 = 0.5 * (1 + B * np.pi**4 / 5) ** 2
V2 = A**2 / 8
V13 = B**2 * np.pi**8 * (1 / 18 - 1 / 50)
S1 = np.array([V1 / V, V2 / V, 0.0])
ST = np.array([(V1 + V13) / V, V2 / V, V13 / V])


def as_sweep(X: np.ndarray, Y: np.ndarray, design: dict, replicates: int = 2) -> xr.Dataset:
    n = len(Y)
    ds = xr.Dataset(
        {"outcome": (("run", "replicate"), np.repeat(Y[:, None], replicates, axis=1)),
         "run_status": (("run", "replicate"), np.full((n, replicates), "ok"))},
        coords={"run": np.arange(n), "replicate": np.arange(replicates),
                **{name: ("run", X[:, i]) for i, name in enumerate(PROBLEM["names"])}})
    ds.attrs["sweep_design"] = json.dumps(design)
    return ds


def test_analytic_ishigami_values():
    np.testing.assert_allclose(S1, [0.3139, 0.4424, 0.0], atol=1e-4)
    np.testing.assert_allclose(ST, [0.5576, 0.4424, 0.2437], atol=1e-4)


def test_sobol_matches_ishigami():
    X = sobol_sample.sample(PROBLEM, 2048, calc_second_order=True, seed=1)
    ds = as_sweep(X, Ishigami.evaluate(X), {"design": "sobol", "problem": PROBLEM,
                                            "calc_second_order": True})
    r = sensitivity(ds, "outcome", num_resamples=50)
    assert r.attrs["method"] == "sobol"
    assert r["sobol_s1"].values == pytest.approx(S1, abs=0.04)
    assert r["sobol_st"].values == pytest.approx(ST, abs=0.04)
    # x1-x3 is the only interaction: S2[x1, x3] = V13 / V
    assert float(r["sobol_s2"].sel(parameter="model.x1", parameter_2="model.x3")) == \
        pytest.approx(ST[2], abs=0.06)
    assert ranking(r) == ["model.x1", "model.x2", "model.x3"]
    assert r["sobol_st"].attrs["long_name"] == "Sobol total-order index"


def test_sobol_first_order_design_inferred():
    X = sobol_sample.sample(PROBLEM, 1024, calc_second_order=False, seed=2)
    ds = as_sweep(X, Ishigami.evaluate(X), {"design": "sobol", "problem": PROBLEM})
    r = sensitivity(ds, "outcome", num_resamples=20)
    assert "sobol_s2" not in r
    assert r["sobol_st"].values == pytest.approx(ST, abs=0.05)


def test_sobol_refuses_runs_out_of_sample_order():
    X = sobol_sample.sample(PROBLEM, 256, calc_second_order=False, seed=3)
    perm = np.random.default_rng(0).permutation(len(X))
    ds = as_sweep(X[perm], Ishigami.evaluate(X[perm]), {"design": "sobol", "problem": PROBLEM,
                                                        "calc_second_order": False})
    with pytest.raises(DataError, match="Saltelli sample order"):
        sensitivity(ds, "outcome")
    # ...but the recorded sample order restores it
    ds.attrs["sweep_design"] = json.dumps({"design": "sobol", "problem": PROBLEM,
                                           "calc_second_order": False,
                                           "sample_order": perm.tolist()})
    r = sensitivity(ds, "outcome", num_resamples=10)
    assert ranking(r)[0] == "model.x1"


def test_morris_linear_function_exact_effects():
    coef = np.array([2.0, -3.0, 0.0])
    X = morris.sample(PROBLEM, 20, num_levels=4, seed=4)
    Y = X @ coef
    ds = as_sweep(X, Y, {"design": "morris", "problem": PROBLEM, "num_levels": 4})
    r = sensitivity(ds, "outcome", num_resamples=20)
    width = 2 * np.pi  # elementary effects are per unit of the normalised range
    assert r["morris_mu_star"].values == pytest.approx(np.abs(coef) * width, rel=1e-9)
    assert r["morris_mu"].values == pytest.approx(coef * width, rel=1e-9)
    assert r["morris_sigma"].values == pytest.approx([0, 0, 0], abs=1e-9)


def test_delta_on_latin_hypercube_ishigami():
    X = latin.sample(PROBLEM, 2000, seed=5)
    ds = as_sweep(X, Ishigami.evaluate(X), {"design": "lhs", "parameters": [
        {"name": n, "distribution": "uniform", "bounds": b}
        for n, b in zip(PROBLEM["names"], PROBLEM["bounds"])]})
    r = sensitivity(ds, "outcome", num_resamples=5)
    assert r.attrs["method"] == "delta"
    assert r["delta_s1"].values == pytest.approx(S1, abs=0.05)
    assert ranking(r)[-1] == "model.x3"  # x3 acts only through its interaction with x1
    with pytest.raises(DataError, match="need a sobol sweep design"):
        sensitivity(ds, "outcome", method="sobol")


def test_sweep_indices_per_lever_and_goal(sweep_ds):
    r = sensitivity(sweep_ds, "goal_score(time=2030)", num_resamples=10)
    assert set(r.dims) == {"strategy", "goal", "parameter"}
    assert list(r["strategy"].values) == ["optimal_sdg", "equal_split"]
    # goals without indicators have no outcome variance: NaN, not an error
    assert np.isnan(r["sobol_st"].sel(goal=10)).all()
    # the planted mechanism: diffusion speed drives goal 9 most
    st9 = r["sobol_st"].sel(goal=9).mean("strategy")
    assert str(st9.idxmax("parameter").values) == "diffusion.p"


def test_sweep_with_a_fully_failed_run_is_refused(sweep_ds):
    ds = sweep_ds.copy()
    status = ds["run_status"].values.copy()
    status[5, :] = "failed"
    ds["run_status"] = (("run", "replicate"), status)
    with pytest.raises(DataError, match=r"runs with no successful replicate: \[5\]"):
        sensitivity(ds, "sdg_index(time=2030)")


def test_bootstrap_is_reproducible():
    X = sobol_sample.sample(PROBLEM, 128, calc_second_order=False, seed=6)
    ds = as_sweep(X, Ishigami.evaluate(X), {"design": "sobol", "problem": PROBLEM,
                                            "calc_second_order": False})
    a = sensitivity(ds, "outcome", num_resamples=20, seed=3)
    b = sensitivity(ds, "outcome", num_resamples=20, seed=3)
    np.testing.assert_array_equal(a["sobol_st_conf"].values, b["sobol_st_conf"].values)
    with pytest.raises(DataError, match="positive"):
        sensitivity(ds, "outcome", seed=0)


def test_minimum_design_per_method():
    from stisim.analysis.sensitivity import minimum_runs

    assert minimum_runs("sobol", PROBLEM)[0] == 2 * (3 + 2)
    assert minimum_runs("sobol", PROBLEM, second_order=True)[0] == 2 * (2 * 3 + 2)
    assert minimum_runs("morris", PROBLEM)[0] == 2 * (3 + 1)
    least, why = minimum_runs("delta", PROBLEM)
    assert least == 100 and "10 equal-width bins" in why


def test_one_base_sample_or_trajectory_is_below_the_minimum():
    from stisim.analysis.sensitivity import SampleSizeWarning

    X = sobol_sample.sample(PROBLEM, 1, calc_second_order=False, seed=7)
    ds = as_sweep(X, Ishigami.evaluate(X), {"design": "sobol", "problem": PROBLEM,
                                            "calc_second_order": False})
    with pytest.warns(SampleSizeWarning, match=r"sobol needs at least 10 runs .* has 5 runs"):
        r = sensitivity(ds, "outcome", num_resamples=10)
    assert r["sobol_st_conf"].values == pytest.approx(0, abs=1e-12)  # N = 1: zero-width CIs
    with pytest.raises(DataError, match="sobol needs at least 10 runs"):
        sensitivity(ds, "outcome", num_resamples=10, strict=True)
    X = morris.sample(PROBLEM, 1, num_levels=4, seed=8)
    ds = as_sweep(X, X @ np.array([1.0, 2.0, 3.0]), {"design": "morris", "problem": PROBLEM,
                                                     "num_levels": 4})
    with pytest.warns(SampleSizeWarning, match="morris needs at least 8 runs"):
        r = sensitivity(ds, "outcome", num_resamples=10)
    assert np.isnan(r["morris_sigma"].values).all()


@pytest.mark.parametrize("n", [16, 30])
def test_delta_below_100_runs_warns_and_never_reports_zero(n):
    """SALib's delta returns no index below 20 runs ("Only one bin remains"); at 30 it may.
    Missing indices stay NaN with SALib's reason, and --strict refuses both."""
    from stisim.analysis.sensitivity import SampleSizeWarning

    X = latin.sample(PROBLEM, n, seed=9)
    ds = as_sweep(X, Ishigami.evaluate(X), {"design": "lhs", "problem": PROBLEM})
    with pytest.warns(SampleSizeWarning, match=f"delta needs at least 100 runs .* has {n} runs"):
        r = sensitivity(ds, "outcome", num_resamples=5)
    missing = json.loads(r.attrs["not_computed"])
    values = r["delta"].values
    assert set(missing) == {p for p, v in zip(PROBLEM["names"], values) if np.isnan(v)}
    if n < 20:
        assert np.isnan(values).all() and all("SALib returned no index from 16 runs" in why
                                              for why in missing.values())
    assert r.attrs["minimum_runs"] == 100
    with pytest.raises(DataError, match="delta needs at least 100 runs"):
        sensitivity(ds, "outcome", num_resamples=5, strict=True)


def test_constant_outcome_is_not_computed_but_not_refused():
    X = latin.sample(PROBLEM, 120, seed=10)
    ds = as_sweep(X, np.full(len(X), 3.0), {"design": "lhs", "problem": PROBLEM})
    r = sensitivity(ds, "outcome", num_resamples=5, strict=True)
    assert np.isnan(r["delta"].values).all()
    assert set(json.loads(r.attrs["not_computed"]).values()) == {
        "the outcome is the same in every run"}
