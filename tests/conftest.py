"""Shared fixtures: small configs composed through Hydra's compose API (no subprocess)."""

from __future__ import annotations

import pytest

from stisim.config import load_config


@pytest.fixture(scope="session")
def ghana_cfg():
    return load_config("run", ["country=ghana"])


@pytest.fixture
def scenario_dir(tmp_path, monkeypatch):
    """A temporary directory on the scenario search path (``$STISIM_SCENARIO_PATH``)."""
    import sys

    compose_mod = sys.modules["stisim.config.compose"]
    monkeypatch.setenv("STISIM_SCENARIO_PATH", str(tmp_path))
    compose_mod.rescan()
    yield tmp_path
    compose_mod.rescan()
