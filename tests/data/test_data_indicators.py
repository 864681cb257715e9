"""The indicator registry: coverage, validation of bad tables, unknown codes, imputation."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
import xarray as xr

from stisim import data
from stisim.baseline import load_baseline
from stisim.data.indicators import (
    COLUMNS,
    check_codes,
    codes,
    covered_goals,
    indicator,
    load_registry,
    registry,
)
from stisim.errors import ConfigError
from stisim.sdg.scores import normalise


def test_registry_covers_twenty_indicators_over_ten_goals():
    reg = registry()
    assert len(reg) >= 20
    assert len(covered_goals()) >= 10
    assert set(reg["driver"]) == {"agents", "network"}
    assert list(reg.columns) == list(COLUMNS)
    for code in codes("agents"):
        assert "interlinkages" not in indicator(code).computed_from
    for code in codes("network"):
        assert "interlinkages" in indicator(code).computed_from
    assert indicator("9.5.1").valid_min == 0.0


def _write(tmp_path, edit):
    df = pd.read_csv(data.path("indicators.csv"), dtype=str, keep_default_na=False)
    df = edit(df)
    path = tmp_path / "indicators.csv"
    df.to_csv(path, index=False)
    return path


def test_bad_registry_reports_every_problem_with_file_and_row(tmp_path):
    def edit(df):
        df.loc[0, "driver"] = "magic"
        df.loc[1, "goal"] = "18"
        df.loc[2, "code"] = df.loc[3, "code"]
        df.loc[4, "lower"] = ""
        df.loc[5, "optimum"] = "abc"
        return df

    path = _write(tmp_path, edit)
    with pytest.raises(ConfigError) as err:
        load_registry(path)
    text = str(err.value)
    assert str(path) in text
    assert "1.1.1.driver: unknown driver (got 'magic'); allowed: agents, network" in text
    assert "2.1.1.goal: must be a goal number" in text
    assert "duplicate indicator code" in text
    assert "normalisation bounds missing" in text
    assert "optimum: not a number (got 'abc')" in text


def test_missing_sdr_bounds_row_is_an_error(tmp_path):
    path = _write(tmp_path, lambda df: df.assign(
        sdr_code=df["sdr_code"].where(df["code"] != "9.5.1", "sdg9_nosuch")))
    with pytest.raises(ConfigError, match=r"9\.5\.1\.sdr_code: no row for this code in the SDR "
                                          r"2022 bounds file.*sdg9_nosuch"):
        load_registry(path)


def test_bounds_contradicting_direction_or_sdr_file_are_errors(tmp_path):
    def edit(df):
        i = df.index[df["code"] == "3.2.1"][0]
        df.loc[i, "better"] = "higher"  # bounds say lower is better
        j = df.index[df["code"] == "9.5.1"][0]
        df.loc[j, "optimum"] = "4.0"  # SDR says 3.7
        return df

    with pytest.raises(ConfigError) as err:
        load_registry(_write(tmp_path, edit))
    assert "3.2.1.lower/optimum: bounds contradict better=higher" in str(err.value)
    assert "9.5.1.lower/optimum: differ from the SDR 2022 bounds of sdg9_rdex" in str(err.value)


def test_missing_column_is_named(tmp_path):
    path = _write(tmp_path, lambda df: df.drop(columns=["valid_max", "driver"]))
    with pytest.raises(ConfigError, match=r"missing columns.*driver, valid_max"):
        load_registry(path)


def test_unknown_indicator_code_is_a_clear_error():
    with pytest.raises(ConfigError, match=r"unknown indicator code \(got '99\.9\.9'\); "
                                          r"allowed: 1\.1\.1, "):
        indicator("99.9.9")
    with pytest.raises(ConfigError, match=r"9\.5\.9"):
        check_codes(["9.5.1", "9.5.9"])
    values = xr.DataArray([1.0, 2.0], dims="indicator", coords={"indicator": ["9.5.1", "x.y"]})
    with pytest.raises(ConfigError, match=r"x\.y"):
        normalise(values)


def test_missing_country_data_is_imputed_and_flagged():
    # Global Findex (8.10.2) starts in 2011: a 2010 baseline holds the first later value.
    b = load_baseline(288, 2010)
    assert b.imputed["8.10.2"]
    assert "first observation (2011) carried back" in b.method["8.10.2"]
    assert b.value["8.10.2"] == b.observed.loc[2011, "8.10.2"]
    # Kenya's lower-secondary completion starts in 2014: carried back, flagged.
    k = load_baseline(404, 2010)
    assert k.imputed["4.1.2"] and "(2014) carried back" in k.method["4.1.2"]
    assert not b.imputed["9.5.1"] and b.method["9.5.1"] == "observed"


def test_registry_reads_its_own_copy(tmp_path):
    # A registry in another place loads the same way (for extensions).
    path = tmp_path / "copy.csv"
    shutil.copy(data.path("indicators.csv"), path)
    assert load_registry(path).equals(registry())
