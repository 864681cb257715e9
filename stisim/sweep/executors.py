"""Executors: where batches of runs execute.

* ``serial``: in this process, one batch after another (debugging, profiling, tiny sweeps).
* ``processes``: a local :class:`concurrent.futures.ProcessPoolExecutor`. Workers start from a
  fork server that has already imported stisim, so a worker costs a fork, not an import.
* ``dask``: Dask distributed. By default stisim starts a ``LocalCluster`` (one single-threaded
  worker per core); ``executor.address`` connects to a running scheduler instead, and
  ``executor.cluster=slurm`` (pbs, sge, lsf, ...) starts a dask-jobqueue cluster that submits
  batch jobs (``executor.jobqueue`` holds its arguments; see docs/sweeps.md).

All three share one small interface used by the sweep driver: ``submit(batch)`` returns a
handle, ``wait()`` blocks until at least one batch is done and returns ``(handle, records or
exception)`` pairs. An exception means the batch itself could not run (its worker died);
failures of individual runs come back as records.
"""

from __future__ import annotations

import concurrent.futures as cf
import logging
import multiprocessing
import os
import select
import threading
import time
from collections import deque
from typing import Any

from stisim.errors import StisimError
from stisim.sweep.batch import Batch, execute_batch

log = logging.getLogger("stisim.sweep")
CONNECT_TIMEOUT = 5.0  # seconds to reach a Dask scheduler at executor.address


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


class Executor:
    """Base class: see the module docstring."""

    kind = "base"

    @property
    def workers(self) -> int:
        raise NotImplementedError

    def slots(self) -> int:
        """Batches kept in flight: two per worker, so no worker waits for the driver."""
        return max(2, 2 * self.workers)

    def submit(self, batch: Batch) -> Any:
        raise NotImplementedError

    def wait(self) -> list[tuple[Any, Any]]:
        raise NotImplementedError

    def close(self) -> None:
        """Release workers and clusters."""

    def describe(self) -> str:
        return f"{self.kind} ({self.workers} worker{'s' * (self.workers != 1)})"

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class SerialExecutor(Executor):
    """Runs batches in this process when ``wait`` is called."""

    kind = "serial"

    def __init__(self) -> None:
        self._queue: deque[tuple[int, Batch]] = deque()
        self._next = 0

    @property
    def workers(self) -> int:
        return 1

    def slots(self) -> int:
        return 1

    def submit(self, batch: Batch) -> int:
        self._next += 1
        self._queue.append((self._next, batch))
        return self._next

    def wait(self) -> list[tuple[Any, Any]]:
        handle, batch = self._queue.popleft()
        return [(handle, execute_batch(batch))]


def watch_driver(pid: int) -> None:
    """Worker initializer: exit as soon as the sweep's driver process is gone.

    Pool workers otherwise wait forever for work after their driver is killed (SIGKILL gives
    it no chance to stop them); the finished runs are safe in the sweep directory.
    """

    def watch() -> None:
        try:
            fd = os.pidfd_open(pid)  # readable once the process has exited (Linux >= 5.3)
            select.select([fd], [], [])
        except (AttributeError, OSError):
            while True:
                time.sleep(1.0)
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                except PermissionError:
                    continue
        os._exit(70)

    threading.Thread(target=watch, name="stisim-watch-driver", daemon=True).start()


PRELOAD = ["stisim.sweep.batch", "stisim.pipeline", "stisim.sweep.warmup"]


class _ForkServer:
    """Prepares multiprocessing's fork server to import stisim and warm its caches once.

    The fork server is one per process and starts with the first process it forks; the
    warm-up description travels to it in ``$STISIM_SWEEP_WARMUP`` (see stisim.sweep.warmup).
    When it is already running (an earlier sweep in this process) it is reused as it is.
    """

    def __init__(self, warm: dict[str, Any] | None, extra: list[str] = ()) -> None:
        import json
        import tempfile
        from multiprocessing import forkserver

        from stisim.sweep.warmup import ENV

        self.file: str | None = None
        running = getattr(forkserver._forkserver, "_forkserver_pid", None) is not None
        if warm and not running:
            fd, self.file = tempfile.mkstemp(prefix="stisim-warmup-", suffix=".json")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(warm, fh, default=str)
            os.environ[ENV] = self.file
        multiprocessing.get_context("forkserver").set_forkserver_preload([*extra, *PRELOAD])

    def close(self) -> None:
        if self.file is not None:
            from stisim.sweep.warmup import ENV

            os.environ.pop(ENV, None)
            os.unlink(self.file)
            self.file = None


class ProcessExecutor(Executor):
    """A local process pool; replaced transparently when a worker process dies."""

    kind = "processes"

    def __init__(self, workers: int = 0, start_method: str = "forkserver",
                 warm: dict[str, Any] | None = None) -> None:
        self._n = workers or available_cores()
        self._ctx = multiprocessing.get_context(start_method)
        # With a fork server, stisim is imported (and caches warmed) once; every worker is
        # forked from it.
        self._server = _ForkServer(warm) if start_method == "forkserver" else None
        self._pool = self._new_pool()
        self._pending: set[cf.Future] = set()
        self._started = False

    def _new_pool(self) -> cf.ProcessPoolExecutor:
        return cf.ProcessPoolExecutor(max_workers=self._n, mp_context=self._ctx,
                                      initializer=watch_driver, initargs=(os.getpid(),))

    @property
    def workers(self) -> int:
        return self._n

    def submit(self, batch: Batch) -> cf.Future:
        try:
            fut = self._pool.submit(execute_batch, batch)
        except cf.process.BrokenProcessPool:
            log.warning("a worker process died; starting a new process pool")
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = self._new_pool()
            fut = self._pool.submit(execute_batch, batch)
        self._pending.add(fut)
        if not self._started and self._server is not None:
            # The first worker exists, so the fork server has read its warm-up file.
            self._server.close()
        self._started = True
        return fut

    def wait(self) -> list[tuple[Any, Any]]:
        done, _ = cf.wait(self._pending, return_when=cf.FIRST_COMPLETED)
        out = []
        for fut in done:
            self._pending.discard(fut)
            exc = fut.exception()
            out.append((fut, exc if exc is not None else fut.result()))
        return out

    def close(self) -> None:
        for fut in self._pending:
            fut.cancel()
        self._pool.shutdown(wait=True, cancel_futures=True)
        if self._server is not None:
            self._server.close()


class DaskExecutor(Executor):
    """Dask distributed: a LocalCluster, a scheduler address, or a dask-jobqueue cluster."""

    kind = "dask"

    def __init__(self, workers: int = 0, address: str = "", cluster: str = "local",
                 processes: bool = True, memory_limit: str = "auto", dashboard: bool = False,
                 jobqueue: dict[str, Any] | None = None, jobs: int = 1,
                 start_method: str = "forkserver", warm: dict[str, Any] | None = None
                 ) -> None:
        import dask
        from distributed import Client, LocalCluster, as_completed

        self._cluster = None
        self._server = None
        if address:
            try:
                self._client = Client(address, timeout=CONNECT_TIMEOUT)
            except (OSError, TimeoutError) as exc:
                raise StisimError(f"sweep.executor.address: cannot reach the Dask scheduler "
                                  f"at {address!r} within {CONNECT_TIMEOUT:g} s ({exc}); start "
                                  "it or give another address") from None
            where = f"scheduler {address}"
        elif cluster == "local":
            n = workers or available_cores()
            method = start_method if processes else "spawn"
            if method == "forkserver":
                # Workers forked from a warmed fork server start in milliseconds instead of
                # importing Dask and stisim and loading data each (distributed would set
                # its own preload list; ours includes it).
                import distributed.utils

                self._server = _ForkServer(warm, ["distributed"])
                distributed.utils._forkserver_preload_set = True
            # stisim retries the runs of a batch whose worker died one at a time itself (to
            # find the culprit), so the scheduler need not try each batch on several workers.
            # Dask's statistical profiler samples every worker thread every 10 ms: CPU that
            # short runs cannot spare (turn it on with Dask's own config if wanted).
            with dask.config.set({"distributed.worker.multiprocessing-method": method,
                                  "distributed.scheduler.allowed-failures": 1,
                                  "distributed.worker.profile.enabled": False}):
                self._cluster = LocalCluster(
                    n_workers=n, threads_per_worker=1, processes=processes,
                    memory_limit=memory_limit,
                    dashboard_address=":0" if dashboard else None,
                    silence_logs=logging.WARNING)
            if self._server is not None:
                self._server.close()  # the workers exist: the warm-up file has been read
            self._client = Client(self._cluster)
            where = f"LocalCluster ({n} {'processes' if processes else 'threads'})"
        else:
            self._cluster = _jobqueue_cluster(cluster, jobqueue or {}, jobs)
            self._client = Client(self._cluster)
            where = f"{type(self._cluster).__name__} ({jobs} job{'s' * (jobs != 1)})"
        if dashboard:
            where += f", dashboard {self._client.dashboard_link}"
        self.where = where
        self._ac = as_completed()
        self._threads = (0, -1e9)  # (threads, time read): jobqueue workers come and go

    @property
    def workers(self) -> int:
        n, when = self._threads
        if time.monotonic() - when > 2.0:
            info = self._client.scheduler_info(n_workers=-1).get("workers", {})
            n = max(1, sum(w.get("nthreads", 1) for w in info.values()))
            self._threads = (n, time.monotonic())
        return n

    def submit(self, batch: Batch) -> Any:
        fut = self._client.submit(execute_batch, batch, pure=False)
        self._ac.add(fut)
        return fut

    def wait(self) -> list[tuple[Any, Any]]:
        out = []
        for fut in self._ac.next_batch(block=True):
            try:
                out.append((fut, fut.result()))
            except Exception as exc:  # noqa: BLE001 - KilledWorker, lost connection, ...
                out.append((fut, exc))
            finally:
                fut.release()
        return out

    def describe(self) -> str:
        return f"dask on {self.where}"

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()
        if self._server is not None:
            self._server.close()


def _jobqueue_cluster(name: str, kwargs: dict[str, Any], jobs: int) -> Any:
    from stisim.sweep.params import JOBQUEUE_CLUSTERS

    try:
        import dask_jobqueue
    except ImportError:
        raise StisimError(f"executor.cluster={name} needs dask-jobqueue: "
                          "pip install 'stisim[cluster]'") from None
    cluster = getattr(dask_jobqueue, JOBQUEUE_CLUSTERS[name])(**kwargs)
    log.info("%s job script (%d job%s requested):\n%s", type(cluster).__name__, jobs,
             "s" * (jobs != 1), cluster.job_script())
    cluster.scale(jobs=jobs)
    return cluster


def make_executor(config: Any, kind: str | None = None, workers: int | None = None,
                  warm: dict[str, Any] | None = None) -> Executor:
    """The executor described by an ``ExecutorConfig`` (``kind``/``workers`` override it).

    ``warm`` describes what local workers may prepare once (see stisim.sweep.warmup).
    """
    kind = kind or config.kind
    n = config.workers if workers is None else workers
    if kind == "serial":
        return SerialExecutor()
    if kind == "processes":
        return ProcessExecutor(n, config.start_method, warm)
    if kind == "dask":
        return DaskExecutor(n, config.address, config.cluster, config.dask_processes,
                            config.memory_limit, config.dashboard, config.jobqueue,
                            config.jobs, config.start_method, warm)
    raise StisimError(f"unknown executor {kind!r}; allowed: serial, processes, dask")
