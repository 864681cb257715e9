"""Fixtures of the analysis tests: synthetic results following the Dataset contracts
(analysis_data.py) and a real base-year run of Ghana from the pipeline."""

from __future__ import annotations

import analysis_data
import pytest

import stisim
from stisim.io import write_dataset


@pytest.fixture(scope="session")
def comparison_ds():
    return analysis_data.comparison()


@pytest.fixture(scope="session")
def sweep_ds():
    return analysis_data.sweep(fail_every=9)


@pytest.fixture(scope="session")
def allocation_ds():
    return analysis_data.allocation()


@pytest.fixture(scope="session")
def real_run_ds():
    """A real Ghana run that covers the base year only (end_year = base_year)."""
    return stisim.run(stisim.load_config("run", ["country=ghana", "time.end_year=2022"]))


@pytest.fixture(scope="session")
def real_trajectory_ds():
    """A small real agent-model run for Ghana, 2022-2030."""
    return stisim.run(stisim.load_config("run", ["country=ghana", "time.end_year=2030",
                                                 "firms.count=2000"]))


@pytest.fixture(scope="session")
def comparison_dir(tmp_path_factory, comparison_ds, allocation_ds):
    """A compare-like output directory: comparison.nc, allocation.nc and pareto.nc."""
    d = tmp_path_factory.mktemp("comparison")
    write_dataset(comparison_ds, d / "comparison.nc")
    write_dataset(allocation_ds, d / "allocation.nc")
    write_dataset(analysis_data.pareto(), d / "pareto.nc")
    return d


@pytest.fixture(scope="session")
def sweep_file(tmp_path_factory, sweep_ds):
    d = tmp_path_factory.mktemp("sweep")
    return write_dataset(sweep_ds, d / "sweep.nc")


# -- real outputs of the commands, made once per test session (shared by xdist workers)

JOURNEY_SWEEP = ["sweep.name=journey", "sweep.design=morris", "sweep.samples=3",
                 "sweep.replicates=2", "sweep.executor.kind=serial", "sweep.progress=false",
                 "+sweep.uncertainties={diffusion.p:{low:0.005,high:0.08},"
                 "diffusion.q:{low:0.1,high:0.7},firms.skill_mean:{low:0.06,high:0.25}}",
                 "firms.count=300", "time.end_year=2027"]
JOURNEY_COMPARE = ["country=kenya", "firms.count=200", "time.end_year=2027", "replicates=2",
                   "strategies=[optimal_sdg,equal_split]"]


def _made_once(tmp_path_factory, name: str, argv: list[str]):
    """The directory ``stisim ARGV`` writes, made once per session: under pytest-xdist the
    first worker makes it and the others wait for it (a file lock)."""
    import logging
    import os

    from filelock import FileLock

    from stisim.cli import main

    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # shared by the workers of this session
    target = root / f"journey-{name}"
    with FileLock(f"{target}.lock"):
        if not (target.parent / f"{target.name}.done").exists():
            where = f"sweep.dir={target}" if argv[0] == "sweep" else f"hydra.run.dir={target}"
            level, handlers = logging.root.level, logging.root.handlers[:]
            try:
                code = main([*argv, where])
            finally:  # Hydra's job logging would print every later test's INFO records
                for h in set(logging.root.handlers) - set(handlers):
                    h.close()
                logging.root.handlers[:] = handlers
                logging.root.setLevel(level)
            assert code == 0, f"stisim {' '.join(argv)} failed ({code})"
            (target.parent / f"{target.name}.done").touch()
    return target


@pytest.fixture(scope="session")
def real_sweep_dir(tmp_path_factory):
    """A real Morris sweep of the agent model (Ghana): 3 uncertainties, 3 trajectories
    (12 runs) x 2 replicates, 300 firms, 2022-2027."""
    return _made_once(tmp_path_factory, "sweep", ["sweep", *JOURNEY_SWEEP])


@pytest.fixture(scope="session")
def real_compare_dir(tmp_path_factory):
    """A real `stisim compare` directory (Kenya, two strategies and the no-roadmap
    reference, 2 replicates, 200 firms, 2022-2027)."""
    return _made_once(tmp_path_factory, "compare", ["compare", *JOURNEY_COMPARE])


@pytest.fixture(scope="session")
def real_optimise_dir(tmp_path_factory):
    """A real `stisim optimise` directory: Kenya's roadmap portfolio, default objective."""
    return _made_once(tmp_path_factory, "optimise", ["optimise", "portfolio=kenya"])
