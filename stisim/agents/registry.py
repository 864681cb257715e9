"""Extension registry: agent types and firm rules added without editing the core modules.

A researcher writes a module that registers an agent type (a Mesa agent class) or a
vectorised firm rule, then switches it on with a config entry::

    # my_module.py (stisim.* or a registered plugin, see stisim.plugins)
    from stisim.agents.registry import agent_type, firm_rule

    @agent_type("incubator", params=IncubatorParams, order=45)
    class Incubator(mesa.Agent):
        @classmethod
        def create(cls, model, params): ...
        def step(self): ...

    # scenario file
    extensions:
      modules: [my_module]
      agents: {incubator: {count: 2}}

The core agent types and firm rules are registered through the same functions, with
``core=True``, each in its own module (imported by ``stisim.agents``); the order in which
agent types act each step is the one table :data:`ACTIVATION`, where an extension type takes
its ``order``. The mechanism switchboard (``mechanisms.*``) turns core rules on and off.
See ``stisim.agents.examples.incubator`` for the worked example.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from stisim.config.kernel import allowed_text
from stisim.errors import ConfigError, Problem

# Staged activation: each step, the agent types act in this order (Mesa ``agents_by_type``,
# see stisim.agents.model). An extension type acts at its registered ``order`` among these
# numbers (the incubator example: 45, after the institutes, before the firms).
ACTIVATION = {"ministries": 10.0, "local_governments": 20.0, "partners": 30.0,
              "research_institutes": 40.0, "firms": 50.0}


@dataclass
class AgentTypeSpec:
    """A registered agent type."""

    name: str
    cls: type
    params: type | None = None
    order: float = 45.0  # place in the activation (a core type: its ACTIVATION entry)
    core: bool = False
    # Output variables this type reports (summed over its agents from ``observe()``):
    # name -> {units, long_name, description}; dims are (time,).
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass
class FirmRuleSpec:
    """A registered vectorised firm rule ``func(firms, env, params)``."""

    name: str
    func: Callable
    params: type | None = None
    after: str | None = None  # run after this rule (None: at the end)
    core: bool = False


AGENT_TYPES: dict[str, AgentTypeSpec] = {}
FIRM_RULES: dict[str, FirmRuleSpec] = {}
# Core firm rules in execution order (names double as mechanism switches where one exists).
CORE_RULE_ORDER: list[str] = []


def agent_type(name: str, *, params: type | None = None, order: float | None = None,
               outputs: Mapping[str, Mapping[str, str]] | None = None,
               core: bool = False) -> Callable[[type], type]:
    """Register a Mesa agent class as agent type ``name``.

    The class needs ``create(model, params)`` (a classmethod adding its agents to the model)
    and ``step()``; ``observe() -> dict[str, float]`` reports the declared ``outputs``.
    ``order`` places an extension type's activation among the core types
    (:data:`ACTIVATION`; default 45); a core type takes its place in that table.
    """
    if core and name not in ACTIVATION:
        raise ValueError(f"core agent type {name!r} has no place in ACTIVATION")
    if core and order is not None:
        raise ValueError(f"core agent type {name!r}: its order is ACTIVATION[{name!r}]")
    place = ACTIVATION[name] if core else (45.0 if order is None else float(order))

    def register(cls: type) -> type:
        if params is not None and not dataclasses.is_dataclass(params):
            raise TypeError(f"agent type {name!r}: params must be a dataclass")
        if not hasattr(cls, "create") or not hasattr(cls, "step"):
            raise TypeError(f"agent type {name!r}: {cls.__name__} needs create() and step()")
        existing = AGENT_TYPES.get(name)
        if existing is not None and existing.cls.__qualname__ != cls.__qualname__:
            raise ValueError(f"agent type {name!r} is already registered by {existing.cls}")
        spec = AgentTypeSpec(name, cls, params, place, core,
                             {k: dict(v) for k, v in (outputs or {}).items()})
        AGENT_TYPES[name] = spec
        if spec.outputs:
            from stisim.dataset import register_variables

            register_variables({k: {"dims": ["time"], **v} for k, v in spec.outputs.items()})
        cls.agent_type_name = name
        return cls

    return register


def firm_rule(name: str, *, params: type | None = None, after: str | None = None,
              core: bool = False) -> Callable[[Callable], Callable]:
    """Register a vectorised firm rule ``func(firms, env, params) -> None``.

    Extension rules run after the core rule named by ``after`` (default: after all).
    """

    def register(func: Callable) -> Callable:
        if params is not None and not dataclasses.is_dataclass(params):
            raise TypeError(f"firm rule {name!r}: params must be a dataclass")
        FIRM_RULES[name] = FirmRuleSpec(name, func, params, after, core)
        if core and name not in CORE_RULE_ORDER:
            CORE_RULE_ORDER.append(name)
        return func

    return register


def load_modules(modules: list[str]) -> list[Problem]:
    """Import extension modules (only ``stisim.*`` or registered plugins)."""
    from stisim.plugins import allowed_prefixes, target_allowed

    problems = []
    for i, module in enumerate(modules):
        if not isinstance(module, str) or not target_allowed(module + "."):
            problems.append(Problem(f"extensions.modules[{i}]", "refused: only stisim modules "
                                    "or registered plugins may be imported", module,
                                    ", ".join(p + "*" for p in allowed_prefixes())))
            continue
        try:
            importlib.import_module(module)
        except ImportError as exc:
            problems.append(Problem(f"extensions.modules[{i}]", f"cannot import: {exc}",
                                    module))
    return problems


def parse_params(cls: type | None, raw: Mapping[str, Any] | None, path: str
                 ) -> tuple[Any, list[Problem]]:
    """Validate an extension's parameters against its dataclass (same rules as sections)."""
    from stisim.config.validate import FieldValidator

    raw = dict(raw or {})
    if cls is None:
        if raw:
            return None, [Problem(path, "this extension takes no parameters", raw)]
        return None, []
    walker = FieldValidator()
    value = walker.dataclass(path, raw, cls)
    return value, walker.problems


@dataclass
class Extensions:
    """The ``extensions`` section parsed: enabled types and rules with their parameters."""

    agents: list[tuple[AgentTypeSpec, Any]]
    firm_rules: list[tuple[FirmRuleSpec, Any]]
    problems: list[Problem]


def parse_extensions(ext) -> Extensions:
    """Import the extension modules, resolve the enabled agent types and firm rules by name
    and validate their parameters: the one reading of the ``extensions`` config section
    (config validation reports its problems, the model uses its result)."""
    problems = load_modules(list(ext.modules))
    if problems:
        return Extensions([], [], problems)
    agents, rules = [], []
    extra_agents = sorted(n for n, s in AGENT_TYPES.items() if not s.core)
    for name, raw in ext.agents.items():
        spec = AGENT_TYPES.get(name)
        if spec is None or spec.core:
            problems.append(Problem(f"extensions.agents.{name}", "unknown agent type (import "
                                    "its module with extensions.modules)", name,
                                    allowed_text(extra_agents, name) or "none registered"))
            continue
        value, p = parse_params(spec.params, raw, f"extensions.agents.{name}")
        problems += p
        agents.append((spec, value))
    extra_rules = sorted(n for n, s in FIRM_RULES.items() if not s.core)
    for name, raw in ext.firm_rules.items():
        spec = FIRM_RULES.get(name)
        if spec is None or spec.core:
            problems.append(Problem(f"extensions.firm_rules.{name}", "unknown firm rule "
                                    "(import its module with extensions.modules)", name,
                                    allowed_text(extra_rules, name) or "none registered"))
            continue
        if spec.after is not None and spec.after not in FIRM_RULES:
            problems.append(Problem(f"extensions.firm_rules.{name}", "runs after an unknown "
                                    "rule", spec.after, allowed_text(FIRM_RULES, spec.after)))
        value, p = parse_params(spec.params, raw, f"extensions.firm_rules.{name}")
        problems += p
        rules.append((spec, value))
    return Extensions(agents, rules, problems)


def validate_extensions(ext) -> list[Problem]:
    """Problems with the ``extensions`` config section (modules, names, parameters)."""
    if not (ext.modules or ext.agents or ext.firm_rules):
        return []
    # The core types and rules register when the model module is imported; extensions are
    # checked against them (e.g. a rule that runs after a core rule).
    importlib.import_module("stisim.agents.model")
    return parse_extensions(ext).problems


def active_agent_types(ext) -> list[tuple[AgentTypeSpec, Any]]:
    """Core types and enabled extension types with parsed parameters, in activation order."""
    parsed = parse_extensions(ext)
    if parsed.problems:
        raise ConfigError(parsed.problems)
    out = [(s, None) for s in AGENT_TYPES.values() if s.core] + parsed.agents
    return sorted(out, key=lambda item: item[0].order)


def active_firm_rules(ext, mechanisms) -> list[tuple[FirmRuleSpec, Any]]:
    """The firm rules to run each step, in order: enabled core rules with extension rules
    inserted after the rule they name."""
    order: list[tuple[FirmRuleSpec, Any]] = []
    for name in CORE_RULE_ORDER:
        if getattr(mechanisms, name, True):
            order.append((FIRM_RULES[name], None))
    parsed = parse_extensions(ext)
    if parsed.problems:
        raise ConfigError(parsed.problems)
    for spec, value in parsed.firm_rules:
        names = [s.name for s, _ in order]
        if spec.after is None:
            pos = len(order)
        elif spec.after in names:
            pos = names.index(spec.after) + 1
        else:  # the rule it follows is switched off: keep the core position order
            core_pos = CORE_RULE_ORDER.index(spec.after) if spec.after in CORE_RULE_ORDER else -1
            pos = sum(1 for s, _ in order if s.core and
                      CORE_RULE_ORDER.index(s.name) <= core_pos)
        order.insert(pos, (spec, value))
    return order
