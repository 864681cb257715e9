"""stisim-venture: an example stisim plugin (a venture capital fund and a firm rule).

stisim imports this module through the ``stisim.plugins`` entry point of the package's
pyproject.toml. Importing it registers the agent type and the firm rule (``fund.py``) and
makes the scenario files in ``scenarios/`` selectable by name: ``scenario=venture/boom``.
"""

from __future__ import annotations

from pathlib import Path

from stisim.plugins import add_scenario_dir
from stisim_venture import fund  # noqa: F401 - registers venture_fund and venture_growth

add_scenario_dir(Path(__file__).resolve().parent / "scenarios")
