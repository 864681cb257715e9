"""Parallel executors give the serial result: a local process pool and Dask on a
LocalCluster; a worker that dies is replaced and only its culprit is recorded as failed."""

from __future__ import annotations

import numpy as np
import pytest

from stisim.dataset import identical_results
from stisim.sweep.runner import run_sweep


@pytest.fixture(scope="module")
def serial_reference(tmp_path_factory):
    import sweeptoy

    sweeptoy.register()
    ov = ["sweep.design=lhs", "sweep.samples=10", "sweep.replicates=2",
          "+sweep.uncertainties={toy.x1:{low:-3,high:3},toy.x2:{low:-3,high:3}}",
          "sweep.progress=false"]
    res = run_sweep(ov, directory=tmp_path_factory.mktemp("serial"), executor="serial",
                    run_function=sweeptoy.toy_run)
    return ov, res.open()


def test_processes_executor_matches_serial(tmp_path, toy, serial_reference):
    ov, ref = serial_reference
    res = run_sweep(ov, directory=tmp_path / "p", executor="processes", workers=2,
                    batch_size=3, run_function=toy.toy_run)
    assert res.executor.startswith("processes (2 workers")
    assert identical_results(res.open(), ref)


def test_dask_local_cluster_matches_serial(tmp_path, toy, serial_reference):
    ov, ref = serial_reference
    res = run_sweep([*ov, "sweep.executor.dask_processes=true"], directory=tmp_path / "d",
                    executor="dask", workers=2, run_function=toy.toy_run)
    assert "LocalCluster (2 processes)" in res.executor
    assert identical_results(res.open(), ref)


def test_dask_scheduler_address(tmp_path, toy, serial_reference):
    from distributed import LocalCluster

    ov, ref = serial_reference
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                      dashboard_address=None) as cluster:
        res = run_sweep([*ov, f"sweep.executor.address={cluster.scheduler_address}"],
                        directory=tmp_path / "a", executor="dask", run_function=toy.toy_run)
    assert cluster.scheduler_address in res.executor
    assert identical_results(res.open(), ref)  # where a sweep ran is not part of its result


@pytest.mark.parametrize("executor", ["processes",
                                      pytest.param("dask", marks=pytest.mark.slow)])
def test_dead_worker_is_replaced_and_only_its_run_fails(tmp_path, toy, serial_reference,
                                                         executor):
    ov, ref = serial_reference
    crash = float(np.sort(ref["toy.x1"].values)[-2])  # the run with the largest x1 crashes
    res = run_sweep([*ov, f"++toy.crash_above={crash}"], directory=tmp_path / "c",
                    executor=executor, workers=2, batch_size=4,
                    run_function=toy.toy_run)
    ds = res.open()
    culprit = ds["toy.x1"].values > crash
    assert culprit.sum() == 1
    assert (ds.run_status.values[culprit] == "failed").all()
    assert "WorkerDied" in str(ds.run_error.values[culprit][0, 0])
    assert (ds.run_status.values[~culprit] == "ok").all()
    np.testing.assert_array_equal(ds["y"].values[~culprit], ref["y"].values[~culprit])


def test_slurm_cluster_from_the_executor_config(caplog):
    pytest.importorskip("dask_jobqueue")
    import logging

    from stisim.sweep.executors import _jobqueue_cluster

    with caplog.at_level(logging.INFO, logger="stisim.sweep"):
        cluster = _jobqueue_cluster("slurm", {"queue": "compute", "account": "sti",
                                              "cores": 8, "processes": 8, "memory": "32GB",
                                              "walltime": "02:00:00"}, jobs=0)
    try:
        script = cluster.job_script()
    finally:
        cluster.close()
    assert "#SBATCH -p compute" in script and "#SBATCH -t 02:00:00" in script
    assert "--nworkers 8" in script
    assert "#SBATCH -A sti" in caplog.text
