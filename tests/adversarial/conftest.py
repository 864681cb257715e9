"""Shared helpers of the adversarial suite: a scratch working directory with its own
scenario directory on ``$STISIM_SCENARIO_PATH``, in-process command calls that record the
exit status and both streams, and snapshots that show what a command wrote or changed."""

from __future__ import annotations

import contextlib
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import pytest

from stisim.cli import main
from stisim.config.compose import rescan

EXIT_STATUSES = {0, 1, 2}  # ok, failed runs / solver trouble, refused input (README)


@dataclass
class Result:
    rc: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err

    def one_message(self) -> bool:
        """Refused with one ``stisim: error:`` message and no traceback."""
        return (self.rc != 0 and self.err.count("stisim: error:") == 1
                and "Traceback" not in self.text)


def cli(*args: str) -> Result:
    """``stisim ARGS`` in this process: exit status, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = main(list(args))
        except SystemExit as exc:
            rc = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return Result(int(rc), out.getvalue(), err.getvalue())


def snapshot(root: Path) -> dict[str, str]:
    """Every file under ``root`` (relative path -> content digest)."""
    return {p.relative_to(root).as_posix(): hashlib.blake2b(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and not p.is_symlink()}


@dataclass
class Scratch:
    root: Path  # the working directory
    scenarios: Path  # on $STISIM_SCENARIO_PATH

    def scenario(self, name: str, body: str) -> str:
        """Write scenario file NAME.yaml; the ``scenario=`` option that selects it."""
        path = self.scenarios / f"{name}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("# @package _global_\n" + body, encoding="utf-8")
        rescan()
        return f"scenario={name}"

    def outputs(self) -> list[Path]:
        out = self.root / "outputs"
        return sorted(p for p in out.rglob("*") if p.is_file()) if out.exists() else []


@pytest.fixture
def scratch(tmp_path, monkeypatch) -> Scratch:
    root = tmp_path / "work"
    scenarios = tmp_path / "shared"
    root.mkdir()
    scenarios.mkdir()
    monkeypatch.chdir(root)
    monkeypatch.setenv("STISIM_SCENARIO_PATH", str(scenarios))
    rescan()
    yield Scratch(root, scenarios)
    monkeypatch.delenv("STISIM_SCENARIO_PATH")
    rescan()


def tiny_portfolio() -> dict:
    """A small valid portfolio (raw mapping): three actions over five years, two sources."""
    return {
        "name": "tiny", "description": "adversarial tests", "country": "kenya",
        "currency": "USD million", "horizon": [2025, 2029], "discount_rate": 0.05,
        "sources": [{"id": "treasury", "kind": "public", "budget": 20},
                    {"id": "donor", "kind": "donor", "budget": 5}],
        "agencies": [{"id": "NRF", "name": "research fund", "capacity": 30}],
        "actions": [
            {"id": f"A{i}", "name": f"action {i}", "instrument": "research_grants",
             "lead": "NRF",
             "cost": [5, 5, 5, 5, 5], "sources": {"treasury": 1.0, "donor": 0.5},
             "value": 3 + i,
             "effects": [{"indicator": "9.5.1", "change": 0.01, "lag": 1}]}
            for i in range(3)],
        "floors": [{"indicator": "9.5.1", "target": 0.1, "year": 2029}],
    }
