"""The command table and the ``stisim`` entry point: ``stisim COMMAND [args...]``.

A command module registers each of its commands with :func:`command`; :func:`main` looks the
command up and runs it, through Hydra (:func:`run_hydra`: overrides, ``--cfg job``,
``--help`` from :mod:`stisim.cli.help`, ``-m``) for commands with a primary config, or with
its own argument parser (:func:`simple_parser`) otherwise. Before Hydra creates any
directory, every job's config is composed and validated (:func:`preflight`), so a bad config
writes nothing; a job that fails removes what Hydra created for it.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stisim.errors import ConfigError, Problem, StisimError


@dataclass
class Command:
    name: str
    help: str
    func: Callable
    config_name: str | None = None  # Hydra primary config, or None for argparse commands
    multirun: bool = True
    exclusive: bool = False  # its output directory is reused (resumed): locked while it runs
    # Hydra commands: turns the command line into the overrides to compose (e.g. adds the
    # country a portfolio names); it may raise a StisimError before anything is written
    prepare: Callable[[list[str]], list[str]] | None = None


COMMANDS: dict[str, Command] = {}


def command(name: str, help: str, config_name: str | None = None, multirun: bool = True,
            exclusive: bool = False, prepare: Callable[[list[str]], list[str]] | None = None):
    """Register a subcommand.

    Hydra commands: ``func(cfg: StisimConfig, run_dir: Path) -> int | None``.
    Plain commands: ``func(argv: list[str]) -> int | None`` (they parse their own args).
    """

    def register(func: Callable) -> Callable:
        COMMANDS[name] = Command(name, help, func, config_name, multirun, exclusive, prepare)
        return func

    return register


def report_error(exc: StisimError) -> int:
    """Print ``exc`` as ``stisim: error: ...`` (one message); the exit status it calls for."""
    print(f"stisim: error: {exc}", file=sys.stderr)
    return exc.exit_code


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
        return run_hydra(cmd, rest)
    except StisimError as exc:
        return report_error(exc)
    except OSError as exc:  # read-only folder, full disk: one message, no traceback
        return report_error(StisimError(os_message(exc)))


# -- Hydra commands ----------------------------------------------------------------------

def hydra_arguments(argv: Sequence[str]) -> Any:
    """Hydra's own reading of a command line (flags and overrides).

    Hydra has no public API for its argument parser; this is the one place stisim reaches
    into ``hydra._internal``, so a Hydra upgrade that moves it breaks here only.
    """
    from hydra._internal.utils import get_args_parser

    return get_args_parser().parse_args(list(argv))


def multirun_jobs(overrides: Sequence[str]) -> list[list[str]]:
    """The jobs of a ``-m`` multirun: the cartesian product of the sweep overrides, as
    Hydra's basic sweeper forms them (a later override of a key replaces an earlier one)."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    try:
        parsed = OverridesParser.create().parse_overrides(list(overrides))
    except Exception as exc:  # noqa: BLE001 - Hydra's grammar errors
        raise ConfigError([Problem("overrides", str(exc).splitlines()[0])]) from None
    choices: dict[str, list[str]] = {}
    for override in parsed:
        key = override.get_key_element()
        if not override.is_sweep_override():
            choices[key] = [f"{key}={override.get_value_element_as_str()}"]
        elif override.is_discrete_sweep():
            choices[key] = [f"{key}={v}" for v in override.sweep_string_iterator()]
        else:
            raise ConfigError([Problem("overrides", "only lists of values can be swept with "
                                       "-m (no ranges or intervals)", key)])
    return [list(job) for job in itertools.product(*choices.values())]


def preflight(config_name: str, argv: Sequence[str]) -> list[tuple[list[str], Any]]:
    """Compose and validate every job of the command line before Hydra runs anything; the
    jobs with their composed configs (none for --help, --cfg and the like)."""
    from stisim.config.compose import compose, normalise_overrides, validate_composed

    args = hydra_arguments(argv)
    if args.help or args.hydra_help or args.cfg or args.info or args.shell_completion:
        return []
    overrides = normalise_overrides(args.overrides)
    jobs = multirun_jobs(overrides) if args.multirun else [overrides]
    problems: list[Problem] = []
    composed_jobs = []
    for job in jobs:
        try:
            composed = compose(config_name, job)
            validate_composed(composed)
            _check_run_dir(composed, job, args.multirun)
            composed_jobs.append((job, composed))
        except ConfigError as exc:
            label = " ".join(job) if args.multirun else ""
            for p in exc.problems:
                problems.append(Problem(p.path, p.message, p.value, p.allowed,
                                        p.where or (f"job {label}" if label else None)))
    if problems:
        unique = list(dict.fromkeys(problems))
        raise ConfigError(unique)
    return composed_jobs


def _check_run_dir(cfg: Any, job: Sequence[str], multirun: bool) -> None:
    """Refuse a job whose output directory, chosen by configs rather than by the command
    line, would lie outside the output root."""
    from omegaconf import OmegaConf

    from stisim.config.trust import run_dir_problem

    try:
        directory = OmegaConf.select(cfg, "hydra.sweep.dir" if multirun else "hydra.run.dir",
                                     throw_on_resolution_failure=True)
    except Exception:  # noqa: BLE001 - parts known only to a running job
        return
    if not isinstance(directory, str):
        return
    keys = [ov.lstrip("+~").partition("=")[0] for ov in job]
    problem = run_dir_problem(directory, keys)
    if problem is not None:
        raise ConfigError([problem])


def run_hydra(cmd: Command, argv: Sequence[str]) -> int:
    """Run a Hydra command: validate every job, then hand the command line to Hydra."""
    import hydra
    from hydra.core.hydra_config import HydraConfig

    from stisim.cli import outdirs
    from stisim.config.compose import config_dir, normalise_overrides, register, validate_composed

    if hydra_arguments(argv).help:
        # The command's own help (options, groups, examples); --cfg job prints the config.
        from stisim.cli.help import hydra_command_help

        print(hydra_command_help(cmd.config_name, cmd.name))
        return 0
    register()
    args = hydra_arguments(argv)
    if args.multirun and not cmd.multirun:
        return report_error(ConfigError([Problem("-m", f"stisim {cmd.name} runs one job",
                                                 "-m", "one value per key, no -m")]))
    try:
        if cmd.prepare is not None:
            argv = cmd.prepare(list(argv))
        jobs = preflight(cmd.config_name, argv)
        extra = outdirs.claim(jobs[0][1], jobs[0][0], bool(args.multirun),
                              cmd.exclusive) if jobs else []
    except StisimError as exc:
        outdirs.forget()
        return report_error(exc)
    except OSError as exc:
        outdirs.forget()
        return report_error(StisimError(os_message(exc)))

    @hydra.main(version_base="1.3", config_path=str(config_dir()), config_name=cmd.config_name)
    def _task(dcfg) -> None:
        run_dir = Path(HydraConfig.get().runtime.output_dir)
        try:
            cfg = validate_composed(dcfg)
            code = cmd.func(cfg, run_dir)
        except StisimError as exc:
            outdirs.cleanup(run_dir)
            sys.exit(report_error(exc))
        except OSError as exc:
            outdirs.cleanup(run_dir)
            sys.exit(report_error(StisimError(os_message(exc))))
        except BaseException:
            outdirs.cleanup(run_dir)
            raise
        if code:
            outdirs.cleanup(run_dir)
            sys.exit(code)

    saved = sys.argv
    sys.argv = [f"stisim {cmd.name}", *normalise_overrides(list(argv)), *extra]
    try:
        _task()
    finally:
        sys.argv = saved
        outdirs.forget()
    return 0


def os_message(exc: OSError) -> str:
    """One line for an operating-system error (read-only folder, full disk, ...)."""
    where = f" {exc.filename}" if exc.filename else ""
    return f"cannot write{where}: {exc.strerror or exc}"
