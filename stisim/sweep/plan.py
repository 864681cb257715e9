"""Expanding a sweep config into runs and tasks.

Runs are ordered lever-major: run ``i`` is design point ``i % P`` under lever combination
``i // P`` (``P`` design points), so the runs of one lever combination are in the design's
sample order, as SALib's analysers expect. Each run is replicated ``R`` times; a task is one
(run, replicate) cell.

A task's *key* is a digest of everything that determines its result: the resolved base
config (after any config-group choice), the swept values, the seed, the run function and the
stisim version. Run files and manifest records are addressed by key, so a re-run of the same
sweep finds its finished tasks whatever their position, and a changed sweep recomputes only
what changed.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from stisim._version import __version__
from stisim.config.validate import StisimConfig
from stisim.errors import ConfigError, Problem, StisimError
from stisim.seeds import design_rng, replicate_seeds
from stisim.sweep.designs import Design, build_design
from stisim.sweep.parameters import Parameter, parse_parameters


@dataclass(frozen=True)
class Task:
    """One (run, replicate) cell of a sweep."""

    run: int
    replicate: int
    seed: int
    variant: str  # id of the base config (config-group choices) the values apply to
    values: tuple[tuple[str, Any], ...]  # (config path, value) pairs
    key: str


@dataclass
class SweepPlan:
    """Everything needed to execute and assemble a sweep."""

    name: str
    base: dict[str, Any]  # the sweep's resolved config (sweep section included)
    design: Design
    uncertainties: list[Parameter]
    levers: list[Parameter]
    n_runs: int
    n_replicates: int
    run_values: dict[str, list[Any]]  # parameter -> value per run
    design_point: np.ndarray  # (run,) row of the design matrix
    seeds: np.ndarray  # (run, replicate)
    variants: dict[str, dict[str, Any]]  # variant id -> run config container
    tasks: list[Task]
    run_function: str
    variant_digests: dict[str, str] = field(default_factory=dict)  # variant id -> digest

    @property
    def parameters(self) -> list[Parameter]:
        return [*self.uncertainties, *self.levers]

    def design_attrs(self) -> dict[str, Any]:
        """The ``sweep_design`` attribute: enough to analyse the sweep from its dataset."""
        sweep = self.base["sweep"]
        out: dict[str, Any] = {
            "design": self.design.name,
            "samples": sweep["samples"],
            "design_points": self.design.size,
            "lever_combinations": self.n_runs // max(self.design.size, 1),
            "runs": self.n_runs,
            "replicates": self.n_replicates,
            "seeds": sweep["seeds"],
            "root_seed": int(self.base["seed"]),
            "run_order": "lever-major: run = lever_combination * design_points + design_point",
            "run_function": self.run_function,
            "parameters": [p.describe() for p in self.parameters],
            **{k: v for k, v in self.design.info.items()},
        }
        problem = self.design.problem()
        if problem is not None:
            out["salib_problem"] = problem
        return out


def function_name(fn: Callable | str) -> str:
    """Stable identity of a run function (part of every task key)."""
    if isinstance(fn, str):
        return fn.replace(":", ".")
    return f"{fn.__module__}.{getattr(fn, '__qualname__', fn.__class__.__name__)}"


def digest(obj: Any, size: int = 16) -> str:
    text = json.dumps(obj, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.blake2b(text.encode(), digest_size=size).hexdigest()


def _without_group(overrides: Sequence[str], group: str) -> list[str]:
    out = []
    for ov in overrides:
        key = ov.split("=", 1)[0].lstrip("+~")
        if key.split("@")[0] != group:
            out.append(ov)
    return out


def compose_variant(config_name: str, overrides: Sequence[str]) -> StisimConfig:
    """Compose and validate a config, also from inside a running Hydra application."""
    from hydra.core.global_hydra import GlobalHydra

    from stisim.config.compose import compose, normalise_overrides, validate_composed

    if GlobalHydra.instance().is_initialized():
        from hydra import compose as hydra_compose
        from hydra.errors import HydraException
        from omegaconf.errors import OmegaConfBaseException

        try:
            dcfg = hydra_compose(config_name=config_name,
                                 overrides=normalise_overrides(overrides),
                                 return_hydra_config=True)
        except (HydraException, OmegaConfBaseException) as exc:
            from stisim.config.compose import _translate_hydra_error

            raise _translate_hydra_error(exc, list(overrides)) from None
    else:
        dcfg = compose(config_name, overrides)
    return validate_composed(dcfg)


def run_container(cfg: StisimConfig) -> dict[str, Any]:
    """A run's base config: the resolved config without the sweep's own settings."""
    data = cfg.to_container()
    data.pop("sweep", None)
    return data


def _coord_value(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    return value


def plan_sweep(cfg: StisimConfig, overrides: Sequence[str] | None = None,
               run_function: Callable | str | None = None,
               config_name: str = "sweep") -> SweepPlan:
    """Sample the design, cross it with the levers, and key every (run, replicate) task.

    ``overrides`` are those the config was composed with; they are needed only when a
    config group (``country``, ``scenario``) is swept, to compose each choice.
    """
    sweep = cfg.sweep
    unc, lev, problems = parse_parameters(sweep)
    if problems:
        raise ConfigError(problems, title="invalid sweep")
    design = build_design(sweep.design, unc, samples=sweep.samples, rng=design_rng(cfg.seed),
                          levels=sweep.levels, morris_levels=sweep.morris_levels,
                          second_order=sweep.sobol_second_order,
                          lhs_optimization=sweep.lhs_optimization)
    points = design.values()
    combos = list(itertools.product(*[p.values for p in lev])) or [()]
    n_runs = len(combos) * len(points)
    n_reps = sweep.replicates
    run_values: dict[str, list[Any]] = {p.name: [] for p in [*unc, *lev]}
    design_point = np.tile(np.arange(len(points)), len(combos))
    per_run: list[dict[str, Any]] = []
    for combo in combos:
        for point in points:
            values = {**point, **{p.name: v for p, v in zip(lev, combo)}}
            per_run.append(values)
            for name, value in values.items():
                run_values[name].append(_coord_value(value))

    fn = run_function if run_function is not None else sweep.run_function
    fn_name = function_name(fn)
    group_names = [p.name for p in [*unc, *lev] if p.is_group]
    variants: dict[str, dict[str, Any]] = {}
    variant_digest: dict[str, str] = {}
    variant_of_run: list[str] = []
    bad: list[Problem] = []
    refused: set[str] = set()
    for values in per_run:
        choices = {g: values[g] for g in group_names}
        vid = ",".join(f"{g}={choices[g]}" for g in group_names) or "base"
        variant_of_run.append(vid)
        if vid in variants or vid in refused:
            continue
        if not group_names:
            variants[vid] = run_container(cfg)
        else:
            if overrides is None:
                raise StisimError(
                    f"sweeping the config group(s) {', '.join(group_names)} needs the "
                    "overrides the config was composed with: pass overrides=[...] (the "
                    "command line does this)")
            ovs = list(overrides)
            for g in group_names:
                ovs = _without_group(ovs, g)
            ovs += [f"{g}={choices[g]}" for g in group_names]
            try:
                variants[vid] = run_container(compose_variant(config_name, ovs))
            except ConfigError as exc:
                refused.add(vid)
                for p in exc.problems:
                    bad.append(Problem(p.path, p.message, p.value, p.allowed,
                                       p.where or f"swept choice {vid}"))
                continue
        variant_digest[vid] = digest(variants[vid])
    if bad:
        raise ConfigError(list(dict.fromkeys(bad)), title="invalid sweep")

    seeds = replicate_seeds(cfg.seed, n_runs, n_reps, common=sweep.seeds == "common")
    tasks: list[Task] = []
    for i, values in enumerate(per_run):
        vid = variant_of_run[i]
        paths = tuple((k, v) for k, v in values.items() if k not in group_names)
        for r in range(n_reps):
            seed = int(seeds[i, r])
            key = digest([__version__, fn_name, variant_digest[vid], paths, seed])
            tasks.append(Task(i, r, seed, vid, paths, key))
    return SweepPlan(name=sweep.name, base=cfg.to_container(), design=design,
                     uncertainties=unc, levers=lev, n_runs=n_runs, n_replicates=n_reps,
                     run_values=run_values, design_point=design_point, seeds=seeds,
                     variants=variants, tasks=tasks, run_function=fn_name,
                     variant_digests=variant_digest)
