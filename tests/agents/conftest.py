"""Small agent-model runs shared by the tests (composed with Hydra's compose API)."""

from __future__ import annotations

import pytest

from stisim.config import load_config
from stisim.pipeline import build

SMALL = ["firms.count=3000", "institutes.count=6"]
PILOTS = ("ethiopia", "ghana", "india", "kenya", "serbia", "ukraine")


def small_inputs(*overrides: str):
    return build(load_config("run", [*SMALL, *overrides]))


@pytest.fixture(scope="session")
def kenya_run():
    """A finalised small run for Kenya (default horizon, annual steps)."""
    from stisim.pipeline import finalize, simulate

    inputs = small_inputs("country=kenya")
    return finalize(simulate(inputs), inputs)
