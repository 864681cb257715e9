"""The documentation runner's module (doc_commands) and its count in the test summary."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def pytest_terminal_summary(terminalreporter):
    from doc_commands import counts, doc_files, parse

    run = not_run = 0
    for path in doc_files():
        try:
            r, n = counts(parse(path))
        except ValueError:
            continue  # reported by test_every_block_is_classified...
        run, not_run = run + r, not_run + n
    terminalreporter.write_line(f"documentation commands: {run} run by "
                                f"tests/docs/test_doc_commands.py, {not_run} marked not run")
