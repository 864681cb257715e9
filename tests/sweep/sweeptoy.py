"""Cheap deterministic run functions for sweep tests (imported by worker processes too).

The ``toy`` config section is registered on import so that worker processes, which import
this module to unpickle the run function, validate run configs that carry it. Tests remove
it from the registry again (see the ``toy`` fixture) so other tests see the usual config.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

import numpy as np
import xarray as xr

from stisim.config.fields import param
from stisim.config.sections import SECTIONS, section


@dataclass
class ToyConfig:
    """Inputs of the toy model."""

    x1: float = param(0.0, "first input", ge=-4.0, le=4.0)
    x2: float = param(0.0, "second input", ge=-4.0, le=4.0)
    x3: float = param(0.0, "third input", ge=-4.0, le=4.0)
    n: int = param(3, "an integer input", ge=1, le=20)
    label: str = param("a", "a categorical input", choices=["a", "b", "c"])
    years: int = param(4, "length of the time axis", ge=1, le=50)
    delay: float = param(0.0, "seconds each run sleeps", ge=0.0)
    fail_above: float = param(99.0, "runs with x1 above this raise")
    crash_above: float = param(99.0, "runs with x1 above this kill their process")


def register() -> None:
    section("toy")(ToyConfig)


def unregister() -> None:
    SECTIONS.pop("toy", None)


register()


def ishigami(x1: float, x2: float, x3: float, a: float = 7.0, b: float = 0.1) -> float:
    return float(np.sin(x1) + a * np.sin(x2) ** 2 + b * x3**4 * np.sin(x1))


def toy_run(cfg) -> xr.Dataset:
    """Ishigami output plus seeded noise on a time axis; raises when x1 > fail_above."""
    t = cfg.toy
    if t.delay:
        time.sleep(t.delay)
    if t.x1 > t.crash_above:
        os._exit(3)  # a crash in native code or an out-of-memory kill looks like this
    if t.x1 > t.fail_above:
        raise ValueError(f"toy model refuses x1={t.x1:.3f} > {t.fail_above}")
    rng = np.random.default_rng(cfg.seed)
    years = np.arange(2022, 2022 + t.years, dtype=float)
    y = ishigami(t.x1, t.x2, t.x3)
    path = y * (1 + 0.1 * np.arange(t.years)) + rng.normal(0, 0.01, t.years)
    ds = xr.Dataset(
        {
            "y": ((), y, {"units": "1", "long_name": "Ishigami function"}),
            "path": (("time",), path, {"units": "1", "long_name": "noisy path"}),
            "total": ((), np.int64(t.n * 2)),
            "flag": (("time",), path > y),
            "label_out": ((), f"label {t.label}"),
            "metadata": (("sector",), np.array(["agri", "ict"]), {"units": "1"}),
        },
        coords={"time": years, "sector": ["agriculture", "ict"]},
        attrs={"seed": cfg.seed, "model": "toy"},
    )
    if t.label == "c":  # a variable only some runs have
        ds["only_c"] = (("time",), 2 * path, {"units": "1", "long_name": "label c only"})
    return ds


def plain_value(cfg) -> int:
    """Not a Dataset: a run function returning the wrong type."""
    return 3
