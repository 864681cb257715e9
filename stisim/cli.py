"""The ``stisim`` command line: a thin layer of subcommands over the pipeline functions.

Hydra-backed subcommands (``run``, ``optimise``, ``sweep``, ``compare``, ``calibrate``)
accept Hydra overrides, ``--cfg job``, ``--help`` and ``-m``. Before Hydra creates any
directory, every job's config is composed and validated, so a bad config writes nothing.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from stisim.errors import StisimError

# Modules that register subcommands; absent ones are skipped (engines arrive separately).
COMMAND_MODULES = ("stisim.commands", "stisim.optimize.cli", "stisim.sweep.cli",
                   "stisim.coupling.cli", "stisim.analysis.cli", "stisim.sdg.cli")


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


def _load_commands() -> None:
    for module in COMMAND_MODULES:
        try:
            __import__(module)
        except ModuleNotFoundError as exc:
            if exc.name is None or not module.startswith(exc.name):
                raise


def _error(exc: StisimError) -> int:
    print(f"stisim: error: {exc}", file=sys.stderr)
    return exc.exit_code


def preflight(config_name: str, argv: Sequence[str]) -> None:
    """Compose and validate every job of the command line before Hydra runs anything."""
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
    from hydra._internal.utils import get_args_parser
    from hydra.core.override_parser.overrides_parser import OverridesParser

    from stisim.config.compose import compose, normalise_overrides, validate_composed
    from stisim.errors import ConfigError, Problem

    args = get_args_parser().parse_args(list(argv))
    if args.help or args.hydra_help or args.cfg or args.info or args.shell_completion:
        return
    overrides = normalise_overrides(args.overrides)
    if args.multirun:
        try:
            parsed = OverridesParser.create().parse_overrides(overrides)
        except Exception as exc:  # noqa: BLE001 - Hydra's grammar errors
            raise ConfigError([Problem("overrides", str(exc).splitlines()[0])]) from None
        jobs = [job for batch in BasicSweeper.split_arguments(parsed, None) for job in batch]
    else:
        jobs = [overrides]
    problems: list[Problem] = []
    for job in jobs:
        try:
            validate_composed(compose(config_name, job))
        except ConfigError as exc:
            label = " ".join(job) if args.multirun else ""
            for p in exc.problems:
                problems.append(Problem(p.path, p.message, p.value, p.allowed,
                                        p.where or (f"job {label}" if label else None)))
    if problems:
        unique = list(dict.fromkeys(problems))
        raise ConfigError(unique)


def _cleanup(run_dir: Path, keep: Sequence[str]) -> None:
    """Remove what Hydra created for a job that produced no result."""
    if not run_dir.exists() or any((run_dir / k).exists() for k in keep):
        return
    for child in run_dir.iterdir():
        if child.name == ".hydra" or child.suffix == ".log":
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    try:
        run_dir.rmdir()
    except OSError:
        return  # something else lives there; leave it


def run_hydra(cmd: Command, argv: Sequence[str]) -> int:
    import hydra
    from hydra.core.hydra_config import HydraConfig

    from stisim.config.compose import config_dir, normalise_overrides, register, validate_composed

    register()
    try:
        preflight(cmd.config_name, argv)
    except StisimError as exc:
        return _error(exc)

    @hydra.main(version_base="1.3", config_path=str(config_dir()), config_name=cmd.config_name)
    def _task(dcfg) -> None:
        run_dir = Path(HydraConfig.get().runtime.output_dir)
        try:
            cfg = validate_composed(dcfg)
            code = cmd.func(cfg, run_dir)
        except StisimError as exc:
            _cleanup(run_dir, keep=())
            sys.exit(_error(exc))
        except BaseException:
            _cleanup(run_dir, keep=())
            raise
        if code:
            sys.exit(code)

    saved = sys.argv
    sys.argv = [f"stisim {cmd.name}", *normalise_overrides(list(argv))]
    try:
        _task()
    finally:
        sys.argv = saved
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``stisim`` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    _load_commands()
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
        import difflib

        close = difflib.get_close_matches(name, COMMANDS, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        print(f"stisim: error: unknown command {name!r}{hint}; allowed: "
              f"{', '.join(COMMANDS)}", file=sys.stderr)
        return 2
    try:
        if cmd.config_name is None:
            return int(cmd.func(rest) or 0)
        return run_hydra(cmd, rest)
    except StisimError as exc:
        return _error(exc)


def simple_parser(name: str, description: str) -> argparse.ArgumentParser:
    """An argparse parser for a plain subcommand, named ``stisim NAME``."""
    return argparse.ArgumentParser(prog=f"stisim {name}", description=description)


if __name__ == "__main__":
    # Under `python -m stisim.cli` this file runs as __main__; command modules register with
    # the importable stisim.cli, so dispatch through that module.
    from stisim.cli import main as _main

    sys.exit(_main())
