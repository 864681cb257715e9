"""How the command line reports a problem: one message on stderr, a non-zero exit status."""

from __future__ import annotations

import sys

from stisim.errors import StisimError


def report_error(exc: StisimError) -> int:
    """Print ``exc`` as ``stisim: error: ...``; the exit status it calls for."""
    print(f"stisim: error: {exc}", file=sys.stderr)
    return exc.exit_code
