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
