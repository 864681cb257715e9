"""tools/matching_effects.py: the table of the matching platform's effect and cost per pilot
(docs/model.md 7.5.1) at a tiny size, and the page blocks it rewrites."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

import matching_effects as me  # noqa: E402


@pytest.mark.slow  # about 20 s: two small ensembles of one pilot
def test_the_tool_measures_and_prints_one_row_per_variant(capsys):
    assert me.main(["--countries", "ghana", "--firms", "400", "--replicates", "2",
                    "--end-year", "2026", "--dose", "0.5", "--workers", "1",
                    "--vary", "matching.adoption_rate=0,1", "--no-write"]) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith("| ghana")]
    assert len(rows) == 2
    assert "--vary matching.adoption_rate=0,1" in out  # the command that made the table
    none, some = (r.split("|")[2].strip() for r in rows)
    assert none.startswith("0 ")  # no adoption hazard, no attributable adopters
    assert not some.startswith("0 ")


def test_the_page_holds_the_blocks_the_tool_rewrites():
    page = me.PAGE.read_text()
    for block in ("matching", "matching-adoption", "matching-cost"):
        assert f"<!-- {block}:begin -->" in page and f"<!-- {block}:end -->" in page
