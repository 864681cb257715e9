"""The evidence table (``stisim/data/evidence.csv``) and the atlas's comparison with it.

Each row states the range the literature supports for one response of one instrument:
``instrument, outcome, low, high, unit, source`` (and an optional ``note`` saying how the
published figure was turned into the model's measure). The measure follows from the row:

* ``unit`` ending in ``per % of GDP``: the response of ``outcome`` (an SDG indicator code or
  an atlas outcome name) divided by the dose;
* ``outcome`` of the form ``A / B``: the ratio of the responses of A and B (e.g. business R&D
  per unit of public support to firms, an additionality ratio);
* ``unit`` starting with ``USD per person``: the extra money over the horizon divided by the
  extra people reached, ``outcome`` being a share of the population (%), e.g. 7.1.1.

A ratio's standard error is the delta-method one from the paired replicate differences. The
atlas flags every response whose point estimate lies outside ``[low, high]``
(``outside_evidence``) and every one whose ±2 SE interval does (``clearly_outside_evidence``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from stisim.atlas.params import ATLAS_INSTRUMENTS
from stisim.errors import ConfigError, Problem

COLUMNS = ("instrument", "outcome", "low", "high", "unit", "source")
PER_DOSE = "per % of GDP"
PER_PERSON = "USD per person"


def evidence_path() -> Path:
    from stisim import data

    return data.path("evidence.csv")


def _measure(row: pd.Series) -> str:
    if " / " in row["outcome"]:
        return "ratio"
    if str(row["unit"]).endswith(PER_DOSE):
        return "per_dose"
    if str(row["unit"]).startswith(PER_PERSON):
        return "per_person"
    return "unknown"


def load_evidence(path: str | Path | None = None, known: set[str] | None = None) -> pd.DataFrame:
    """The evidence table, every bad row reported at once. ``known``: the outcome names and
    indicator codes an outcome may use (default: the atlas outcomes and the registry)."""
    from stisim.atlas.ensemble import outcome_names
    from stisim.data.indicators import registry

    path = Path(path) if path else evidence_path()
    where = str(path)
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, comment="#")
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ConfigError(
            [Problem(where, f"cannot read the evidence table: {exc}")],
            title="invalid evidence table",
        ) from None
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise ConfigError(
            [Problem(where, "missing columns", missing, ", ".join(COLUMNS) + "[, note]")],
            title="invalid evidence table",
        )
    known = known or {*outcome_names(), *map(str, registry().index)}
    problems = []
    for n, row in table.iterrows():
        at = f"{where} row {n + 2}"  # header is line 1
        if row["instrument"] not in ATLAS_INSTRUMENTS:
            problems.append(
                Problem(
                    f"{at} instrument",
                    "unknown instrument",
                    row["instrument"],
                    ", ".join(ATLAS_INSTRUMENTS),
                )
            )
        parts = [p.strip() for p in row["outcome"].split(" / ")]
        for p in parts:
            if p not in known:
                problems.append(
                    Problem(
                        f"{at} outcome",
                        "unknown outcome",
                        p,
                        "an SDG indicator code or one of "
                        + ", ".join(sorted(k for k in known if "." not in k or not k[0].isdigit())),
                    )
                )
        lo, hi = (
            pd.to_numeric(row["low"], errors="coerce"),
            pd.to_numeric(row["high"], errors="coerce"),
        )
        if not (np.isfinite(lo) and np.isfinite(hi)) or lo > hi:
            problems.append(
                Problem(
                    f"{at} low/high", "must be numbers with low <= high", (row["low"], row["high"])
                )
            )
        if _measure(row) == "unknown":
            problems.append(
                Problem(
                    f"{at} unit",
                    "cannot tell the measure",
                    row["unit"],
                    f"'... {PER_DOSE}', '{PER_PERSON}' or an outcome 'A / B'",
                )
            )
        if not row["source"].strip():
            problems.append(Problem(f"{at} source", "every range needs a source", ""))
    if problems:
        raise ConfigError(problems, title="invalid evidence table")
    table["low"] = table["low"].astype(float)
    table["high"] = table["high"].astype(float)
    if "note" not in table.columns:
        table["note"] = ""
    return table.reset_index(drop=True)


def _ratio(num: np.ndarray, den: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ratio of means over the replicate axis (-1) and its delta-method standard error."""
    n = num.shape[-1]
    mn, md = num.mean(-1), den.mean(-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = mn / md
        if n < 2:
            return r, np.full_like(r, np.nan)
        vn, vd = num.var(-1, ddof=1) / n, den.var(-1, ddof=1) / n
        cov = ((num - mn[..., None]) * (den - md[..., None])).sum(-1) / (n - 1) / n
        var = (vn + r**2 * vd - 2 * r * cov) / md**2
    return r, np.sqrt(np.maximum(var, 0.0))


def compare_evidence(ds: xr.Dataset, table: pd.DataFrame, values, outcomes, intended) -> xr.Dataset:
    """Evidence rows of the atlas's instruments, the model's value of each measure per dose
    and the flags. ``values``/``outcomes``: the paired differences (stisim.atlas.measures
    .Paired) of indicators and outcomes; ``intended``: extra money (instrument, dose,
    replicate)."""
    inst = list(ds["instrument"].values)
    indicators = list(ds["indicator"].values)
    names = list(ds["outcome"].values)
    doses = ds["dose"].values

    def diffs(name: str, i: int) -> np.ndarray:  # (dose, replicate)
        if name in indicators:
            return values.diff[i, :, :, indicators.index(name)]
        return outcomes.diff[i, :, :, names.index(name)]

    rows = table[table["instrument"].isin(inst)].reset_index(drop=True)
    val = np.full((len(rows), doses.size), np.nan)
    se = np.full_like(val, np.nan)
    for k, row in rows.iterrows():
        i = inst.index(row["instrument"])
        kind = _measure(row)
        if kind == "ratio":
            a, b = (p.strip() for p in row["outcome"].split(" / "))
            val[k], se[k] = _ratio(diffs(a, i), diffs(b, i))
        elif kind == "per_dose":
            d = diffs(row["outcome"], i)
            val[k] = d.mean(-1) / doses
            se[k] = (
                d.std(-1, ddof=1) / np.sqrt(d.shape[-1]) if d.shape[-1] > 1 else np.nan
            ) / doses
        else:  # per person: money / (share change x population)
            pop = outcomes.bau[:, names.index("population")]
            reached = diffs(row["outcome"], i) / 100.0 * pop[None, :]
            val[k], se[k] = _ratio(intended[i], reached)
    low, high = rows["low"].to_numpy(float)[:, None], rows["high"].to_numpy(float)[:, None]
    outside = np.isfinite(val) & ((val < low) | (val > high))
    clearly = np.isfinite(val) & np.isfinite(se) & ((val + 2 * se < low) | (val - 2 * se > high))
    labels = [f"{r.instrument}: {r.outcome} [{r.unit}]" for r in rows.itertuples()]
    dims = ("evidence", "dose")
    return xr.Dataset(
        {
            "evidence_instrument": ("evidence", rows["instrument"].to_numpy(str)),
            "evidence_outcome": ("evidence", rows["outcome"].to_numpy(str)),
            "evidence_low": ("evidence", rows["low"].to_numpy(float)),
            "evidence_high": ("evidence", rows["high"].to_numpy(float)),
            "evidence_unit": ("evidence", rows["unit"].to_numpy(str)),
            "evidence_source": ("evidence", rows["source"].to_numpy(str)),
            "evidence_value": (dims, val),
            "evidence_value_se": (dims, se),
            "outside_evidence": (dims, outside),
            "clearly_outside_evidence": (dims, clearly),
        },
        coords={"evidence": labels, "dose": doses},
    )
