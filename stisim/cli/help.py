"""``stisim COMMAND --help`` for the Hydra commands: what the command does, its config groups,
its own options with their defaults, the model sections, and examples.

Hydra's own ``--help`` prints the whole composed config (some 570 lines for ``stisim run``);
that stays one flag away (``--cfg job``). The text is built from the command's primary config
(``configs/<command>.yaml``: ``hydra.help`` header, footer and the config groups of its
template) and from the registered config sections, so ``docs/reference/cli.md`` (generated
from the same function) and the terminal show the same help.
"""

from __future__ import annotations

import dataclasses
import textwrap
from typing import Any

# The sections a command reads for itself (shown key by key; by default the section named
# like the command's config, e.g. ``atlas``); the model sections are listed by name only.
# Top-level keys set in the command's primary config are shown too.
OWN_SECTIONS: dict[str, tuple[str, ...]] = {
    "run": ("time", "output"),
    "compare": ("compare", "coupling"),
    "plan": ("plan", "compare"),
}
# Commands that run one job (no -m multirun)
SINGLE_JOB = ("plan",)
_NOT_MODEL = {"time", "output", "scenario", "country", "coupling"}


def own_sections(config_name: str) -> tuple[str, ...]:
    from stisim.config.sections import SECTIONS

    return OWN_SECTIONS.get(config_name, (config_name,) if config_name in SECTIONS else ())


def model_sections() -> list[str]:
    """The sections of the simulated system (every section no command owns)."""
    from stisim.config.compose import SUBCOMMAND_CONFIGS, config_dir
    from stisim.config.sections import SECTIONS

    commands = {p.stem for p in config_dir().glob("*.yaml")} | set(SUBCOMMAND_CONFIGS)
    return [name for name in SECTIONS if name not in _NOT_MODEL and name not in commands]


WIDTH = 100


def _value(value: Any) -> str:
    from omegaconf import DictConfig, ListConfig, OmegaConf

    if isinstance(value, (DictConfig, ListConfig)):
        value = OmegaConf.to_container(value, resolve=False)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (list, dict)):
        text = str(value).replace("'", "")
    else:
        text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _first_clause(doc: str) -> str:
    """The doc's first sentence up to its first parenthesis or semicolon (one help line;
    docs/reference/config.md has the whole text)."""
    doc = " ".join(doc.split()).split(". ")[0].rstrip(".")
    for stop in (" (", "; ", ": "):
        head = doc.split(stop)[0]
        if len(head) >= 20:
            doc = head
    return doc + ")" * (doc.count("(") - doc.count(")"))


def _default(f: dataclasses.Field) -> Any:
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return None


def _plain(value: Any) -> Any:
    """Dataclass instances (and lists of them) as plain containers."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _field_rows(prefix: str, cls: type, overrides: dict) -> list[tuple[str, str, str]]:
    rows = []
    for f in dataclasses.fields(cls):
        key = f"{prefix}.{f.name}"
        default = overrides.get(f.name, _default(f))
        if dataclasses.is_dataclass(default) and not isinstance(default, type):
            rows += _field_rows(key, type(default), {})  # a nested section: key by key
            continue
        if isinstance(default, list) and default and dataclasses.is_dataclass(default[0]):
            shown = f"[{len(default)} entries]"
        else:
            shown = _value(_plain(default))
        rows.append((key, shown, _first_clause(f.metadata.get("doc", ""))))
    return rows


def _option_lines(config_name: str, primary: Any) -> list[str]:
    from omegaconf import OmegaConf

    from stisim.config.sections import SECTIONS, load_builtin_sections

    load_builtin_sections()
    rows: list[tuple[str, str, str]] = []
    own = own_sections(config_name)
    set_here = OmegaConf.to_container(primary, resolve=False)
    for key, value in set_here.items():
        if key in ("defaults", "hydra") or key in own:
            continue
        if isinstance(value, dict) and key in SECTIONS:
            for sub, v in value.items():
                rows.append((f"{key}.{sub}", _value(v), f"set by configs/{config_name}.yaml"))
            continue
        rows.append((key, _value(value), ""))
    for name in own:
        if name in SECTIONS:
            rows += _field_rows(name, SECTIONS[name], set_here.get(name) or {})
    column = min(max((len(k) + len(v) for k, v, _ in rows), default=0) + 4, 44)
    lines = []
    for key, value, doc in rows:
        left = f"  {key}={value}"
        if not doc:
            lines.append(left)
            continue
        if len(left) > column:
            lines.append(left)
            left = ""
        lines.append(f"{left:<{column}} "
                     + textwrap.shorten(doc, WIDTH - column - 1, placeholder=" ..."))
    return lines


def _groups(template: str) -> list[str]:
    if "== Config groups ==" not in template:
        return []
    text = template.split("== Config groups ==", 1)[1].split("== Config ==", 1)[0]
    return ["  " + line for line in text.strip("\n").splitlines() if line.strip()]


def hydra_command_help(config_name: str, command: str | None = None) -> str:
    """The ``--help`` text of a Hydra command whose primary config is ``config_name``."""
    from omegaconf import OmegaConf

    from stisim.config.compose import config_dir
    from stisim.config.sections import load_builtin_sections

    load_builtin_sections()
    command = command or config_name
    primary = OmegaConf.load(config_dir() / f"{config_name}.yaml")
    help_cfg = primary.hydra.help
    parts = [str(help_cfg.get("header", "")).strip(), "",
             f"usage: stisim {command} [KEY=VALUE ...] "
             f"{'' if command in SINGLE_JOB else '[-m] '}[--cfg job] [--help]"]
    groups = _groups(str(help_cfg.get("template", "")))
    if groups:
        parts += ["", "Config groups (GROUP=OPTION):", *groups]
    options = _option_lines(config_name, primary)
    if options:
        parts += ["", f"Options of stisim {command} (KEY=VALUE; defaults shown):", *options]
    model = model_sections()
    parts += ["", "Model sections (any key as SECTION.KEY=VALUE; docs/reference/config.md lists",
              "every key with its unit, range and source):",
              *textwrap.wrap(", ".join(model), WIDTH - 2, initial_indent="  ",
                             subsequent_indent="  "),
              ""]
    if command in SINGLE_JOB:
        parts += [f"stisim {command} --cfg job prints the full composed config; it runs one "
                  "job (no -m)."]
    else:
        parts += [f"stisim {command} --cfg job prints the full composed config; -m runs one "
                  "job per", "combination of comma-separated values (a multirun)."]
    footer = str(help_cfg.get("footer", "")).strip()
    if footer:
        parts += ["", footer]
    return "\n".join(parts).rstrip()
