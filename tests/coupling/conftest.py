"""Tiny coupled setups: Kenya's portfolio, few firms, short horizons."""

from __future__ import annotations

import pytest

from stisim.config import load_config

TINY = ["country=kenya", "firms.count=300", "time.end_year=2029", "replicates=2",
        "compare.power=false"]


def tiny_cfg(*extra: str):
    return load_config("compare", [*TINY, *extra])


@pytest.fixture(scope="module")
def tiny():
    from stisim.coupling.compare import load

    cfg = tiny_cfg()
    portfolio, inputs = load(cfg)
    return cfg, portfolio, inputs
