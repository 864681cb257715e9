"""Recognising and opening stisim results, and viewing them as cases × members.

Four kinds of Dataset reach the analysis layer:

- ``run``: one simulation, dims ``time``, ``indicator``, ``goal``;
- ``sweep``: runs stacked along ``run`` (one coord per sampled parameter or lever) and
  ``replicate``, with ``run_status`` and a ``sweep_design`` attribute;
- ``comparison``: prioritisation strategies along ``strategy`` and ``replicate``, plus
  ``spend(strategy, action, year, source)``;
- ``allocation``: one optimised roadmap, dims ``action``, ``year``, ``source``;
- ``pareto``: the optimiser's Pareto front between two objectives, dim ``point``.

Plots and reports look at every simulated kind through :func:`members`: an array with a
``case`` dim (strategies, scenarios or lever settings being compared) and a ``member`` dim
(replicates, or runs × replicates of a sweep) so that one fan chart serves all kinds.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from stisim.errors import DataError

KINDS = ("run", "sweep", "comparison", "allocation", "pareto")
SUFFIXES = (".nc", ".zarr")
# Dims that hold ensemble members rather than compared cases.
MEMBER_DIMS = ("run", "replicate")
# Dims of the outcome itself, never cases.
OUTCOME_DIMS = ("time", "indicator", "goal", "technology", "sector", "region", "action",
                "year", "source")


def kind_of(ds: xr.Dataset) -> str:
    """The kind of a stisim result: ``run``, ``sweep``, ``comparison`` or ``allocation``."""
    if "indicator_value" in ds:
        if "strategy" in ds.dims:
            return "comparison"
        if "run" in ds.dims:
            return "sweep"
        return "run"
    if "spend" in ds and "action" in ds.dims:
        return "allocation"
    if "pareto_primary" in ds and "pareto_secondary" in ds:
        return "pareto"
    raise DataError("not a stisim result: expected indicator_value (run, sweep, comparison), "
                    "spend(action, year, source) (allocation) or pareto_primary(point) "
                    f"(Pareto front); found variables "
                    f"{sorted(map(str, ds.data_vars))}")


@dataclass
class Results:
    """The datasets found at a path, by kind (a path may hold several)."""

    path: Path
    datasets: dict[str, list[xr.Dataset]] = field(default_factory=dict)
    files: dict[str, list[Path]] = field(default_factory=dict)
    skipped: list[tuple[Path, str]] = field(default_factory=list)

    def first(self, kind: str) -> xr.Dataset | None:
        found = self.datasets.get(kind) or []
        return found[0] if found else None

    @property
    def kinds(self) -> list[str]:
        return [k for k in KINDS if self.datasets.get(k)]

    def primary(self) -> xr.Dataset:
        """The dataset a report is about: a comparison, else a sweep, else a run."""
        for kind in ("comparison", "sweep", "run"):
            if self.datasets.get(kind):
                return self.datasets[kind][0]
        raise DataError(f"{self.path}: no simulated result (run, sweep or comparison) found; "
                        f"found kinds: {', '.join(self.kinds) or 'none'}")


def _open(path: Path) -> xr.Dataset:
    from stisim.io import open_dataset

    try:
        return open_dataset(path)
    except (OSError, ValueError, KeyError) as exc:
        raise DataError(f"{path}: cannot be read as a netCDF or zarr dataset ({exc})") from None


def result_files(path: str | os.PathLike) -> list[Path]:
    """Result files at ``path``: the file itself, or the ``.nc``/``.zarr`` entries of a
    directory (top level only, so a sweep's thousands of per-run files are not opened)."""
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: no such file or directory")
    if path.is_file() or path.suffix == ".zarr":
        return [path]
    return sorted(p for p in path.iterdir() if p.suffix in SUFFIXES and not p.name.startswith("."))


def load_results(path: str | os.PathLike) -> Results:
    """Open every stisim result at ``path`` and sort them by kind."""
    path = Path(path)
    files = result_files(path)
    res = Results(path)
    for f in files:
        try:
            ds = _open(f)
            kind = kind_of(ds)
        except DataError as exc:
            if path.is_file() or (f.suffix == ".zarr" and f == path):
                raise
            res.skipped.append((f, str(exc)))
            continue
        res.datasets.setdefault(kind, []).append(ds)
        res.files.setdefault(kind, []).append(f)
    if not res.datasets:
        why = "; ".join(f"{p.name}: {m}" for p, m in res.skipped) or "no .nc or .zarr files"
        raise DataError(f"{path}: no stisim result found ({why})")
    return res


def ok_mask(ds: xr.Dataset) -> xr.DataArray | None:
    """True where a sweep run finished (``run_status == "ok"``); None when all did."""
    if "run_status" not in ds:
        return None
    return ds["run_status"].astype(str) == "ok"


def run_parameters(ds: xr.Dataset) -> list[str]:
    """Names of the coords on ``run`` that describe a sweep's sampled inputs and levers."""
    if "run" not in ds.dims:
        return []
    # design_point numbers the rows of the design matrix: neither an input nor a lever
    return [str(name) for name, c in ds.coords.items()
            if c.dims == ("run",) and name not in ("run", "design_point")]


def design_of(ds: xr.Dataset) -> dict[str, Any]:
    """The parsed ``sweep_design`` attribute (empty when absent)."""
    raw = ds.attrs.get("sweep_design")
    if not raw:
        return {}
    try:
        design = json.loads(raw) if isinstance(raw, str) else dict(raw)
    except json.JSONDecodeError as exc:
        raise DataError(f"sweep_design attribute is not valid JSON: {exc}") from None
    if "design" not in design and "name" in design:
        design["design"] = design["name"]
    if "problem" not in design and "salib_problem" in design:
        design["problem"] = design["salib_problem"]
    return design


CATEGORICAL = ("choice", "categorical", "levels", "lever", "discrete", "grid")


def levers(ds: xr.Dataset) -> list[str]:
    """Sweep coords on ``run`` that set alternatives (strategies, portfolios, budget levels)
    rather than sample uncertainties: declared in ``sweep_design["levers"]``, marked as
    levers or categorical in its parameters, non-numeric, or absent from the design. A
    parameter's ``role`` ("lever" or "uncertainty"), when recorded, decides."""
    design = design_of(ds)
    params = {p.get("name"): p for p in design.get("parameters", []) if isinstance(p, dict)}
    problem_names = set((design.get("problem") or {}).get("names", []))
    sampled = set(params) | problem_names
    declared = set(design.get("levers", []))
    out = []
    for name in run_parameters(ds):
        entry = params.get(name, {})
        if "role" in entry:
            if entry["role"] == "lever":
                out.append(name)
            continue
        kind = str(entry.get("kind", entry.get("distribution", entry.get("dist", "")))).lower()
        if name in problem_names and name not in declared:
            continue
        if (name in declared or kind in CATEGORICAL or ds[name].dtype.kind in "OUSb"
                or (name not in sampled and name != "seed")):
            out.append(name)
    return out


def case_dims(ds: xr.Dataset) -> list[str]:
    """Dims along which a dataset compares alternatives (``strategy``, ``scenario``, ...)."""
    known = set(MEMBER_DIMS) | set(OUTCOME_DIMS) | {"parameter"}
    return [str(d) for d in ds["indicator_value"].dims if d not in known]


def case_labels(ds: xr.Dataset) -> list[str]:
    """Labels of the cases :func:`members` puts on its ``case`` dim."""
    return [str(c) for c in members(ds, "sdg_index")["case"].values]


def members(ds: xr.Dataset, var: str | xr.DataArray, by: str | None = None) -> xr.DataArray:
    """``var`` rearranged to dims ``(case, member, ...)``.

    Cases are the strategies of a comparison (times any extra case dims such as scenario),
    the settings of ``by`` (default: the first lever) in a sweep, or one case for a run.
    Members are replicates, or runs × replicates of a sweep; failed sweep runs are NaN.
    """
    da = ds[var] if isinstance(var, str) else var
    if "run" in da.dims:
        return _sweep_members(ds, da, by)
    cdims = [str(d) for d in da.dims if d not in MEMBER_DIMS and d not in OUTCOME_DIMS]
    if "replicate" in da.dims:
        da = da.rename(replicate="member")
    else:
        da = da.expand_dims(member=[0])
    if not cdims:
        da = da.expand_dims(case=[str(ds.attrs.get("scenario", "run"))])
    elif len(cdims) == 1:
        da = da.rename({cdims[0]: "case"})
        da = da.assign_coords(case=[str(v) for v in da["case"].values])
    else:
        da = da.stack(case=cdims)
        labels = [" / ".join(map(str, v)) for v in da["case"].values]
        da = da.drop_vars(["case", *cdims]).assign_coords(case=labels)
    da = da.assign_coords(member=np.arange(da.sizes["member"]))
    return da.transpose("case", "member", ...)


def _sweep_members(ds: xr.Dataset, da: xr.DataArray, by: str | None) -> xr.DataArray:
    mask = ok_mask(ds)
    if mask is not None:
        da = da.where(mask)
    group = by if by is not None else next(iter(levers(ds)), None)
    if group is None:
        groups = [("all runs", np.arange(da.sizes["run"]))]
    else:
        if group not in ds.coords or ds[group].dims != ("run",):
            raise DataError(f"cannot group sweep runs by {group!r}; coords on run: "
                            f"{', '.join(run_parameters(ds))}")
        keys = np.asarray(ds[group].values)
        groups = [(f"{group}={v}", np.flatnonzero(keys == v))
                  for v in dict.fromkeys(keys.tolist())]
    if "replicate" not in da.dims:
        da = da.expand_dims(replicate=[0])
    da = da.transpose("run", "replicate", ...)
    other = [str(d) for d in da.dims[2:]]
    coords = {d: da[d].values for d in other if d in da.coords}
    parts = []
    for _, idx in groups:
        vals = da.values[idx].reshape(-1, *[da.sizes[d] for d in other])
        parts.append(xr.DataArray(vals, dims=("member", *other),
                                  coords={"member": np.arange(vals.shape[0]), **coords}))
    out = xr.concat(parts, dim="case", join="outer")
    return out.assign_coords(case=[g for g, _ in groups]).transpose("case", "member", ...)


def select_time(da: xr.DataArray | xr.Dataset, year: float, what: str = "time"):
    """Select calendar ``year`` on ``time``: exact, else the nearest step within half a year."""
    times = np.asarray(da["time"].values, dtype=float)
    i = int(np.argmin(np.abs(times - float(year))))
    if abs(times[i] - float(year)) > 0.5:
        raise DataError(f"{what}: year {year:g} is outside the simulated period "
                        f"{times.min():g}-{times.max():g}")
    return da.isel(time=i)


def target_year(ds: xr.Dataset, preferred: float = 2030.0) -> float:
    """The 2030 Agenda's year when simulated, else the last simulated year."""
    times = np.asarray(ds["time"].values, dtype=float)
    if times.min() - 0.5 <= preferred <= times.max() + 0.5:
        return float(times[np.argmin(np.abs(times - preferred))])
    return float(times.max())
