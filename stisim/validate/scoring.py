"""What ``stisim validate`` writes: ``validation.nc``, the score tables and one figure per
country."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr
import yaml

from stisim.dataset import annotate, register_variables
from stisim.validate.holdout import CountryValidation
from stisim.validate.params import BASELINES

KIND = "validation"  # the kind of Dataset variables.yml beside this module documents
with (Path(__file__).with_name("variables.yml")).open(encoding="utf-8") as _fh:
    register_variables(yaml.safe_load(_fh), kind=KIND)

METHODS = ("model", *BASELINES)


def _span(codes: Sequence[str]) -> np.ndarray:
    from stisim.data.indicators import registry

    reg = registry().loc[list(codes)]
    return np.abs(reg["optimum"] - reg["lower"]).to_numpy(float)


def nrmse(forecast: np.ndarray, observed: np.ndarray, span: np.ndarray) -> np.ndarray:
    """100 x RMSE / span per indicator over the rows where both are finite (NaN: none)."""
    ok = np.isfinite(forecast) & np.isfinite(observed)
    n = ok.sum(axis=0)
    sq = np.where(ok, (forecast - observed) ** 2, 0.0).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, 100.0 * np.sqrt(sq / np.maximum(n, 1)) / span, np.nan)


def to_dataset(results: Sequence[CountryValidation], fit_end: int,
               attrs: dict[str, Any]) -> xr.Dataset:
    """The validation of every country as one documented Dataset."""
    codes = results[0].indicators
    years = sorted({y for r in results for y in r.years})
    iso = [r.iso3 for r in results]
    shape = (len(results), len(years), len(codes))

    def grid(get) -> np.ndarray:
        out = np.full(shape, np.nan)
        for c, r in enumerate(results):
            rows = [years.index(y) for y in r.years]
            out[c, rows] = get(r)
        return out

    observed = grid(lambda r: r.observed)
    forecast = np.stack([grid(lambda r: r.predicted)]
                        + [grid(lambda r, m=m: r.baselines[m]) for m in BASELINES])
    held = np.array(years) > fit_end
    span = _span(codes)
    scores = np.full((len(METHODS), len(results), len(codes)), np.nan)
    for m in range(len(METHODS)):
        for c in range(len(results)):
            scores[m, c] = nrmse(forecast[m, c][held], observed[c][held], span)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # cells without held-out data
        best = np.nanmin(scores[1:], axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        skill = 1.0 - scores[0] / best
    windows = sorted({w for r in results for w in r.parameters})
    paths = sorted({p for r in results for w in r.parameters.values() for p in w}
                   | {p for r in results for w in r.held.values() for p in w})
    params = np.full((len(windows), len(results), len(paths)), np.nan)
    for c, r in enumerate(results):
        for w, values in r.parameters.items():
            for p, value in values.items():
                params[windows.index(w), c, paths.index(p)] = value
    ds = xr.Dataset(
        {"observed": (("country", "time", "indicator"), observed),
         "fitted": (("country", "time", "indicator"), grid(lambda r: r.fitted)),
         "predicted": (("country", "time", "indicator"), forecast[0]),
         "predicted_se": (("country", "time", "indicator"), grid(lambda r: r.predicted_se)),
         "baseline": (("method", "country", "time", "indicator"), forecast),
         "nrmse": (("method", "country", "indicator"), scores),
         "skill": (("country", "indicator"), skill),
         "fit_nrmse": (("country", "indicator"), np.stack([r.fit_nrmse for r in results])),
         "parameter_value": (("window", "country", "parameter"), params),
         "baseline_method_note": (("method", "country", "indicator"), np.array(
             [[["held-out run of the calibrated model"] * len(codes)] * len(results)]
             + [[r.baseline_notes[m] for r in results] for m in BASELINES], dtype=object)),
         "input_fallbacks": ("country", np.array([", ".join(r.fallbacks) or "none"
                                                  for r in results], dtype=object))},
        coords={"country": iso, "time": np.array(years, float), "indicator": codes,
                "method": list(METHODS), "window": windows, "parameter": paths,
                "country_name": ("country", [r.name for r in results]),
                "country_m49": ("country", [r.m49 for r in results])})
    ds.attrs.update(attrs)
    ds.attrs["fit_end"] = int(fit_end)
    ds.attrs["test_end"] = int(max(r.test_end for r in results))
    return annotate(ds, KIND)


def summary(ds: xr.Dataset) -> dict[str, Any]:
    """Mean NRMSE per method over the cells with held-out data, the best single baseline,
    the model's ratio to it and its win share."""
    scores = ds["nrmse"]
    cells = np.isfinite(scores).all("method")
    means = {str(m): float(scores.sel({"method": m}).where(cells).mean()) for m in METHODS}
    best = min(BASELINES, key=lambda m: means[m])
    others = scores.sel({"method": list(BASELINES)}).min("method")
    wins = ((scores.sel({"method": "model"}) < others) & cells).sum()
    n = int(cells.sum())
    return {"mean": means, "best_baseline": best,
            "ratio": means["model"] / means[best] if means[best] > 0 else np.nan,
            "wins": int(wins), "cells": n, "win_share": float(wins) / n if n else np.nan}


def score_table(ds: xr.Dataset) -> str:
    """Mean NRMSE per indicator (rows) and method (columns) over the countries with held-out
    data, then all indicators; the last column counts the model's wins."""
    from stisim.summary import table

    scores = ds["nrmse"]
    cells = np.isfinite(scores).all("method")
    others = scores.sel({"method": list(BASELINES)}).min("method")
    win = (scores.sel({"method": "model"}) < others) & cells
    rows = []
    for code in ds["indicator"].values:
        sel = cells.sel(indicator=code)
        n = int(sel.sum())
        row = [str(code), str(n)]
        for m in METHODS:
            v = scores.sel({"method": m, "indicator": code}).where(sel).mean()
            row.append("-" if n == 0 else f"{float(v):.2f}")
        row.append(f"{int(win.sel(indicator=code).sum())}/{n}")
        rows.append(row)
    s = summary(ds)
    rows.append(["all", str(s["cells"])] + [f"{s['mean'][m]:.2f}" for m in METHODS]
                + [f"{s['wins']}/{s['cells']}"])
    return table(rows, ["indicator", "cells", *METHODS, "model wins"])


def country_table(ds: xr.Dataset, country: str) -> str:
    from stisim.summary import table

    sub = ds.sel(country=country)
    rows = []
    for code in ds["indicator"].values:
        s = sub["nrmse"].sel(indicator=code)
        if not np.isfinite(s).all():
            rows.append([str(code)] + ["-"] * (len(METHODS) + 1))
            continue
        rows.append([str(code)] + [f"{float(s.sel({'method': m})):.2f}" for m in METHODS]
                    + [f"{float(sub['skill'].sel(indicator=code)):+.2f}"])
    return table(rows, ["indicator", *METHODS, "skill"])


def parameter_table(ds: xr.Dataset) -> str:
    """Fitted parameters per country, one column per window."""
    from stisim.summary import table

    windows = [int(w) for w in ds["window"].values]
    rows = []
    for country in ds["country"].values:
        for p in ds["parameter"].values:
            v = ds["parameter_value"].sel(country=country, parameter=p)
            values = [float(v.sel(window=w)) for w in windows]
            cells = [f"{x:.4g}" if np.isfinite(x) else "not fitted" for x in values]
            if len(windows) > 1:
                change = values[-1] - values[0]
                cells.append(f"{change:+.4g}" if np.isfinite(change) else "-")
            rows.append([str(country), str(p), *cells])
    head = [f"fit to {w}" for w in windows] + (["change"] if len(windows) > 1 else [])
    return table(rows, ["country", "parameter", *head])


def plot_country(ds: xr.Dataset, country: str, path: str | Path) -> Path:
    """Observed, fitted, held-out prediction (mean +- 2 SE) and baselines per indicator."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sub = ds.sel(country=country)
    codes = [str(c) for c in ds["indicator"].values]
    t = ds["time"].to_numpy()
    fit_end = ds.attrs["fit_end"]
    cols = 3
    fig, axes = plt.subplots((len(codes) + cols - 1) // cols, cols, figsize=(13, 7),
                             squeeze=False)
    styles = {"persistence": ":", "linear_trend": "--", "mean_growth": "-.", "ets": (0, (5, 1)),
              "theta": (0, (1, 2))}
    for ax, code in zip(axes.flat, codes, strict=False):
        obs = sub["observed"].sel(indicator=code).to_numpy()
        ax.plot(t, obs, "ko", ms=3, label="observed")
        ax.plot(t, sub["fitted"].sel(indicator=code), "C0-", label="fitted")
        pred = sub["predicted"].sel(indicator=code).to_numpy()
        band = 2 * sub["predicted_se"].sel(indicator=code).to_numpy()
        ax.plot(t, pred, "C3-", lw=2, label="stisim (held out)")
        ax.fill_between(t, pred - band, pred + band, color="C3", alpha=0.25)
        for m in BASELINES:
            ax.plot(t, sub["baseline"].sel({"method": m, "indicator": code}), color="0.45",
                    ls=styles[m], lw=1, label=m)
        ax.axvline(fit_end + 0.5, color="0.7", lw=0.8)
        ax.set_title(code, fontsize=9)
    for ax in list(axes.flat)[len(codes):]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=6, loc="best")
    fig.suptitle(f"{sub['country_name'].values!s}: fit to {fit_end}, held-out "
                 f"{fit_end + 1}-{ds.attrs['test_end']}", fontsize=10)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path
