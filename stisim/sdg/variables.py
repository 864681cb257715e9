"""Documentation of the SDG layer's dataset variables (``variables.yml`` beside this file)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from stisim.dataset import register_variables


@cache
def register() -> None:
    """Register the variables once (idempotent)."""
    with (Path(__file__).parent / "variables.yml").open(encoding="utf-8") as fh:
        register_variables(yaml.safe_load(fh))


register()
