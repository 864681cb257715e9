"""Calibration machinery on a synthetic simulator with known parameters; the command."""

from __future__ import annotations

import importlib.util

import numpy as np
import pandas as pd
import pytest
import xarray as xr
import yaml

from stisim.calibrate.history import identified, parameter_problems
from stisim.calibrate.outputs import to_dataset, write_scenario
from stisim.calibrate.search import Parameter, calibrate, fit_errors, observed_table
from stisim.cli import main
from stisim.config import load_config
from stisim.data.indicators import registry
from stisim.errors import ConfigError
from stisim.io import open_dataset

YEARS = np.arange(2010, 2023, dtype=float)
TRUE = {"diffusion.p": 0.012, "diffusion.q": 0.38, "firms.rd_propensity": 0.45}
SPECS = [Parameter("diffusion.p", 0.001, 0.1), Parameter("diffusion.q", 0.05, 0.9),
         Parameter("firms.rd_propensity", 0.0, 1.0)]


def bass(t: np.ndarray, p: float, q: float) -> np.ndarray:
    e = np.exp(-(p + q) * t)
    return (1 - e) / (1 + (q / p) * e)


def synthetic(params: dict) -> xr.Dataset:
    """Internet use and 4G coverage follow Bass curves; R&D intensity rises with propensity."""
    p, q, rd = params["diffusion.p"], params["diffusion.q"], params["firms.rd_propensity"]
    t = YEARS - 2010 + 2.0
    values = np.column_stack([100 * bass(t, p, q), 100 * bass(t, 2 * p, 1.2 * q),
                              0.2 + 0.05 * rd * (YEARS - 2010)])
    return xr.Dataset({"indicator_value": (("time", "indicator"), values)},
                      coords={"time": YEARS, "indicator": ["17.8.1", "9.c.1", "9.5.1"]})


def observed_from(params: dict, sparse: bool = True) -> xr.DataArray:
    truth = synthetic(params)["indicator_value"]
    table = truth.to_pandas()
    table.index = table.index.astype(int)
    if sparse:  # R&D is observed in a few years only, as in the real data
        table.loc[[y for y in table.index if y not in (2013, 2017, 2021)], "9.5.1"] = np.nan
    return observed_table(table, ["17.8.1", "9.c.1", "9.5.1"], 2010, 2022)


@pytest.mark.parametrize("method,budget", [("nelder-mead", 400), ("powell", 600)])
def test_calibration_recovers_known_parameters(method, budget):
    observed = observed_from(TRUE)
    result = calibrate(synthetic, observed, SPECS, method=method, max_evals=budget,
                       tolerance=1e-12, progress=False)
    for path, value in TRUE.items():
        assert result.parameters[path] == pytest.approx(value, rel=0.02), (method, path)
    assert result.loss < 1e-4 < result.initial_loss
    assert result.n_evals <= budget
    assert (result.fit["nrmse"] < 0.05).all()
    assert list(result.fit["n_obs"]) == [12, 12, 3]


def test_differential_evolution_is_seeded_and_respects_the_budget():
    observed = observed_from(TRUE)
    a = calibrate(synthetic, observed, SPECS, method="differential-evolution", max_evals=120,
                  seed=3, progress=False)
    b = calibrate(synthetic, observed, SPECS, method="differential-evolution", max_evals=120,
                  seed=3, progress=False)
    assert a.parameters == b.parameters
    assert a.n_evals <= 120 and len(a.history) == a.n_evals
    assert a.loss < a.initial_loss


def test_fit_errors_by_hand():
    sim = synthetic(TRUE)["indicator_value"]
    obs = observed_from(TRUE).copy()
    obs.loc[{"indicator": "17.8.1", "time": 2015.0}] += 3.0
    obs.loc[{"indicator": "17.8.1", "time": 2016.0}] -= 1.0
    fit = fit_errors(sim, obs)
    rmse = np.sqrt((9 + 1) / 12)
    assert fit.at["17.8.1", "rmse"] == pytest.approx(rmse)
    span = registry().at["17.8.1", "optimum"] - registry().at["17.8.1", "lower"]
    assert fit.at["17.8.1", "nrmse"] == pytest.approx(100 * rmse / span)
    assert fit.at["17.8.1", "bias"] == pytest.approx(-2 / 12)
    assert fit.at["9.c.1", "rmse"] == pytest.approx(0.0, abs=1e-12)


def test_unobserved_indicators_are_reported_not_fitted():
    obs = observed_from(TRUE).copy()
    obs.loc[{"indicator": "9.5.1"}] = np.nan
    fit = fit_errors(synthetic(TRUE)["indicator_value"], obs)
    assert fit.at["9.5.1", "n_obs"] == 0 and np.isnan(fit.at["9.5.1", "nrmse"])


def test_parameters_of_unobserved_indicators_are_held():
    obs = observed_from(TRUE).copy()
    obs.loc[{"indicator": "9.5.1"}] = np.nan
    specs = [Parameter("firms.rd_propensity", 0.0, 1.0, indicators=("9.5.1", "9.5.2")),
             Parameter("diffusion.q", 0.05, 0.9, indicators=("17.8.1",)),
             Parameter("diffusion.p", 0.001, 0.1)]
    fit, held = identified(specs, obs)
    assert [s.path for s in fit] == ["diffusion.q", "diffusion.p"]
    assert held == {"firms.rd_propensity": "no observation of 9.5.1, 9.5.2 in 2011-2022"}


def test_parameter_paths_are_checked_against_the_config():
    cfg = load_config("run")
    problems = parameter_problems(cfg, [Parameter("nosuch.p", 0, 1),
                                        Parameter("sdg.nosuch", 0, 1),
                                        Parameter("sdg.basis", 0, 1),
                                        Parameter("sdg.trend_damping", 0.5, 1.5),
                                        Parameter("sdg.strength", 0, 2)])
    text = "\n".join(map(str, problems))
    assert "calibrate.parameters[0].path: no config section 'nosuch'" in text
    assert "calibrate.parameters[1].path: not a parameter of section 'sdg'" in text
    assert "calibrate.parameters[2].path: not a numeric parameter" in text
    assert "calibrate.parameters[3]: interval outside the allowed range of " \
           "sdg.trend_damping (got (0.5, 1.5)); allowed: <= 1.0" in text
    assert len(problems) == 4


def test_calibrate_config_is_validated():
    with pytest.raises(ConfigError) as err:
        load_config("calibrate", ["calibrate.indicators=[9.5.1,99.1.1]",
                                  "calibrate.parameters=[{path:a.b,lower:2,upper:1}]"])
    assert "calibrate.indicators[1]: unknown indicator code (got '99.1.1')" in str(err.value)
    assert "calibrate.parameters[0]: lower must be below upper" in str(err.value)
    cfg = load_config("calibrate", ["country=kenya"])
    assert (cfg.time.base_year, cfg.time.end_year) == (2010, 2022)
    assert [p.path for p in cfg.calibrate.parameters] == [
        "ministries.rd_budget_trend", "institutes.researcher_cost_trend",
        "infrastructure.internet_p", "infrastructure.internet_q",
        "infrastructure.coverage_launch_year", "infrastructure.coverage_rollout",
        "macro.grid_renewable_trend", "macro.exogenous_growth"]
    assert cfg.calibrate.parameters[0].indicators == ["9.5.1"]
    with pytest.raises(ConfigError) as err:
        load_config("calibrate", ["calibrate.parameters=[{path:macro.exogenous_growth,"
                                  "lower:-0.1,upper:0.1,indicators:[8.2.1,8.2.9]}]"])
    assert "calibrate.parameters[0].indicators[1]: unknown indicator code" in str(err.value)
    with pytest.raises(ConfigError) as err:
        load_config("calibrate", ["calibrate.fixed=[{path:macro.exogenous_growth,value:0}]"])
    assert "calibrate.fixed[0].path: is also a fitted parameter" in str(err.value)
    assert cfg.calibrate.indicators == ["9.5.1", "9.5.2", "17.8.1", "9.c.1", "7.2.1", "8.2.1"]


def test_fitted_parameters_become_a_selectable_scenario(scenario_dir):
    # Parameters of this build's config (sdg.*) driving the synthetic curves.
    def simulate(o):
        return synthetic({"diffusion.p": 0.01 * o["sdg.strength"] + 0.001,
                          "diffusion.q": 0.5 * o["sdg.trend_damping"],
                          "firms.rd_propensity": 0.4})

    specs = [Parameter("sdg.strength", 0.0, 2.0), Parameter("sdg.trend_damping", 0.5, 1.0)]
    result = calibrate(simulate, observed_from(TRUE), specs, max_evals=20, progress=False)
    path = write_scenario(result, scenario_dir / "calibrated" / "ghana.yaml",
                          "calibrated_ghana", "test fit", header="fit table\nline two")
    text = path.read_text()
    assert text.startswith("# @package _global_\n# fit table\n# line two\n")
    content = yaml.safe_load(text)
    assert content["sdg"]["strength"] == pytest.approx(result.parameters["sdg.strength"],
                                                       rel=1e-5)
    cfg = load_config("run", ["scenario=calibrated/ghana", "country=ghana"])
    assert cfg.scenario.name == "calibrated_ghana"
    assert cfg.sdg.trend_damping == pytest.approx(result.parameters["sdg.trend_damping"],
                                                  rel=1e-5)


def test_result_dataset_is_documented():
    result = calibrate(synthetic, observed_from(TRUE), SPECS, max_evals=15, progress=False)
    ds = to_dataset(result)
    for name in ds.data_vars:
        assert ds[name].attrs["units"] and ds[name].attrs["description"], name
    assert list(ds["parameter"].values) == [s.path for s in SPECS]
    assert ds.sizes["evaluation"] == result.n_evals


def test_calibrate_command_interlinkages(scenario_dir, tmp_path, capsys):
    run_dir = tmp_path / "run"
    code = main(["calibrate", "country=ghana", "calibration=interlinkages",
                 "calibrate.max_evals=8", f"calibrate.save_dir={scenario_dir}",
                 f"hydra.run.dir={run_dir}"])
    assert code == 0
    out = capsys.readouterr().out
    assert "NRMSE (score pts)" in out and "sdg.strength" in out
    ds = open_dataset(run_dir / "calibration.nc")
    assert set(ds["parameter"].values) == {"sdg.strength", "sdg.trend_damping"}
    assert ds.attrs["simulator"] == "hindcast" and ds.sizes["evaluation"] <= 8
    assert float(ds["calibration_loss"].min()) == pytest.approx(ds.attrs["loss"])
    assert "1.1.1" in ds["indicator"].values
    cfg = load_config("run", ["country=ghana", "scenario=calibrated/ghana_interlinkages"])
    assert cfg.sdg.strength == pytest.approx(float(ds["parameter_value"].sel(
        parameter="sdg.strength")), rel=1e-5)


@pytest.mark.skipif(importlib.util.find_spec("stisim.agents") is None,
                    reason="needs the agent model")
def test_calibrate_command_agent_model(scenario_dir, tmp_path, capsys):
    """End to end on the agent model with a tiny budget: 2010 start from real data, fit,
    report, and a scenario file that composes and runs."""
    run_dir = tmp_path / "run"
    small = ["firms.count=600", "institutes.count=4"]
    code = main(["calibrate", "country=kenya", *small, "calibrate.max_evals=5",
                 f"calibrate.save_dir={scenario_dir}", f"hydra.run.dir={run_dir}"])
    assert code == 0
    out = capsys.readouterr().out
    assert "NRMSE (score pts)" in out and "uncalibrated" in out
    # Kenya has no R&D observation after 2010: the R&D parameters are held, not fitted.
    assert "ministries.rd_budget_trend" in out and "not fitted: no observation of 9.5.1" in out
    # 4G coverage is observed from 2014: its 2010 baseline is carried back, and said so.
    assert "base-year 9.c.1: imputed: first observation (2014) carried back" in out
    ds = open_dataset(run_dir / "calibration.nc")
    assert ds.attrs["simulator"] == "pipeline" and ds.attrs["base_year"] == 2010
    assert ds.sizes["evaluation"] <= 5
    assert "ministries.rd_budget_trend" not in ds["parameter"].values
    assert "macro.exogenous_growth" in ds["parameter"].values
    assert np.isfinite(ds["uncalibrated_nrmse"].sel(indicator="17.8.1"))
    assert int(ds["fit_n_obs"].sel(indicator="9.5.1")) == 0
    # Fitting never reports a worse loss than the search start.
    assert ds.attrs["loss"] <= ds.attrs["initial_loss"]

    path = scenario_dir / "calibrated" / "kenya.yaml"
    text = path.read_text()
    assert text.startswith("# @package _global_\n# Calibrated by `stisim calibrate")
    assert "Not fitted: ministries.rd_budget_trend" in text
    assert "Base-year 9.c.1 imputed: first observation (2014) carried back." in text
    assert "Set, not fitted: ministries.rd_budget_trend_end_year = 2022." in text
    fitted = yaml.safe_load(text)
    assert fitted["ministries"] == {"rd_budget_trend_end_year": 2022.0}
    cfg = load_config("run", ["country=kenya", "scenario=calibrated/kenya", *small,
                              "time.end_year=2024"])
    assert cfg.scenario.name == "calibrated_kenya"
    assert cfg.macro.exogenous_growth == pytest.approx(fitted["macro"]["exogenous_growth"])
    assert cfg.infrastructure.coverage_launch_year == pytest.approx(
        float(ds["parameter_value"].sel(parameter="infrastructure.coverage_launch_year")),
        rel=1e-5)
    from stisim.pipeline import run

    result = run(cfg)
    assert result.sizes["time"] == 3 and np.isfinite(result["sdg_index"]).all()


def test_influence_command(capsys):
    assert main(["influence", "--top", "3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[3].split()[:2] == ["1", "16.6"] and lines[5].split()[:2] == ["3", "8.4"]


def test_observed_table_window():
    table = pd.DataFrame({"9.5.1": [1.0, 2.0, 3.0]}, index=[2010, 2011, 2022])
    obs = observed_table(table, ["9.5.1"], 2010, 2022)
    assert obs["time"].values[0] == 2011 and obs.sizes["time"] == 12
    assert int(np.isfinite(obs).sum()) == 2


def test_prior_weight_pulls_the_fit_towards_the_start():
    """A Gaussian prior on the start: the more weight, the closer the MAP estimate stays."""
    observed = observed_from(TRUE)
    spec = [Parameter("firms.rd_propensity", 0.0, 1.0, 0.1, ("9.5.1",))]

    def one(params: dict) -> xr.Dataset:
        return synthetic({**TRUE, **params})

    fits = [calibrate(one, observed, spec, method="blocks", max_evals=60, progress=False,
                      prior_weight=w).parameters["firms.rd_propensity"] for w in (0.0, 5.0, 1e5)]
    assert fits[0] == pytest.approx(TRUE["firms.rd_propensity"], abs=0.01)
    assert 0.1 < fits[1] < fits[0]
    assert fits[2] == pytest.approx(0.1, abs=0.01)
