"""The optimiser's counterfactual from the agent model's business-as-usual ensemble."""

from __future__ import annotations

import numpy as np
import pytest

from stisim.coupling import counterfactual as cfx
from stisim.errors import ConfigError
from stisim.seeds import common_seeds, counterfactual_seeds
from tests.coupling.conftest import tiny_cfg


def _cfg(tmp_path, *extra):
    return tiny_cfg("coupling.counterfactual_replicates=2",
                    f"coupling.counterfactual_cache_dir={tmp_path / 'cf'}", *extra)


def test_bau_path_is_the_ensemble_mean_cached_by_hash(tmp_path):
    from stisim.coupling.compare import load
    from stisim.pipeline import simulate

    cfg = _cfg(tmp_path)
    portfolio, inputs = load(cfg)
    path = cfx.bau_path(cfg, portfolio, inputs)
    assert path.dims == ("indicator", "year")
    assert list(path["year"].values) == [int(y) for y in portfolio.years]
    assert path.attrs["from_cache"] == 0 and "business-as-usual" in path.attrs["method"]
    # the mean of the runs with the ensemble's own seeds (never the compared runs' seeds)
    seeds = counterfactual_seeds(int(cfg.seed), 2)
    assert not set(seeds) & set(common_seeds(int(cfg.seed), 50))
    runs = [simulate(inputs, None, seed=s)["indicator_value"].sel(time=2027.0)
            for s in seeds]
    np.testing.assert_allclose(path.sel(year=2027).values,
                               (runs[0] + runs[1]).values / 2, rtol=1e-12)
    # the years after the simulated horizon (2029) keep its last level
    np.testing.assert_array_equal(path.sel(year=2034).values, path.sel(year=2029).values)
    again = cfx.bau_path(cfg, portfolio, inputs)
    assert again.attrs["from_cache"] == 1
    np.testing.assert_array_equal(again.values, path.values)
    assert (tmp_path / "cf" / f"{cfx.ensemble_hash(cfg)}.nc").exists()


def test_hash_ignores_optimiser_settings_but_not_the_scenario(tmp_path):
    a = _cfg(tmp_path)
    assert cfx.ensemble_hash(a) == cfx.ensemble_hash(_cfg(tmp_path, "compare.replicates=7",
                                                          "optimise.objective=sdg"))
    assert cfx.ensemble_hash(a) != cfx.ensemble_hash(_cfg(tmp_path, "firms.count=400"))
    assert cfx.ensemble_hash(a) != cfx.ensemble_hash(_cfg(tmp_path, "seed=3"))


def test_a_cache_file_that_does_not_match_its_name_is_recomputed(tmp_path):
    from stisim.coupling.compare import load
    from stisim.io import open_dataset, write_dataset

    cfg = _cfg(tmp_path, "time.end_year=2026")
    portfolio, inputs = load(cfg)
    first = cfx.bau_path(cfg, portfolio, inputs)
    file = tmp_path / "cf" / f"{cfx.ensemble_hash(cfg)}.nc"
    ds = open_dataset(file).load()
    ds["indicator_value"] = ds["indicator_value"] + 5.0
    ds.attrs["config_hash"] = "something else"
    write_dataset(ds, file)
    notes = []
    again = cfx.bau_path(cfg, portfolio, inputs, log=notes.append)
    assert again.attrs["from_cache"] == 0 and any("recomputed" in n for n in notes)
    np.testing.assert_array_equal(again.values, first.values)


def test_the_portfolio_country_is_simulated(tmp_path):
    from stisim.roadmap.portfolio import load_portfolio

    cfg = _cfg(tmp_path, "country=ghana")
    kenya = load_portfolio("kenya")
    assert int(cfx.country_config(cfg, kenya).country.m49) == 404
    assert cfx.country_config(cfg, load_portfolio("ghana")) is cfg


def test_optimiser_plans_against_the_agent_path(tmp_path):
    """Floors are judged against the business-as-usual path: the allocation's counterfactual
    is that path, and its provenance names the ensemble."""
    from stisim.coupling.bridge import optimise_allocation
    from stisim.roadmap.portfolio import load_portfolio

    cfg = _cfg(tmp_path, "optimise.objective=sdg", "optimise.summary=false")
    ds, _ = optimise_allocation(cfg, "kenya")
    cf = cfx.bau_path(cfg, load_portfolio("kenya"))
    got = ds["indicator_counterfactual"].sel(indicator="7.1.1")
    np.testing.assert_allclose(got.values, cf.sel(indicator="7.1.1").values)
    assert "business-as-usual ensemble" in ds.attrs["counterfactual"]
    flat, _ = optimise_allocation(_cfg(tmp_path, "optimise.objective=sdg",
                                       "optimise.counterfactual=flat"), "kenya")
    assert flat.attrs["counterfactual"] == "flat at the base-year value"
    f = flat["indicator_counterfactual"].sel(indicator="7.1.1").values
    assert np.ptp(f) == 0 and np.ptp(got.values) > 0


def test_the_optimiser_alone_refuses_abm_without_a_path():
    from stisim.optimize.api import make_config, optimise

    cfg = make_config("sdg", counterfactual="abm")
    with pytest.raises(ConfigError, match=r"optimise\.counterfactual"):
        optimise("kenya", cfg=cfg)
    assert make_config("sdg").optimise.counterfactual == "flat"
