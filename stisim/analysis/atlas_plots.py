"""Figures of the instrument response atlas (``atlas.nc``, :mod:`stisim.atlas`): they read
the atlas Dataset only."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import xarray as xr
from matplotlib.figure import Figure

# Indicators shown by default: the ones the calibration fits and the roadmap instruments
# exist to move.
KEY_INDICATORS = ("9.5.1", "9.5.2", "17.8.1", "9.c.1", "7.2.1", "8.2.1", "7.1.1")
# Enough distinct colours for every atlas instrument (matplotlib tab20).
_COLOURS = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
    "#aec7e8",
    "#ffbb78",
    "#98df8a",
    "#ff9896",
)


def atlas_responses(
    ds: xr.Dataset, indicators: Sequence[str] = KEY_INDICATORS, z: float = 2.0
) -> Figure:
    """Per key indicator and for the SDG index: the end-year response against the dose, one
    line per instrument, bars of ± ``z`` standard errors."""
    codes = [c for c in indicators if c in ds["indicator"].values]
    panels = [*codes, "sdg_index"]
    cols = 4
    rows = int(np.ceil(len(panels) / cols))
    fig = Figure(figsize=(3.1 * cols + 2.2, 2.7 * rows), dpi=100, layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    doses = np.concatenate([[0.0], ds["dose"].values])  # no money, no change
    end = ds.attrs.get("end_year", "")
    for ax, name in zip(axes, panels, strict=False):
        if name == "sdg_index":
            mean, se = ds["sdg_index_response"], ds["sdg_index_response_se"]
            title, unit = "SDG index", "score points"
        else:
            mean = ds["response"].sel(indicator=name)
            se = ds["response_se"].sel(indicator=name)
            unit = (
                str(ds["indicator_unit"].sel(indicator=name).values)
                if "indicator_unit" in ds
                else ""
            )
            title = name
        for k, inst in enumerate(ds["instrument"].values):
            m = np.concatenate([[0.0], mean.sel(instrument=inst).values])
            e = np.concatenate([[0.0], np.nan_to_num(z * se.sel(instrument=inst).values)])
            ax.errorbar(
                doses,
                m,
                yerr=e,
                marker="o",
                ms=3,
                lw=1.2,
                capsize=2,
                color=_COLOURS[k % len(_COLOURS)],
                label=str(inst),
            )
        ax.axhline(0.0, color="#444444", lw=0.6)
        ax.set_title(f"Δ{title} ({end})", fontsize=10, loc="left")
        ax.set_ylabel(unit, fontsize=8)
        ax.set_xlabel("dose (% of GDP a year)", fontsize=8)
        ax.tick_params(labelsize=8)
    for ax in axes[len(panels) :]:
        ax.axis("off")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(
        handles,
        labels,
        loc="outside right upper",
        fontsize=7,
        frameon=False,
        title=f"instrument (±{z:g} SE)",
        title_fontsize=8,
    )
    fig.suptitle(str(ds.attrs.get("title", "instrument response atlas")), fontsize=11)
    return fig
