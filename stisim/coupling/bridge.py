"""Calls into the optimiser (the only module of stisim.coupling that imports it)."""

from __future__ import annotations

import xarray as xr


def optimise_spend(portfolio, cfg, objective: str, responses=None, counterfactual=None,
                   **options) -> tuple[xr.DataArray, xr.Dataset]:
    """The optimiser's spend(action, year, source) and allocation for an objective."""
    from stisim.optimize.api import optimise

    ds = optimise(portfolio, objective=objective, responses=responses,
                  counterfactual=counterfactual, seed=int(cfg.seed),
                  base_year=int(cfg.time.base_year), summary=False, **options)
    spend = ds["spend"]
    if "scenario" in spend.dims:
        spend = spend.mean("scenario")
    return spend.transpose("action", "year", "source").fillna(0.0), ds
