"""The sweep engine in-process (serial executor): dataset contract, failures, resume,
corrupt files, coordinate alignment, zarr output, the default model over config groups."""

from __future__ import annotations

import json

import numpy as np
import pytest
import xarray as xr
import yaml

from stisim.config import load_config
from stisim.dataset import identical_results
from stisim.errors import StisimError
from stisim.sweep.plan import plan_sweep
from stisim.sweep.runner import assemble_plan, run_sweep
from stisim.sweep.store import SweepStore


def sweep(overrides, path, toy, **kw):
    kw.setdefault("executor", "serial")
    return run_sweep(overrides, directory=path, run_function=kw.pop("fn", toy.toy_run), **kw)


def test_dataset_contract(tmp_path, toy, toy_overrides):
    res = sweep(toy_overrides, tmp_path / "s", toy)
    assert (res.tasks, res.ran, res.failed) == (24, 24, 0)
    ds = res.open()
    assert ds.sizes["run"] == 12 and ds.sizes["replicate"] == 2
    for name in ("toy.x1", "toy.x2", "toy.n", "toy.label", "design_point"):
        assert ds[name].dims == ("run",)
    assert ds["toy.n"].dtype.kind == "i" and list(ds["toy.label"].values[:6]) == ["a"] * 6
    assert ds["seed"].dims == ("run", "replicate")
    assert set(np.unique(ds["run_status"].values)) == {"ok"}
    assert ds["path"].dims == ("run", "replicate", "time")
    assert ds["metadata"].dims == ("sector",)  # identical in every run: stored once
    assert ds["total"].dtype == np.int64
    design = json.loads(ds.attrs["sweep_design"])
    assert design["design"] == "lhs" and design["replicates"] == 2
    assert design["salib_problem"]["names"] == ["toy.x1", "toy.x2", "toy.n"]
    assert [p["name"] for p in design["parameters"]][-1] == "toy.label"
    assert "sweep:" in ds.attrs["config"] and "toy.x1:" in ds.attrs["config"]
    recorded = yaml.safe_load(ds.attrs["config"])["sweep"]  # machine-specific keys left out
    assert "executor" not in recorded and "dir" not in recorded
    for var in ("seed", "run_status", "run_error", "sample"):
        assert ds[var].attrs["long_name"]
    # every cell equals a direct call of the run function with that run's config and seed
    cfg = load_config("sweep", toy_overrides)
    base = cfg.to_container()
    base.pop("sweep")
    from stisim.config.validate import validate

    for run, rep in [(0, 0), (7, 1)]:
        one = dict(base, seed=int(ds.seed[run, rep]))
        one["toy"] = dict(one["toy"], x1=float(ds["toy.x1"][run]), x2=float(ds["toy.x2"][run]),
                          n=int(ds["toy.n"][run]), label=str(ds["toy.label"][run].values))
        direct = toy.toy_run(validate(one))
        np.testing.assert_array_equal(ds["path"][run, rep].values, direct["path"].values)
    # common random numbers: replicate r has one seed in every run
    assert (ds.seed.values == ds.seed.values[0]).all()


def test_failing_runs_are_recorded_and_the_rest_finish(tmp_path, toy, toy_overrides):
    res = sweep([*toy_overrides, "++toy.fail_above=1.5"], tmp_path / "s", toy)
    ds = res.open()
    bad = ds["toy.x1"].values > 1.5
    assert bad.any() and not bad.all()
    assert res.failed == 2 * bad.sum() and ds.attrs["sweep_failed"] == res.failed
    assert (ds.run_status.values[bad] == "failed").all()
    assert (ds.run_status.values[~bad] == "ok").all()
    assert "toy model refuses" in str(ds.run_error.values[bad][0, 0])
    assert np.isnan(ds["y"].values[bad]).all() and np.isfinite(ds["y"].values[~bad]).all()
    assert ds["total"].dtype == np.float64  # integers become float where gaps exist
    lines = [json.loads(x) for x in (tmp_path / "s" / "manifest.jsonl").read_text().splitlines()]
    failed = [r for r in lines if r["status"] == "failed"]
    assert "Traceback" in failed[0]["traceback"] and "x1:" in failed[0]["config"]
    assert "toy model refuses" in (tmp_path / "s" / "sweep.log").read_text()
    # resume keeps failed runs unless asked to retry them
    again = sweep([*toy_overrides, "++toy.fail_above=1.5"], tmp_path / "s", toy)
    assert again.ran == 0 and again.failed == res.failed
    retry = sweep([*toy_overrides, "++toy.fail_above=1.5", "sweep.retry_failed=true"],
                  tmp_path / "s", toy)
    assert retry.ran == res.failed


def test_wrong_return_type_is_a_recorded_failure(tmp_path, toy, toy_overrides):
    res = sweep(toy_overrides, tmp_path / "s", toy, fn=toy.plain_value)
    assert res.failed == res.tasks
    ds = res.open()
    assert "not an xarray.Dataset" in str(ds.run_error.values[0, 0])


def test_resume_skips_finished_and_recomputes_corrupt(tmp_path, toy, toy_overrides):
    first = sweep(toy_overrides, tmp_path / "s", toy)
    ref = first.open()
    store = SweepStore(tmp_path / "s")
    entries = store.load()
    files = sorted({e.file for e in entries.values()})
    (tmp_path / "s" / files[0]).write_bytes(b"CDF\x02garbage")  # damaged
    (tmp_path / "s" / files[1]).unlink()  # lost
    with (tmp_path / "s" / "manifest.jsonl").open("a") as fh:
        fh.write('{"key": "trunc')  # a kill in the middle of a write
    again = sweep(toy_overrides, tmp_path / "s", toy)
    assert again.corrupt == 2 and again.ran == 2 and again.already_done == 22
    assert identical_results(again.open(), ref)
    third = sweep(toy_overrides, tmp_path / "s", toy)
    assert third.ran == 0 and third.corrupt == 0


def test_more_replicates_reuse_earlier_ones(tmp_path, toy, toy_overrides):
    sweep(toy_overrides, tmp_path / "s", toy)
    more = [*[o for o in toy_overrides if not o.startswith("sweep.replicates")],
            "sweep.replicates=3"]
    res = sweep(more, tmp_path / "s", toy)
    assert res.already_done == 24 and res.ran == 12


def test_directory_is_locked(tmp_path):
    import subprocess
    import sys

    code = ("import sys; from stisim.sweep.store import SweepStore; "
            "s = SweepStore(sys.argv[1]); s.lock()")
    a = SweepStore(tmp_path / "s")
    a.lock()
    try:
        other = subprocess.run([sys.executable, "-c", code, str(tmp_path / "s")],
                               capture_output=True, text=True)
        assert other.returncode != 0 and "in use" in other.stderr
    finally:
        a.unlock()
    assert subprocess.run([sys.executable, "-c", code, str(tmp_path / "s")]).returncode == 0


def test_union_of_coordinates_and_chunked_zarr_assembly(tmp_path, toy):
    ov = ["sweep.design=factorial", "+sweep.uncertainties={toy.years:[2,4]}",
          "+sweep.levers={toy.x1:[0.5,1.0,1.5]}", "sweep.progress=false"]
    res = sweep(ov, tmp_path / "s", toy)
    ds = res.open()
    assert ds.sizes["time"] == 4
    short = ds["toy.years"].values == 2
    assert np.isnan(ds["path"].values[short][:, :, 2:]).all()
    assert np.isfinite(ds["path"].values[~short]).all()
    assert ds["flag"].dtype == np.float64  # booleans padded with NaN
    # one run per chunk, zarr output: same dataset
    cfg = load_config("sweep", ov)
    plan = plan_sweep(cfg, ov, toy.toy_run)
    store = SweepStore(tmp_path / "s")
    store.load()
    out = assemble_plan(plan, store, tmp_path / "one.zarr", "zarr", memory=1)
    z = xr.open_zarr(out)
    assert z["path"].encoding["chunks"][0] == 1  # one run per chunk: 12 region writes
    z = z.load()
    xr.testing.assert_identical(z.drop_attrs(), ds.drop_attrs())


def test_variables_some_runs_lack_are_filled(tmp_path, toy):
    ov = ["+sweep.levers={toy.label:[a,c]}", "sweep.progress=false"]
    ds = sweep(ov, tmp_path / "s", toy).open()
    is_c = ds["toy.label"].values == "c"
    assert ds["only_c"].dims == ("run", "replicate", "time")
    assert ds["only_c"].attrs["long_name"] == "label c only"  # the first run lacks it
    assert np.isnan(ds["only_c"].values[~is_c]).all()
    np.testing.assert_allclose(ds["only_c"].values[is_c], 2 * ds["path"].values[is_c])


def test_sobol_sweep_supports_salib_from_the_dataset_alone(tmp_path, toy):
    from SALib.analyze import sobol

    ov = ["sweep.design=sobol", "sweep.samples=32", "sweep.sobol_second_order=false",
          "+sweep.uncertainties={toy.x1:{low:-3.1416,high:3.1416},"
          "toy.x2:{low:-3.1416,high:3.1416},toy.x3:{low:-3.1416,high:3.1416}}",
          "sweep.progress=false"]
    ds = sweep(ov, tmp_path / "s", toy).open()
    assert ds.sizes["run"] == 32 * 5
    problem = json.loads(ds.attrs["sweep_design"])["salib_problem"]
    si = sobol.analyze(problem, ds["y"].isel(replicate=0).values, calc_second_order=False)
    assert si["ST"][0] > si["ST"][2] > 0.05  # x1 matters most in total, x3 through x1
    np.testing.assert_allclose(ds["sample"].values, np.stack(
        [ds["toy.x1"].values, ds["toy.x2"].values, ds["toy.x3"].values], axis=1))


def test_default_model_over_config_groups(tmp_path):
    ov = ["sweep.design=factorial",
          "+sweep.uncertainties={time.base_year:{dist:integer,low:2018,high:2022,levels:2}}",
          "+sweep.levers={country:[ghana,kenya]}", "sweep.progress=false",
          "time.end_year=2023", "firms.count=500"]
    res = run_sweep(ov, directory=tmp_path / "s", executor="serial")
    ds = res.open()
    assert res.failed == 0 and ds.sizes["run"] == 4
    assert list(ds["country"].values) == ["ghana", "ghana", "kenya", "kenya"]
    assert list(ds["time.base_year"].values) == [2018, 2022, 2018, 2022]
    assert set(ds["time"].values) == {float(y) for y in range(2018, 2024)}  # union of axes
    assert np.isnan(ds["sdg_index"].sel(run=1, replicate=0, time=2018.0))  # starts in 2022
    # Kenya's runs hold Kenya's real baseline
    from stisim.baseline import load_baseline

    kenya = load_baseline(404, 2022).value
    got = ds["indicator_value"].sel(run=3, replicate=0, time=2022.0).to_series()
    np.testing.assert_allclose(got[kenya.index].values, kenya.values)
    with pytest.raises(StisimError, match="overrides"):
        plan_sweep(load_config("sweep", ov), None)


def test_bad_group_choice_is_reported_before_anything_runs(tmp_path):
    from stisim.errors import ConfigError

    ov = ["+sweep.levers={country:[ghana,atlantis]}", "sweep.progress=false"]
    with pytest.raises(ConfigError, match="atlantis"):
        run_sweep(ov, directory=tmp_path / "s", executor="serial")
    assert not (tmp_path / "s").exists()


def test_per_run_configs_equal_full_validation(toy):
    from stisim.config.validate import validate
    from stisim.errors import ConfigError
    from stisim.sweep.batch import run_config, run_container

    ov = ["+sweep.uncertainties={toy.x1:{low:-3,high:3},toy.n:{dist:integer,low:1,high:9}}",
          "+sweep.levers={toy.label:[a,c],toy.x3:[1,2.5]}", "sweep.samples=3"]
    plan = plan_sweep(load_config("sweep", ov), ov, toy.toy_run)
    variant, digest = plan.variants["base"], plan.variant_digests["base"]
    for task in plan.tasks:
        fast = run_config(variant, task.values, task.seed, digest)
        full = validate(run_container(variant, task.values, task.seed))
        assert fast.sections == full.sections and fast.seed == full.seed
        assert isinstance(fast.toy.x3, float)  # lever value 1 coerced like the validator
    fast.toy.x1 = 123.0  # a run function that edits its config...
    again = run_config(variant, plan.tasks[0].values, plan.tasks[0].seed, digest)
    assert again.toy.x1 != 123.0  # ...does not touch the next run's
    with pytest.raises(ConfigError, match=r"toy\.x1: out of range"):
        run_config(variant, (("toy.x1", 9.0),), 1, digest)


def test_fast_run_file_reader_equals_xarray(tmp_path, toy):
    from stisim.config.validate import validate
    from stisim.sweep.assemble import read_run, read_variables
    from stisim.sweep.batch import encode

    cfg = load_config("sweep", [])
    base = cfg.to_container()
    base.pop("sweep")
    ds = toy.toy_run(validate(base))
    ds["with_gap"] = ("time", np.array([1.0, np.nan, 3.0, 4.0]))
    ds["scaled"] = ("time", np.arange(4.0))
    ds["scaled"].encoding.update(scale_factor=0.5, dtype="int16", _FillValue=-1)
    path = tmp_path / "run.nc"
    path.write_bytes(encode(ds))
    fast = read_variables(path)
    slow = read_run(path)
    assert set(fast) == set(slow.variables)
    for name, var in slow.variables.items():
        np.testing.assert_array_equal(np.asarray(fast[name].values), var.values)
        assert fast[name].dims == var.dims
