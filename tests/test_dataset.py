"""The run Dataset contract: documented variables, provenance, reproducibility."""

from __future__ import annotations

import json

import numpy as np
import pytest
import xarray as xr
import yaml

import stisim
from stisim.dataset import annotate, config_of, identical_results


@pytest.fixture(scope="module")
def ghana_run():
    return stisim.run(stisim.load_config("run", ["country=ghana"]))


def test_every_variable_documented(ghana_run):
    for name, var in ghana_run.data_vars.items():
        for key in ("units", "long_name", "description"):
            assert var.attrs.get(key), f"{name} lacks {key}"


def test_dims_and_first_step_is_baseline(ghana_run):
    ds = ghana_run
    assert ds["indicator_value"].dims == ("time", "indicator")
    assert ds["goal_score"].dims == ("time", "goal")
    assert list(ds["goal"].values) == list(range(1, 18))
    b = stisim.build(stisim.load_config("run", ["country=ghana"])).baseline
    first = ds["indicator_value"].isel(time=0).to_series()
    np.testing.assert_allclose(first[b.value.index].to_numpy(), b.value.to_numpy())
    assert float(ds["time"][0]) == b.base_year


def test_provenance_attrs(ghana_run):
    attrs = ghana_run.attrs
    assert attrs["seed"] == 42 and attrs["stisim_version"] == stisim.__version__
    assert config_of(ghana_run)["country"]["m49"] == 288
    prov = json.loads(attrs["indicator_provenance"])
    assert prov["9.5.1"]["year"] == 2010 and prov["9.5.1"]["imputed"] is False
    assert "GB_XPD_RSDV" in prov["9.5.1"]["source"]
    assert "UN Statistics Division" in json.loads(attrs["data_sources"])["unsd"]
    assert yaml.safe_load(attrs["config"])["seed"] == 42


def test_scores_within_bounds(ghana_run):
    scores = ghana_run["indicator_score"]
    assert float(scores.min()) >= 0 and float(scores.max()) <= 100
    assert 0 < float(ghana_run["sdg_index"][0]) < 100


def test_undocumented_variable_refused():
    with pytest.raises(KeyError, match="undocumented"):
        annotate(xr.Dataset({"mystery": ("x", [1.0])}))


def test_identical_results_ignores_creation_time(ghana_run):
    other = ghana_run.copy()
    other.attrs["created"] = "another time"
    assert identical_results(ghana_run, other)
    other["indicator_value"] = other["indicator_value"] + 1e-9
    assert not identical_results(ghana_run, other)


def test_variables_are_documented_per_kind_of_dataset(monkeypatch):
    """A name keeps one meaning within a kind of Dataset; kinds may give it another, and a
    Dataset is annotated from its own kind, whatever was imported before."""
    import stisim.dataset as dataset
    import stisim.optimize.results  # noqa: F401  (documents the allocation kind)
    from stisim.dataset import register_variables, variable_table

    monkeypatch.setattr(dataset, "_KINDS", {k: dict(v) for k, v in dataset._KINDS.items()})
    variable_table.cache_clear()

    meta = {"units": "1", "long_name": "probe", "description": "a test variable"}
    register_variables({"kind_probe": meta}, kind="test_kind_a")
    register_variables({"kind_probe": meta}, kind="test_kind_a")  # the same again: no-op
    other = dict(meta, long_name="another probe")
    register_variables({"kind_probe": other}, kind="test_kind_b")
    with pytest.raises(ValueError, match="already documented differently"):
        register_variables({"kind_probe": other}, kind="test_kind_a")
    ds = xr.Dataset({"kind_probe": ("x", [1.0])})
    assert annotate(ds.copy(), "test_kind_a")["kind_probe"].attrs["long_name"] == "probe"
    assert annotate(ds.copy(), "test_kind_b")["kind_probe"].attrs["long_name"] == \
        "another probe"
    # a run's goal_score keeps the run meaning although the optimiser documents its own
    assert variable_table("run")["goal_score"]["long_name"] == "SDG goal score"
    assert variable_table("allocation")["goal_score"]["long_name"] != "SDG goal score"
    monkeypatch.undo()
    variable_table.cache_clear()
