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


def test_text_and_bytes_writers_are_atomic(tmp_path):
    from stisim.io import FILE_MODE, atomic_open, write_bytes, write_text

    path = write_text(tmp_path / "new" / "a.txt", "one")  # creates the directory
    assert path.read_text() == "one" and (path.stat().st_mode & 0o777) == FILE_MODE
    with pytest.raises(RuntimeError), atomic_open(path, "w") as fh:
        fh.write("half")
        raise RuntimeError("interrupted")
    assert path.read_text() == "one"  # the old content stays whole
    assert sorted(p.name for p in path.parent.iterdir()) == ["a.txt"]  # no temporary left
    write_bytes(path, b"two")
    assert path.read_bytes() == b"two"


def test_paths_are_shown_relative_to_the_working_directory(tmp_path, monkeypatch):
    from stisim.io import shown

    monkeypatch.chdir(tmp_path)
    inside = tmp_path / "outputs" / "runs" / "run.nc"
    assert shown(inside) == "outputs/runs/run.nc"  # as the docs show it
    assert shown("outputs/x.nc") == "outputs/x.nc"
    elsewhere = tmp_path.parent / "elsewhere.nc"
    assert shown(elsewhere) == str(elsewhere)
