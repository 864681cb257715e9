"""The instrument response atlas: what a unit of money in each agent instrument does to the
SDG indicators, goal scores, the SDG index and the mechanisms' own outcomes.

A driver above the engines (like :mod:`stisim.coupling`, :mod:`stisim.sweep` and
:mod:`stisim.calibrate`): every run goes through :func:`stisim.pipeline.simulate`.

* :mod:`~stisim.atlas.ensemble` — doses as budget lines, the runs (business as usual and every
  instrument x dose, common random numbers), their end states;
* :mod:`~stisim.atlas.measures` — responses with standard errors, cost effectiveness, the
  purpose and R&D checks;
* :mod:`~stisim.atlas.evidence` — the shipped evidence table and the comparison with it;
* :mod:`~stisim.atlas.driver` — :func:`run_atlas` (config -> Dataset) and the printed table.

Importing the package documents the atlas Dataset's variables (``variables.yml``).
"""

from pathlib import Path

import yaml

from stisim.dataset import register_variables

KIND = "atlas"
with (Path(__file__).parent / "variables.yml").open(encoding="utf-8") as _fh:
    register_variables(yaml.safe_load(_fh), kind=KIND)

from stisim.atlas.driver import format_table, run_atlas  # noqa: E402

__all__ = ["KIND", "format_table", "run_atlas"]
