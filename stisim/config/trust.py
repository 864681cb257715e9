"""The trust model: what a scenario file may set, and where outputs may go.

Scenario files (YAML on ``$STISIM_SCENARIO_PATH`` and in ``scenarios/``) are *data*, shared
between people who do not vet each other's files. They may change model parameters and
narrative metadata; they may not:

* name code: ``_target_`` outside stisim and registered plugins, ``sweep.run_function``,
  ``optimise.extra_functionality``;
* name a machine or a batch system: ``sweep.executor.address``, ``sweep.executor.cluster``,
  ``sweep.executor.jobqueue`` (pickled tasks go to and come from the scheduler; job-script
  options run shell commands);
* run an OmegaConf resolver (``${oc.env:NAME}`` would copy a secret into the outputs'
  ``config`` attribute); plain interpolations such as ``${country.iso3}`` stay allowed;
* change Hydra's settings;
* write outside the output root (``outputs/`` of the working directory, resolved with its
  symlinks) or read input files outside the scenario directories.

The command line and the user's own configs (``configs/``, ``configs/local.yaml``) are
trusted: a directory given there may lie anywhere, and the executor address and run function
may be set there only.

Names that become parts of paths (``scenario.name``, ``sweep.name``, ``output.filename``,
``sweep.filename``, ``country.iso3``) are plain names wherever they come from.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from stisim.errors import Problem

OUTPUT_ROOT = "outputs"

# Keys a scenario file may never set, with the reason given in the message.
SCENARIO_FORBIDDEN: dict[str, str] = {
    "sweep.run_function": "names code to run",
    "optimise.extra_functionality": "names code to run",
    "sweep.executor.address": "names a machine that receives and sends pickled tasks",
    "sweep.executor.cluster": "starts batch jobs on a cluster",
    "sweep.executor.jobqueue": "holds batch-job options (job scripts run shell commands)",
}
# Directories written by commands: from a scenario file they must lie under the output root.
OUTPUT_DIR_KEYS = ("sweep.dir", "coupling.cache_dir", "calibrate.save_dir")
# Files read by commands: from a scenario file they must lie in a scenario directory.
INPUT_PATH_KEYS = ("optimise.portfolio", "compare.portfolio", "sdg.matrix_file")
# Resolvers a scenario file may use: stisim registers none, so none.
ALLOWED_RESOLVERS: frozenset[str] = frozenset()
# Command-line keys that choose where a command writes (the user's choice: not confined).
DIRECTORY_OVERRIDES = ("hydra.run.dir", "hydra.sweep.dir", "hydra.sweep.subdir", "sweep.dir",
                       "hydra.runtime.output_dir")

NAME_LIMIT = 120
_RESOLVER = re.compile(r"\$\{\s*([A-Za-z_][\w.\-]*)\s*:")
_UNSAFE_NAME = re.compile(r"[/\\\x00-\x1f\x7f]")


def output_root() -> Path:
    """``outputs/`` of the working directory, with its symlinks resolved."""
    return (Path.cwd() / OUTPUT_ROOT).resolve()


def is_under(path: str | os.PathLike, root: Path) -> bool:
    """Whether ``path`` (relative to the working directory), resolved with its symlinks,
    lies inside ``root``."""
    resolved = (Path.cwd() / Path(path)).resolve()
    return resolved == root or root in resolved.parents


def plain_name_problem(path: str, value: Any, what: str = "a plain name") -> Problem | None:
    """A problem when ``value`` is not usable as one path component."""
    if not isinstance(value, str):
        return None  # the type check reports it
    if value in ("", ".", "..") or _UNSAFE_NAME.search(value) or len(value) > NAME_LIMIT:
        return Problem(path, f"must be {what} (it becomes part of an output path)", value,
                       f"1 to {NAME_LIMIT} characters, no '/', '\\' or control characters, "
                       "not '.' or '..'")
    return None


def resolvers_in(text: str) -> list[str]:
    """Names of the OmegaConf resolvers called in ``text`` (``${name:...}``)."""
    return [m.group(1) for m in _RESOLVER.finditer(text)]


def _walk(data: Any, prefix: str = "") -> Iterable[tuple[str, Any]]:
    if isinstance(data, Mapping):
        for key, value in data.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            yield path, value
            yield from _walk(value, path)
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield f"{prefix}[{i}]", value
            yield from _walk(value, f"{prefix}[{i}]")


def scenario_file_problems(content: Mapping[str, Any], where: str) -> list[Problem]:
    """What a scenario file's raw content may not hold (see the module docstring)."""
    problems: list[Problem] = []
    for path, value in _walk(content):
        if isinstance(path, str) and path in SCENARIO_FORBIDDEN:
            problems.append(Problem(path, f"refused in a scenario file: it "
                                    f"{SCENARIO_FORBIDDEN[path]}", value,
                                    "set it on the command line or in your own configs/",
                                    where))
        for text in (path, value) if isinstance(value, str) else (path,):
            bad = [r for r in resolvers_in(text) if r not in ALLOWED_RESOLVERS]
            if bad:
                problems.append(Problem(path, "refused in a scenario file: resolvers such as "
                                        f"${{{bad[0]}:...}} read the environment or run code",
                                        text, "plain values and interpolations such as "
                                        "${country.iso3}", where))
        if (path in OUTPUT_DIR_KEYS + INPUT_PATH_KEYS and isinstance(value, str) and value
                and (Path(value).is_absolute() or ".." in Path(value).parts)):
            problems.append(Problem(path, "refused in a scenario file: an absolute path or "
                                    "one with '..'", value, _where_allowed(path), where))
    return problems


def _where_allowed(key: str) -> str:
    if key in OUTPUT_DIR_KEYS:
        return f"a relative path under {OUTPUT_ROOT}/ (or give it on the command line)"
    return "a shipped name or a file in a scenario directory (or give it on the command line)"


def origin_problems(data: Mapping[str, Any], origins: Mapping[str, str],
                    scenario_dirs: Sequence[Path]) -> list[Problem]:
    """Resolved paths a scenario file set: outputs under the output root, inputs in a
    scenario directory (symlinks resolved)."""
    problems: list[Problem] = []
    root = output_root()
    for key in OUTPUT_DIR_KEYS + INPUT_PATH_KEYS:
        if key not in origins:
            continue
        value = _get(data, key)
        if not isinstance(value, str) or not value:
            continue
        if key in OUTPUT_DIR_KEYS:
            ok = is_under(value, root)
        else:
            ok = _input_allowed(value, scenario_dirs)
        if not ok:
            problems.append(Problem(key, "refused: a scenario file may not point outside "
                                    "the allowed places", value, _where_allowed(key),
                                    origins[key]))
    return problems


def _input_allowed(value: str, scenario_dirs: Sequence[Path]) -> bool:
    path = Path(value)
    if path.is_absolute() or ".." in path.parts:
        return False
    candidate = (Path.cwd() / path).resolve()
    if not candidate.exists():
        return True  # a shipped or scenario-directory name, looked up there
    roots = [d.resolve() for d in scenario_dirs]
    return any(candidate == r or r in candidate.parents for r in roots)


def _get(data: Mapping[str, Any], dotted: str) -> Any:
    node: Any = data
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def run_dir_problem(directory: str, cli_keys: Iterable[str]) -> Problem | None:
    """Hydra's output directory must lie under the output root unless the command line
    chose it."""
    if any(k in DIRECTORY_OVERRIDES for k in cli_keys):
        return None
    if is_under(directory, output_root()):
        return None
    return Problem("output directory", "would lie outside the output root", directory,
                   f"a directory under {output_root()} (give another one on the command "
                   "line with sweep.dir=... or hydra.run.dir=...)")
