"""The ``sweep`` config section: design, parameters, replicates, executor and output.

A sweep crosses *levers* (choices a roadmap author controls: strategies, portfolios, budgets,
named scenarios) with a *design* over *uncertainties* (budgets, donor flows, absorptive
capacity, diffusion parameters, shocks), each combination replicated over seeds. Every
parameter is named by its config path (``diffusion.p``) or by a config group (``country``,
``scenario``); see docs/sweeps.md.

Every stisim package declares its config sections in a module named ``params`` (the
same concept in each package; :mod:`stisim.config.sections` registers them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from stisim.config.fields import param
from stisim.config.sections import check, section
from stisim.errors import Problem

DESIGNS = ("factorial", "lhs", "sobol", "morris")
EXECUTORS = ("serial", "processes", "dask")
# dask-jobqueue cluster classes by the name used in ``executor.cluster``.
JOBQUEUE_CLUSTERS = {"slurm": "SLURMCluster", "pbs": "PBSCluster", "sge": "SGECluster",
                     "lsf": "LSFCluster", "htcondor": "HTCondorCluster", "moab": "MoabCluster",
                     "oar": "OARCluster"}


@dataclass
class ExecutorConfig:
    """Where the runs of a sweep execute."""

    kind: str = param("processes", "serial (in this process), processes (a local process "
                      "pool) or dask (Dask distributed)", choices=EXECUTORS)
    workers: int = param(0, "Worker processes (processes; dask LocalCluster); 0: one per "
                         "CPU core available to stisim", ge=0)
    batch_size: int = param(0, "Runs per task sent to a worker; 0: adaptive, sized so a "
                            "task takes about batch_seconds", ge=0)
    batch_seconds: float = param(2.0, "Target duration of one task when batch_size is 0",
                                 unit="s", gt=0)
    start_method: str = param("forkserver", "How local worker processes start (processes; "
                              "dask LocalCluster): forkserver starts them from one process "
                              "that has imported stisim and warmed its caches",
                              choices=["forkserver", "spawn", "fork"])
    address: str = param("", "Address of a running Dask scheduler (tcp://host:8786); empty: "
                         "stisim starts a cluster (executor.cluster)")
    cluster: str = param("local", "Cluster stisim starts for dask: a LocalCluster on this "
                         "machine, or a dask-jobqueue batch-system cluster",
                         choices=["local", *JOBQUEUE_CLUSTERS])
    jobqueue: dict[str, Any] = param(
        {}, "Keyword arguments of the dask-jobqueue cluster (queue, account, cores, memory, "
        "walltime, ...)")
    jobs: int = param(1, "Batch jobs requested from a dask-jobqueue cluster", ge=1)
    dask_processes: bool = param(True, "LocalCluster workers are processes (true) or "
                                 "threads of this process (false)")
    memory_limit: str = param("auto", "Memory limit per LocalCluster worker (Dask syntax)")
    dashboard: bool = param(False, "Serve the Dask dashboard (needs bokeh) on a free port")
    max_attempts: int = param(2, "Attempts for a run whose worker process died (crash, "
                              "out of memory) before it is recorded as failed", ge=1)


@section("sweep")
@dataclass
class SweepConfig:
    """A designed sweep over uncertainties and levers (``stisim sweep``)."""

    name: str = param("sweep", "Sweep name; the default directory is outputs/sweeps/NAME")
    dir: str = param("", "Sweep directory (run files, manifest, log, assembled dataset); "
                     "empty: outputs/sweeps/NAME")
    design: str = param("lhs", "Design over the uncertainties", choices=DESIGNS)
    samples: int = param(16, "Design size: LHS points; Sobol base sample N (N(2D+2) runs, "
                         "N(D+2) without second order); Morris trajectories (r(D+1) runs); "
                         "not used by factorial", ge=1)
    replicates: int = param(1, "Seeds per run (SeedSequence children of the root seed)", ge=1)
    seeds: str = param("common", "common: replicate r uses the same seed in every run "
                       "(common random numbers); independent: a seed per run and replicate",
                       choices=["common", "independent"])
    uncertainties: dict[str, Any] = param(
        {}, "Config path -> distribution ({dist, low, high, ...}) or list of values")
    levers: dict[str, Any] = param(
        {}, "Config path or config group -> list of values, crossed with every design point")
    levels: int = param(3, "Factorial design: levels of a continuous uncertainty that gives "
                        "no `levels` of its own", ge=2)
    morris_levels: int = param(4, "Morris design: grid levels (p)", ge=2)
    sobol_second_order: bool = param(True, "Sobol design: sample for second-order indices")
    lhs_optimization: str = param("none", "LHS design: scipy.stats.qmc optimisation",
                                  choices=["none", "random-cd", "lloyd"])
    run_function: str = param("stisim.pipeline.run", "Function run for each (run, "
                              "replicate): a stisim object taking the config, returning a "
                              "Dataset")
    format: str = param("netcdf", "Format of the assembled sweep dataset (zarr for very "
                        "large sweeps)", choices=["netcdf", "zarr"])
    filename: str = param("", "File name of the sweep dataset; empty: sweep.nc or sweep.zarr")
    assemble: bool = param(True, "Assemble the sweep dataset once every run has finished")
    assembly_memory: int = param(256, "Memory budget of the streaming assembly", unit="MB",
                                 ge=8)
    retry_failed: bool = param(False, "On resume, run again the runs recorded as failed")
    progress: bool = param(True, "Show a progress bar with ETA")
    executor: ExecutorConfig = param(
        default_factory=ExecutorConfig, doc="Where the runs execute")


@check
def _check_sweep(cfg) -> list[Problem]:
    from stisim.config.trust import plain_name_problem

    sweep = cfg.sections.get("sweep")
    names = [p for p in (plain_name_problem("sweep.name", sweep.name),
                         sweep.filename and plain_name_problem("sweep.filename", sweep.filename,
                                                               "a file name"))
             if p] if sweep is not None else []
    return names + _check_sweep_parts(cfg, sweep)


def _check_sweep_parts(cfg, sweep) -> list[Problem]:
    if sweep is None or not (sweep.uncertainties or sweep.levers or
                             sweep.design in ("sobol", "morris")):
        return _check_run_function(sweep) if sweep is not None else []
    from stisim.sweep.parameters import check_parameters

    return check_parameters(cfg) + _check_run_function(sweep)


def _check_run_function(sweep: SweepConfig) -> list[Problem]:
    from stisim.plugins import resolve_object

    try:
        resolve_object(sweep.run_function)
    except ValueError as exc:
        return [Problem("sweep.run_function", str(exc), sweep.run_function)]
    return []
