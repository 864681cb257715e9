"""Policy Priority Inference data: reading, validation, conversion, both models on it."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from stisim import data
from stisim.errors import DataError
from stisim.sdg.ppi import PERIODS_PER_YEAR, ppi_trends, read_ppi, run_ppi, run_stisim, to_dataset


@pytest.fixture(scope="module")
def ppi():
    return read_ppi()


def test_shipped_ppi_data_is_read(ppi):
    assert len(ppi.codes) == 72
    assert int((ppi.network != 0).to_numpy().sum()) == 215
    assert ppi.expenditure.shape == (16, 69) and ppi.periods == 69
    assert ppi.expenditure.shape[1] == PERIODS_PER_YEAR * len(ppi.series)
    assert ppi.programs["sdg9_rdex"] == [9]
    assert ppi.indicators.at["sdg8_unemp", "instrumental"] == 0
    assert "sdg8_unemp" not in ppi.programs
    assert ppi.network.at["sdg5_familypl", "sdg2_snmi"] == pytest.approx(-0.5892709081966911)
    raw = pd.read_csv(data.path("ppi", "clean_data", "data_indicators.csv"))
    np.testing.assert_allclose(ppi.series["sdg9_rdex"], raw.set_index("seriesCode").loc[
        "sdg9_rdex", [str(y) for y in range(2000, 2023)]].astype(float))


def test_ppi_dataset_links_to_the_registry(ppi):
    ds = to_dataset(ppi)
    codes = dict(zip(ds["indicator"].values, ds["registry_code"].values, strict=True))
    assert codes["sdg9_rdex"] == "9.5.1" and codes["sdg3_u5mort"] == "3.2.1"
    assert codes["sdg9_intuse"] == "17.8.1" and codes["sdg2_wasting"] == ""
    for name in ds.data_vars:
        assert ds[name].attrs["units"] and ds[name].attrs["long_name"], name
    assert float(ds["ppi_program_link"].sel(indicator="sdg9_rdex", program=9)) == 1.0
    assert ds["ppi_network"].sum() == pytest.approx(ppi.network.to_numpy().sum())


def _copy(tmp_path):
    target = tmp_path / "ppi"
    shutil.copytree(data.path("ppi", "clean_data"), target)
    return target


@pytest.mark.parametrize("file,edit,message", [
    ("data_network.csv", lambda d: d.assign(weight=d.weight.astype(object).where(
        d.index != 3, "heavy")), "non-numeric values:\n  - row 5, column weight: 'heavy'"),
    ("data_network.csv", lambda d: d.assign(origin=d.origin.where(d.index != 0, "sdg99_x")),
     "edges name indicators not in data_indicators.csv: sdg99_x"),
    ("data_relational_table.csv", lambda d: d.assign(**{"0": d["0"].where(d.index != 0, 42)}),
     "sdg5_familypl: programme 42 has no row in data_expenditure.csv"),
    ("data_indicators.csv", lambda d: d.drop(columns=["IF"]), "missing columns IF"),
    ("parameters.csv", lambda d: d.iloc[:-1], "71 rows for 72 indicators"),
])
def test_bad_ppi_data_names_file_and_field(tmp_path, file, edit, message):
    folder = _copy(tmp_path)
    path = folder / file
    edit(pd.read_csv(path)).to_csv(path, index=False)
    with pytest.raises(DataError) as err:
        read_ppi(folder)
    assert str(path) in str(err.value)
    assert message in str(err.value)


def test_missing_ppi_file(tmp_path):
    folder = _copy(tmp_path)
    (folder / "data_network.csv").unlink()
    with pytest.raises(DataError, match=r"PPI data file missing: .*data_network\.csv"):
        read_ppi(folder)


def test_ppi_runs_are_seeded_and_leave_the_global_generator_alone(ppi):
    state = np.random.get_state()[1].copy()  # noqa: NPY002 - checking PPI's generator
    a = run_ppi(ppi, 2, sample_size=4, seed=7)
    b = run_ppi(ppi, 2, sample_size=4, seed=7)
    c = run_ppi(ppi, 2, sample_size=4, seed=8)
    assert a.identical(b) and not a.identical(c)
    assert (np.random.get_state()[1] == state).all()  # noqa: NPY002
    np.testing.assert_allclose(a.sel(year=0), ppi.indicators["IF"])
    assert a.sizes["year"] == 3


def test_more_budget_for_a_goal_improves_it_in_ppi(ppi):
    base = run_ppi(ppi, 4, sample_size=40, seed=1)
    push = run_ppi(ppi, 4, sample_size=40, seed=1, budget_scale={9: 3.0})
    sdg9 = [c for c in ppi.codes if ppi.indicators.at[c, "sdg"] == 9]
    gain = (push - base).sel(year=4, indicator=sdg9)
    assert float(gain.mean()) > 0
    with pytest.raises(DataError, match="unknown programme"):
        run_ppi(ppi, 1, sample_size=1, budget_scale={99: 2.0})


def test_stisim_on_ppi_data(ppi):
    linear = run_stisim(ppi, 5, strength=0.0, damping=1.0)
    slopes = ppi_trends(ppi).to_numpy() / 100
    expected = np.clip(ppi.indicators["IF"].to_numpy() + np.outer(np.arange(6), slopes),
                       ppi.indicators["min"].to_numpy(), ppi.indicators["max"].to_numpy())
    np.testing.assert_allclose(linear.to_numpy(), expected, atol=1e-12)
    # Forcing one indicator up moves its network neighbours, with the edge's sign.
    forced_code = "sdg5_familypl"
    base = run_stisim(ppi, 5, strength=0.5)
    forced = base.sel(indicator=[forced_code]).copy()
    forced[1:] += 0.2
    pushed = run_stisim(ppi, 5, strength=0.5, forced=forced)
    diff = (pushed - base).sel(year=5)
    for target, w in ppi.network.loc[forced_code].items():
        if w != 0 and abs(float(diff.sel(indicator=target))) > 0:
            assert np.sign(float(diff.sel(indicator=target))) == np.sign(w), target
    assert float(abs(diff.sel(indicator="sdg2_snmi"))) > 0
