"""Running a command through Hydra: overrides, ``--cfg job``, ``--help``, ``-m`` multiruns.

Before Hydra creates any directory, every job's config is composed and validated
(:func:`preflight`), so a bad config writes nothing; a job that fails removes what Hydra
created for it.
"""

from __future__ import annotations

import itertools
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from stisim.cli.messages import report_error
from stisim.errors import ConfigError, Problem, StisimError


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


def preflight(config_name: str, argv: Sequence[str]) -> None:
    """Compose and validate every job of the command line before Hydra runs anything."""
    from stisim.config.compose import compose, normalise_overrides, validate_composed

    args = hydra_arguments(argv)
    if args.help or args.hydra_help or args.cfg or args.info or args.shell_completion:
        return
    overrides = normalise_overrides(args.overrides)
    jobs = multirun_jobs(overrides) if args.multirun else [overrides]
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


def run_hydra(cmd: Any, argv: Sequence[str]) -> int:
    """Run a Hydra command (a :class:`stisim.cli.dispatch.Command`): validate every job,
    then hand the command line to Hydra."""
    import hydra
    from hydra.core.hydra_config import HydraConfig

    from stisim.config.compose import config_dir, normalise_overrides, register, validate_composed

    register()
    try:
        preflight(cmd.config_name, argv)
    except StisimError as exc:
        return report_error(exc)

    @hydra.main(version_base="1.3", config_path=str(config_dir()), config_name=cmd.config_name)
    def _task(dcfg) -> None:
        run_dir = Path(HydraConfig.get().runtime.output_dir)
        try:
            cfg = validate_composed(dcfg)
            code = cmd.func(cfg, run_dir)
        except StisimError as exc:
            _cleanup(run_dir, keep=())
            sys.exit(report_error(exc))
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
