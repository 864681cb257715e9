"""The Mesa 3.3 leak patch applies where Mesa leaks (Python 3.11) and nowhere else."""

from __future__ import annotations

import mesa

from stisim.agents import mesa_compat


def _mesa_version() -> tuple[int, int]:
    major, minor = mesa.__version__.split(".")[:2]
    return int(major), int(minor)


def test_patch_only_on_mesa_before_3_4():
    if _mesa_version() >= (3, 4):
        # ids are counted on the model: no class-level table to patch
        assert not mesa_compat.NEEDED and "_ids" not in mesa.Agent.__dict__
    else:
        assert mesa_compat.NEEDED
        assert isinstance(mesa.Agent.__dict__["_ids"], mesa_compat.WeakModelCounters)
    mesa_compat.install()  # idempotent either way
    assert ("_ids" in mesa.Agent.__dict__) == mesa_compat.NEEDED
