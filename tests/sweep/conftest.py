"""Fixtures for sweep tests: the toy model's config section and small sweep overrides."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))  # worker processes import sweeptoy by name

import sweeptoy  # noqa: E402

sweeptoy.unregister()  # only while a sweep test runs (fixture below)


@pytest.fixture(autouse=True)
def toy_section():
    sweeptoy.register()
    yield
    sweeptoy.unregister()


@pytest.fixture
def toy():
    return sweeptoy


UNC = ("+sweep.uncertainties={toy.x1:{low:-3.14,high:3.14},toy.x2:{low:-3.14,high:3.14},"
       "toy.n:{dist:integer,low:1,high:5}}")


@pytest.fixture
def toy_overrides():
    """A small LHS sweep of the toy model: 6 points x 2 levers x 2 replicates."""
    return ["sweep.design=lhs", "sweep.samples=6", "sweep.replicates=2", UNC,
            "+sweep.levers={toy.label:[a,b]}", "sweep.progress=false"]
