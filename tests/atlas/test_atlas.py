"""The instrument response atlas: doses as budget lines, paired responses, checks, evidence,
the command."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from stisim.atlas import run_atlas
from stisim.atlas.ensemble import budget_years, dose_budgets, end_state
from stisim.atlas.evidence import _ratio, load_evidence
from stisim.cli import main
from stisim.config import load_config
from stisim.errors import ConfigError
from stisim.io import open_dataset
from stisim.pipeline import build, simulate

TINY = [
    "country=kenya",
    "firms.count=300",
    "time.end_year=2027",
    "atlas.replicates=2",
    "atlas.progress=false",
    "atlas.workers=1",
    "atlas.doses=[0.05,0.2]",
    "atlas.instruments=[rd_grants,adoption_subsidy.clean_energy]",
]


@pytest.fixture(scope="module")
def tiny():
    cfg = load_config("atlas", TINY)
    return cfg, run_atlas(cfg)


def test_dataset_shape_units_and_provenance(tiny):
    cfg, ds = tiny
    assert list(ds["instrument"].values) == ["rd_grants", "adoption_subsidy.clean_energy"]
    assert list(ds["dose"].values) == [0.05, 0.2]
    assert ds["response"].dims == ("instrument", "dose", "indicator")
    assert ds["goal_response"].dims == ("instrument", "dose", "goal")
    assert ds["sdg_index_response"].dims == ("instrument", "dose")
    assert ds["cost_effectiveness"].dims == ("instrument", "indicator")
    for name in ds.data_vars:
        assert ds[name].attrs["units"] and ds[name].attrs["description"], name
    assert ds.attrs["seed"] == cfg.seed and "atlas:" in ds.attrs["config"]
    assert ds.attrs["stisim_version"] and ds.attrs["scenario"] == "baseline"
    assert np.isfinite(ds["response_se"].sel(indicator="9.5.1")).all()


def test_responses_are_paired_differences_through_the_one_simulation(tiny):
    """Replicate 0 of business as usual and of rd_grants at 0.2 % of GDP, simulated here
    through pipeline.simulate, reproduce the atlas's numbers."""
    cfg, ds = tiny
    inputs = build(cfg)
    seeds = json.loads(ds.attrs["replicate_seeds"])
    years = budget_years(cfg)
    diffs = []
    for seed in seeds:
        bau = end_state(simulate(inputs, seed=seed), years)
        budgets = dose_budgets(cfg, "rd_grants", 0.2, bau["gdp"])
        dosed = end_state(simulate(inputs, budgets, seed=seed), years)
        diffs.append(dosed["value"] - bau["value"])
    diffs = np.array(diffs)
    got = ds["response"].sel(instrument="rd_grants", dose=0.2).values
    np.testing.assert_allclose(got, diffs.mean(0), rtol=1e-12, atol=1e-12)
    se = diffs.std(0, ddof=1) / np.sqrt(len(seeds))
    np.testing.assert_allclose(
        ds["response_se"].sel(instrument="rd_grants", dose=0.2).values, se, rtol=1e-12, atol=1e-12
    )


def test_money_is_the_dose_of_gdp_and_is_spent(tiny):
    cfg, ds = tiny
    extra = ds["extra_money"]
    # proportional to the dose (same BAU GDP path)
    np.testing.assert_allclose(extra.sel(dose=0.2) / extra.sel(dose=0.05), 4.0, rtol=1e-12)
    # the lines the ensemble builds hold exactly that money
    gdp = {y: 1e9 * (1 + 0.01 * k) for k, y in enumerate(budget_years(cfg))}
    lines = dose_budgets(cfg, "rd_grants", 0.1, gdp).to_frame()
    assert lines["amount"].sum() == pytest.approx(0.001 * sum(gdp.values()), rel=1e-12)
    assert set(lines["year"]) == set(range(cfg.time.base_year + 1, cfg.time.end_year + 1))
    share = ds["money_disbursed_share"].sel(instrument="rd_grants").values
    assert ((share > 0.5) & (share < 1.0 + 1e-9)).all(), share


def test_cost_effectiveness_is_per_tenth_of_gdp_at_the_smallest_dose(tiny):
    _, ds = tiny
    np.testing.assert_allclose(
        ds["cost_effectiveness"].values, ds["response"].sel(dose=0.05).values * 2.0, rtol=1e-12
    )


def test_rd_grants_raise_rd(tiny):
    """Money for R&D grants raises R&D spending (9.5.1) at both doses, beyond 2 SE."""
    _, ds = tiny
    r = ds["response"].sel(instrument="rd_grants", indicator="9.5.1")
    se = ds["response_se"].sel(instrument="rd_grants", indicator="9.5.1")
    assert (r > 2 * se).all() and not ds["purpose_violation"].sel(instrument="rd_grants").any()
    assert (ds["rd_per_dose"].sel(instrument="rd_grants") < 3).all()


@pytest.mark.slow
def test_same_config_same_atlas_in_process_or_on_a_pool(tiny):
    cfg, ds = tiny
    pooled = run_atlas(cfg, workers=2, progress=False)
    for name in ("response", "response_se", "outcome_response", "evidence_value"):
        np.testing.assert_array_equal(pooled[name].values, ds[name].values)


def test_ratio_of_means_and_delta_method():
    rng = np.random.default_rng(0)
    den = rng.normal(10.0, 1.0, size=(1, 4000))
    num = 2.0 * den + rng.normal(0.0, 0.5, size=den.shape)
    r, se = _ratio(num, den)
    assert r[0] == pytest.approx(2.0, abs=0.01)
    assert se[0] == pytest.approx(0.5 / 10.0 / np.sqrt(4000), rel=0.1)


def test_evidence_flags(tiny):
    _, ds = tiny
    assert "evidence" in ds.dims
    rows = ds["evidence_instrument"].values
    assert set(rows) <= {"rd_grants", "adoption_subsidy.clean_energy"}
    value, low, high = ds["evidence_value"], ds["evidence_low"], ds["evidence_high"]
    expected = (value < low) | (value > high)
    np.testing.assert_array_equal(ds["outside_evidence"].values, expected.values)
    per_dose = ds["evidence_outcome"] == "9.5.1"
    got = value.where(per_dose & (ds["evidence_instrument"] == "rd_grants"), drop=True)
    np.testing.assert_allclose(
        got.values[0], ds["rd_per_dose"].sel(instrument="rd_grants"), rtol=1e-12
    )


def test_shipped_evidence_is_valid_and_sourced():
    table = load_evidence()
    assert len(table) >= 5 and (table["low"] <= table["high"]).all()
    assert table["source"].str.len().gt(5).all()
    sources = (Path(__file__).resolve().parents[2] / "stisim" / "data" / "SOURCES.md").read_text(
        encoding="utf-8"
    )
    for name in ("Dimos", "Czernich", "Bloom", "Frascati"):
        assert name in sources


def test_bad_evidence_rows_are_all_reported(tmp_path):
    path = tmp_path / "ev.csv"
    path.write_text(
        "instrument,outcome,low,high,unit,source\n"
        "rd_grant,9.5.1,0,1,pp per % of GDP,X\n"
        "rd_grants,9.9.9,2,1,pp per % of GDP,\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as err:
        load_evidence(path)
    text = str(err.value)
    for part in (
        "row 2 instrument",
        "'rd_grant'",
        "row 3 outcome",
        "'9.9.9'",
        "row 3 low/high",
        "row 3 source",
    ):
        assert part in text, text


@pytest.mark.parametrize(
    "args, key",
    [
        (["atlas.instruments=[rd_grants,warp_drive]"], "atlas.instruments[1]"),
        (["atlas.doses=[0.1,-0.2]"], "atlas.doses[1]"),
        (["atlas.doses=[]"], "atlas.doses"),
        (["atlas.replicates=0"], "atlas.replicates"),
    ],
)
def test_bad_settings_exit_nonzero_and_write_nothing(tmp_path, monkeypatch, capsys, args, key):
    monkeypatch.chdir(tmp_path)
    assert main(["atlas", "country=kenya", *args]) == 2
    err = capsys.readouterr().err
    assert key in err and ("allowed" in err or ">=" in err)
    assert not (tmp_path / "outputs").exists()


def test_command_writes_atlas_table_and_plot(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert (
        main(
            [
                "atlas",
                "country=kenya",
                "firms.count=300",
                "time.end_year=2025",
                "atlas.instruments=[tax_credits]",
                "atlas.doses=[0.1]",
                "atlas.replicates=2",
                "atlas.workers=1",
                "atlas.progress=false",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "tax_credits" in out and "Δ9.5.1/dose" in out and "Against the evidence" in out
    (nc,) = (tmp_path / "outputs").rglob("atlas.nc")
    assert (nc.parent / "atlas.png").stat().st_size > 10_000
    ds = open_dataset(nc)
    assert ds["response"].sizes == {"instrument": 1, "dose": 1, "indicator": 28}
