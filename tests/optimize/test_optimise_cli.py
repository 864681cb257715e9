"""`stisim optimise` in-process: allocation file and table; infeasible exits non-zero."""

from __future__ import annotations

import pytest

from stisim.cli import main


def test_cli_writes_allocation_and_prints_table(tmp_path, capsys):
    run_dir = tmp_path / "run"
    code = main(["optimise", "portfolio=literature/mknap1_1", "objective=value",
                 "optimise.mip_gap=0", f"hydra.run.dir={run_dir}"])
    out = capsys.readouterr().out
    assert code == 0
    assert (run_dir / "allocation.nc").exists()
    assert "objective value = 3800" in out and "TOTAL" in out


def test_cli_infeasible_exits_with_explanation_and_no_file(tmp_path, capsys):
    portfolio = tmp_path / "bad.yaml"
    portfolio.write_text(
        "name: bad\nhorizon: [2025, 2025]\n"
        "sources: [{id: pub, kind: public, budget: 5}]\n"
        "actions:\n"
        "  - {id: M1, name: m1, instrument: governance, lead: x, cost: 4, sources: [pub],"
        " indivisible: true, mandatory: true}\n"
        "  - {id: M2, name: m2, instrument: governance, lead: x, cost: 4, sources: [pub],"
        " indivisible: true, mandatory: true}\n")
    run_dir = tmp_path / "run"
    with pytest.raises(SystemExit) as exit_:  # Hydra jobs end with sys.exit(code)
        main(["optimise", f"portfolio={portfolio}", "objective=value",
              f"hydra.run.dir={run_dir}"])
    err = capsys.readouterr().err
    assert exit_.value.code == 3
    assert "infeasible" in err and "budget in 2025" in err
    assert not (run_dir / "allocation.nc").exists()
