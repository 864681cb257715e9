"""Swept parameters: parsing the ``uncertainties`` and ``levers`` specs, their distributions.

An uncertainty is a config path (or config group) with a distribution::

    diffusion.p: {dist: loguniform, low: 0.005, high: 0.05}
    firms.absorptive_capacity: {low: 0.1, high: 0.6}          # uniform
    shocks.pandemic.year: {dist: integer, low: 2025, high: 2035}
    country: [ghana, kenya]                                    # values (a config group)

A lever is a config path (or group) with a list of values. Nested mappings are the same as
dotted keys (``diffusion: {p: {...}}`` is ``diffusion.p``), so Hydra overrides such as
``+sweep.uncertainties.diffusion.p={low:0.01,high:0.03}`` work.

Distributions follow SALib's problem definition, so the design is sampled in the space SALib
analyses and the stored problem dict can be handed to ``SALib.analyze`` as it is. Integer and
categorical parameters are sampled as uniform over ``[low, high + 1)`` or ``[0, n)`` and
floored (``Parameter.decode``).
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from stisim.config.kernel import allowed_text, interval_violations
from stisim.errors import Problem

DISTRIBUTIONS = ("uniform", "loguniform", "triangular", "normal", "lognormal", "integer",
                 "choice")
SPEC_KEYS = ("dist", "low", "high", "mode", "mean", "sd", "values", "levels")
_NEEDS = {"uniform": ("low", "high"), "loguniform": ("low", "high"),
          "triangular": ("low", "mode", "high"), "normal": ("mean", "sd"),
          "lognormal": ("mean", "sd"), "integer": ("low", "high"), "choice": ("values",)}
_ALLOWED = {"uniform": ("low", "high", "levels"), "loguniform": ("low", "high", "levels"),
            "triangular": ("low", "mode", "high", "levels"),
            "normal": ("mean", "sd", "low", "high", "levels"),
            "lognormal": ("mean", "sd", "levels"), "integer": ("low", "high", "levels"),
            "choice": ("values",)}


@dataclass(frozen=True)
class Parameter:
    """One swept parameter: an uncertainty (sampled by the design) or a lever (crossed)."""

    name: str  # config path ("diffusion.p") or config group ("country")
    role: str  # "uncertainty" | "lever"
    dist: str
    low: float | None = None
    high: float | None = None
    mode: float | None = None
    mean: float | None = None
    sd: float | None = None
    values: tuple[Any, ...] | None = None
    levels: int | None = None

    @property
    def is_group(self) -> bool:
        """A config group choice (``country``, ``scenario``) rather than a config path."""
        return "." not in self.name

    @property
    def discrete(self) -> bool:
        return self.dist in ("integer", "choice")

    @property
    def bounded(self) -> bool:
        if self.dist == "normal":
            return self.low is not None
        return self.dist != "lognormal"

    def support(self) -> tuple[float, float] | None:
        """Smallest and largest value the parameter can take (None for categorical)."""
        if self.dist == "choice":
            return None
        if self.dist == "normal" and self.low is None:
            return (-math.inf, math.inf)
        if self.dist == "lognormal":
            return (0.0, math.inf)
        return (float(self.low), float(self.high))

    def salib(self) -> tuple[str, list[float]]:
        """SALib distribution name and bounds (the space the design is sampled in)."""
        d = self.dist
        if d == "uniform":
            return "unif", [self.low, self.high]
        if d == "loguniform":
            return "logunif", [self.low, self.high]
        if d == "triangular":
            return "triang", [self.low, self.high, (self.mode - self.low) /
                              (self.high - self.low)]
        if d == "normal":
            if self.low is None:
                return "norm", [self.mean, self.sd]
            return "truncnorm", [self.low, self.high, self.mean, self.sd]
        if d == "lognormal":
            return "lognorm", [self.mean, self.sd]
        if d == "integer":
            return "unif", [self.low, self.high + 1]
        return "unif", [0, len(self.values)]

    def decode(self, x: np.ndarray) -> list[Any]:
        """Config values from SALib-space samples (floor for integer and categorical)."""
        x = np.asarray(x, dtype=float)
        if self.dist == "integer":
            return [int(v) for v in np.clip(np.floor(x), self.low, self.high)]
        if self.dist == "choice":
            idx = np.clip(np.floor(x), 0, len(self.values) - 1).astype(int)
            return [self.values[i] for i in idx]
        return [float(v) for v in x]

    def factorial_levels(self, default: int) -> np.ndarray:
        """SALib-space points of a full factorial design.

        Bounded uniform-type ranges use evenly spaced points including both ends (the
        corners matter in a factorial design); shaped distributions use the mid-quantiles
        (i + 1/2)/k.
        """
        k = self.levels or default
        if self.dist == "choice":
            return np.arange(len(self.values), dtype=float)
        if self.dist == "integer":
            if self.high - self.low + 1 <= k:
                return np.arange(self.low, self.high + 1, dtype=float)
            return np.unique(np.round(np.linspace(self.low, self.high, k)))
        if self.dist == "uniform":
            return np.linspace(self.low, self.high, k)
        if self.dist == "loguniform":
            return np.geomspace(self.low, self.high, k)
        from SALib.util import scale_samples

        name, bounds = self.salib()
        q = ((np.arange(k) + 0.5) / k)[:, None]
        return scale_samples(q, {"num_vars": 1, "names": [self.name], "bounds": [bounds],
                                 "dists": [name]})[:, 0]

    def describe(self) -> dict[str, Any]:
        """JSON-ready description for the ``sweep_design`` attribute."""
        out: dict[str, Any] = {"name": self.name, "role": self.role, "dist": self.dist}
        for key in ("low", "high", "mode", "mean", "sd", "levels"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.values is not None:
            out["values"] = list(self.values)
        if self.role == "uncertainty":
            out["salib_dist"], out["salib_bounds"] = self.salib()
        out["group"] = self.is_group
        return out


def _is_leaf(node: Any, role: str) -> bool:
    if isinstance(node, (list, tuple)):
        return True
    if isinstance(node, Mapping):
        if role == "lever":
            return "values" in node
        return any(k in node for k in SPEC_KEYS)
    return True


def flatten(spec: Mapping[str, Any] | None, role: str, prefix: str = ""
            ) -> list[tuple[str, Any]]:
    """``(path, leaf spec)`` pairs of a possibly nested mapping of specs."""
    out: list[tuple[str, Any]] = []
    for key, node in (spec or {}).items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if _is_leaf(node, role):
            out.append((path, node))
        else:
            out += flatten(node, role, path)
    return out


def _number(where: str, key: str, value: Any, problems: list[Problem], integer: bool = False
            ) -> float | int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        problems.append(Problem(f"{where}.{key}", "must be a number", value))
        return None
    if integer:
        if isinstance(value, float) and not value.is_integer():
            problems.append(Problem(f"{where}.{key}", "must be an integer", value))
            return None
        return int(value)
    if not math.isfinite(value):
        problems.append(Problem(f"{where}.{key}", "must be finite", value))
        return None
    return float(value)


def _plain(value: Any) -> Any:
    """YAML/OmegaConf containers and numpy scalars as plain Python values."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def parse_uncertainty(path: str, spec: Any, where: str) -> tuple[Parameter | None,
                                                                  list[Problem]]:
    problems: list[Problem] = []
    spec = _plain(spec)
    if isinstance(spec, list):
        spec = {"values": spec}
    if not isinstance(spec, dict):
        return None, [Problem(where, "an uncertainty needs a distribution or a list of values; "
                              "set a single value as an ordinary override", spec,
                              "{dist: uniform, low: .., high: ..} or [v1, v2, ...]")]
    dist = spec.get("dist")
    if dist is None:
        dist = "choice" if "values" in spec else "uniform"
    if dist not in DISTRIBUTIONS:
        return None, [Problem(f"{where}.dist", "unknown distribution", dist,
                              allowed_text(DISTRIBUTIONS, dist))]
    extra = sorted(set(spec) - {"dist", *_ALLOWED[dist]})
    for key in extra:
        problems.append(Problem(f"{where}.{key}", f"not a field of a {dist} distribution",
                                spec[key], allowed_text(_ALLOWED[dist], key)))
    for key in _NEEDS[dist]:
        if key not in spec:
            problems.append(Problem(f"{where}.{key}", f"required by a {dist} distribution",
                                    None, ", ".join(_ALLOWED[dist])))
    if problems:
        return None, problems
    integer = dist == "integer"
    kw: dict[str, Any] = {}
    for key in ("low", "high", "mode", "mean", "sd"):
        if key in spec:
            kw[key] = _number(where, key, spec[key], problems, integer=integer and
                              key in ("low", "high"))
    if "levels" in spec:
        levels = _number(where, "levels", spec["levels"], problems, integer=True)
        if levels is not None and levels < 2:
            problems.append(Problem(f"{where}.levels", "out of range", levels, ">= 2"))
        kw["levels"] = levels
    if dist == "choice":
        values = spec["values"]
        if not isinstance(values, list) or not values:
            problems.append(Problem(f"{where}.values", "must be a non-empty list", values))
        else:
            kw["values"] = tuple(values)
    if problems:
        return None, problems
    low, high = kw.get("low"), kw.get("high")
    if dist == "normal" and (low is None) != (high is None):
        problems.append(Problem(where, "a truncated normal needs both low and high", spec))
    if low is not None and high is not None and not low < high:
        problems.append(Problem(f"{where}.high", "must be greater than low", high,
                                f"> {low}"))
    if dist == "loguniform" and low is not None and low <= 0:
        problems.append(Problem(f"{where}.low", "must be positive for loguniform", low, "> 0"))
    if dist == "triangular" and not problems and not low <= kw["mode"] < high:
        problems.append(Problem(f"{where}.mode", "must lie in [low, high)", kw["mode"],
                                f">= {low} and < {high}"))
    if dist in ("normal", "lognormal") and kw["sd"] <= 0:
        problems.append(Problem(f"{where}.sd", "must be positive", kw["sd"], "> 0"))
    if dist == "normal" and low is not None and not problems and not low <= kw["mean"] <= high:
        problems.append(Problem(f"{where}.mean", "must lie within [low, high]", kw["mean"]))
    if problems:
        return None, problems
    return Parameter(path, "uncertainty", dist, **kw), []


def parse_lever(path: str, spec: Any, where: str) -> tuple[Parameter | None, list[Problem]]:
    spec = _plain(spec)
    if isinstance(spec, dict):
        extra = sorted(set(spec) - {"values"})
        if extra:
            return None, [Problem(f"{where}.{extra[0]}", "a lever is a list of values", None,
                                  "values")]
        spec = spec.get("values")
    if not isinstance(spec, list) or not spec:
        return None, [Problem(where, "a lever needs a non-empty list of values", spec)]
    return Parameter(path, "lever", "choice", values=tuple(spec)), []


def parse_parameters(sweep: Any) -> tuple[list[Parameter], list[Parameter], list[Problem]]:
    """Uncertainties and levers of a ``sweep`` section, with every problem found."""
    problems: list[Problem] = []
    unc: list[Parameter] = []
    lev: list[Parameter] = []
    for role, spec, out, parse in (("uncertainty", sweep.uncertainties, unc, parse_uncertainty),
                                   ("lever", sweep.levers, lev, parse_lever)):
        section = "uncertainties" if role == "uncertainty" else "levers"
        for path, leaf in flatten(spec, role):
            p, probs = parse(path, leaf, f"sweep.{section}.{path}")
            problems += probs
            if p is not None:
                out.append(p)
    seen: dict[str, str] = {}
    for p in [*unc, *lev]:
        if p.name in seen:
            problems.append(Problem(f"sweep.levers.{p.name}", "already swept as an uncertainty",
                                    None, "sweep each config path once"))
        seen[p.name] = p.role
    return unc, lev, problems


# -- checks against the config schema ------------------------------------------------------

def config_groups() -> set[str]:
    """Names of the Hydra config groups (``country``, ``scenario``, ``time``, ...)."""
    from hydra.core.config_store import ConfigStore

    from stisim.config.compose import config_dir, register

    register()
    groups = {p.name for p in config_dir().iterdir() if p.is_dir()}
    groups |= {k for k, v in ConfigStore.instance().repo.items() if isinstance(v, dict)}
    return groups - {"schema", "hydra", "sweep"}


def resolve_field(cfg: Any, path: str) -> tuple[Any, Mapping[str, Any]] | str:
    """Type and metadata of the config field at ``path``, or an error message."""
    parts = path.split(".")
    cls = cfg.sections.get(parts[0])
    if cls is None:
        return f"no config section {parts[0]!r}"
    tp: Any = type(cls)
    meta: Mapping[str, Any] = {}
    for i, part in enumerate(parts[1:], start=1):
        origin = typing.get_origin(tp)
        if dataclasses.is_dataclass(tp):
            fields = {f.name: f for f in dataclasses.fields(tp)}
            if part not in fields:
                where = ".".join(parts[:i])
                return f"{where} has no field {part!r} (fields: {', '.join(sorted(fields))})"
            meta = fields[part].metadata
            tp = typing.get_type_hints(tp)[part]
        elif origin is dict:
            args = typing.get_args(tp)
            tp = args[1] if args else Any
            meta = {}
        elif tp is Any:
            meta = {}
        else:
            return f"{'.'.join(parts[:i])} is a {getattr(tp, '__name__', tp)}, not a section"
    if dataclasses.is_dataclass(tp):
        return f"{path} is a section; sweep one of its fields"
    return tp, meta


def _scalar_type(tp: Any) -> Any:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(tp) if a is not type(None)]
        return inner[0] if len(inner) == 1 else Any
    return tp


def probe_values(cfg: Any, path: str, values: Sequence[Any]) -> list[Problem]:
    """Validate the config with ``path`` set to each value (types, ranges, choices)."""
    from stisim.config.validate import validate
    from stisim.errors import ConfigError

    base = cfg.to_container()
    base.pop("sweep", None)
    problems: list[Problem] = []
    for value in values:
        container = set_path(_copy(base), path, value)
        try:
            validate(container)
        except ConfigError as exc:
            problems += [p for p in exc.problems if p.path == path or
                         p.path.startswith(path + ".") or p.path.startswith(path + "[")]
    return problems


def _copy(container: Any) -> Any:
    if isinstance(container, dict):
        return {k: _copy(v) for k, v in container.items()}
    if isinstance(container, list):
        return [_copy(v) for v in container]
    return container


def set_path(container: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """Set a dotted config path in a plain container (creating mappings on the way)."""
    node = container
    parts = path.split(".")
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    node[parts[-1]] = value
    return container


def check_parameters(cfg: Any) -> list[Problem]:
    """Problems of the sweep's parameters against the config schema and the design."""
    sweep = cfg.sweep
    unc, lev, problems = parse_parameters(sweep)
    groups: set[str] | None = None
    for p in [*unc, *lev]:
        section = "uncertainties" if p.role == "uncertainty" else "levers"
        where = f"sweep.{section}.{p.name}"
        if p.name == "seed":
            problems.append(Problem(where, "the seed is not swept: use sweep.replicates",
                                    None, "sweep.replicates"))
            continue
        if p.name.split(".")[0] == "sweep":
            problems.append(Problem(where, "a sweep cannot sweep its own settings"))
            continue
        if p.is_group:
            groups = config_groups() if groups is None else groups
            if p.name not in groups:
                problems.append(Problem(where, "not a config group; sweep a config path "
                                        "(section.field) or a group", p.name,
                                        allowed_text(sorted(groups), p.name)))
            elif p.dist != "choice":
                problems.append(Problem(where, "a config group takes a list of option names",
                                        None, f"[{p.name} options ...]"))
            else:
                bad = [v for v in p.values if not isinstance(v, (str, int))]
                if bad:
                    problems.append(Problem(where, "option names must be strings", bad[0]))
            continue
        resolved = resolve_field(cfg, p.name)
        if isinstance(resolved, str):
            problems.append(Problem(where, resolved, p.name))
            continue
        tp, meta = resolved
        tp = _scalar_type(tp)
        if p.dist == "choice":
            for prob in probe_values(cfg, p.name, p.values):
                problems.append(Problem(where, f"value {prob.message}", prob.value,
                                        prob.allowed))
            continue
        if tp is int and p.dist != "integer":
            problems.append(Problem(f"{where}.dist", f"{p.name} is an integer", p.dist,
                                    "integer, or a list of values"))
            continue
        if tp not in (int, float, Any):
            problems.append(Problem(f"{where}.dist", f"{p.name} is not a number",
                                    p.dist, "a list of values"))
            continue
        if meta.get("choices") is not None:
            problems.append(Problem(where, f"{p.name} takes one of fixed values; give them as "
                                    "a list", p.dist))
            continue
        lo, hi = p.support()
        broken = interval_violations(lo, hi, meta)
        if broken:
            hint = " (truncate it with low and high)" if not p.bounded else ""
            problems.append(Problem(where, f"the distribution reaches [{lo}, {hi}], outside "
                                    f"the allowed range of {p.name}{hint}", None,
                                    " and ".join(broken)))
        elif p.bounded:
            # Both ends through the full validation: cross-section checks see them too.
            ends = [int(lo), int(hi)] if p.dist == "integer" else [lo, hi]
            for prob in probe_values(cfg, p.name, ends):
                problems.append(Problem(where, f"an end of the range is refused: "
                                        f"{prob.message}", prob.value, prob.allowed))
    if sweep.design in ("sobol", "morris") and not unc and not problems:
        problems.append(Problem("sweep.uncertainties", f"the {sweep.design} design needs at "
                                "least one uncertainty"))
    if sweep.design == "morris":
        for p in unc:
            if not p.bounded:
                problems.append(Problem(f"sweep.uncertainties.{p.name}", "Morris levels reach "
                                        "the ends of the range: give a bounded distribution "
                                        "(low and high)", p.dist))
    return problems
