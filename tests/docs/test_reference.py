"""The generated reference pages match the code (regenerate with tools/gen_reference.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_reference_docs_are_current():
    # A fresh interpreter: tests in this process register extension sections and variables
    # (e.g. the incubator example) that are not part of the shipped reference.
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "gen_reference.py"), "--check"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_cli_reference_lists_every_command():
    from stisim.cli import COMMANDS
    text = (ROOT / "docs" / "reference" / "cli.md").read_text(encoding="utf-8")
    for name in COMMANDS:
        assert f"## stisim {name}\n" in text
