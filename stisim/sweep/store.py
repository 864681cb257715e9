"""The sweep directory: run files, an append-only manifest, a lock.

Layout::

    <sweep dir>/
      sweep.json        the plan: design, parameters, base config (rewritten at each start)
      manifest.jsonl    one JSON record per finished task, appended as tasks finish
      runs/ab/<key>.nc  one netCDF file per finished task, written atomically
      sweep.log         the log of every invocation
      sweep.nc          the assembled sweep dataset (or sweep.zarr)

Only the process driving the sweep writes the manifest. A record is appended (one ``write``
of one line) after its run file is in place, so a kill at any moment leaves at worst a run
file without a record (it is recomputed) or a truncated last line (dropped on the next load).
Records carry the run file's size and BLAKE2b checksum; a run file that is missing, of the
wrong size or whose checksum differs is reported as corrupt and its task runs again.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stisim.io import atomic_open

MANIFEST = "manifest.jsonl"


@dataclass
class Entry:
    """The latest manifest record of a task key (what resume needs, kept small)."""

    status: str
    file: str | None
    bytes: int | None
    checksum: str | None
    line: int
    error: str | None = None


class SweepStore:
    """Files of one sweep directory."""

    def __init__(self, directory: str | os.PathLike):
        self.dir = Path(directory).resolve()
        self.manifest = self.dir / MANIFEST
        self.plan_file = self.dir / "sweep.json"
        self.log_file = self.dir / "sweep.log"
        self._lock_fh = None
        self._fh = None
        self._lines = 0
        self.entries: dict[str, Entry] = {}

    # -- lock ------------------------------------------------------------------------------
    def lock(self) -> None:
        """Hold the directory for this process; refuse when another process holds it."""
        from stisim.io import DirectoryLock

        lock = DirectoryLock(self.dir)
        lock.acquire()
        self._lock_fh = lock

    def unlock(self) -> None:
        self.close()
        if self._lock_fh is not None:
            self._lock_fh.release()
            self._lock_fh = None

    # -- manifest ----------------------------------------------------------------------------
    def load(self) -> dict[str, Entry]:
        """Read the manifest; the latest record of each key wins.

        A truncated last line (a kill mid-write) is cut off; other unreadable lines are
        skipped and counted in ``self.bad_lines``.
        """
        self.entries = {}
        self.bad_lines = 0
        self._lines = 0
        if not self.manifest.exists():
            return self.entries
        with self.manifest.open("rb+") as fh:
            data = fh.read()
            if data and not data.endswith(b"\n"):
                cut = data.rfind(b"\n") + 1
                fh.truncate(cut)
                data = data[:cut]
                self.bad_lines += 1
        for n, line in enumerate(data.splitlines()):
            self._lines = n + 1
            try:
                rec = json.loads(line)
                self.entries[rec["key"]] = _entry(rec, n)
            except (ValueError, KeyError, TypeError):
                self.bad_lines += 1
        return self.entries

    @property
    def superseded(self) -> int:
        """Manifest lines that a later record of the same key replaces (or unreadable)."""
        return self._lines - len(self.entries)

    def append(self, records: Iterable[dict[str, Any]]) -> None:
        """Append finished tasks' records (one line each) and flush."""
        if self._fh is None:
            self._fh = self.manifest.open("a", encoding="utf-8")
        for rec in records:
            line = json.dumps(rec, default=_json_default, separators=(",", ":"))
            self._fh.write(line + "\n")
            self.entries[rec["key"]] = _entry(rec, self._lines)
            self._lines += 1
        self._fh.flush()

    def sync(self) -> None:
        if self._fh is not None:
            self._fh.flush()
            os.fsync(self._fh.fileno())

    def close(self) -> None:
        if self._fh is not None:
            self.sync()
            self._fh.close()
            self._fh = None

    def records(self, lines: set[int]) -> Iterator[dict[str, Any]]:
        """Full records at the given manifest line numbers (a streaming pass)."""
        if self._fh is not None:
            self._fh.flush()
        with self.manifest.open(encoding="utf-8") as fh:
            for n, line in enumerate(fh):
                if n in lines:
                    yield json.loads(line)

    def compact(self) -> None:
        """Rewrite the manifest with only the latest record of each key (atomic)."""
        if not self.manifest.exists():
            return
        self.close()
        keep = {e.line for e in self.entries.values()}
        new: dict[str, Entry] = {}
        with atomic_open(self.manifest, "w", fsync=True) as out, \
                self.manifest.open(encoding="utf-8") as fh:
            n_out = 0
            for n, line in enumerate(fh):
                if n in keep:
                    out.write(line)
                    rec = json.loads(line)
                    new[rec["key"]] = _entry(rec, n_out)
                    n_out += 1
        self.entries = new
        self._lines = n_out

    # -- run files ---------------------------------------------------------------------------
    def verify(self, entry: Entry) -> str | None:
        """Why a finished task's run file cannot be used (None when it is intact)."""
        path = self.dir / entry.file
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            return "missing"
        if size != entry.bytes:
            return f"size {size} bytes, expected {entry.bytes}"
        if checksum(path) != entry.checksum:
            return "checksum mismatch"
        return None

    def write_json(self, path: Path, obj: Any) -> None:
        """Write JSON atomically (temporary file + rename)."""
        with atomic_open(path, "w") as fh:
            json.dump(obj, fh, indent=1, default=_json_default)


def checksum(path: Path) -> str:
    h = hashlib.blake2b(digest_size=16)
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _entry(rec: dict[str, Any], line: int) -> Entry:
    return Entry(rec["status"], rec.get("file"), rec.get("bytes"), rec.get("checksum"), line,
                 rec.get("error"))


def _json_default(obj: Any) -> Any:
    import numpy as np

    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    return str(obj)
