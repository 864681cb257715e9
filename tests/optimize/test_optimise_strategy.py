"""The solve strategy: chosen by kind and size (not by a seed), overridable, recorded in
allocation.nc; HiGHS prints nothing unless asked."""

from __future__ import annotations

import json

import pytest
from optimise_cases import action, portfolio, solve

from stisim.optimize import strategy
from stisim.optimize.api import build, make_config, solve_model
from stisim.optimize.results import assign_solution


def _lp():
    return portfolio([action("A", [4, 4], 6), action("B", [5, 1], 5), action("C", [2, 2], 3)],
                     horizon=(2025, 2026))


def test_milps_keep_branch_and_bound_and_lps_follow_the_rule():
    assert ("auto", *strategy.LP_METHODS) == strategy.CHOICES  # config choices = methods
    mip = strategy.choose(True, 10)
    assert mip.method == "mip" and mip.options == {}
    assert strategy.choose(True, 10, "ipm").method == "mip"  # a method never changes a MILP
    for nnz in (10, 10**5, 10**8):
        lp = strategy.choose(False, nnz)
        name, extra = next((n, e) for limit, n, e in strategy.RULE if nnz <= limit)
        assert lp.method == name and lp.options == strategy.METHODS[name] | extra
        assert "size rule" in lp.reason
    forced = strategy.choose(False, 10, "ipm_nocrossover")
    assert forced.options == {"solver": "ipm", "run_crossover": "off"}
    with pytest.raises(ValueError, match="allowed"):
        strategy.choose(False, 10, "barrier")


def test_strategy_and_seed_are_recorded_in_the_allocation():
    ds, model = solve(_lp(), "value")
    chosen = strategy.choose(False, model.matrix()[0].nnz)
    assert ds.attrs["solve_method"] == chosen.method
    assert ds.attrs["solve_reason"] == chosen.reason
    options = json.loads(ds.attrs["solve_options"])
    assert options["random_seed"] == 42 and options["time_limit"] == 600.0
    assert set(chosen.options.items()) <= set(options.items())
    assert set(json.loads(ds.attrs["solve_iterations"])) == {"simplex", "ipm", "pdlp",
                                                              "mip_nodes"}


@pytest.mark.parametrize("method", ["dual", "primal", "ipm", "ipm_nocrossover"])
def test_every_lp_method_reaches_the_same_optimum(method):
    reference, _ = solve(_lp(), "value")
    model = build(_lp(), make_config("value"))
    model.method = method
    ds = assign_solution(model, solve_model(model))
    assert ds.attrs["solve_method"] == method
    assert ds.attrs["solve_reason"] == "requested (RoadmapModel.method)"
    assert ds.attrs["objective_value"] == pytest.approx(reference.attrs["objective_value"],
                                                        rel=1e-7)
    # Re-solves restart the dual simplex from the last basis, whatever the first method.
    again = model.solver.solve()
    assert again.objective == pytest.approx(reference.attrs["objective_value"], rel=1e-7)
    assert model.solver.h.getOptionValue("solver")[1] == "simplex"


def test_highs_prints_nothing_unless_asked(capfd):
    strategy.QuietHighs().run()
    solve(_lp(), "value")
    out, err = capfd.readouterr()
    assert "HiGHS" not in out + err
    solve(_lp(), "value", solver_output=True)
    out, _ = capfd.readouterr()
    # HiGHS prints its "Running HiGHS" banner once per process; the run report every time.
    assert "HiGHS run time" in out
