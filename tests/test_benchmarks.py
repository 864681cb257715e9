"""The start-up benchmark runs as a report (no timing is asserted): at its minimal size it
launches the commands and prints its table."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_startup_benchmark_reports_its_table(capsys, tmp_path):
    bench = _load("bench_startup")
    out = tmp_path / "startup.json"
    assert bench.main(["--commands", "help", "--repeats", "1", "--json", str(out)]) == 0
    text = capsys.readouterr().out
    assert "| command | to_work | work | simulation | after | overhead | total | cpu |" in text
    assert "help (warm): `stisim --help`" in text and "help (cold)" in text
    import json

    figures = json.loads(out.read_text())
    warm = figures["help (warm)"]["median"]
    assert warm["total"] > 0 and warm["overhead"] == warm["total"]
