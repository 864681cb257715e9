"""Atomic writes: a failed write leaves nothing behind; a rewrite replaces whole."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from stisim.io import open_dataset, write_dataset


def test_roundtrip_netcdf_and_zarr(tmp_path):
    ds = xr.Dataset({"a": ("x", np.arange(3.0))}, attrs={"k": "v"})
    for name in ("r.nc", "r.zarr"):
        path = write_dataset(ds, tmp_path / name)
        assert open_dataset(path).identical(ds)


def test_failed_write_leaves_no_file(tmp_path):
    bad = xr.Dataset({"a": ("x", np.array([object(), object()]))})
    with pytest.raises(Exception):  # noqa: B017 - any failure of the writer
        write_dataset(bad, tmp_path / "r.nc")
    assert list(tmp_path.iterdir()) == []


def test_overwrite_replaces(tmp_path):
    write_dataset(xr.Dataset({"a": ("x", [1.0])}), tmp_path / "r.nc")
    write_dataset(xr.Dataset({"a": ("x", [2.0, 3.0])}), tmp_path / "r.nc")
    assert open_dataset(tmp_path / "r.nc")["a"].values.tolist() == [2.0, 3.0]
