"""SDR 2022 normalisation: indicator scores, goal scores and the overall index.

score = 100 · (x − lower) / (optimum − lower), clipped to [0, 100]; where lower is better the
optimum is below the lower bound and the same formula inverts the scale. A goal score is the
arithmetic mean of its indicators' scores; the index is the mean of goal scores (Sachs et al.
2022, methodology). Goals without indicators in the registry are NaN and skipped.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from stisim.data.indicators import check_codes, registry


def _bounds(values: xr.DataArray) -> tuple[xr.DataArray, xr.DataArray]:
    reg = registry().loc[check_codes(values["indicator"].values)]
    coords = {"indicator": values["indicator"]}
    return (xr.DataArray(reg["lower"].to_numpy(float), dims="indicator", coords=coords),
            xr.DataArray(reg["optimum"].to_numpy(float), dims="indicator", coords=coords))


def raw_score(values: xr.DataArray) -> xr.DataArray:
    """The linear SDR scale before clipping: 0 at the lower bound, 100 at the optimum.

    Unknown indicator codes raise an error naming them.
    """
    lower, optimum = _bounds(values)
    return 100.0 * (values - lower) / (optimum - lower)


def normalise(values: xr.DataArray) -> xr.DataArray:
    """Indicator scores 0–100 for ``values`` with an ``indicator`` dim."""
    return raw_score(values).clip(0.0, 100.0)


def goal_scores(scores: xr.DataArray) -> xr.DataArray:
    """Mean indicator score per goal (1–17) along a new ``goal`` dim."""
    goal_of = registry().loc[check_codes(scores["indicator"].values), "goal"].to_numpy(int)
    weights = np.zeros((17, goal_of.size))
    weights[goal_of - 1, np.arange(goal_of.size)] = 1.0
    w = xr.DataArray(weights, dims=("goal", "indicator"),
                     coords={"goal": np.arange(1, 18), "indicator": scores["indicator"]})
    present = scores.notnull()
    total = xr.dot(scores.fillna(0.0), w, dim="indicator")
    count = xr.dot(present.astype(float), w, dim="indicator")
    return total / count.where(count > 0)


def index_score(goal: xr.DataArray) -> xr.DataArray:
    """Overall SDG index: mean of available goal scores."""
    return goal.mean("goal", skipna=True)


def add_scores(ds: xr.Dataset) -> xr.Dataset:
    """``ds`` with ``indicator_score``, ``goal_score`` and ``sdg_index`` computed from its
    ``indicator_value`` (the one place scores are assigned)."""
    scores = normalise(ds["indicator_value"])
    goals = goal_scores(scores)
    return ds.assign(indicator_score=scores, goal_score=goals, sdg_index=index_score(goals))
