"""Analysis of stisim results: sensitivity, scenario discovery, plots, report, dashboard.

Everything here reads Datasets (runs, sweeps, comparisons, allocations); nothing upstream
depends on it. Heavy optional parts (Panel, scikit-learn, the EMA Workbench) are imported
only by the functions that need them.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from stisim.dataset import register_variables


def _register_variables() -> None:
    with (Path(__file__).parent / "variables.yml").open(encoding="utf-8") as fh:
        register_variables(yaml.safe_load(fh), kind="analysis")


_register_variables()
