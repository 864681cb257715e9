"""Fixtures of the SDG-layer tests."""

from __future__ import annotations

import importlib

import pytest


@pytest.fixture
def scenario_dir(tmp_path, monkeypatch):
    """A temporary directory on the scenario search path (``$STISIM_SCENARIO_PATH``).

    ``stisim.config.compose`` is both a module and a function re-exported by
    ``stisim.config``; the module is fetched explicitly.
    """
    compose_mod = importlib.import_module("stisim.config.compose")
    folder = tmp_path / "scenarios"
    folder.mkdir()
    monkeypatch.setenv("STISIM_SCENARIO_PATH", str(folder))
    compose_mod.rescan()
    yield folder
    compose_mod.rescan()
