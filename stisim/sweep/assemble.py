"""Streaming assembly of run files into one sweep Dataset with dims ``run`` and ``replicate``.

Memory stays bounded however many runs there are:

1. *Schema pass* — from the digests recorded for every finished run (no run file is read),
   decide each variable's output dtype and whether it is stored per run and replicate (every
   numeric variable, and text that differs between runs) or once (text identical in every
   run: labels and units, which would otherwise be repeated thousands of times).
2. *Skeleton* — a zarr store is created from that template with the sweep-level variables
   (seeds, status, coordinates of every swept parameter) and empty run-varying arrays chunked
   along ``run``.
3. *Region writes* — runs are read a chunk at a time (a chunk fits ``memory`` bytes) and
   written with ``to_zarr(region=...)`` into their own chunks; no ``append_dim``, so no two
   writers ever touch one chunk.
4. netCDF output (the default) is streamed from that store chunk by chunk; zarr output is the
   store itself. The final name appears only when the dataset is complete.

Runs whose index coordinates differ (say ``time`` when the end year is swept) are aligned on
the union of labels; a run that failed, or lacks a variable or a label, holds the fill value
(NaN; "" for text). Integer and boolean variables are then stored as float64 so that NaN can
mark the gaps.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from stisim.errors import DataError

STATUS_OK = "ok"
STATUS_FAILED = "failed"
# Zarr format 2: fixed-width text is part of its specification (format 3 marks it
# unstable), and consolidated metadata is standard.
ZARR_FORMAT = 2


@dataclass
class Cell:
    """One (run, replicate) of the sweep: where its result is, or why there is none."""

    run: int
    replicate: int
    status: str
    seed: int
    file: Path | None = None
    error: str = ""


@dataclass
class _Var:
    kind: str  # index | coord | data
    dims: list[str]
    shape: list[int]
    dtype: str
    digest: str
    file: Path | None = None  # a run file that holds the variable (for its attributes)
    count: int = 1
    varies: bool = False
    itemsize: int = 0
    digests: dict[str, Path] = field(default_factory=dict)  # index coords: digest -> a file


class Schema:
    """What the finished runs hold, built from their recorded descriptions."""

    def __init__(self) -> None:
        self.vars: dict[str, _Var] = {}
        self.attrs: dict[str, tuple[str, bool]] = {}
        self.n = 0
        self.template: Path | None = None

    def add(self, description: Mapping[str, Any], file: Path) -> None:
        self.n += 1
        if self.template is None:
            self.template = file
        for name, (kind, dims, shape, dtype, dig) in description["variables"].items():
            v = self.vars.get(name)
            if v is None:
                self.vars[name] = v = _Var(kind, dims, shape, dtype, dig, file)
                v.count = 0
            elif v.dims != dims:
                raise DataError(f"runs disagree on the dimensions of {name!r}: {v.dims} and "
                                f"{dims} ({file})")
            v.count += 1
            if dig != v.digest or shape != v.shape:
                v.varies = True
            if np.dtype(dtype).kind in "US":
                v.itemsize = max(v.itemsize, np.dtype(dtype).itemsize)
            if kind == "index" and dig not in v.digests:
                v.digests[dig] = file
        for name, dig in description["attrs"].items():
            first = self.attrs.get(name)
            if first is None:
                self.attrs[name] = (dig, False)
            elif first[0] != dig:
                self.attrs[name] = (first[0], True)

    def finish(self) -> None:
        """Variables missing from some runs vary (they are filled where absent)."""
        for v in self.vars.values():
            if v.count < self.n:
                v.varies = True


def read_run(path: Path) -> xr.Dataset:
    """A run file (netCDF classic or netCDF-4) or a zarr store, loaded into memory."""
    path = Path(path)
    if path.is_dir():
        with xr.open_zarr(path) as ds:
            return ds.load()
    with path.open("rb") as fh:
        magic = fh.read(4)
    engine = "scipy" if magic[:3] == b"CDF" else "netcdf4"
    with xr.open_dataset(path, engine=engine, cache=False) as ds:
        return ds.load()


_CODING = ("missing_value", "scale_factor", "add_offset", "_Unsigned", "dtype", "_Encoding",
           "calendar")


def _plain_float(var: xr.Variable) -> bool:
    """A float variable whose stored values are its values (no CF coding but NaN fill)."""
    if var.dtype.kind != "f" or any(k in var.attrs for k in _CODING):
        return False
    fill = var.attrs.get("_FillValue")
    if fill is not None and not np.isnan(fill):
        return False
    return " since " not in str(var.attrs.get("units", ""))


def _decode(value: Any) -> Any:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def read_variables(path: Path, names: set[str] | None = None) -> dict[str, xr.Variable]:
    """The decoded variables of a run file (only ``names`` when given).

    Classic netCDF files (what sweeps write) are read with :mod:`scipy.io` and decoded with
    xarray's CF decoder, skipping the Dataset and index construction of ``open_dataset``,
    which would be most of the assembly's time; other files go through :func:`read_run`.
    """
    path = Path(path)
    if not path.is_dir():
        with path.open("rb") as fh:
            classic = fh.read(3) == b"CDF"
        if classic:
            from scipy.io import netcdf_file
            from xarray.conventions import decode_cf_variables

            with netcdf_file(path, "r", mmap=False) as nc:
                raw = {name: xr.Variable(v.dimensions, v.data,
                                         {k: val if k == "_FillValue" else _decode(val)
                                          for k, val in v._attributes.items()})
                       for name, v in nc.variables.items() if names is None or name in names}
            # Plain floating-point variables need no decoding (most of a run's variables);
            # the others go through xarray's CF decoder.
            plain = {k: xr.Variable(v.dims, v.data.astype(v.dtype.newbyteorder("=")), v.attrs)
                     for k, v in raw.items() if _plain_float(v)}  # netCDF is big-endian
            coded = {k: v for k, v in raw.items() if k not in plain}
            variables, _, _ = decode_cf_variables(coded, {}) if coded else ({}, None, None)
            out = {name: var.load() for name, var in variables.items()}
            out.update(plain)
            return out
    return {k: v for k, v in read_run(path).variables.items() if names is None or k in names}


def _fill_for(dtype: np.dtype) -> Any:
    if dtype.kind in "fc":
        return np.nan
    if dtype.kind in "mM":
        return np.datetime64("NaT") if dtype.kind == "M" else np.timedelta64("NaT")
    if dtype.kind in "US":
        return ""
    return 0


def _out_dtype(v: _Var, needs_fill: bool) -> np.dtype:
    dt = np.dtype(v.dtype)
    if dt.kind in "US":
        # The longest value over all runs (fixed-width text; netCDF-4 stores it as strings).
        return np.dtype(f"{dt.byteorder if dt.kind == 'U' else '|'}{dt.kind}"
                        f"{max(v.itemsize // (4 if dt.kind == 'U' else 1), 1)}")
    if needs_fill and dt.kind in "biu":
        return np.dtype("float64")
    return dt


def _union_indexes(schema: Schema) -> dict[str, Any]:
    """Index coordinates: the common one, or the union of labels across runs."""
    wanted: dict[Path, set[str]] = {}  # each distinct labelling, read once per file
    for name, v in schema.vars.items():
        if v.kind == "index":
            for file in v.digests.values():
                wanted.setdefault(file, set()).add(name)
    read = {file: read_variables(file, names) for file, names in wanted.items()}
    out: dict[str, Any] = {}
    for name, v in schema.vars.items():
        if v.kind != "index":
            continue
        indexes = [read[file][name].to_index_variable().to_index()
                   for file in v.digests.values()]
        index = indexes[0]
        for other in indexes[1:]:
            index = index.union(other)
        out[name] = index
    return out


def _coord_array(values: list[Any]) -> np.ndarray:
    if all(isinstance(v, bool) for v in values):
        return np.array(values, dtype=bool)
    if all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in values):
        return np.array(values, dtype=np.int64)
    if all(isinstance(v, (int, float, np.number)) and not isinstance(v, bool) for v in values):
        return np.array(values, dtype=np.float64)
    return np.array([str(v) for v in values])


def assemble(cells: list[Cell], descriptions: Iterable[tuple[Mapping[str, Any], Path]],
             n_runs: int, n_replicates: int, path: Path, *, fmt: str = "netcdf",
             run_coords: Mapping[str, list[Any]] | None = None,
             extra: xr.Dataset | None = None, attrs: Mapping[str, Any] | None = None,
             memory: int = 256 << 20, variable_docs: Mapping[str, Mapping[str, str]] | None
             = None, log: Any = None) -> Path:
    """Write the sweep Dataset of ``cells`` to ``path`` (netCDF or zarr), streaming.

    ``descriptions`` yields ``(describe(ds), file)`` for every finished cell (the schema
    pass); ``run_coords`` are coordinates along ``run`` (one value per run); ``extra`` holds
    further sweep-level variables (e.g. the design matrix); ``attrs`` the Dataset attributes.
    """
    schema = Schema()
    for desc, file in descriptions:
        schema.add(desc, file)
    schema.finish()
    any_missing = any(c.status != STATUS_OK for c in cells)
    indexes = _union_indexes(schema) if schema.n else {}
    union_dims = {n for n, v in schema.vars.items() if v.kind == "index" and
                  len(v.digests) > 1}
    template = read_run(schema.template) if schema.template is not None else None
    others: dict[Path, xr.Dataset] = {}

    def var_attrs(name: str) -> dict[str, Any]:
        """Attributes of a run variable, from the template or a run that has it."""
        if name in template.variables:
            return dict(template[name].attrs)
        file = schema.vars[name].file
        if file not in others:
            others[file] = read_run(file)
        return dict(others[file][name].attrs)

    varying: dict[str, tuple[_Var, np.dtype, tuple[int, ...]]] = {}
    shared: dict[str, xr.Variable] = {}
    for name, v in schema.vars.items():
        if v.kind == "index":
            continue
        if v.varies or np.dtype(v.dtype).kind not in "US":
            needs_fill = any_missing or v.count < schema.n or bool(union_dims & set(v.dims))
            shape = tuple(len(indexes[d]) if d in indexes else s
                          for d, s in zip(v.dims, v.shape))
            varying[name] = (v, _out_dtype(v, needs_fill), shape)
        else:
            tv = template.variables[name]
            dt = _out_dtype(v, False)
            shared[name] = xr.Variable(v.dims, _as(tv.values, dt), dict(tv.attrs))

    # Chunks along run sized to the memory budget (all varying variables of a chunk).
    bytes_per_run = n_replicates * sum(
        int(np.prod(shape)) * dt.itemsize
        for _, dt, shape in varying.values()) or 1
    chunk = int(max(1, min(n_runs, memory // bytes_per_run)))

    import dask.array as da

    data_vars: dict[str, Any] = {}
    coords: dict[str, Any] = {"run": np.arange(n_runs), "replicate": np.arange(n_replicates)}
    for name, index in indexes.items():
        values = np.asarray(index)
        dt = np.dtype(schema.vars[name].dtype)
        coords[name] = (name, values.astype(str) if dt.kind in "USO" else values.astype(dt),
                        var_attrs(name))
    by_run: dict[int, list[Cell]] = {}
    for c in cells:
        if c.status == STATUS_OK:
            by_run.setdefault(c.run, []).append(c)
    # A netCDF sweep that fits the memory budget is read in one pass and written directly;
    # larger ones (and zarr output) stream chunk by chunk through region writes.
    direct = fmt != "zarr" and chunk >= n_runs
    loaded = (_read_chunk(0, n_runs, n_replicates, by_run, varying, indexes, union_dims)
              if direct and varying else {})
    encoding: dict[str, dict[str, Any]] = {}
    for name, (v, dt, shape) in varying.items():
        arr = loaded[name] if direct else da.full(
            (n_runs, n_replicates, *shape), _fill_for(dt), dtype=dt,
            chunks=(chunk, n_replicates, *shape))
        var = ("run", "replicate", *v.dims), arr, var_attrs(name)
        (coords if v.kind == "coord" else data_vars)[name] = var
        encoding[name] = {"chunks": (chunk, n_replicates, *shape)}
        if fmt != "zarr":
            # The zarr store is only a staging area for the netCDF file: compressing it
            # just to decompress it again would cost CPU for nothing.
            encoding[name]["compressors"] = None
        if dt.kind not in "fc":
            encoding[name]["_FillValue"] = None
    for name, var in shared.items():
        (coords if schema.vars[name].kind == "coord" else data_vars)[name] = var
        if var.dtype.kind not in "fc":
            encoding[name] = {"_FillValue": None}

    width = max([len(c.error or "") for c in cells] + [1])
    status = np.full((n_runs, n_replicates), "missing", dtype="<U7")
    error = np.full((n_runs, n_replicates), "", dtype=f"<U{width}")
    seed = np.zeros((n_runs, n_replicates), dtype=np.int64)
    for c in cells:
        status[c.run, c.replicate] = c.status
        error[c.run, c.replicate] = c.error or ""
        seed[c.run, c.replicate] = c.seed
    docs = variable_docs or {}
    data_vars["seed"] = (("run", "replicate"), seed, dict(docs.get("seed", {})))
    data_vars["run_status"] = (("run", "replicate"), status, dict(docs.get("run_status", {})))
    data_vars["run_error"] = (("run", "replicate"), error, dict(docs.get("run_error", {})))
    for name in ("run_status", "run_error"):
        encoding[name] = {"_FillValue": None}
    encoding["seed"] = {"_FillValue": None}
    for name, values in (run_coords or {}).items():
        arr = _coord_array(list(values))
        coords[name] = ("run", arr, {"long_name": f"swept value of {name}"})
        if arr.dtype.kind not in "fc":
            encoding[name] = {"_FillValue": None}
    skeleton = xr.Dataset(data_vars, coords=coords)
    if extra is not None:
        skeleton = skeleton.merge(extra)
        for name in extra.variables:
            if extra[name].dtype.kind not in "fc":
                encoding[name] = {"_FillValue": None}
    skeleton["run"].attrs.update(long_name="run of the sweep (design point x lever "
                                 "combination)")
    skeleton["replicate"].attrs.update(long_name="replicate (seed) of a run")
    common = {}
    if template is not None:
        common = {k: v for k, v in template.attrs.items()
                  if k in schema.attrs and not schema.attrs[k][1]}
    skeleton.attrs = {**common, **dict(attrs or {})}

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    store = work / "sweep.zarr"
    try:
        if direct:
            tmp = work / "sweep.nc"
            skeleton.to_netcdf(tmp, engine="netcdf4")
            tmp.replace(path)
            return path
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*[Cc]onsolidated metadata.*")
            skeleton.to_zarr(store, mode="w", compute=False, encoding=encoding,
                             consolidated=True, zarr_format=ZARR_FORMAT)
            for start in range(0, n_runs, chunk):
                stop = min(n_runs, start + chunk)
                if varying:
                    _write_chunk(store, start, stop, n_replicates, by_run, varying, indexes,
                                 union_dims)
                if log is not None:
                    log.debug("assembled runs %d-%d of %d", start, stop - 1, n_runs)
        _finish(store, work, path, fmt)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return path


def _as(values: np.ndarray, dt: np.dtype) -> np.ndarray:
    """``values`` in the output dtype (text read back as objects becomes fixed-width)."""
    if dt.kind in "US" and values.dtype.kind == "O":
        values = values.astype(str)
    return values.astype(dt, copy=False)


def _read_chunk(start: int, stop: int, n_reps: int, by_run: Mapping[int, list[Cell]],
                varying: Mapping[str, tuple[_Var, np.dtype, tuple[int, ...]]],
                indexes: Mapping[str, Any], union_dims: set[str]) -> dict[str, np.ndarray]:
    """The varying variables of runs ``start:stop`` as (run, replicate, ...) arrays."""
    buffers = {name: np.full((stop - start, n_reps, *shape), _fill_for(dt), dtype=dt)
               for name, (_, dt, shape) in varying.items()}
    wanted = set(varying) | set(indexes)
    for run in range(start, stop):
        for cell in by_run.get(run, ()):
            try:
                variables = read_variables(cell.file, wanted)
            except Exception as exc:  # noqa: BLE001 - any unreadable file is reported alike
                raise DataError(f"cannot read run file {cell.file} ({exc}); run the sweep "
                                "again to recompute it") from None
            if union_dims & set(variables):
                ds = xr.Dataset(variables)
                ds = ds.reindex({d: indexes[d] for d in union_dims if d in ds.dims})
                variables = dict(ds.variables)
            for name, (v, dt, _) in varying.items():
                if name not in variables:
                    continue
                values = variables[name].transpose(*v.dims).values
                buffers[name][run - start, cell.replicate] = _as(values, dt)
    return buffers


def _write_chunk(store: Path, start: int, stop: int, n_reps: int,
                 by_run: Mapping[int, list[Cell]],
                 varying: Mapping[str, tuple[_Var, np.dtype, tuple[int, ...]]],
                 indexes: Mapping[str, Any], union_dims: set[str]) -> None:
    buffers = _read_chunk(start, stop, n_reps, by_run, varying, indexes, union_dims)
    region = xr.Dataset({name: (("run", "replicate", *varying[name][0].dims), buf)
                         for name, buf in buffers.items()})
    region.to_zarr(store, region={"run": slice(start, stop)}, mode="r+")


def _finish(store: Path, work: Path, path: Path, fmt: str) -> None:
    import dask

    if fmt == "zarr":
        if path.exists():
            shutil.rmtree(path) if path.is_dir() else path.unlink()
        store.rename(path)
        return
    tmp = work / "sweep.nc"
    with dask.config.set(scheduler="synchronous"), xr.open_zarr(store) as ds:
        ds.drop_encoding().to_netcdf(tmp, engine="netcdf4")
    tmp.replace(path)


def json_attr(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, default=str)
