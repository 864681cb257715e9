"""The ``stisim`` command line: the only home of commands, a thin layer over the pipeline,
the drivers and the analysis functions.

* :mod:`~stisim.cli.dispatch` — the command table, :func:`main` and the Hydra runner
  (overrides, ``--cfg job``, ``-m``; every job validated before anything is written);
* one module per command family: ``run_commands`` (``run``, ``countries``),
  ``optimise_commands``, ``sweep_commands`` (``sweep``, ``collect``), ``compare_commands``,
  ``plan_commands`` (``plan``),
  ``analysis_commands`` (``report``, ``dashboard``, ``sensitivity``, ``discover``),
  ``calibrate_commands`` (``calibrate``), ``validate_commands`` (``validate``),
  ``sdg_commands`` (``influence``), ``atlas_commands`` (``atlas``).

Nothing else in stisim imports this package. ``stisim --help`` lists the commands in the
order of :data:`COMMAND_MODULES`.
"""

import importlib

from stisim.cli.dispatch import COMMANDS, Command, command, main, simple_parser

# The command modules, in the order ``stisim --help`` lists their commands; importing one
# registers its commands.
COMMAND_MODULES = ("run_commands", "optimise_commands", "sweep_commands", "compare_commands",
                   "plan_commands", "analysis_commands", "calibrate_commands",
                   "validate_commands", "sdg_commands", "atlas_commands")
for _module in COMMAND_MODULES:
    importlib.import_module(f"stisim.cli.{_module}")

__all__ = ["COMMANDS", "COMMAND_MODULES", "Command", "command", "main", "simple_parser"]
