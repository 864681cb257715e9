"""Writing results atomically, and reading them back.

Every file stisim writes goes through :func:`atomic_path`: the content is written to a
temporary sibling in the final directory and renamed into place, so a reader (or a resumed
sweep) never sees a half-written file under a final name, and an interrupted write leaves
nothing behind. New files get the permissions ``open()`` would give them (:data:`FILE_MODE`;
``mkstemp``'s 0600 is meant for secrets).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import xarray as xr


def _file_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


FILE_MODE = _file_mode()  # what open() gives a new file under this process's umask


def shown(path: str | os.PathLike) -> str:
    """``path`` as a user should see it: relative to the working directory when inside it
    (``outputs/runs/...``, as the docs show), else absolute."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(p)


@contextmanager
def atomic_path(path: str | os.PathLike, *, directory: bool = False) -> Iterator[Path]:
    """A temporary sibling of ``path`` to write; renamed to ``path`` when the block ends
    without an exception, removed when it raises.

    ``directory=True`` yields an empty temporary directory (zarr stores) that replaces any
    existing ``path``. The parent directory is created when missing.
    """
    path = Path(path)
    prefix = f".{path.name}."
    try:
        tmp = Path(tempfile.mkdtemp(prefix=prefix, dir=path.parent) if directory else
                   _temp_file(prefix, path.parent))
    except FileNotFoundError:  # first file of its directory: create it only when needed
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=prefix, dir=path.parent) if directory else
                   _temp_file(prefix, path.parent))
    try:
        yield tmp
        if directory:
            if path.exists():
                shutil.rmtree(path)
        else:
            os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        if directory:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            tmp.unlink(missing_ok=True)
        raise


def _temp_file(prefix: str, parent: Path) -> str:
    fd, name = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=parent)
    os.close(fd)
    return name


@contextmanager
def atomic_open(path: str | os.PathLike, mode: str = "w", *, fsync: bool = False
                ) -> Iterator[IO]:
    """``open(path, mode)`` on a temporary sibling renamed into place at the end
    (:func:`atomic_path`); ``fsync`` flushes the data to disk before the rename."""
    binary = "b" in mode
    with atomic_path(path) as tmp, tmp.open(mode, encoding=None if binary else "utf-8") as fh:
        yield fh
        if fsync:
            fh.flush()
            os.fsync(fh.fileno())


def write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically."""
    with atomic_open(path, "wb") as fh:
        fh.write(data)
    return Path(path)


def write_text(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    with atomic_open(path, "w") as fh:
        fh.write(text)
    return Path(path)


def write_dataset(ds: xr.Dataset, path: str | os.PathLike, fmt: str | None = None) -> Path:
    """Write ``ds`` to ``path`` (netCDF, or zarr for ``.zarr``) atomically."""
    path = Path(path)
    fmt = fmt or ("zarr" if path.suffix == ".zarr" else "netcdf")
    if fmt == "netcdf":
        with atomic_path(path) as tmp:
            ds.to_netcdf(tmp, engine="netcdf4")
    elif fmt == "zarr":
        with atomic_path(path, directory=True) as tmp:
            ds.to_zarr(tmp, mode="w")
    else:
        raise ValueError(f"unknown output format {fmt!r}; allowed: netcdf, zarr")
    return path


def open_dataset(path: str | os.PathLike) -> xr.Dataset:
    """Open a stisim result (netCDF or zarr) fully into memory."""
    path = Path(path)
    if path.suffix == ".zarr" or path.is_dir():
        return xr.open_zarr(path).load()
    with xr.open_dataset(path, engine="netcdf4") as ds:
        return ds.load()


class DirectoryLock:
    """An exclusive lock on a directory (``DIR/.lock``, :mod:`filelock`), held by one process.

    The lock file is created atomically and never removed by another process: a refused
    command leaves the holder's lock, log and records alone. Acquiring it again in the
    holding process nests (the command line takes it before Hydra writes anything; the sweep
    engine takes it again). The holder's pid is written into the file for messages.
    """

    def __init__(self, directory: str | os.PathLike):
        self.directory = Path(directory)
        self.path = self.directory / ".lock"
        self._lock = None

    def acquire(self) -> None:
        import inspect

        from filelock import FileLock, Timeout

        from stisim.errors import StisimError

        self.directory.mkdir(parents=True, exist_ok=True)
        kwargs = {"timeout": 0, "is_singleton": True}
        if "preserve_lock_file" in inspect.signature(FileLock.__init__).parameters:
            kwargs["preserve_lock_file"] = True  # unlinking a lock file races with waiters
        lock = FileLock(str(self.path), **kwargs)
        try:
            lock.acquire()
        except Timeout:
            try:
                holder = self.path.read_text(encoding="utf-8").strip()
            except OSError:
                holder = ""
            raise StisimError(f"directory {self.directory} is in use by "
                              f"{holder or 'another process'}; wait for it or choose another "
                              "directory (sweep.name / sweep.dir)") from None
        if lock.lock_counter == 1:
            with self.path.open("r+", encoding="utf-8") as fh:
                fh.truncate()
                fh.write(f"pid {os.getpid()}\n")
        self._lock = lock

    def release(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    @property
    def held(self) -> bool:
        return self._lock is not None


# -- limits on reading files --------------------------------------------------------------
# Every file stisim reads from users (scenario and portfolio YAML, CSV tables, workbooks,
# multirun records, the config stored in result files) is checked against these before it
# is parsed: a 405-byte YAML alias bomb otherwise expands to billions of nodes, and lists
# nested a few hundred deep exhaust Python's recursion limit.
MAX_TEXT_BYTES = 20 << 20  # YAML and CSV files
MAX_WORKBOOK_BYTES = 100 << 20  # XLSX, uncompressed
MAX_YAML_DEPTH = 64  # nesting of mappings and lists
MAX_YAML_NODES = 1_000_000  # nodes after expanding aliases


def _limit_error(where: str, message: str, allowed: str):
    from stisim.errors import ConfigError, Problem

    return ConfigError([Problem("<file>", message, None, allowed, where)],
                       title=f"refused {where}")


def check_file_size(path: str | os.PathLike, limit: int = MAX_TEXT_BYTES) -> None:
    """Refuse a file larger than ``limit`` bytes (one message naming it)."""
    size = os.path.getsize(path)
    if size > limit:
        raise _limit_error(str(path), f"file of {size:,} bytes is too large",
                           f"at most {limit:,} bytes")


def check_workbook(path: str | os.PathLike) -> None:
    """Refuse a workbook that is not a zip archive or that unpacks to more than
    :data:`MAX_WORKBOOK_BYTES` (a zip bomb)."""
    import zipfile

    check_file_size(path, MAX_WORKBOOK_BYTES)
    try:
        with zipfile.ZipFile(path) as zf:
            total = sum(info.file_size for info in zf.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise _limit_error(str(path), f"not an XLSX workbook ({exc})",
                           "an .xlsx file written by Excel, LibreOffice or stisim") from None
    if total > MAX_WORKBOOK_BYTES:
        raise _limit_error(str(path), f"workbook unpacks to {total:,} bytes",
                           f"at most {MAX_WORKBOOK_BYTES:,} bytes")


def check_yaml(text: str | bytes, where: str) -> None:
    """Refuse YAML that is too large, nested too deeply, or whose aliases expand to too many
    nodes; fast (one pass over the parser's events, aliases counted, not expanded)."""
    import yaml

    if len(text) > MAX_TEXT_BYTES:
        raise _limit_error(where, f"YAML of {len(text):,} bytes is too large",
                           f"at most {MAX_TEXT_BYTES:,} bytes")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    stack: list[list] = []  # per open collection: [its expanded size, its anchor]
    anchors: dict[str, int] = {}  # anchor -> expanded size of the anchored node
    expanded = 0

    def count(n: int) -> None:
        nonlocal expanded
        expanded += n
        for frame in stack:
            frame[0] += n
        if expanded > MAX_YAML_NODES:
            raise _limit_error(where, "aliases expand to too many nodes (an alias bomb?)",
                               f"at most {MAX_YAML_NODES:,} nodes after expanding aliases")

    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                count(1)
                stack.append([1, event.anchor])
                if len(stack) > MAX_YAML_DEPTH:
                    raise _limit_error(where, f"nested more than {MAX_YAML_DEPTH} levels deep",
                                       f"at most {MAX_YAML_DEPTH} levels of lists and mappings")
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                size, anchor = stack.pop()
                if anchor:
                    anchors[anchor] = size
            elif isinstance(event, yaml.ScalarEvent):
                count(1)
                if event.anchor:
                    anchors[event.anchor] = 1
            elif isinstance(event, yaml.AliasEvent):
                count(anchors.get(event.anchor, 1))
    except yaml.YAMLError:
        return  # the loader that follows reports it with its line


def load_yaml_limited(text: str, where: str):
    """``yaml.safe_load`` of text from a user's file or a result file's attribute, after
    :func:`check_yaml` (raises ConfigError on a limit, yaml.YAMLError on bad syntax)."""
    import yaml

    check_yaml(text, where)
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
