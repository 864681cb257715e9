"""Output directories of Hydra commands: claimed before Hydra writes anything, and cleaned
after a failure of only what this command created.

* A time-stamped directory (``outputs/runs/.../${now:...}``, ``outputs/multirun/${now:...}``)
  is created here with an exclusive ``mkdir``: two commands started in the same instant get
  two directories (``..._2``), never one shared folder whose ``multirun.yaml`` describes the
  other job. Hydra is then told the directory on its command line.
* A reused directory (a sweep's, which resumes) is locked (:class:`stisim.io.DirectoryLock`)
  before Hydra writes its ``.hydra`` record, so a refused second command touches nothing.
* After a failure, only entries that did not exist before the command are removed, and only
  when the command left no results (only Hydra's and stisim's bookkeeping); directories the
  command created are removed when empty.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stisim.config.trust import DIRECTORY_OVERRIDES

BOOKKEEPING = {".hydra", ".lock", "sweep.json", "multirun.yaml"}


@dataclass
class Claim:
    directory: Path  # resolved
    before: set[str] | None  # entries before the command; None: created by it
    created: list[Path] = field(default_factory=list)  # directories it created, outermost first
    lock: Any = None  # DirectoryLock held for the command


_CLAIMS: dict[Path, Claim] = {}


def quote(value: str) -> str:
    """``value`` as a quoted Hydra override value."""
    text = value.replace("\\", "\\\\").replace("'", "\\'").replace("${", "\\${")
    return f"'{text}'"


def _missing_chain(directory: Path) -> list[Path]:
    chain = []
    for p in [directory, *directory.parents]:
        if p.exists():
            break
        chain.append(p)
    return chain[::-1]


def _unique(directory: Path) -> tuple[Path, list[Path]]:
    """Create ``directory`` (or ``directory_2``, ...) exclusively; what was created."""
    created = _missing_chain(directory.parent)
    directory.parent.mkdir(parents=True, exist_ok=True)
    for n in range(1, 10_000):
        candidate = directory if n == 1 else directory.with_name(f"{directory.name}_{n}")
        try:
            os.mkdir(candidate)
        except FileExistsError:
            continue
        return candidate, [*created, candidate]
    raise FileExistsError(directory)


def claim(cfg: Any, job: Sequence[str], multirun: bool, exclusive: bool) -> list[str]:
    """Claim the output directory of a composed job; overrides that tell Hydra where it is."""
    from omegaconf import OmegaConf

    from stisim.io import DirectoryLock

    node = "sweep" if multirun else "run"
    try:
        raw = OmegaConf.to_container(cfg.hydra, resolve=False)[node]["dir"]
        directory = Path(OmegaConf.select(cfg, f"hydra.{node}.dir",
                                          throw_on_resolution_failure=True))
    except Exception:  # noqa: BLE001 - parts known only to a running job
        return []
    directory = (Path.cwd() / directory).resolve()
    keys = {ov.lstrip("+~").partition("=")[0] for ov in job}
    chosen = bool(keys & set(DIRECTORY_OVERRIDES))
    if "${now:" in str(raw) and not chosen:
        directory, created = _unique(directory)
        _CLAIMS[directory] = Claim(directory, None, created)
        return [f"hydra.{node}.dir={quote(str(directory))}"]
    before = {p.name for p in directory.iterdir()} if directory.is_dir() else None
    entry = Claim(directory, before, _missing_chain(directory))
    if exclusive and not multirun:
        lock = DirectoryLock(directory)
        lock.acquire()  # refused: nothing written (the directory exists: another holds it)
        entry.lock = lock
    _CLAIMS[directory] = entry
    return []


def _claim_of(run_dir: Path) -> Claim | None:
    if run_dir in _CLAIMS:
        return _CLAIMS[run_dir]
    for c in _CLAIMS.values():  # a multirun job directory inside a claimed directory
        if c.directory in run_dir.parents and c.before is None:
            return Claim(run_dir, None, [])
    return None


def cleanup(run_dir: Path) -> None:
    """After a failed job: remove what this command created in ``run_dir`` if it holds no
    result; never what existed before or what another process created."""
    run_dir = run_dir.resolve()
    entry = _claim_of(run_dir)
    if entry is None or not run_dir.is_dir():
        return
    new = [p for p in run_dir.iterdir() if entry.before is None or p.name not in entry.before]
    if any(p.name not in BOOKKEEPING and p.suffix != ".log" for p in new):
        return  # results (finished runs, partial outputs) are kept
    import shutil

    lock_file = None
    for p in new:
        if p.name == ".lock":
            lock_file = p
        elif p.is_dir() and not p.is_symlink():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)
    release(run_dir)
    if lock_file is not None:
        lock_file.unlink(missing_ok=True)
    dirs = entry.created if run_dir in _CLAIMS else [run_dir]
    for d in reversed(dirs):
        try:
            d.rmdir()
        except OSError:
            break  # not empty: something else lives there


def release(run_dir: Path | None = None) -> None:
    """Release the locks of ``run_dir`` (all claims when None)."""
    for path, entry in list(_CLAIMS.items()):
        if (run_dir is None or path == run_dir) and entry.lock is not None:
            entry.lock.release()
            entry.lock = None


def forget() -> None:
    """Release every lock and forget the claims (end of a command)."""
    release()
    _CLAIMS.clear()
