"""Designs (shapes, bounds, reproducibility), distributions, seeds and spec validation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stisim.config import load_config
from stisim.errors import ConfigError
from stisim.seeds import design_rng, replicate_seeds
from stisim.sweep.designs import build_design, salib_problem
from stisim.sweep.parameters import Parameter, parse_uncertainty


def unc(name: str, **kw) -> Parameter:
    p, problems = parse_uncertainty(name, kw, f"sweep.uncertainties.{name}")
    assert not problems, problems
    return p


X = [unc("a.x", low=-2.0, high=3.0), unc("a.y", dist="loguniform", low=0.01, high=1.0),
     unc("a.n", dist="integer", low=1, high=4)]


def design(name: str, params=X, n: int = 8, seed: int = 7, **kw):
    return build_design(name, params, samples=n, rng=design_rng(seed), **kw)


def test_factorial_is_every_combination_of_levels():
    d = design("factorial", [unc("a.x", low=0.0, high=1.0, levels=3),
                             unc("a.n", dist="integer", low=1, high=2),
                             unc("a.c", values=["p", "q", "r"])], levels=5)
    assert d.size == 3 * 2 * 3
    vals = d.values()
    assert sorted({v["a.x"] for v in vals}) == [0.0, 0.5, 1.0]
    assert {v["a.n"] for v in vals} == {1, 2}
    assert {v["a.c"] for v in vals} == {"p", "q", "r"}
    assert len({tuple(v.values()) for v in vals}) == d.size
    # the first parameter varies slowest
    assert [v["a.x"] for v in vals[:6]] == [0.0] * 6


def test_lhs_shape_bounds_strata_and_reproducibility():
    d = design("lhs", n=20)
    assert d.x.shape == (20, 3)
    vals = d.values()
    xs = np.array([v["a.x"] for v in vals])
    assert xs.min() >= -2 and xs.max() <= 3
    # one point per stratum of the uniform parameter (Latin property)
    strata = np.floor((xs + 2) / 5 * 20).astype(int)
    assert sorted(strata) == list(range(20))
    ys = np.array([v["a.y"] for v in vals])
    assert ys.min() >= 0.01 and ys.max() <= 1.0
    # log-uniform: strata equal in log space
    assert sorted(np.floor(np.log(ys / 0.01) / np.log(100) * 20).astype(int)) == list(range(20))
    assert {v["a.n"] for v in vals} <= {1, 2, 3, 4}
    assert all(isinstance(v["a.n"], int) for v in vals)
    np.testing.assert_array_equal(design("lhs", n=20).x, d.x)
    assert not np.array_equal(design("lhs", n=20, seed=8).x, d.x)


def test_sobol_saltelli_sizes_and_ishigami_indices():
    from SALib.analyze import sobol as sobol_analyze

    params = [unc(f"f.x{i}", low=-np.pi, high=np.pi) for i in (1, 2, 3)]
    d = design("sobol", params, n=8)
    assert d.x.shape == (8 * (2 * 3 + 2), 3)
    assert design("sobol", params, n=8, second_order=False).x.shape == (8 * (3 + 2), 3)
    assert (np.abs(d.x) <= np.pi).all()
    # The sample order is Saltelli's: SALib recovers the Ishigami indices from it.
    d = design("sobol", params, n=1024, second_order=False)
    x = np.array([[v[p.name] for p in params] for v in d.values()])
    y = np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])
    si = sobol_analyze.analyze(d.problem(), y, calc_second_order=False)
    np.testing.assert_allclose(si["S1"], [0.314, 0.442, 0.0], atol=0.05)
    np.testing.assert_allclose(si["ST"], [0.558, 0.442, 0.244], atol=0.05)


def test_morris_trajectories_on_the_grid():
    d = design("morris", X, n=5, morris_levels=4)
    assert d.x.shape == (5 * (3 + 1), 3)
    grid = np.linspace(-2, 3, 4)
    assert np.isin(np.round(d.x[:, 0], 9), np.round(grid, 9)).all()
    # consecutive points of a trajectory differ in exactly one parameter
    for t in range(5):
        block = d.x[t * 4:(t + 1) * 4]
        assert ((np.diff(block, axis=0) != 0).sum(axis=1) == 1).all()
    np.testing.assert_array_equal(design("morris", X, n=5).x, d.x)


def test_no_uncertainties_is_one_point():
    d = design("lhs", [], n=5)
    assert d.size == 1 and d.values() == [{}] and d.problem() is None


def test_distributions_decode_within_bounds():
    u = np.linspace(0, 1, 101)[:, None]
    from SALib.util import scale_samples

    for p in [unc("a.t", dist="triangular", low=1.0, mode=2.0, high=5.0),
              unc("a.z", dist="normal", mean=0.5, sd=0.2, low=0.0, high=1.0),
              unc("a.i", dist="integer", low=3, high=6), unc("a.c", values=[10, 20, 30])]:
        name, bounds = p.salib()
        x = scale_samples(u.copy(), {"num_vars": 1, "names": ["v"], "bounds": [bounds],
                                     "dists": [name]})[:, 0]
        vals = p.decode(x)
        if p.dist == "choice":
            assert set(vals) == {10, 20, 30}
        else:
            lo, hi = p.support()
            assert min(vals) >= lo and max(vals) <= hi
        if p.dist == "integer":
            assert set(vals) == {3, 4, 5, 6}  # high is reachable


@settings(max_examples=40, deadline=None)
@given(low=st.floats(-1e3, 1e3), width=st.floats(1e-3, 1e3), k=st.integers(0, 10**6))
def test_lhs_points_stay_inside_any_range(low, width, k):
    p = unc("a.x", low=low, high=low + width)
    d = build_design("lhs", [p], samples=7, rng=design_rng(k))
    vals = [v["a.x"] for v in d.values()]
    assert min(vals) >= low and max(vals) <= low + width


def test_salib_problem_names_are_config_paths():
    prob = salib_problem(X)
    assert prob["names"] == ["a.x", "a.y", "a.n"]
    assert prob["dists"] == ["unif", "logunif", "unif"]
    assert prob["bounds"][2] == [1.0, 5.0]


def test_replicate_seeds_common_and_independent():
    common = replicate_seeds(42, 4, 3)
    assert common.shape == (4, 3) and (common == common[0]).all()
    assert len(set(common[0])) == 3
    ind = replicate_seeds(42, 4, 3, common=False)
    assert len(set(ind.ravel())) == 12
    # a seed depends on its position only, not on the sweep's size
    np.testing.assert_array_equal(replicate_seeds(42, 6, 5, common=False)[:4, :3], ind)
    assert (ind >= 0).all() and (ind < 2**31).all()
    assert not np.array_equal(replicate_seeds(43, 4, 3), common)


def _problems(overrides):
    with pytest.raises(ConfigError) as info:
        load_config("sweep", overrides)
    return {p.path: p for p in info.value.problems}


def test_bad_specs_are_all_reported_with_paths():
    probs = _problems([
        "+sweep.uncertainties={toy.x1:{dist:gaussian,low:0,high:1},toy.x2:{low:2,high:1},"
        "toy.n:{low:1,high:3},toy.nope:{low:0,high:1},seed:{low:0,high:9},"
        "toy.x3:{low:-9,high:0}}"])
    assert probs["sweep.uncertainties.toy.x1.dist"].allowed.startswith("uniform")
    assert "greater than low" in probs["sweep.uncertainties.toy.x2.high"].message
    assert "integer" in probs["sweep.uncertainties.toy.n.dist"].message
    assert "no field 'nope'" in probs["sweep.uncertainties.toy.nope"].message
    assert "replicates" in probs["sweep.uncertainties.seed"].message
    assert probs["sweep.uncertainties.toy.x3"].allowed == ">= -4.0"


def test_design_and_lever_checks():
    probs = _problems(["sweep.design=morris",
                       "+sweep.uncertainties={toy.x1:{dist:normal,mean:0,sd:1}}",
                       "+sweep.levers={toy.label:[a,z],nocountry:[x],toy.x2:3}"])
    assert "bounded" in probs["sweep.uncertainties.toy.x1"].message
    assert probs["sweep.levers.toy.label"].value == "z"
    assert "not a config group" in probs["sweep.levers.nocountry"].message
    assert "list" in probs["sweep.levers.toy.x2"].message
    probs = _problems(["sweep.design=sobol"])
    assert "at least one uncertainty" in probs["sweep.uncertainties"].message
    probs = _problems(["sweep.run_function=os.system"])
    assert "refused" in probs["sweep.run_function"].message


def test_nested_and_dotted_specs_are_the_same():
    a = load_config("sweep", ["+sweep.uncertainties={toy.x1:{low:0,high:1}}"])
    b = load_config("sweep", ["+sweep.uncertainties.toy.x1={low:0,high:1}"])
    from stisim.sweep.parameters import parse_parameters

    assert parse_parameters(a.sweep)[0] == parse_parameters(b.sweep)[0]
