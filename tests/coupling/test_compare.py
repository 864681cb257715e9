"""`stisim compare`: every strategy along a `strategy` dim, CI table, CLI smoke test."""

from __future__ import annotations

import numpy as np

from stisim.analysis.datasets import kind_of
from stisim.cli import main
from stisim.coupling import compare as cmp
from stisim.coupling.params import STRATEGIES
from tests.coupling.conftest import tiny_cfg


def test_compare_has_every_strategy_and_the_analysis_layout():
    cfg = tiny_cfg()
    ds = cmp.run_compare(cfg, log=lambda *_: None)
    assert list(ds["strategy"].values) == [cmp.REFERENCE, *STRATEGIES]
    assert ds.sizes["replicate"] == 2
    assert kind_of(ds) == "comparison"
    assert ds["spend"].dims == ("strategy", "action", "year", "source")
    assert ds["sdg_index"].dims[:2] == ("strategy", "replicate")
    # strategies really differ in what they fund, and all respect the same envelope
    spent = ds["spend"].sum(("action", "year", "source")).values
    assert np.unique(np.round(spent[1:], 3)).size > 3
    assert (ds["sdg_gain"].sel(strategy=cmp.REFERENCE) == 0).all()
    table = cmp.summary(ds)
    assert {"sdg_gain_lo", "sdg_gain_hi"} <= set(table.columns)
    lines = cmp.verdicts(ds)
    assert lines[0].startswith("best ") and "second" in lines[0]
    assert any(line.startswith("optimal_sdg") and "no_roadmap" in line for line in lines)
    assert sum("equal_split" in line for line in lines) >= 3


def test_same_config_same_dataset():
    cfg = tiny_cfg("strategies=[equal_split]", "replicates=1")
    a = cmp.run_compare(cfg, log=lambda *_: None)
    b = cmp.run_compare(cfg, log=lambda *_: None)
    np.testing.assert_array_equal(a["sdg_index"].values, b["sdg_index"].values)


def test_cli_smoke(tmp_path, capsys):
    run_dir = tmp_path / "run"
    code = main(["compare", "country=kenya", "firms.count=200", "time.end_year=2027",
                 "replicates=2", "strategies=[optimal_sdg,equal_split]",
                 "coupling.responses=expert", "compare.pilot_replicates=2",
                 f"hydra.run.dir={run_dir}"])
    out = capsys.readouterr().out
    assert code == 0
    assert (run_dir / "compare.nc").exists() and (run_dir / "compare.png").exists()
    assert "95% CI" in out and "equal_split" in out and "pilot batch" in out


def test_unknown_strategy_is_a_config_error(tmp_path, capsys):
    code = main(["compare", "strategies=[optimal_sdg,coin_toss]", f"hydra.run.dir={tmp_path}"])
    assert code == 2
    assert "coin_toss" in capsys.readouterr().err
