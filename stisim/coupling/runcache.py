"""A content-addressed cache of coupled runs: one agent-model run per file, keyed by the hash
of everything that decides its result.

Every coupled run (strategies compared, pilot batches, response ensembles) is
``simulate(inputs, budgets, seed=s)`` (:mod:`stisim.coupling.replicates`). With
``coupling.run_cache_dir`` set (``stisim plan`` sets it), a run is read from
``<dir>/<key[:2]>/<key>.nc`` when its key is there and simulated and written otherwise, so a
re-run after editing one roadmap action simulates only the allocations that changed.

The key (:func:`run_key`) is the SHA-256 of

* the resolved config without the sections a simulation never reads (``optimise``,
  ``compare``, ``coupling``, ``sweep``, ``calibrate``, ``output``, ``plan``, the root
  shorthands interpolated into them, and the root ``seed``, which the run's seed replaces);
* the run's seed;
* the baseline handed to the model (values, observation years, imputation flags, observed
  history, population; not the memo caches the SDG layer keeps in ``extra``), so inputs
  built under another base year or data file differ;
* the allocation's budget lines (instrument, executor, region, technology, year, amount as
  an exact hexadecimal float), the regions and the simulated years;
* the code: a digest of every file of the installed ``stisim`` package (sources and data),
  of the source files of registered extension agent types and firm rules outside it, the
  installed ``stisim.plugins`` entry points with their versions, and the Python and numeric
  package versions (the last bits of a run depend on them).

A file whose stored key differs from its name is ignored and rewritten. Files are written
atomically (:func:`stisim.io.atomic_path`); two processes computing the same run write the
same bits, so no lock is needed.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

import xarray as xr

# Config parts that never reach a simulation (they drive the loops around it).
NOT_SIMULATED = ("optimise", "compare", "coupling", "sweep", "calibrate", "output", "plan",
                 "atlas", "seed", "portfolio", "objective", "strategies", "replicates")
KEEP = ("indicator_value", "disbursed", "delivered")


NUMERIC = ("numpy", "scipy", "pandas", "xarray", "mesa", "highspy")


def package_versions() -> dict[str, str]:
    """The Python and numeric package versions (they decide the last bits of a run)."""
    import platform
    from importlib import metadata

    env = {"python": platform.python_version()}
    for name in NUMERIC:
        try:
            env[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            env[name] = "absent"
    return env


def environment_key() -> dict[str, str]:
    """What besides the config decides a cached ensemble's bits: the stisim commit (with
    ``-dirty`` for uncommitted changes), the Python and the numeric packages' versions."""
    from stisim.dataset import git_commit

    return {**package_versions(), "stisim": git_commit()}


def _digest_files(paths: list[Path], root: Path | None = None) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(str(p.relative_to(root) if root else p).encode())
        h.update(b"\0")
        h.update(p.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


@cache
def code_digest() -> str:
    """Digest of every file of the stisim package (its code and shipped data)."""
    root = Path(__file__).resolve().parents[1]
    files = sorted(p for p in root.rglob("*") if p.is_file()
                   and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".pyo"))
    return _digest_files(files, root)


def extension_digest() -> str:
    """Digest of the source files of registered extension agent types and firm rules that
    live outside the stisim package (their code decides runs that switch them on)."""
    import inspect

    from stisim.agents.registry import AGENT_TYPES, FIRM_RULES

    root = Path(__file__).resolve().parents[1]
    files = set()
    for obj in [s.cls for s in AGENT_TYPES.values()] + [s.func for s in FIRM_RULES.values()]:
        try:
            path = Path(inspect.getsourcefile(obj) or "")
        except TypeError:
            continue
        if path.is_file() and root not in path.resolve().parents:
            files.add(path.resolve())
    return _digest_files(sorted(files)) if files else "none"


@cache
def environment() -> dict[str, str]:
    """What besides the inputs decides a run's bits: the code, plugins, package versions."""
    from importlib.metadata import entry_points

    env = package_versions()
    env["code"] = code_digest()
    env["plugins"] = ";".join(sorted(
        f"{ep.name}={ep.value}@{ep.dist.version if ep.dist else '?'}"
        for ep in entry_points(group="stisim.plugins")))
    return env


def _frame_bytes(obj: Any) -> str:
    import pandas as pd

    if isinstance(obj, (pd.Series, pd.DataFrame)):
        return obj.to_json(double_precision=15, date_format="iso", default_handler=str)
    return json.dumps(obj, sort_keys=True, default=str)


def baseline_digest(baseline) -> str:
    """Digest of a :class:`stisim.baseline.Baseline` (every field a run can read)."""
    h = hashlib.sha256()
    for name in ("m49", "iso3", "name", "base_year", "value", "year", "source", "imputed",
                 "method", "observed", "population", "population_year", "extra"):
        value = getattr(baseline, name, None)
        if isinstance(value, float):
            value = value.hex()
        if name == "extra":  # keys starting with "_" are memo caches (e.g. "_trend_cache")
            value = {k: v for k, v in (value or {}).items() if not str(k).startswith("_")}
        h.update(name.encode())
        h.update(_frame_bytes(value).encode())
    return h.hexdigest()


def budgets_text(budgets) -> str:
    """A canonical text of an allocation's budget lines (None: no roadmap)."""
    if budgets is None:
        return "none"
    rows = sorted((k.instrument, k.executor, k.region, k.technology, int(y), float(a).hex())
                  for k, years in budgets._lines.items() for y, a in years.items()
                  if float(a) != 0.0)
    return json.dumps({"regions": list(budgets.regions), "base_year": budgets.base_year,
                       "end_year": budgets.end_year, "lines": rows})


def simulation_config(cfg) -> dict[str, Any]:
    """The resolved config without the parts no simulation reads."""
    return {k: v for k, v in cfg.to_container().items() if k not in NOT_SIMULATED}


def inputs_digest(inputs) -> str:
    """The part of a run key shared by every run of the same inputs."""
    payload = {"config": simulation_config(inputs.cfg),
               "baseline": baseline_digest(inputs.baseline),
               "environment": environment(), "extensions": extension_digest()}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()
                          ).hexdigest()


def run_key(inputs, budgets, seed: int, base: str | None = None) -> str:
    """The hash of everything ``simulate(inputs, budgets, seed=seed)`` depends on
    (``base``: :func:`inputs_digest` of ``inputs``, when already computed)."""
    payload = {"inputs": base or inputs_digest(inputs), "seed": int(seed),
               "budgets": budgets_text(budgets)}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


class RunCache:
    """The run files under one directory."""

    def __init__(self, directory: str | Path):
        self.directory = Path(directory)
        self.hits = 0
        self.misses = 0

    @classmethod
    def of(cls, cfg) -> RunCache | None:
        """The cache a config asks for (``coupling.run_cache_dir``), or None."""
        directory = getattr(getattr(cfg, "coupling", None), "run_cache_dir", None)
        return cls(directory) if directory else None

    def path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.nc"

    def get(self, key: str) -> xr.Dataset | None:
        """The cached run of ``key``, or None (absent, unreadable or stored under another
        key)."""
        from stisim.io import open_dataset

        path = self.path(key)
        if not path.exists():
            self.misses += 1
            return None
        try:
            ds = open_dataset(path)
        except Exception:  # noqa: BLE001 - a damaged file is recomputed, never used
            self.misses += 1
            return None
        if ds.attrs.get("run_key") != key:
            self.misses += 1
            return None
        self.hits += 1
        ds.attrs.pop("run_key")
        return ds

    def put(self, key: str, ds: xr.Dataset) -> None:
        from stisim.io import write_dataset

        out = ds.copy()
        out.attrs = {**ds.attrs, "run_key": key}
        write_dataset(out, self.path(key))


def essential(ds: xr.Dataset) -> xr.Dataset:
    """The variables of a run that coupled drivers read (scores are derived from them)."""
    return ds[[v for v in KEEP if v in ds]]
