"""Statistical baselines a held-out forecast is scored against.

Each method sees the same observations as the model's fit: the indicator's observed values
in the fit window (``fit_start .. fit_end``), nothing later. Forecasts are kept within the
indicator's valid range (``valid_min``/``valid_max`` of the registry, e.g. 0-100 % for
shares), as the model's are.

* ``persistence``: the last observed value;
* ``linear_trend``: least-squares line through the observations of the last ``trend_years``
  fitted years (persistence with fewer than two);
* ``mean_growth``: the last observed value plus the mean annual change over the last
  ``trend_years`` fitted years (random walk with drift; persistence with fewer than two);
* ``ets``: exponential smoothing state-space model chosen by AICc among additive-error models
  without trend, with additive trend and with damped additive trend (``statsmodels``
  ``ETSModel``, the AutoETS of Hyndman & Khandakar 2008 without seasonality);
* ``theta``: the Theta method (Assimakopoulos & Nikolopoulos 2000; ``statsmodels``
  ``ThetaModel``, no seasonal adjustment).

The two model-based forecasters need at least :data:`MIN_MODEL_OBS` observations; gaps inside
the window are interpolated linearly for them. With fewer observations they fall back to
persistence, and the fallback is reported.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np

MIN_MODEL_OBS = 4


def _clip(values: np.ndarray, bounds: tuple[float, float]) -> np.ndarray:
    return np.clip(values, bounds[0], bounds[1])


def _last_window(years: np.ndarray, values: np.ndarray, trend_years: int
                 ) -> tuple[np.ndarray, np.ndarray]:
    keep = years > years.max() - trend_years if years.size else np.zeros(0, bool)
    return years[keep], values[keep]


def _ets(series: np.ndarray, horizon: int) -> np.ndarray:
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    best, best_aicc = None, np.inf
    for trend, damped in ((None, False), ("add", False), ("add", True)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                fit = ETSModel(series, error="add", trend=trend, damped_trend=damped).fit(
                    disp=False)
            except (ValueError, np.linalg.LinAlgError):
                continue
        aicc = float(fit.aicc)
        if np.isfinite(aicc) and aicc < best_aicc:
            best, best_aicc = fit, aicc
    if best is None:
        raise ValueError("no ETS model could be fitted")
    return np.asarray(best.forecast(horizon), float)


def _theta(series: np.ndarray, horizon: int) -> np.ndarray:
    from statsmodels.tsa.forecasting.theta import ThetaModel

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = ThetaModel(series, period=1, deseasonalize=False).fit()
    return np.asarray(fit.forecast(horizon), float)


def forecast(method: str, years: np.ndarray, values: np.ndarray, fit_end: int,
             horizon_years: Sequence[int], trend_years: int = 5,
             bounds: tuple[float, float] = (-np.inf, np.inf)) -> tuple[np.ndarray, str]:
    """Forecast of ``method`` at ``horizon_years`` from the observations ``(years, values)``
    (years <= ``fit_end`` only; later ones are ignored) and how it was made.

    Returns NaNs when nothing is observed.
    """
    years = np.asarray(years, float)
    values = np.asarray(values, float)
    keep = np.isfinite(values) & (years <= fit_end)
    years, values = years[keep], values[keep]
    target = np.asarray(horizon_years, float)
    if values.size == 0:
        return np.full(target.size, np.nan), "no observation in the fit window"
    last_year, last = years[-1], values[-1]
    persistence = np.full(target.size, last)
    if method == "persistence":
        return _clip(persistence, bounds), f"last observation ({last_year:g})"
    if method in ("linear_trend", "mean_growth"):
        wy, wv = _last_window(years, values, trend_years)
        if wv.size < 2:
            return _clip(persistence, bounds), (f"persistence: {wv.size} observation(s) in the "
                                                f"last {trend_years} fitted years")
        if method == "linear_trend":
            slope, intercept = np.polyfit(wy, wv, 1)
            return _clip(intercept + slope * target, bounds), (
                f"line through {wv.size} observations {wy[0]:g}-{wy[-1]:g}")
        drift = (wv[-1] - wv[0]) / (wy[-1] - wy[0])
        return _clip(last + drift * (target - last_year), bounds), (
            f"mean change {drift:.4g}/yr over {wy[0]:g}-{wy[-1]:g}")
    if method in ("ets", "theta"):
        grid = np.arange(years[0], years[-1] + 1)
        if values.size < MIN_MODEL_OBS:
            return _clip(persistence, bounds), (f"persistence: {values.size} observation(s), "
                                                f"fewer than {MIN_MODEL_OBS}")
        series = np.interp(grid, years, values)
        steps = int(target.max() - last_year)
        try:
            path = _ets(series, steps) if method == "ets" else _theta(series, steps)
        except (ValueError, np.linalg.LinAlgError) as exc:
            return _clip(persistence, bounds), f"persistence: {method} failed ({exc})"
        index = (target - last_year).astype(int) - 1
        return _clip(path[index], bounds), (f"{method} on {grid.size} annual values "
                                            f"{grid[0]:g}-{grid[-1]:g}")
    raise ValueError(f"unknown baseline method {method!r}")
