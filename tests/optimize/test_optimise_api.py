"""The Python API, results Dataset, extension hook, response-curve interface and config."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyomo.environ as pyo
import pytest
from optimise_cases import action, portfolio, solve

from stisim.errors import ConfigError
from stisim.optimize.api import optimise
from stisim.roadmap import ResponseCurves


def _three():
    return portfolio([action("A", 6, 12), action("B", 8, 8), action("C", 4, 5)])


def test_dataset_contract(tmp_path):
    from stisim.dataset import variable_table
    from stisim.io import open_dataset, write_dataset

    ds, _ = solve(_three())
    assert ds["spend"].dims == ("action", "year", "source")
    assert ds["scale"].dims == ("action",)
    for key in ("objective_value", "status", "mip_gap", "build_seconds", "solver_seconds",
                "total_seconds", "config", "stisim_version", "git_commit", "portfolio_sha256"):
        assert key in ds.attrs, key
    assert ds.attrs["total_seconds"] >= ds.attrs["solver_seconds"] > 0
    table = variable_table("allocation")
    for name in ds.data_vars:
        assert name in table and ds[name].attrs["units"] and ds[name].attrs["description"]
    path = write_dataset(ds, tmp_path / "allocation.nc")
    back = open_dataset(path)
    assert np.allclose(back["spend"].values, ds["spend"].values)


def test_extension_hook_with_pyomo_and_labelled_constraints():
    """Users add constraints as plain Pyomo components or labelled expressions."""

    def at_most_one_of_a_and_c(model, portfolio):
        m = model.m
        m.user_rule = pyo.Constraint(expr=m.scale["A"] + m.scale["C"] <= 1.0)

    from stisim.optimize.api import make_config, run

    ds, model = run(make_config("value", mip_gap=0.0), _three(),
                    extra_functionality=at_most_one_of_a_and_c)
    # Without the rule: A (12) + C (5) fit in 10 -> 17; with it A + B/2 -> 16.
    assert ds.attrs["objective_value"] == pytest.approx(16.0)
    assert "user_rule" in model.constraints

    def labelled(model, portfolio):
        scale = model.variables["scale"]
        model.add_constraints("b_first", scale.sel(action=["B"]).sum("action")
                              - scale.sel(action=["A"]).sum("action"), ">=", 0.0,
                              describe=lambda lab: "B before A")

    ds, _ = run(make_config("value", mip_gap=0.0), _three(), extra_functionality=labelled)
    assert float(ds["scale"].sel(action="B")) >= float(ds["scale"].sel(action="A")) - 1e-9


def test_hook_names_outside_stisim_are_refused():
    with pytest.raises(ConfigError, match="refused"):
        optimise(_three(), "value", extra_functionality="os:system")


def test_response_curves_replace_expert_effects():
    """Curves estimated elsewhere (e.g. by the agent model) replace the portfolio's effects."""
    eff = [{"indicator": "9.5.1", "change": 0.037, "lag": 0}]
    p = portfolio([action("A", 10, effects=eff), action("B", 10, effects=eff)],
                  [{"id": "pub", "kind": "public", "budget": 10}], country="kenya")
    expert = optimise(p, "sdg")
    table = pd.DataFrame({"action": ["A", "A", "A", "B", "B"],
                          "indicator": ["9.5.1"] * 5,
                          "spend": [0, 5, 10, 0, 10],
                          "gain": [0, 0.0555, 0.074, 0, 0.037],
                          "gain_low": [0, 0.04, 0.05, 0, 0.02],
                          "gain_high": [0, 0.06, 0.08, 0, 0.05]})
    curves = ResponseCurves.from_table(table, p, origin="test ensemble")
    estimated = optimise(p, "sdg", responses=curves)
    # Budget 10: the estimated concave curve of A gives 1.5 points for 5 and B 0.5 for 5 ->
    # best split is all 10 on A (2 points) vs 1.5 + 0.5: equal; expert gives 1 point.
    assert expert.attrs["objective_value"] == pytest.approx(1 / 84)
    assert estimated.attrs["objective_value"] == pytest.approx(2 / 84)
    assert estimated.attrs["responses"] == "test ensemble"
    with pytest.raises(ConfigError, match="not concave"):
        ResponseCurves.from_table(table.assign(gain=[0, 0.01, 0.074, 0, 0.037]), p, "bad")
    fixed = ResponseCurves.from_table(table.assign(gain=[0, 0.01, 0.074, 0, 0.037]), p,
                                      "bad", make_concave=True)
    assert fixed.notes and fixed.curves[("A", "9.5.1")].gain[1] == pytest.approx(0.037)


def test_config_validation():
    from stisim.config import load_config

    cfg = load_config("optimise", ["portfolio=kenya", "objective=sdg"])
    assert cfg.optimise.portfolio == "kenya" and cfg.optimise.objective == "sdg"
    with pytest.raises(ConfigError) as err:
        load_config("optimise", ["objective=profit", "optimise.pareto.points=1"])
    text = str(err.value)
    assert "optimise.objective" in text and "value, sdg, min_cost" in text
    assert "optimise.pareto.points" in text
    with pytest.raises(ConfigError, match="must differ"):
        optimise(_three(), "value", pareto={"against": "value"})


def test_min_cost_without_floors_is_refused():
    with pytest.raises(ConfigError, match="min_cost needs SDG floors"):
        optimise(_three(), "min_cost")


def test_counterfactual_path_replaces_the_flat_baseline():
    """An agent-model path in which electricity access rises to 79 by 2025 already meets
    the floor of 78.5: min_cost funds nothing (with the flat baseline 76.5 it must pay)."""
    import xarray as xr

    p = portfolio([action("A", 10, effects=[{"indicator": "7.1.1", "change": 4, "lag": 0}])],
                  country="kenya", floors=[{"indicator": "7.1.1", "target": 78.5,
                                            "year": 2025}])
    flat = optimise(p, "min_cost")
    assert flat.attrs["objective_value"] == pytest.approx(5.0)
    path = xr.DataArray([[79.0]], dims=("indicator", "year"),
                        coords={"indicator": ["7.1.1"], "year": [2025]})
    rising = optimise(p, "min_cost", counterfactual=path)
    assert rising.attrs["objective_value"] == pytest.approx(0.0, abs=1e-9)
    assert float(rising["indicator_counterfactual"].sel(indicator="7.1.1", year=2025)) == 79.0


def test_package_exports_are_callable():
    import stisim.optimize as so

    for name in so.__all__:
        assert getattr(so, name) is not None, name
    assert callable(so.trade_off) and callable(so.optimise) and callable(so.pareto_front)
