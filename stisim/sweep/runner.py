"""Running a sweep: plan → resume check → execute in batches → assemble.

::

    from stisim.sweep import run_sweep
    result = run_sweep(["sweep=lhs_budgets", "sweep.samples=64", "sweep.replicates=3"])
    ds = result.open()

Re-running the same sweep (same config, same directory) skips every task whose run file is
intact, recomputes corrupt ones, and assembles the same Dataset an uninterrupted sweep gives.
"""

from __future__ import annotations

import logging
import math
import statistics
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr
import yaml

from stisim.config.validate import StisimConfig
from stisim.io import shown
from stisim.sweep.assemble import STATUS_FAILED, STATUS_OK, Cell, assemble, json_attr
from stisim.sweep.batch import Batch
from stisim.sweep.executors import Executor, make_executor
from stisim.sweep.plan import SweepPlan, Task, plan_sweep
from stisim.sweep.store import SweepStore

log = logging.getLogger("stisim.sweep")


@cache
def variable_docs() -> dict[str, dict[str, str]]:
    """Metadata of the variables the sweep adds (registered with stisim.dataset too)."""
    from stisim.dataset import register_variables

    with (Path(__file__).with_name("variables.yml")).open(encoding="utf-8") as fh:
        table = yaml.safe_load(fh)
    register_variables(table, kind="sweep")
    return {name: {k: str(meta[k]).strip() for k in ("units", "long_name", "description")}
            for name, meta in table.items()}


@dataclass
class SweepResult:
    """What a sweep invocation did."""

    directory: Path
    output: Path | None
    tasks: int
    runs: int
    replicates: int
    already_done: int  # finished in earlier invocations (ok or failed) and intact
    corrupt: int  # run files found corrupt or missing and recomputed
    ran: int  # tasks executed now
    failed: int  # tasks of the sweep recorded as failed (now or before)
    seconds: float
    execute_seconds: float
    assemble_seconds: float
    model_seconds: float  # time inside the run function, summed over tasks run now
    executor: str
    startup_seconds: float = 0.0  # from the start of execution to the first finished batch

    def open(self) -> xr.Dataset:
        """The assembled sweep Dataset, loaded into memory."""
        from stisim.io import open_dataset

        if self.output is None:
            raise FileNotFoundError("this sweep was not assembled (sweep.assemble=false)")
        return open_dataset(self.output)

    def summary(self) -> str:
        ok = self.tasks - self.failed
        lines = [f"sweep: {self.runs} runs x {self.replicates} replicates = {self.tasks} "
                 f"tasks; {ok} ok, {self.failed} failed",
                 f"  this invocation: {self.ran} run on {self.executor} in "
                 f"{self.execute_seconds:.1f} s ({self.already_done} already done"
                 + (f", {self.corrupt} corrupt recomputed" if self.corrupt else "") + ")"]
        if self.failed:
            lines.append(f"  failed runs: see run_error in the dataset, "
                         f"{shown(self.directory / 'sweep.log')} and manifest.jsonl")
        if self.output is not None:
            lines.append(f"  assembled in {self.assemble_seconds:.1f} s: {shown(self.output)}")
        return "\n".join(lines)


class _TqdmHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        from tqdm import tqdm

        try:
            tqdm.write(self.format(record), file=sys.stderr)
        except Exception:  # noqa: BLE001 - logging must never break the sweep
            self.handleError(record)


@contextmanager
def sweep_logging(log_file: Path, console: bool = True) -> Iterator[logging.Logger]:
    """Log to ``sweep.log`` (everything) and to the terminal (warnings) during a sweep."""
    fh = logging.FileHandler(log_file, encoding="utf-8")
    fh.setFormatter(logging.Formatter("[%(asctime)s][%(levelname)s] %(message)s"))
    fh.setLevel(logging.DEBUG)
    handlers: list[logging.Handler] = [fh]
    if console:
        ch = _TqdmHandler(logging.WARNING)
        ch.setFormatter(logging.Formatter("stisim sweep: %(levelname)s: %(message)s"))
        handlers.append(ch)
    saved = log.level, log.propagate
    log.setLevel(logging.DEBUG)
    log.propagate = False
    for h in handlers:
        log.addHandler(h)
    try:
        yield log
    finally:
        for h in handlers:
            log.removeHandler(h)
            h.close()
        log.setLevel(saved[0])
        log.propagate = saved[1]


def _classify(plan: SweepPlan, store: SweepStore, retry_failed: bool
              ) -> tuple[list[Task], int, int]:
    """Tasks still to run (one per key), tasks already done, and corrupt run files."""
    todo: list[Task] = []
    seen: set[str] = set()
    done = corrupt = 0
    for task in plan.tasks:
        entry = store.entries.get(task.key)
        if entry is not None and entry.status == STATUS_OK:
            if task.key in seen:
                done += 1
                continue
            problem = store.verify(entry)
            if problem is None:
                done += 1
                seen.add(task.key)
                continue
            corrupt += 1
            log.warning("run %d replicate %d: run file %s is corrupt (%s); recomputing it",
                        task.run, task.replicate, entry.file, problem)
        elif entry is not None and entry.status == STATUS_FAILED and not retry_failed:
            done += 1
            continue
        if task.key not in seen:
            seen.add(task.key)
            todo.append(task)
        else:
            done += 1
    return todo, done, corrupt


class _Scheduler:
    """Feeds batches to an executor; adapts batch size; retries tasks whose worker died."""

    def __init__(self, plan: SweepPlan, store: SweepStore, executor: Executor,
                 run_function: Callable | str, batch_size: int, batch_seconds: float,
                 max_attempts: int, bar: Any):
        self.plan, self.store, self.executor = plan, store, executor
        self.fn = run_function
        self.batch_size, self.batch_seconds = batch_size, batch_seconds
        self.max_attempts = max_attempts
        self.bar = bar
        self.seconds: deque[float] = deque(maxlen=256)
        self.attempts: dict[str, int] = {}
        self.ran = self.failed = 0
        self.model_seconds = 0.0
        self.first_at: float | None = None  # perf_counter() of the first finished batch

    def _size(self, remaining: int) -> int:
        if self.batch_size:
            return self.batch_size
        if not self.seconds:
            return 1  # measure first
        per_run = max(statistics.median(self.seconds), 1e-4)
        size = max(1, int(self.batch_seconds / per_run))
        # Keep enough batches for every worker until the end (load balance in the tail).
        return max(1, min(size, math.ceil(remaining / (2 * self.executor.workers))))

    def _batch(self, tasks: list[Task]) -> Batch:
        variants = {t.variant: self.plan.variants[t.variant] for t in tasks}
        digests = {v: self.plan.variant_digests[v] for v in variants}
        return Batch(self.fn, str(self.store.dir), variants, tasks, digests)

    def run(self, todo: list[Task]) -> None:
        queue: deque[Task] = deque(todo)
        solo: deque[Task] = deque()  # tasks whose worker died: re-run one at a time
        flight: dict[Any, list[Task]] = {}
        last_sync = time.monotonic()
        while queue or solo or flight:
            while solo and not flight:
                task = solo.popleft()
                flight[self.executor.submit(self._batch([task]))] = [task]
            while queue and not solo and len(flight) < self.executor.slots():
                n = min(self._size(len(queue)), len(queue))
                tasks = [queue.popleft() for _ in range(n)]
                flight[self.executor.submit(self._batch(tasks))] = tasks
            for handle, result in self.executor.wait():
                tasks = flight.pop(handle)
                if isinstance(result, BaseException):
                    self._lost(tasks, result, solo)
                else:
                    self._records(result)
            if time.monotonic() - last_sync > 5.0:
                self.store.sync()
                last_sync = time.monotonic()

    def _lost(self, tasks: list[Task], exc: BaseException, solo: deque[Task]) -> None:
        for task in tasks:
            n = self.attempts[task.key] = self.attempts.get(task.key, 0) + 1
            if n < self.max_attempts:
                solo.append(task)
                continue
            self._records([{
                "key": task.key, "run": task.run, "replicate": task.replicate,
                "seed": task.seed, "values": dict(task.values), "variant": task.variant,
                "status": STATUS_FAILED,
                "error": f"WorkerDied: the worker running this task died {n} times "
                         f"({type(exc).__name__}: {_short(exc)}); out of memory or a crash "
                         "in native code?",
                "traceback": None, "config": None, "seconds": 0.0, "model_seconds": None,
                "finished": datetime.now(UTC).isoformat(timespec="milliseconds")}])
        log.warning("a worker died running %d task(s) (%s: %s); they are retried one at a "
                    "time", len(tasks), type(exc).__name__, _short(exc))

    def _records(self, records: list[dict[str, Any]]) -> None:
        if self.first_at is None:
            self.first_at = time.perf_counter()
        self.store.append(records)
        for rec in records:
            self.ran += 1
            if rec["status"] == STATUS_OK:
                self.seconds.append(rec["seconds"])
                self.model_seconds += rec.get("model_seconds") or 0.0
            else:
                self.failed += 1
                log.warning("run %d replicate %d failed: %s", rec["run"], rec["replicate"],
                            rec["error"])
                log.info("run %d replicate %d: swept values %s, seed %d\n%s\nconfig:\n%s",
                         rec["run"], rec["replicate"], rec.get("values"), rec["seed"],
                         rec.get("traceback") or "", rec.get("config") or "")
        self.bar.update(len(records))
        if self.failed:
            self.bar.set_postfix(failed=self.failed, refresh=False)


def _warm(plan: SweepPlan, fn: Callable | str) -> dict[str, Any]:
    """What local workers can prepare before their first run (stisim.sweep.warmup)."""
    seed = int(plan.tasks[0].seed) if plan.tasks else 0
    return {"run_function": fn if isinstance(fn, str) else None,
            "module": None if isinstance(fn, str) else fn.__module__,
            "configs": [dict(c, seed=seed) for c in plan.variants.values()]}


def _short(exc: BaseException, limit: int = 160) -> str:
    text = str(exc).split(". ")[0]
    return text if len(text) <= limit else text[:limit] + "..."


def _plan_json(plan: SweepPlan) -> dict[str, Any]:
    from stisim._version import __version__

    return {"name": plan.name, "stisim_version": __version__,
            "written": datetime.now(UTC).isoformat(timespec="seconds"),
            "sweep_design": plan.design_attrs(), "config": plan.base,
            "tasks": [[t.run, t.replicate, t.seed, t.key] for t in plan.tasks]}


# Settings of the sweep section that decide its results; the others (name, directory,
# executor, output) say where and how it ran and are recorded in the sweep directory.
DESIGN_KEYS = ("design", "samples", "replicates", "seeds", "uncertainties", "levers",
               "levels", "morris_levels", "sobol_second_order", "lhs_optimization",
               "run_function")


def _dataset_attrs(plan: SweepPlan, n_failed: int) -> dict[str, Any]:
    """Attributes of the sweep Dataset: the same sweep gives the same ones wherever and
    however it ran (apart from ``created``)."""
    from stisim.dataset import provenance_attrs

    config = dict(plan.base)
    config["sweep"] = {k: v for k, v in plan.base["sweep"].items() if k in DESIGN_KEYS}
    attrs = provenance_attrs(config, plan.base["seed"], None)
    attrs.update(title="stisim sweep", sweep_design=json_attr(plan.design_attrs()),
                 sweep_tasks=len(plan.tasks), sweep_failed=n_failed)
    return attrs


def _extra(plan: SweepPlan) -> xr.Dataset | None:
    names = [p.name for p in plan.uncertainties]
    docs = variable_docs()
    ds = xr.Dataset(coords={"design_point": ("run", plan.design_point.astype(np.int64), {
        "long_name": "row of the design matrix (design point) of each run"})})
    if names:
        ds["sample"] = (("run", "uncertainty"), plan.design.x[plan.design_point],
                        dict(docs["sample"]))
        ds.coords["uncertainty"] = ("uncertainty", np.array(names),
                                    {"long_name": "swept uncertainty (config path)"})
    return ds


def assemble_plan(plan: SweepPlan, store: SweepStore, path: Path, fmt: str = "netcdf",
                  memory: int = 256 << 20) -> Path:
    """Assemble the sweep Dataset of ``plan`` from the run files recorded in ``store``."""
    cells: list[Cell] = []
    lines: dict[int, Path] = {}
    n_failed = 0
    for task in plan.tasks:
        entry = store.entries[task.key]
        if entry.status == STATUS_OK:
            file = store.dir / entry.file
            cells.append(Cell(task.run, task.replicate, STATUS_OK, task.seed, file))
            lines[entry.line] = file
        else:
            n_failed += 1
            cells.append(Cell(task.run, task.replicate, STATUS_FAILED, task.seed, None,
                              entry.error or "failed"))
    descriptions = ((rec["schema"], lines[n]) for n, rec in
                    zip(sorted(lines), store.records(set(lines))))
    return assemble(cells, descriptions, plan.n_runs, plan.n_replicates, path, fmt=fmt,
                    run_coords=plan.run_values, extra=_extra(plan),
                    attrs=_dataset_attrs(plan, n_failed), memory=memory,
                    variable_docs=variable_docs(), log=log)


def run_sweep(cfg: StisimConfig | Sequence[str], *, overrides: Sequence[str] | None = None,
              directory: str | Path | None = None, run_function: Callable | str | None = None,
              executor: str | None = None, workers: int | None = None,
              batch_size: int | None = None, progress: bool | None = None,
              assemble: bool | None = None, config_name: str = "sweep") -> SweepResult:
    """Run (or resume) the sweep described by ``cfg`` and assemble its Dataset.

    ``cfg`` is a validated config or a list of overrides of the ``sweep`` primary config.
    ``run_function`` replaces ``sweep.run_function`` (any picklable callable taking the run
    config and returning a Dataset); ``executor``, ``workers``, ``batch_size``, ``progress``
    and ``assemble`` replace the config's settings.
    """
    from tqdm import tqdm

    t_start = time.perf_counter()
    if not isinstance(cfg, StisimConfig):
        from stisim.config import load_config

        overrides = list(cfg)
        cfg = load_config(config_name, overrides)
    sweep = cfg.sweep
    variable_docs()
    plan = plan_sweep(cfg, overrides, run_function, config_name)
    directory = Path(directory or sweep.dir or Path("outputs") / "sweeps" / sweep.name)
    store = SweepStore(directory)
    store.lock()
    show = sweep.progress if progress is None else progress
    try:
        with sweep_logging(store.log_file, console=True):
            return _run(plan, store, cfg, run_function, executor, workers, batch_size, show,
                        sweep.assemble if assemble is None else assemble, t_start, tqdm)
    finally:
        store.unlock()


def _remove_stale_staging(directory: Path, name: str) -> None:
    """Staging copies of the assembled dataset left by a killed assembly (``.NAME.*``): the
    sweep holds the directory's lock, so no other process is writing them."""
    import shutil

    for stale in directory.glob(f".{name}.*"):
        log.info("removing %s, left by an interrupted assembly", stale.name)
        if stale.is_dir() and not stale.is_symlink():
            shutil.rmtree(stale, ignore_errors=True)
        else:
            stale.unlink(missing_ok=True)


def _run(plan: SweepPlan, store: SweepStore, cfg: StisimConfig, run_function: Any,
         executor_kind: str | None, workers: int | None, batch_size: int | None, show: bool,
         do_assemble: bool, t_start: float, tqdm: Any) -> SweepResult:
    sweep = cfg.sweep
    ex_cfg = sweep.executor
    log.info("stisim sweep %r in %s", plan.name, store.dir)
    log.info("design %s: %d design points x %d lever combinations = %d runs x %d replicates "
             "= %d tasks; run function %s", plan.design.name, plan.design.size,
             plan.n_runs // max(plan.design.size, 1), plan.n_runs, plan.n_replicates,
             len(plan.tasks), plan.run_function)
    if plan.design.name == "sobol" and not plan.design.info.get("power_of_two", True):
        log.warning("sobol design: samples=%d is not a power of 2; Sobol' sequences balance "
                    "best at powers of 2", sweep.samples)
    store.write_json(store.plan_file, _plan_json(plan))
    store.load()
    if store.bad_lines:
        log.warning("manifest: %d unreadable line(s) ignored (a sweep killed mid-write)",
                    store.bad_lines)
    todo, done, corrupt = _classify(plan, store, sweep.retry_failed)
    log.info("resume: %d of %d tasks already done, %d corrupt, %d to run", done,
             len(plan.tasks), corrupt, len(todo))
    fn = run_function if run_function is not None else sweep.run_function
    t_exec = time.perf_counter()
    scheduler = None
    kind = "none"
    if todo:
        with make_executor(ex_cfg, executor_kind, workers, _warm(plan, fn)) as ex, \
                tqdm(total=len(plan.tasks), initial=done, desc=f"sweep {plan.name}",
                     unit="run", disable=not show, file=sys.stderr, dynamic_ncols=True,
                     smoothing=0.05) as bar:
            kind = ex.describe()
            log.info("executing %d tasks on %s", len(todo), kind)
            scheduler = _Scheduler(plan, store, ex, fn,
                                   ex_cfg.batch_size if batch_size is None else batch_size,
                                   ex_cfg.batch_seconds, ex_cfg.max_attempts, bar)
            try:
                scheduler.run(todo)
            except KeyboardInterrupt:
                log.warning("interrupted after %d tasks; run the same sweep again to resume",
                            scheduler.ran)
                raise
            finally:
                store.sync()
    execute_seconds = time.perf_counter() - t_exec
    first_at = scheduler.first_at if scheduler and scheduler.first_at else t_exec
    failed = sum(1 for t in plan.tasks if store.entries[t.key].status != STATUS_OK)
    if store.bad_lines or store.superseded:
        store.compact()
    output = None
    t_asm = time.perf_counter()
    if do_assemble:
        name = sweep.filename or ("sweep.zarr" if sweep.format == "zarr" else "sweep.nc")
        _remove_stale_staging(store.dir, name)
        output = assemble_plan(plan, store, store.dir / name, sweep.format,
                               sweep.assembly_memory << 20)
        log.info("assembled %s", output)
    assemble_seconds = time.perf_counter() - t_asm
    result = SweepResult(
        directory=store.dir, output=output, tasks=len(plan.tasks), runs=plan.n_runs,
        replicates=plan.n_replicates, already_done=done, corrupt=corrupt,
        ran=scheduler.ran if scheduler else 0, failed=failed,
        seconds=time.perf_counter() - t_start, execute_seconds=execute_seconds,
        assemble_seconds=assemble_seconds,
        model_seconds=scheduler.model_seconds if scheduler else 0.0, executor=kind,
        startup_seconds=first_at - t_exec)
    log.info(result.summary())
    return result
