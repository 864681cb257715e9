"""Run every ``benchmarks/bench_*.py`` script's ``main()`` (``python -m benchmarks``)."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def main() -> int:
    here = Path(__file__).resolve().parent
    for info in sorted(pkgutil.iter_modules([str(here)]), key=lambda i: i.name):
        if info.name.startswith("bench_"):
            print(f"== {info.name}")
            module = importlib.import_module(f"benchmarks.{info.name}")
            module.main([])
    return 0


if __name__ == "__main__":
    sys.exit(main())
