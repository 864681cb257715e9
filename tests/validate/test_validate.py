"""stisim validate: baselines, the leak test (nothing after fit_end reaches the fit or the
start state), and the command at a tiny size."""

from __future__ import annotations

import numpy as np
import pytest

from stisim.validate import baselines as bl

YEARS = np.arange(2010, 2017, dtype=float)
VALUES = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0])
HELD = [2017, 2018, 2020]
# A tiny validation: few firms, a handful of fit evaluations, one replicate.
TINY = ["firms.count=200", "calibrate.max_evals=6", "validate.replicates=2",
        "validate.refit_end=null", "validate.plots=false"]


def test_persistence_trend_and_drift():
    p, _ = bl.forecast("persistence", YEARS, VALUES, 2016, HELD)
    np.testing.assert_allclose(p, [7.0, 7.0, 7.0])
    t, how = bl.forecast("linear_trend", YEARS, VALUES + np.array([0, 5, 0, 0, 0, 0, 0]), 2016,
                         HELD, trend_years=5)
    np.testing.assert_allclose(t, [8.0, 9.0, 11.0])  # the 2012 outlier is outside the 5 years
    assert "2012-2016" in how
    d, _ = bl.forecast("mean_growth", YEARS, VALUES ** 2, 2016, HELD, trend_years=5)
    np.testing.assert_allclose(d, 49.0 + (49.0 - 9.0) / 4.0 * np.array([1, 2, 4]))


def test_later_observations_are_ignored_and_bounds_kept():
    years = np.append(YEARS, [2017, 2018])
    values = np.append(VALUES * 10, [1e6, -1e6])
    t, _ = bl.forecast("linear_trend", years, values, 2016, HELD, bounds=(0.0, 100.0))
    np.testing.assert_allclose(t, [80.0, 90.0, 100.0])


def test_statistical_forecasters_and_their_fallback():
    rng = np.random.default_rng(1)
    noisy = 20 + 3 * np.arange(7) + rng.normal(0, 0.5, 7)
    for method in ("ets", "theta"):
        f, how = bl.forecast(method, YEARS, noisy, 2016, HELD)
        assert np.isfinite(f).all() and how.startswith(method)
        assert 30 < f[0] < 45  # continues upwards (or holds) from about 38
        short, how = bl.forecast(method, YEARS[:3], noisy[:3], 2016, HELD)
        np.testing.assert_allclose(short, noisy[2])
        assert how.startswith("persistence")
    none, how = bl.forecast("ets", YEARS, np.full(7, np.nan), 2016, HELD)
    assert np.isnan(none).all() and "no observation" in how


def _perturb_after(year: int, monkeypatch) -> None:
    """Every shipped value observed after ``year`` (indicator series, SDR panel, country
    series) replaced by noise; the caches that hold them are emptied."""
    from stisim import data
    from stisim.data import macro

    rng = np.random.default_rng(0)
    unsd, sdr, table = data.unsd().copy(), data.sdr_panel().copy(), macro.table().copy()
    late = unsd.year > year
    unsd.loc[late, "value"] = unsd.loc[late, "value"] * rng.uniform(0.2, 5.0, late.sum())
    late = sdr.year > year
    sdr.loc[late, "value"] = sdr.loc[late, "value"].astype(float) * rng.uniform(0.2, 5.0,
                                                                                 late.sum())
    late = table.index.get_level_values("year") > year
    table.loc[late] = table.loc[late] * rng.uniform(0.2, 5.0, size=table.loc[late].shape)
    monkeypatch.setattr(data, "unsd", lambda: unsd)
    monkeypatch.setattr(data, "sdr_panel", lambda: sdr)
    monkeypatch.setattr(macro, "table", lambda: table)
    _clear_caches()


def _clear_caches() -> None:
    from stisim import baseline
    from stisim.data import macro

    baseline._long_series.cache_clear()
    baseline.load_baseline.cache_clear()
    macro._resolved.cache_clear()


@pytest.mark.slow
def test_nothing_after_fit_end_reaches_the_fit_or_the_start_state(tmp_path, monkeypatch):
    """The leak test: noise in every value after fit_end changes the scored observations but
    not the fitted parameters, the fit, the held-out prediction or the baselines."""
    from stisim.config import load_config
    from stisim.validate.holdout import validate_country

    container = load_config("validate", TINY).to_container()
    clean = validate_country(container, "serbia", tmp_path / "clean")
    try:
        _perturb_after(2016, monkeypatch)
        noisy = validate_country(container, "serbia", tmp_path / "noisy")
    finally:
        monkeypatch.undo()
        _clear_caches()
    assert noisy.parameters == clean.parameters
    np.testing.assert_array_equal(noisy.fitted, clean.fitted)
    np.testing.assert_array_equal(noisy.predicted, clean.predicted)
    np.testing.assert_array_equal(noisy.predicted_se, clean.predicted_se)
    for method, values in clean.baselines.items():
        np.testing.assert_array_equal(noisy.baselines[method], values)
    held = np.array(clean.years) > 2016
    assert not np.allclose(noisy.observed[held], clean.observed[held], equal_nan=True)
    np.testing.assert_array_equal(noisy.observed[~held], clean.observed[~held])


@pytest.mark.slow
def test_validate_command_writes_scores(tmp_path):
    from stisim.cli import main
    from stisim.io import open_dataset

    out = tmp_path / "v"
    assert main(["validate", "validate.countries=[kenya]", *TINY,
                 f"hydra.run.dir={out}"]) == 0
    ds = open_dataset(out / "validation.nc")
    assert ds["baseline"].dims == ("method", "country", "time", "indicator")
    assert list(ds["method"].values) == ["model", "persistence", "linear_trend",
                                         "mean_growth", "ets", "theta"]
    nrmse = ds["nrmse"].sel(country="KEN")
    assert np.isfinite(nrmse.sel(indicator="17.8.1")).all()  # observed 2017-2021
    assert np.isnan(nrmse.sel(indicator="9.5.1")).all()  # Kenya: no GERD after 2010
    held = ds["time"] > 2016
    assert np.isfinite(ds["predicted"].sel(country="KEN").where(held, drop=True)).all()
    assert np.isnan(ds["predicted"].sel(country="KEN").where(~held, drop=True)).all()
    skill = 1 - nrmse.sel({"method": "model"}) / nrmse.drop_sel(method="model").min("method")
    np.testing.assert_allclose(ds["skill"].sel(country="KEN"), skill)
    assert (out / "validation.md").read_text().count("model wins") == 1


def test_unknown_country_is_refused_before_anything_runs(tmp_path):
    from stisim.cli import main

    out = tmp_path / "v"
    assert main(["validate", "validate.countries=[atlantis]", *TINY,
                 f"hydra.run.dir={out}"]) != 0
    assert not (out / "validation.nc").exists()
