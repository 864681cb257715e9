"""Short plain-text summaries of results for the terminal."""

from __future__ import annotations

import numpy as np
import xarray as xr

KEY_INDICATORS = ("9.5.1", "9.5.2", "17.8.1", "9.c.1", "7.2.1", "8.2.1", "9.2.1", "9.b.1")


def _fmt(x: float) -> str:
    if x is None or not np.isfinite(x):
        return "-"
    return f"{x:,.2f}" if abs(x) < 1000 else f"{x:,.0f}"


def table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = "  ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in
                     enumerate(zip(header, widths, strict=True)))
    out = [line, "-" * len(line)]
    for r in rows:
        out.append("  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                             for i, (c, w) in enumerate(zip(r, widths, strict=True))))
    return "\n".join(out)


def run_summary(ds: xr.Dataset) -> str:
    """Key indicators and goal scores at the first and last simulated year."""
    t0, t1 = ds["time"].values[0], ds["time"].values[-1]
    years = [f"{t0:.0f}"] + ([f"{t1:.0f}"] if t1 != t0 else [])
    rows = []
    for code in KEY_INDICATORS:
        if code not in ds["indicator"].values:
            continue
        v = ds["indicator_value"].sel(indicator=code)
        vals = [_fmt(float(v.sel(time=t0)))] + ([_fmt(float(v.sel(time=t1)))] if t1 != t0 else [])
        rows.append([f"{code} {str(ds['indicator_name'].sel(indicator=code).values)[:44]}",
                     *vals, str(ds["indicator_unit"].sel(indicator=code).values)])
    parts = [f"{ds.attrs.get('country', '?')} — scenario {ds.attrs.get('scenario', '?')}, "
             f"seed {ds.attrs.get('seed', '?')}"]
    if "coverage" in ds.attrs:
        parts.append(f"note: {ds.attrs['coverage']}")
    parts.append(table(rows, ["indicator", *years, "unit"]))
    goal_rows = []
    for g in ds["goal"].values:
        s = ds["goal_score"].sel(goal=g)
        if np.isnan(float(s.sel(time=t0))):
            continue
        vals = [_fmt(float(s.sel(time=t0)))] + ([_fmt(float(s.sel(time=t1)))] if t1 != t0 else [])
        goal_rows.append([f"SDG {g}", *vals])
    idx = ds["sdg_index"]
    goal_rows.append(["SDG index", _fmt(float(idx.sel(time=t0)))]
                     + ([_fmt(float(idx.sel(time=t1)))] if t1 != t0 else []))
    parts.append(table(goal_rows, ["goal score (0-100)", *years]))
    return "\n\n".join(parts)
