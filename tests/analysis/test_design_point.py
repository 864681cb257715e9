"""The sweep's design_point coord (row of the design matrix) is not a lever or an input."""

from __future__ import annotations

import numpy as np
import xarray as xr

from stisim.analysis.datasets import levers, run_parameters


def test_design_point_is_neither_input_nor_lever():
    n = 6
    ds = xr.Dataset(
        {"indicator_value": (("run",), np.arange(n, dtype=float))},
        coords={"run": np.arange(n), "design_point": ("run", np.arange(n)),
                "diffusion.p": ("run", np.linspace(0.01, 0.05, n))},
        attrs={"sweep_design": '{"design": "lhs", "salib_problem": {"names": ["diffusion.p"], '
               '"num_vars": 1, "bounds": [[0.01, 0.05]]}}'})
    assert run_parameters(ds) == ["diffusion.p"]
    assert levers(ds) == []
