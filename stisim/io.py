"""Writing results atomically: a temporary name in the same directory, then a rename."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import xarray as xr


def write_dataset(ds: xr.Dataset, path: str | os.PathLike, fmt: str | None = None) -> Path:
    """Write ``ds`` to ``path`` (netCDF, or zarr for ``.zarr``) so that readers never see a
    half-written file: the data goes to a temporary sibling that is renamed into place."""
    path = Path(path)
    fmt = fmt or ("zarr" if path.suffix == ".zarr" else "netcdf")
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "netcdf":
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
        try:
            ds.to_netcdf(tmp, engine="netcdf4")
            os.chmod(tmp, 0o666 & ~_umask())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    elif fmt == "zarr":
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
        try:
            ds.to_zarr(tmp, mode="w")
            if path.exists():
                shutil.rmtree(path)
            os.replace(tmp, path)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    else:
        raise ValueError(f"unknown output format {fmt!r}; allowed: netcdf, zarr")
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def open_dataset(path: str | os.PathLike) -> xr.Dataset:
    """Open a stisim result (netCDF or zarr) fully into memory."""
    path = Path(path)
    if path.suffix == ".zarr" or path.is_dir():
        return xr.open_zarr(path).load()
    with xr.open_dataset(path, engine="netcdf4") as ds:
        return ds.load()
