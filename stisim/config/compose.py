"""Compose configs with Hydra: config directory, scenario files, country options.

* ``configs/`` is the primary config directory (one primary config per subcommand:
  ``run.yaml``, ``optimise.yaml``, ...).
* The defaults of every registered section (see :mod:`stisim.config.sections`) are stored in
  Hydra's ConfigStore as ``stisim_base``; YAML files in ``configs/`` extend them.
* Every country in the shipped data is a ``country`` option (by slug such as
  ``south_africa`` and by M49 code such as ``710``) besides the YAML presets.
* Scenario files (YAML whose first line is ``# @package _global_``) are found in
  ``scenarios/``, in every directory of ``$STISIM_SCENARIO_PATH`` and in the directories
  plugins ship (:func:`stisim.plugins.add_scenario_dir`), and become ``scenario``
  options named by their relative path (``scenario=validation/bass``). A scenario that sets
  ``hydra`` keys, changes Hydra's defaults or names a ``_target_`` outside stisim is refused.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from stisim.errors import ConfigError, Problem

PACKAGE_DIR = Path(__file__).resolve().parents[1]
REPO_DIR = PACKAGE_DIR.parent
SUBCOMMAND_CONFIGS = ("run", "optimise", "sweep", "compare", "calibrate", "plan", "validate")

_UNSAFE: dict[str, list[Problem]] = {}
_SCENARIO_FILES: dict[str, Path] = {}
_SCENARIO_CONTENT: dict[str, dict[str, Any]] = {}


def config_dir() -> Path:
    """The primary config directory (``$STISIM_CONFIG_DIR``, the installed copy, or the repo's)."""
    env = os.environ.get("STISIM_CONFIG_DIR")
    for candidate in (Path(env) if env else None, PACKAGE_DIR / "_configs", REPO_DIR / "configs"):
        if candidate is not None and (candidate / "run.yaml").exists():
            return candidate
    raise FileNotFoundError("stisim configs not found; set STISIM_CONFIG_DIR")


def scenario_dirs() -> list[Path]:
    """Directories searched for scenario files, in priority order."""
    from stisim.plugins import load_plugins
    from stisim.plugins import scenario_dirs as plugin_scenario_dirs

    load_plugins()
    dirs = [Path(p) for p in os.environ.get("STISIM_SCENARIO_PATH", "").split(os.pathsep) if p]
    for candidate in (PACKAGE_DIR / "_scenarios", REPO_DIR / "scenarios"):
        if candidate.is_dir():
            dirs.append(candidate)
            break
    return dirs + plugin_scenario_dirs()  # those plugins ship (stisim.plugins)


def is_scenario_file(path: Path) -> bool:
    with path.open(encoding="utf-8", errors="replace") as fh:
        first = fh.readline(200).strip().replace(" ", "")
    return first == "#@package_global_"


def _flatten(data: Any, prefix: str = "") -> Iterable[str]:
    if isinstance(data, Mapping):
        for key, value in data.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            yield path
            yield from _flatten(value, path)


def scenario_problems(content: Any, where: str) -> list[Problem]:
    """Security checks on a scenario file's raw content."""
    from stisim.config.trust import scenario_file_problems
    from stisim.config.validate import check_targets

    problems: list[Problem] = []
    if content is None:
        return problems
    if not isinstance(content, Mapping):
        return [Problem("<file>", "a scenario file must hold a mapping", type(content).__name__,
                        where=where)]
    if "hydra" in content:
        problems.append(Problem("hydra", "scenario files may not change Hydra settings",
                                where=where))
    defaults = content.get("defaults", []) or []
    if not isinstance(defaults, list) or not all(
            isinstance(e, str) or (isinstance(e, Mapping) and len(e) == 1) for e in defaults):
        problems.append(Problem("defaults", "must be a list of config choices", defaults,
                                "e.g. [/country: kenya]", where=where))
        defaults = []
    for entry in defaults:
        text = yaml.safe_dump(entry).strip() if not isinstance(entry, str) else entry
        if "hydra" in text:
            problems.append(Problem("defaults", "scenario files may not change Hydra's "
                                    "defaults", entry, where=where))
    for p in check_targets(content):
        problems.append(dataclasses.replace(p, where=where))
    problems += scenario_file_problems(content, where)
    return problems


def read_scenario_file(path: Path) -> Any:
    """The content of a scenario file, within stisim's limits on size, nesting and alias
    expansion (stisim.io.check_yaml); one problem naming the file otherwise."""
    from stisim.io import check_file_size, check_yaml

    try:
        check_file_size(path)
        text = path.read_text(encoding="utf-8")
        check_yaml(text, str(path))
        return yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        message = str(exc).splitlines()[0]
        raise ConfigError([Problem("<file>", f"not valid YAML: {message}", where=where)]
                          ) from None
    except (UnicodeDecodeError, OSError) as exc:
        raise ConfigError([Problem("<file>", f"cannot read: {exc}", None, "UTF-8 YAML",
                                   str(path))]) from None


def _register_scenarios(cs) -> None:
    _UNSAFE.clear()
    _SCENARIO_FILES.clear()
    _SCENARIO_CONTENT.clear()
    seen: set[str] = set()
    for root in scenario_dirs():
        for path in sorted(root.rglob("*.yaml")):
            if not is_scenario_file(path):
                continue  # portfolios and other data files live beside scenarios
            name = path.relative_to(root).with_suffix("").as_posix()
            if name in seen:
                continue  # an earlier directory on the path wins
            seen.add(name)
            try:
                content = read_scenario_file(path)
            except ConfigError as exc:
                _UNSAFE[name] = exc.problems
                content = {}
            problems = scenario_problems(content, str(path))
            if problems:
                _UNSAFE[name] = problems
                content = {}
            _SCENARIO_FILES[name] = path
            _SCENARIO_CONTENT[name] = content
            # Hydra finds `scenario=shocks/pandemic` as group scenario/shocks, name pandemic.
            sub, _, leaf = name.rpartition("/")
            cs.store(group="/".join(filter(None, ("scenario", sub))), name=leaf, node=content,
                     package="_global_")


def _register_countries(cs) -> None:
    from stisim.data import countries

    presets = {p.stem for p in (config_dir() / "country").glob("*.yaml")}
    table = countries()
    for m49, row in table.iterrows():
        slug = row["slug"]
        node = {"m49": int(m49), "name": row["name"], "iso3": row["iso3"],
                "un_region": row["un_region"], "laumann_region": row["laumann_region"]}
        if slug in presets:
            # The code selects the richer preset file.
            cs.store(group="country", name=str(m49), node={"defaults": [slug]})
        else:
            cs.store(group="country", name=slug, node=node)
            cs.store(group="country", name=str(m49), node=node)


_STORED_SECTIONS: dict[str, type] = {}


def _store_sections(cs) -> None:
    """Store the defaults of every registered section as ``stisim_base`` (and the typed
    schemas), again whenever a plugin or extension has registered or removed a section."""
    from stisim.config.sections import SECTIONS, load_builtin_sections

    load_builtin_sections()
    if SECTIONS == _STORED_SECTIONS:
        return
    # The defaults of every section, as plain containers: the dataclasses are their one source.
    base = {name: dataclasses.asdict(cls()) for name, cls in SECTIONS.items()}
    cs.store(name="stisim_base", node={"seed": 42, **base})
    for name, cls in SECTIONS.items():
        cs.store(group="schema", name=name, node=cls)
    _STORED_SECTIONS.clear()
    _STORED_SECTIONS.update(SECTIONS)


@cache
def _register_options() -> None:
    from hydra.core.config_store import ConfigStore

    cs = ConfigStore.instance()
    _register_countries(cs)
    _register_scenarios(cs)


def register() -> None:
    """Fill Hydra's ConfigStore: section defaults, country options, scenario files."""
    from hydra.core.config_store import ConfigStore

    _store_sections(ConfigStore.instance())
    _register_options()


def rescan() -> None:
    """Forget the country and scenario options, so the next :func:`register` re-reads the
    scenario directories (after a file was added or ``$STISIM_SCENARIO_PATH`` changed)."""
    _register_options.cache_clear()


def scenario_choice(cfg: Any) -> str | None:
    try:
        return cfg.hydra.runtime.choices.get("scenario")
    except Exception:  # noqa: BLE001 - composed without the hydra node
        return None


def origins_for(scenario: str | None) -> dict[str, str]:
    """Which file set each key path (for error messages)."""
    if not scenario or scenario not in _SCENARIO_CONTENT:
        return {}
    where = str(_SCENARIO_FILES[scenario])
    return {path: where for path in _flatten(_SCENARIO_CONTENT[scenario])}


def unsafe_problems(scenario: str | None) -> list[Problem]:
    return list(_UNSAFE.get(scenario or "", []))


def _translate_hydra_error(exc: Exception, overrides: Sequence[str]) -> ConfigError:
    from hydra.errors import MissingConfigException

    text = str(exc)
    if isinstance(exc, MissingConfigException) or "Could not find" in text:
        group = None
        for ov in overrides:
            key, _, value = ov.lstrip("+~").partition("=")
            if key and f"'{key}/{value}'" in text:
                group, bad = key, value
                break
        if group == "country":
            return ConfigError([Problem(
                "country", "not a known country", bad,
                "the presets ethiopia, ghana, india, kenya, serbia, ukraine, or any country of "
                "the shipped data by name or M49 code (e.g. south_africa or 710); "
                "`stisim countries` lists them")])
        if group is not None:
            options = sorted(_SCENARIO_FILES) if group == "scenario" else []
            return ConfigError([Problem(group, f"no such {group} option", bad,
                                        ", ".join(options) or None)])
    match = re.search(r"Could not override '([^']+)'", text)
    if match:
        path = match.group(1)
        parent, _, key = path.rpartition(".")
        allowed = _known_keys(parent)
        return ConfigError([Problem(path, f"unknown key in {parent or 'config'}", None,
                                    ", ".join(allowed) or None)])
    return ConfigError([Problem("overrides", text.splitlines()[0] if text else repr(exc))])


def _known_keys(parent: str) -> list[str]:
    from stisim.config.sections import SECTIONS

    if not parent:
        return sorted([*SECTIONS, "seed"])
    cls = SECTIONS.get(parent.split(".")[0])
    return sorted(f.name for f in dataclasses.fields(cls)) if cls else []


def normalise_overrides(overrides: Sequence[str]) -> list[str]:
    """Quote numeric group choices (``country=404``), which Hydra would parse as integers."""
    out = []
    for ov in overrides:
        key, sep, value = ov.partition("=")
        if sep and key.lstrip("+~") == "country" and re.fullmatch(r"\d+(,\d+)*", value):
            value = ",".join(f"'{v}'" for v in value.split(","))
            ov = f"{key}={value}"
        out.append(ov)
    return out


def compose(config_name: str = "run", overrides: Sequence[str] = (),
            return_hydra_config: bool = True):
    """Compose a config with Hydra's compose API (no output directories are created)."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    register()
    overrides = normalise_overrides(overrides)
    try:
        with initialize_config_dir(config_dir=str(config_dir()), version_base="1.3"):
            return hydra_compose(config_name=config_name, overrides=list(overrides),
                                 return_hydra_config=return_hydra_config)
    except (HydraException, OmegaConfBaseException, ValueError, TypeError, KeyError,
            AttributeError) as exc:  # Hydra raises plain ValueErrors on malformed files
        raise _translate_hydra_error(exc, overrides) from None


def to_container(cfg) -> dict[str, Any]:
    from omegaconf import OmegaConf

    data = OmegaConf.to_container(cfg, resolve=False)
    data.pop("hydra", None)
    # Resolve after removing the hydra node, whose interpolations need a running job.
    return OmegaConf.to_container(OmegaConf.create(data), resolve=True)


def validate_composed(cfg):
    """Validate a composed DictConfig (from the compose API or ``@hydra.main``)."""
    from stisim.config.trust import origin_problems
    from stisim.config.validate import validate

    choice = scenario_choice(cfg)
    problems = unsafe_problems(choice)
    if problems:
        raise ConfigError(problems, title=f"scenario {choice!r} refused")
    from stisim.config import small

    data = small.apply(to_container(cfg))  # STISIM_SMALL=1: documented small sizes
    origins = origins_for(choice)
    problems = origin_problems(data, origins, scenario_dirs())
    if problems:
        raise ConfigError(problems, title=f"scenario {choice!r} refused")
    return validate(data, origins=origins)


def load_config(config_name: str = "run", overrides: Sequence[str] = ()):
    """Compose and validate: the typed :class:`~stisim.config.validate.StisimConfig`."""
    return validate_composed(compose(config_name, overrides))
