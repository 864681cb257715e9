"""The command table and the ``stisim`` entry point: ``stisim COMMAND [args...]``.

A command module registers each of its commands with :func:`command`; :func:`main` looks the
command up and runs it, through Hydra (:mod:`stisim.cli.hydra_runner`) for commands with a
primary config, or with its own argument parser (:func:`simple_parser`) otherwise.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from stisim.cli.messages import report_error
from stisim.errors import StisimError


@dataclass
class Command:
    name: str
    help: str
    func: Callable
    config_name: str | None = None  # Hydra primary config, or None for argparse commands
    multirun: bool = True


COMMANDS: dict[str, Command] = {}


def command(name: str, help: str, config_name: str | None = None, multirun: bool = True):
    """Register a subcommand.

    Hydra commands: ``func(cfg: StisimConfig, run_dir: Path) -> int | None``.
    Plain commands: ``func(argv: list[str]) -> int | None`` (they parse their own args).
    """

    def register(func: Callable) -> Callable:
        COMMANDS[name] = Command(name, help, func, config_name, multirun)
        return func

    return register


def simple_parser(name: str, description: str) -> argparse.ArgumentParser:
    """An argparse parser for a plain subcommand, named ``stisim NAME``."""
    return argparse.ArgumentParser(prog=f"stisim {name}", description=description)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``stisim`` console script (and ``python -m stisim``)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help", "help"):
        from stisim._version import __version__

        print(f"stisim {__version__}: STI investment vs SDG outcomes — simulate, optimise, "
              "explore.\n\nusage: stisim COMMAND [overrides...] [--help]\n\ncommands:")
        for cmd in COMMANDS.values():
            print(f"  {cmd.name:<11} {cmd.help}")
        print("\nExample: stisim run country=ghana seed=3   (stisim COMMAND --help for more)")
        return 0
    if argv[0] in ("-V", "--version"):
        from stisim._version import __version__

        print(__version__)
        return 0
    name, rest = argv[0], argv[1:]
    cmd = COMMANDS.get(name)
    if cmd is None:
        from stisim.config.kernel import allowed_text

        print(f"stisim: error: unknown command {name!r}; allowed: "
              f"{allowed_text(COMMANDS, name)}", file=sys.stderr)
        return 2
    try:
        if cmd.config_name is None:
            return int(cmd.func(rest) or 0)
        from stisim.cli.hydra_runner import run_hydra

        return run_hydra(cmd, rest)
    except StisimError as exc:
        return report_error(exc)
