"""SDG interaction matrices: loading, validation, influence scores, goal-level aggregation.

Two shipped priors (provenance in ``data/SOURCES.md``):

* **Weitz et al. (2018)**: a 34×34 cross-impact matrix of SDG *targets* for Sweden, scored by
  experts on the Nilsson seven-point scale (−3 cancelling … +3 indivisible); the row target
  influences the column target.
* **Laumann et al. (2022)**: for 35 country groupings, the minimum partial distance
  correlation between each pair of the 17 goals (and temperature, ``T``) with the p-value of
  the conditional-independence test. Distance correlation is non-negative and symmetric: it
  says *how strongly* two goals move together, not in which direction (see
  :func:`laumann_signs` for the sign stisim attaches).

Influence scores (Weitz et al. 2018): the first-order influence of target *i* is its row sum
``Σ_j a_ij``; the second-order influence is ``0.5 · Σ_j a_ij · rowsum_j`` (what *i* does to
the targets it touches, weighted by their own influence, halved for the second step).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from stisim import data
from stisim.errors import DataError

NILSSON_SCALE = (-3.0, 3.0)
GOALS = tuple(range(1, 18))
LAUMANN_DIR = ("interactions", "laumann2022")
WEITZ_FILE = ("interactions", "sei_weitz2018", "weitz2018_sweden_crossimpact_34x34.csv")
_LAUMANN_COLUMNS = ("pair_0", "pair_1", "min_dcor", "p-value")
# Minimum (country, year) pairs behind a sign estimate.
SIGN_MIN_OBS = 30


def _fail(where: str | Path, problems: list[str]) -> DataError:
    shown = problems[:12] + ([f"... and {len(problems) - 12} more"] if len(problems) > 12 else [])
    return DataError(f"invalid interaction matrix {where}:\n" + "\n".join(f"  - {p}"
                                                                           for p in shown))


def validate_matrix(matrix: pd.DataFrame, where: str = "<matrix>",
                    scale: tuple[float, float] | None = NILSSON_SCALE,
                    zero_diagonal: bool = True) -> pd.DataFrame:
    """Check a labelled cross-impact matrix and return it as floats.

    Raises :class:`DataError` naming ``where`` and every problem: not square, row and column
    labels that differ, duplicate labels, non-numeric or missing cells, values outside
    ``scale``, a non-zero diagonal (a target does not score itself).
    """
    problems: list[str] = []
    rows = [str(r).strip() for r in matrix.index]
    cols = [str(c).strip() for c in matrix.columns]
    if matrix.shape[0] == 0 or matrix.shape[1] == 0:
        raise _fail(where, ["the matrix is empty"])
    if matrix.shape[0] != matrix.shape[1]:
        raise _fail(where, [f"not square: {matrix.shape[0]} rows x {matrix.shape[1]} columns"])
    for kind, labels in (("row", rows), ("column", cols)):
        dup = sorted({x for x in labels if labels.count(x) > 1})
        if dup:
            problems.append(f"duplicate {kind} labels: {', '.join(dup)}")
    if sorted(rows) != sorted(cols):
        only_r = sorted(set(rows) - set(cols))
        only_c = sorted(set(cols) - set(rows))
        problems.append(f"row and column labels differ (rows only: {', '.join(only_r) or '-'}; "
                        f"columns only: {', '.join(only_c) or '-'})")
    if problems:
        raise _fail(where, problems)
    frame = matrix.copy()
    frame.index, frame.columns = rows, cols
    frame = frame.loc[rows, rows]
    values = frame.apply(lambda col: pd.to_numeric(col.astype(str).str.strip(), errors="coerce"))
    for r in rows:
        for c in rows:
            raw, num = frame.at[r, c], values.at[r, c]
            if np.isnan(num):
                blank = raw is None or (isinstance(raw, float) and np.isnan(raw)) \
                    or str(raw).strip() == ""
                problems.append(f"cell ({r}, {c}): " + ("missing value" if blank
                                                        else f"not a number: {raw!r}"))
            elif not np.isfinite(num):
                problems.append(f"cell ({r}, {c}): not finite: {raw!r}")
            elif scale is not None and not scale[0] <= num <= scale[1]:
                problems.append(f"cell ({r}, {c}): {num:g} outside the scale "
                                f"{scale[0]:g}..{scale[1]:g}")
    if not problems and zero_diagonal:
        diag = [r for r in rows if values.at[r, r] != 0]
        if diag:
            problems.append("non-zero diagonal (a target does not score itself) at "
                            + ", ".join(diag))
    if problems:
        raise _fail(where, problems)
    out = values.astype(float)
    out.attrs["source"] = where
    return out


def load_cross_impact(path: str | Path, scale: tuple[float, float] | None = NILSSON_SCALE
                      ) -> pd.DataFrame:
    """Read a cross-impact matrix from CSV: first column and header row hold the labels
    (targets such as ``9.5`` or goals such as ``9``); the row influences the column."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"interaction matrix file not found: {path}")
    try:
        raw = pd.read_csv(path, index_col=0, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise _fail(path, [f"cannot be read as CSV: {exc}"]) from None
    return validate_matrix(raw, str(path), scale=scale)


@cache
def _weitz() -> pd.DataFrame:
    return load_cross_impact(data.path(*WEITZ_FILE))


def weitz2018() -> pd.DataFrame:
    """The Weitz et al. (2018) Sweden target cross-impact matrix (34×34, −3…+3)."""
    return _weitz().copy()


def influence_scores(matrix: pd.DataFrame | np.ndarray,
                     labels: Sequence[str] | None = None) -> pd.DataFrame:
    """First- and second-order influence of every row of a cross-impact matrix.

    Returns a table indexed by label with ``first_order`` (row sum), ``positive`` and
    ``negative`` (sums of the positive and negative scores), ``second_order``
    (``0.5 · Σ_j a_ij · rowsum_j``), ``total`` (first + second order, Weitz et al. 2018's
    ranking criterion) and ``rank`` (1 = most positive total influence), sorted by rank.
    """
    if isinstance(matrix, pd.DataFrame):
        frame = validate_matrix(matrix, matrix.attrs.get("source", "<matrix>"), scale=None,
                                zero_diagonal=False)
    else:
        arr = np.asarray(matrix)
        if arr.ndim != 2:
            raise _fail("<array>", [f"expected a 2-D matrix, got {arr.ndim} dimension(s)"])
        names = [str(x) for x in (labels if labels is not None else range(arr.shape[0]))]
        if arr.shape[0] != len(names):
            raise _fail("<array>", [f"{len(names)} labels for {arr.shape[0]} rows"])
        if arr.shape[0] != arr.shape[1]:
            raise _fail("<array>", [f"not square: {arr.shape[0]} rows x {arr.shape[1]} "
                                    "columns"])
        frame = validate_matrix(pd.DataFrame(arr, index=names, columns=names), "<array>",
                                scale=None, zero_diagonal=False)
    a = frame.to_numpy(float)
    rowsum = a.sum(axis=1)
    out = pd.DataFrame({
        "first_order": rowsum,
        "positive": np.where(a > 0, a, 0.0).sum(axis=1),
        "negative": np.where(a < 0, a, 0.0).sum(axis=1),
        "second_order": 0.5 * a @ rowsum,
    }, index=pd.Index(frame.index, name="label"))
    out["total"] = out["first_order"] + out["second_order"]
    out["rank"] = out["total"].rank(ascending=False, method="min").astype(int)
    return out.sort_values(["rank", "first_order"], ascending=[True, False])


def goal_of_label(label: str) -> int:
    """The goal of a target or goal label: ``"9.5"`` → 9, ``"16.a"`` → 16, ``"9"`` → 9."""
    match = re.fullmatch(r"\s*(?:SDG\s*)?(\d{1,2})(?:\.[0-9a-z]+)?\s*", str(label),
                         flags=re.IGNORECASE)
    if not match or not 1 <= int(match.group(1)) <= 17:
        raise DataError(f"cannot map label {label!r} to an SDG (expected a goal 1-17 or a "
                        "target such as 9.5)")
    return int(match.group(1))


def to_goal_matrix(matrix: pd.DataFrame, scale_max: float = NILSSON_SCALE[1]) -> pd.DataFrame:
    """Aggregate a target-level (or goal-level) matrix to the 17 goals.

    Entry (g, h) is the mean score over all pairs of a target of goal g and a target of goal
    h, divided by ``scale_max`` so the result lies in [−1, 1]; the diagonal (within-goal
    interactions) is zero because the dynamics move a goal only through *other* goals.
    Goals without targets have zero rows and columns.
    """
    goal = np.array([goal_of_label(x) for x in matrix.index])
    a = matrix.to_numpy(float)
    out = np.zeros((17, 17))
    for g in np.unique(goal):
        for h in np.unique(goal):
            if g != h:
                out[g - 1, h - 1] = a[np.ix_(goal == g, goal == h)].mean() / scale_max
    return pd.DataFrame(out, index=pd.Index(GOALS, name="from_goal"),
                        columns=pd.Index(GOALS, name="to_goal"))


@cache
def laumann_regions() -> tuple[str, ...]:
    """Country groupings with a shipped Laumann et al. (2022) network."""
    folder = data.path(*LAUMANN_DIR)
    return tuple(sorted(p.stem.removeprefix("conditions_")
                        for p in folder.glob("conditions_*.csv")))


def laumann_file(region: str) -> Path:
    if region not in laumann_regions():
        raise DataError(f"no Laumann et al. (2022) network for region {region!r}; available: "
                        + ", ".join(laumann_regions()))
    return data.path(*LAUMANN_DIR, f"conditions_{region}.csv")


def load_laumann(region: str, p_value: float = 0.05, path: str | Path | None = None
                 ) -> pd.DataFrame:
    """The 17×17 symmetric matrix of partial distance correlations of ``region`` whose
    conditional-independence test has p < ``p_value`` (others 0).

    Pairs with temperature (``T``) are dropped: stisim has no temperature state. ``path``
    reads a file in the same format instead of the shipped one. Results are cached per file
    (and its modification time) and threshold; a copy is returned.
    """
    if not 0.0 < p_value <= 1.0:
        raise DataError(f"Laumann p-value threshold must be in (0, 1], got {p_value}")
    path = Path(path) if path is not None else laumann_file(region)
    stamp = path.stat().st_mtime_ns if path.exists() else None
    return _load_laumann(str(path), stamp, float(p_value)).copy()


@cache
def _load_laumann(path_text: str, stamp: int | None, p_value: float) -> pd.DataFrame:
    del stamp  # part of the cache key only
    path = Path(path_text)
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise _fail(path, [f"cannot be read as CSV: {exc}"]) from None
    missing = [c for c in _LAUMANN_COLUMNS if c not in df.columns]
    if missing:
        raise _fail(path, [f"missing columns: {', '.join(missing)} (expected "
                           f"{', '.join(_LAUMANN_COLUMNS)})"])
    problems: list[str] = []
    nodes = {str(g) for g in GOALS} | {"T"}
    out = np.zeros((17, 17))
    seen: set[tuple[str, str]] = set()
    for i, row in df.iterrows():
        a, b = row["pair_0"].strip(), row["pair_1"].strip()
        line = f"row {i + 2}"
        if a not in nodes or b not in nodes:
            problems.append(f"{line}: unknown node {a if a not in nodes else b!r} "
                            "(allowed: 1-17, T)")
            continue
        if a == b:
            problems.append(f"{line}: self-pair {a}-{b}")
            continue
        key = tuple(sorted((a, b)))
        if key in seen:
            problems.append(f"{line}: duplicate pair {a}-{b}")
        seen.add(key)
        try:
            dcor, p = float(row["min_dcor"]), float(row["p-value"])
        except ValueError:
            problems.append(f"{line}: min_dcor/p-value not numeric "
                            f"({row['min_dcor']!r}, {row['p-value']!r})")
            continue
        if not (0.0 <= dcor <= 1.0 and 0.0 <= p <= 1.0):
            problems.append(f"{line}: min_dcor {dcor:g} and p-value {p:g} must lie in [0, 1]")
            continue
        if "T" in (a, b) or p >= p_value:
            continue
        out[int(a) - 1, int(b) - 1] = out[int(b) - 1, int(a) - 1] = dcor
    if problems:
        raise _fail(path, problems)
    frame = pd.DataFrame(out, index=pd.Index(GOALS, name="from_goal"),
                         columns=pd.Index(GOALS, name="to_goal"))
    frame.attrs["source"] = str(path)
    return frame


@cache
def _panel_goal_scores() -> pd.DataFrame:
    """SDR 2022 goal scores per (iso3, year), from the panel's global indicators."""
    bounds = data.sdr_bounds()
    bounds = bounds[bounds["Global"] == "yes"]
    panel = data.sdr_panel()
    panel = panel[panel.series.isin(bounds.index)]
    lower = panel.series.map(bounds["Lower Bound (=0)"]).astype(float)
    optimum = panel.series.map(bounds["Optimum (= 100)"]).astype(float)
    score = (100.0 * (panel.value.astype(float) - lower) / (optimum - lower)).clip(0.0, 100.0)
    goal = panel.series.map(bounds["SDG"]).astype(int)
    frame = pd.DataFrame({"iso3": panel.iso3, "year": panel.year, "goal": goal, "score": score})
    return frame.groupby(["iso3", "year", "goal"])["score"].mean().unstack("goal")


@cache
def laumann_signs(region: str) -> pd.DataFrame:
    """Correlation of goal scores within the countries of ``region`` (SDR 2022 panel).

    Laumann et al.'s distance correlations carry no sign. stisim attaches the sign of the
    Pearson correlation between SDR goal scores pooled over the region's countries and years
    after removing each country's mean (the same within-region co-movement the network was
    estimated from, measured linearly). Entries with fewer than 30 (country, year) pairs
    are NaN: an edge without a sign is dropped.
    """
    table = data.countries()
    isos = set(table.loc[table["laumann_region"] == region, "iso3"])
    scores = _panel_goal_scores()
    sub = scores[scores.index.get_level_values("iso3").isin(isos)]
    demeaned = sub - sub.groupby(level="iso3").transform("mean")
    corr = demeaned.corr(min_periods=SIGN_MIN_OBS).reindex(index=GOALS, columns=GOALS)
    corr.index.name, corr.columns.name = "from_goal", "to_goal"
    return corr
