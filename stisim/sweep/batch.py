"""Worker side of a sweep: run a batch of tasks, write each result atomically, report.

A batch holds many tasks so that process start-up, imports and data loading are paid once per
worker: the run function is resolved once per worker process (module cache below), and the
country baselines stay in :func:`stisim.baseline.load_baseline`'s per-process cache between
batches. A task that raises is recorded (error, traceback, config) and the batch goes on.

Run files are netCDF: classic 64-bit-offset netCDF (fast to write and read, which keeps
stisim's overhead per run small) or netCDF-4 when a run's variables need it. Each file is
written to a temporary name in its final directory and renamed into place, so a killed
worker never leaves a half-written run file under a final name.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import pickle
import socket
import time
import traceback
import typing
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from stisim.io import write_bytes
from stisim.sweep.parameters import _copy, set_path
from stisim.sweep.plan import Task

RESERVED_DIMS = ("run", "replicate")
_FUNCTIONS: dict[str, Callable] = {}  # per-worker cache of resolved run functions


@dataclass
class Batch:
    """Tasks sent to one worker in one call."""

    run_function: Callable | str
    directory: str
    variants: dict[str, dict[str, Any]]
    tasks: list[Task]
    digests: dict[str, str] = dataclasses.field(default_factory=dict)  # variant -> digest


def resolve_function(spec: Callable | str) -> Callable:
    """The run function named by ``spec`` (``stisim.pipeline.run`` or ``pkg.mod:func``)."""
    if callable(spec):
        return spec
    if spec in _FUNCTIONS:
        return _FUNCTIONS[spec]
    from stisim.plugins import resolve_object

    obj = resolve_object(spec)
    _FUNCTIONS[spec] = obj
    return obj


_VARIANTS: dict[str, bytes] = {}  # per-worker cache: variant digest -> validated sections


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _replace(node: Any, parts: list[str], value: Any, path: str, walker: Any) -> Any:
    """``node`` (a section dataclass or a mapping) with the field at ``parts`` set to
    ``value``, coerced and checked like :func:`stisim.config.validate.validate` does."""
    key = parts[0]
    if dataclasses.is_dataclass(node):
        fields = {f.name: f for f in dataclasses.fields(node)}
        if key not in fields:
            walker.add(path, f"unknown key in {path.rsplit('.', len(parts))[0]}", None,
                       ", ".join(sorted(fields)))
            return node
        if len(parts) == 1:
            coerced = walker.coerce(path, value, _hints(type(node))[key])
            walker.check_meta(path, coerced, fields[key].metadata)
        else:
            coerced = _replace(getattr(node, key), parts[1:], value, path, walker)
        return dataclasses.replace(node, **{key: coerced})
    if isinstance(node, dict):
        out = dict(node)
        out[key] = value if len(parts) == 1 else _replace(node.get(key, {}), parts[1:], value,
                                                            path, walker)
        return out
    walker.add(path, "not a section or mapping", node)
    return node


def run_config(variant: dict[str, Any], values: tuple[tuple[str, Any], ...], seed: int,
               digest: str | None = None):
    """The validated config of one task: the variant with the swept values and the seed.

    The variant is validated once per worker (cached by ``digest``); a task then only coerces
    and checks its swept fields (types, ranges, allowed values, as the validator does) and
    runs the cross-section checks, which costs a small fraction of validating the whole
    config for every run. The values themselves were checked when the sweep was planned.
    Each task gets its own copy of the sections, so a run function that changes its config
    cannot leak into the next run.
    """
    from stisim.config.sections import CHECKS
    from stisim.config.validate import FieldValidator, StisimConfig, validate
    from stisim.errors import ConfigError

    blob = _VARIANTS.get(digest) if digest else None
    if blob is None:
        blob = pickle.dumps(validate(variant).sections, protocol=pickle.HIGHEST_PROTOCOL)
        if digest:
            _VARIANTS[digest] = blob
    walker = FieldValidator()
    sections = pickle.loads(blob)
    for path, value in values:
        head, *rest = path.split(".")
        if head not in sections or not rest:
            walker.add(path, "not a config path of a section", value)
            continue
        sections[head] = _replace(sections[head], rest, value, path, walker)
    if walker.problems:
        raise ConfigError(walker.problems)
    cfg = StisimConfig(seed=int(seed), sections=sections)
    problems = [p for check in CHECKS for p in check(cfg)]
    if problems:
        raise ConfigError(problems)
    return cfg


def run_container(variant: dict[str, Any], values: tuple[tuple[str, Any], ...], seed: int
                  ) -> dict[str, Any]:
    """The plain config of one task (for failure reports)."""
    container = _copy(variant)
    for path, value in values:
        set_path(container, path, value)
    container["seed"] = int(seed)
    return container


def _hash_values(values: np.ndarray) -> str:
    h = hashlib.blake2b(digest_size=8)
    h.update(f"{values.dtype.str}{values.shape}".encode())
    if values.dtype.kind == "O":
        h.update("\x1f".join(map(str, values.ravel().tolist())).encode())
    else:
        h.update(np.ascontiguousarray(values).tobytes())
    return h.hexdigest()


def describe(ds: xr.Dataset) -> dict[str, Any]:
    """Schema and value digests of a run Dataset (what assembly needs without reading it).

    ``variables``: name -> [kind (index|coord|data), dims, shape, dtype, digest].
    ``attrs``: name -> digest of the attribute value.
    """
    variables = {}
    for name, var in ds.variables.items():
        kind = "index" if name in ds.dims else ("coord" if name in ds.coords else "data")
        values = var.values
        dtype = values.dtype.str
        if values.dtype.kind == "O":
            # Text held as objects: recorded as fixed-width text of its longest value.
            longest = max((len(str(v)) for v in values.ravel().tolist()), default=1)
            dtype = np.dtype(f"<U{max(longest, 1)}").str
        variables[str(name)] = [kind, list(map(str, var.dims)), list(var.shape), dtype,
                                _hash_values(values)]
    attrs = {str(k): hashlib.blake2b(repr(v).encode(), digest_size=8).hexdigest()
             for k, v in ds.attrs.items()}
    return {"variables": variables, "attrs": attrs}


def encode(ds: xr.Dataset) -> bytes:
    """netCDF bytes of a run: classic 64-bit offset when possible, else netCDF-4."""
    try:
        return bytes(ds.to_netcdf(engine="scipy", format="NETCDF3_64BIT"))
    except (ValueError, TypeError, OverflowError):
        return bytes(ds.to_netcdf(engine="netcdf4"))


def run_file(key: str) -> str:
    """Path of a task's run file relative to the sweep directory (256-way fan-out)."""
    return f"runs/{key[:2]}/{key}.nc"


def _yaml(container: Any) -> str:
    import yaml

    try:
        return yaml.safe_dump(container, sort_keys=True)
    except yaml.YAMLError:
        return repr(container)


def execute_task(fn: Callable, variant: dict[str, Any], task: Task, directory: Path,
                 digest: str | None = None) -> dict[str, Any]:
    """Run one task; a record for the manifest, status ``ok`` or ``failed``."""
    t0 = time.perf_counter()
    c0 = time.process_time()
    record: dict[str, Any] = {"key": task.key, "run": task.run, "replicate": task.replicate,
                              "seed": task.seed, "values": dict(task.values),
                              "variant": task.variant}
    model_seconds = None
    try:
        cfg = run_config(variant, task.values, task.seed, digest)
        t1 = time.perf_counter()
        ds = fn(cfg)
        model_seconds = time.perf_counter() - t1
        if not isinstance(ds, xr.Dataset):
            raise TypeError(f"the run function returned {type(ds).__name__}, not an "
                            "xarray.Dataset")
        clash = [d for d in RESERVED_DIMS if d in ds.dims or d in ds.variables]
        if clash:
            raise ValueError(f"run datasets may not use the names {clash}: the sweep adds "
                             "these dimensions")
        data = encode(ds)
        rel = run_file(task.key)
        write_bytes(directory / rel, data)
        record.update(status="ok", file=rel, bytes=len(data),
                      checksum=hashlib.blake2b(data, digest_size=16).hexdigest(),
                      schema=describe(ds))
    except Exception as exc:  # noqa: BLE001 - a failing run is recorded; the sweep goes on
        record.update(status="failed", error=f"{type(exc).__name__}: {exc}",
                      traceback=traceback.format_exc(),
                      config=_yaml(run_container(variant, task.values, task.seed)))
    record.update(seconds=time.perf_counter() - t0, model_seconds=model_seconds,
                  cpu_seconds=time.process_time() - c0,
                  host=socket.gethostname(), pid=os.getpid(),
                  finished=datetime.now(UTC).isoformat(timespec="milliseconds"))
    return record


def execute_batch(batch: Batch) -> list[dict[str, Any]]:
    """Run every task of a batch (in a worker); one record per task."""
    directory = Path(batch.directory)
    try:
        fn = resolve_function(batch.run_function)
    except Exception as exc:  # noqa: BLE001 - reported per task like any run failure
        error = f"{type(exc).__name__}: {exc}"
        tb = traceback.format_exc()
        return [{"key": t.key, "run": t.run, "replicate": t.replicate, "seed": t.seed,
                 "values": dict(t.values), "variant": t.variant, "status": "failed",
                 "error": error, "traceback": tb, "config": None, "seconds": 0.0,
                 "model_seconds": None, "host": socket.gethostname(), "pid": os.getpid(),
                 "finished": datetime.now(UTC).isoformat(timespec="milliseconds")}
                for t in batch.tasks]
    return [execute_task(fn, batch.variants[t.variant], t, directory,
                         batch.digests.get(t.variant)) for t in batch.tasks]
