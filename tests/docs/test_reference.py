"""The generated reference pages match the code (regenerate with tools/gen_reference.py)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_reference_docs_are_current(capsys):
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import gen_reference
    finally:
        sys.path.pop(0)
    code = gen_reference.main(["--check"])
    assert code == 0, capsys.readouterr().out


def test_cli_reference_lists_every_command():
    from stisim.cli import COMMANDS, _load_commands

    _load_commands()
    text = (ROOT / "docs" / "reference" / "cli.md").read_text(encoding="utf-8")
    for name in COMMANDS:
        assert f"## stisim {name}\n" in text
