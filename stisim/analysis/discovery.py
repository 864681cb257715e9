"""Scenario discovery: under which sampled conditions does a roadmap miss its targets?

Each successful ensemble member of a sweep (run × replicate) is a case; its inputs are the
coords on ``run`` (sampled uncertainties and levers), its outcome a user condition such as
``goal_score(goal=9, time=2030) < 50`` (see :mod:`stisim.analysis.expression`).

- **PRIM** (Friedman & Fisher 1999; Bryant & Lempert 2010): boxes found by peeling and
  pasting, with the coverage/density trade-off along the trajectory, from the maintained
  implementation in the EMA Workbench (Kwakkel 2017). Integer inputs are passed as floats and
  categorical ones as pandas categories, which that implementation needs under pandas 3.
- **CART** (Breiman et al. 1984): a scikit-learn decision tree; each leaf that predicts the
  condition is a box (limits read from the tree's splits).

Both return an :class:`xarray.Dataset` of boxes with coverage (share of all cases of interest
inside the box), density (share of cases in the box that are of interest), mass, limits and
the parameters each box restricts.
"""

from __future__ import annotations

import inspect
import json
import logging
import warnings
from datetime import UTC, datetime
from importlib.metadata import version
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from stisim.analysis.datasets import ok_mask, run_parameters
from stisim.analysis.expression import condition as eval_condition
from stisim.analysis.expression import describe
from stisim.dataset import annotate
from stisim.errors import DataError

REFERENCES = {
    "prim": "Friedman & Fisher (1999) Stat. Comput. 9:123; Bryant & Lempert (2010) Technol. "
            "Forecast. Soc. Change 77:34; EMA Workbench (Kwakkel 2017, Environ. Model. Softw. "
            "96:239)",
    "cart": "Breiman, Friedman, Olshen & Stone (1984) Classification and Regression Trees; "
            "scikit-learn DecisionTreeClassifier; Lempert, Bryant & Bankes (2008) Comparing "
            "algorithms for scenario discovery, RAND WR-557-NSF",
}


def cases(ds: xr.Dataset, condition: str | xr.DataArray,
          parameters: list[str] | None = None) -> tuple[pd.DataFrame, np.ndarray]:
    """The inputs (one row per successful run × replicate) and the boolean condition."""
    if "run" not in ds.dims:
        raise DataError("scenario discovery needs a sweep dataset (dim 'run'); got dims "
                        f"{list(map(str, ds.dims))}")
    names = parameters or run_parameters(ds)
    missing = [n for n in names if n not in ds.coords or ds[n].dims != ("run",)]
    if missing:
        raise DataError(f"not sweep parameters (coords on run): {missing}; available: "
                        f"{', '.join(run_parameters(ds))}")
    if not names:
        raise DataError("the sweep has no coords on run (sampled parameters or levers)")
    y = eval_condition(ds, condition) if isinstance(condition, str) else condition
    if "replicate" not in y.dims and "replicate" in ds.dims:
        y = y.expand_dims(replicate=ds["replicate"].values)
    if "replicate" not in y.dims:
        y = y.expand_dims(replicate=[0])
    y = y.transpose("run", "replicate")
    keep = np.ones(y.shape, bool)
    mask = ok_mask(ds)
    if mask is not None:
        keep &= mask.broadcast_like(y).transpose("run", "replicate").values
    run_idx, _ = np.nonzero(keep)
    columns = {}
    for n in names:
        values = np.asarray(ds[n].values)[run_idx]
        if values.dtype.kind in "iufb":
            columns[n] = values.astype(float)
        else:
            columns[n] = pd.Categorical(values.astype(str))
    x = pd.DataFrame(columns)
    return x, y.values[keep].astype(bool)


def _limits(x: pd.DataFrame) -> dict[str, Any]:
    return {c: (set(x[c].cat.categories) if isinstance(x[c].dtype, pd.CategoricalDtype)
                else (float(x[c].min()), float(x[c].max()))) for c in x.columns}


def _rule(names: list[str], lower, upper, cats, restricted, full: dict[str, Any]) -> str:
    parts = []
    for j, n in enumerate(names):
        if not restricted[j]:
            continue
        if cats[j]:
            parts.append(f"{n} in {{{cats[j]}}}")
            continue
        lo, hi = full[n]
        if lower[j] > lo and upper[j] < hi:
            parts.append(f"{lower[j]:.4g} <= {n} <= {upper[j]:.4g}")
        elif lower[j] > lo:
            parts.append(f"{n} >= {lower[j]:.4g}")
        else:
            parts.append(f"{n} <= {upper[j]:.4g}")
    return " and ".join(parts) or "(whole space)"


def _boxes_dataset(names: list[str], boxes: list[dict[str, Any]], x: pd.DataFrame,
                   y: np.ndarray) -> xr.Dataset:
    nb, npar = len(boxes), len(names)
    lower = np.full((nb, npar), np.nan)
    upper = np.full((nb, npar), np.nan)
    qp = np.full((nb, npar), np.nan)
    cats = np.full((nb, npar), "", dtype=object)
    restricted = np.zeros((nb, npar), bool)
    full = _limits(x)
    rules = []
    for i, b in enumerate(boxes):
        for j, n in enumerate(names):
            lim = b["limits"][n]
            if isinstance(lim, set):
                cats[i, j] = ", ".join(sorted(map(str, lim)))
                restricted[i, j] = lim != full[n]
            else:
                lower[i, j], upper[i, j] = lim
                lo, hi = full[n]
                restricted[i, j] = lim[0] > lo or lim[1] < hi
            qp[i, j] = b.get("qp", {}).get(n, np.nan)
        rules.append(_rule(names, lower[i], upper[i], cats[i], restricted[i], full))
    return xr.Dataset(
        {
            "box_coverage": ("box", np.array([b["coverage"] for b in boxes], float)),
            "box_density": ("box", np.array([b["density"] for b in boxes], float)),
            "box_mass": ("box", np.array([b["mass"] for b in boxes], float)),
            "box_n": ("box", np.array([b["n"] for b in boxes], np.int64)),
            "box_lower": (("box", "parameter"), lower),
            "box_upper": (("box", "parameter"), upper),
            "box_categories": (("box", "parameter"), cats.astype(str)),
            "box_restricted": (("box", "parameter"), restricted),
            "box_quasi_p": (("box", "parameter"), qp),
            "box_rule": ("box", np.array(rules, dtype=str)),
        },
        coords={"box": np.arange(nb), "parameter": names},
    )


def _attrs(method: str, text: str, x: pd.DataFrame, y: np.ndarray, ds: xr.Dataset,
           settings: dict[str, Any]) -> dict[str, Any]:
    attrs = {
        "title": f"stisim scenario discovery ({method.upper()})",
        "method": method,
        "method_reference": REFERENCES[method],
        "condition": text,
        "n_cases": int(y.size),
        "n_of_interest": int(y.sum()),
        "base_rate": float(y.mean()) if y.size else float("nan"),
        "settings": json.dumps(settings),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    if ds.sizes.get("run"):
        attrs["n_failed_runs_excluded"] = int(ds.sizes["run"] * ds.sizes.get("replicate", 1)
                                              - y.size)
    for key in ("country", "scenario", "stisim_version", "git_commit"):
        if key in ds.attrs:
            attrs[f"source_{key}"] = ds.attrs[key]
    return attrs


def _empty(names: list[str], x: pd.DataFrame, y: np.ndarray) -> xr.Dataset:
    return _boxes_dataset(names, [], x, y)


def prim(ds: xr.Dataset, condition: str | xr.DataArray, *, parameters: list[str] | None = None,
         threshold: float = 0.8, peel_alpha: float = 0.05, paste_alpha: float = 0.05,
         mass_min: float = 0.05, max_boxes: int = 3, min_density: float | None = None,
         significance: float | None = 0.05) -> xr.Dataset:
    """PRIM boxes for the cases where ``condition`` holds.

    Boxes are searched one after another (each on the cases outside the previous ones) until
    ``max_boxes`` or until a box's density stays below ``threshold``. By default each box is
    the end of its peeling-and-pasting trajectory; with ``min_density`` it is the box of
    highest coverage whose density reaches ``min_density`` (a point on the trade-off curve).
    Restrictions whose quasi-p-value exceeds ``significance`` (they raise density no more
    than chance would) are then dropped, as Bryant & Lempert (2010) recommend, unless the
    box would fall below ``threshold``; ``None`` keeps them all. The trajectories are
    returned as ``trajectory_*(search, step)``.
    """
    x, y = cases(ds, condition, parameters)
    names = list(x.columns)
    text = describe(condition) if isinstance(condition, str) else str(condition.name)
    settings = {"threshold": threshold, "peel_alpha": peel_alpha, "paste_alpha": paste_alpha,
                "mass_min": mass_min, "max_boxes": max_boxes, "min_density": min_density,
                "significance": significance}
    if y.size == 0 or y.all() or not y.any():
        out = _empty(names, x, y).merge(_trajectory_dataset([]))  # same variables, no search
        out.attrs.update(_attrs("prim", text, x, y, ds, settings))
        out.attrs["note"] = ("the condition holds in no case" if not y.any() else
                             "the condition holds in every case") + "; there is nothing to bound"
        return annotate(out)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim as ema_prim
    logging.getLogger("EMA").setLevel(logging.WARNING)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas 3 deprecations inside the workbench
        finder = ema_prim.Prim(x, y.astype(int), peel_alpha=peel_alpha,
                               paste_alpha=paste_alpha, mass_min=mass_min,
                               **_keep_every_box(ema_prim.Prim))
    init = _limits(x)
    boxes, trajectories = [], []
    for _ in range(max_boxes):
        if finder.yi_remaining.size == 0 or y[finder.yi_remaining].sum() == 0:
            break
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            box = finder.find_box()
        if box is None:
            break
        traj = box.peeling_trajectory
        trajectories.append(traj)
        accepted = box.density >= threshold and box.res_dim > 0
        if not accepted:
            break
        step = len(traj) - 1
        if min_density is not None:
            ok = traj.index[traj["density"] >= min_density]
            if len(ok):
                step = int(traj.loc[ok, "coverage"].idxmax())
            box.select(step)
        if significance is not None:
            step = _drop_insignificant(box, step, significance, threshold)
        boxes.append(_ema_box(box, step, names, init))
        # dropping restrictions appends to the box's trajectory (a new frame): keep the
        # whole of it, so that box_step indexes the trajectory stored for this search
        trajectories[-1] = box.peeling_trajectory
    out = _boxes_dataset(names, boxes, x, y)
    out = out.merge(_trajectory_dataset(trajectories))
    out["box_step"] = ("box", np.array([b["step"] for b in boxes], np.int64))
    out.attrs.update(_attrs("prim", text, x, y, ds, settings))
    if not boxes:
        best = max(float(t["density"].max()) for t in trajectories) if trajectories else 0.0
        out.attrs["note"] = (f"no box reached density {threshold:g} (best on the trajectory: "
                             f"{best:.2f}); lower the threshold or add cases")
    return annotate(out)


def _keep_every_box(prim_class: type) -> dict[str, Any]:
    """Arguments that make the workbench keep every box it finds, whatever its density: the
    density threshold is applied here, on the whole trajectory.

    EMA Workbench 3 keeps every box. Version 2.5 (the one for Python 3.11) replaces a box
    below its ``threshold`` by the whole space and loses the trajectory; a near-zero
    threshold keeps every box (cases of interest are still y >= threshold, i.e. y == 1)."""
    if "threshold" in inspect.signature(prim_class).parameters:
        return {"threshold": 1e-9}
    return {}


def _quasi_p(box) -> list[dict[str, list[float]]]:
    """Quasi-p-values of each step of a box's trajectory (``p_values`` in EMA Workbench 3,
    ``qp`` before): restricted parameter -> [lower side, upper side], -1 where unrestricted."""
    return box.p_values if "p_values" in vars(box) else box.qp


def _drop_insignificant(box, step: int, alpha: float, threshold: float) -> int:
    """Drop restrictions whose every restricted side has quasi-p > ``alpha``, weakest first,
    as long as the box keeps a density of at least ``threshold``; each drop is a new entry
    on the box's trajectory. Returns the step of the box kept."""
    tried: set[str] = set()
    while True:
        weak = [n for n, pair in _quasi_p(box)[step].items() if n not in tried
                and all(v < 0 or v > alpha for v in pair) and any(v >= 0 for v in pair)]
        if not weak:
            box.select(step)
            return step
        worst = max(weak, key=lambda n: min(v for v in _quasi_p(box)[step][n] if v >= 0))
        tried.add(worst)
        box.drop_restriction(worst, i=step)
        new = len(box.peeling_trajectory) - 1
        if box.peeling_trajectory["density"].iloc[new] >= threshold:
            step = new


def _ema_box(box, step: int, names: list[str], init: dict[str, Any]) -> dict[str, Any]:
    lim = box.box_lims[step]
    row = box.peeling_trajectory.iloc[step]
    limits = {}
    for n in names:
        if isinstance(init[n], set):
            limits[n] = set(map(str, lim[n].iloc[0]))
        else:
            limits[n] = (float(lim[n].iloc[0]), float(lim[n].iloc[1]))
    qp = {}
    qps = _quasi_p(box)
    qp_table = qps[step] if step < len(qps) else {}
    for n, pair in qp_table.items():
        vals = [v for v in pair if v is not None and v >= 0]
        if vals:
            qp[n] = float(min(vals))
    return {"coverage": float(row["coverage"]), "density": float(row["density"]),
            "mass": float(row["mass"]), "n": int(row["n"]), "limits": limits, "qp": qp,
            "step": step}


def _trajectory_dataset(trajectories: list[pd.DataFrame]) -> xr.Dataset:
    steps = max((len(t) for t in trajectories), default=0)
    data = {}
    for key in ("coverage", "density", "mass", "res_dim"):
        arr = np.full((len(trajectories), steps), np.nan)
        for i, t in enumerate(trajectories):
            arr[i, :len(t)] = t[key].to_numpy(float)
        name = "trajectory_restricted" if key == "res_dim" else f"trajectory_{key}"
        data[name] = (("search", "step"), arr)
    return xr.Dataset(data, coords={"search": np.arange(len(trajectories)),
                                    "step": np.arange(steps)})


def cart(ds: xr.Dataset, condition: str | xr.DataArray, *, parameters: list[str] | None = None,
         mass_min: float = 0.05, max_depth: int | None = 4, seed: int = 0) -> xr.Dataset:
    """CART boxes: the leaves of a decision tree that predict ``condition``.

    Leaves hold at least ``mass_min`` of the cases; categorical parameters are one-hot
    encoded and read back as sets of categories. Boxes are sorted by coverage.
    """
    from sklearn.tree import DecisionTreeClassifier

    x, y = cases(ds, condition, parameters)
    names = list(x.columns)
    text = describe(condition) if isinstance(condition, str) else str(condition.name)
    settings = {"mass_min": mass_min, "max_depth": max_depth, "seed": seed}
    if y.size == 0 or y.all() or not y.any():
        out = _empty(names, x, y)
        out.attrs.update(_attrs("cart", text, x, y, ds, settings))
        out.attrs["note"] = "the condition holds in " + ("every" if y.all() else "no") + " case"
        return annotate(out)
    features, feature_of = [], []  # (column, category or None)
    for n in names:
        if isinstance(x[n].dtype, pd.CategoricalDtype):
            for c in x[n].cat.categories:
                features.append((x[n] == c).to_numpy(float))
                feature_of.append((n, str(c)))
        else:
            features.append(x[n].to_numpy(float))
            feature_of.append((n, None))
    X = np.column_stack(features)
    tree = DecisionTreeClassifier(min_samples_leaf=max(1, int(np.ceil(mass_min * y.size))),
                                  max_depth=max_depth, random_state=seed)
    tree.fit(X, y)
    t = tree.tree_
    init = _limits(x)
    leaf_of = tree.apply(X)
    boxes = []

    def walk(node: int, limits: dict[str, Any]) -> None:
        if t.children_left[node] == -1:
            inside = leaf_of == node
            k, n = int(y[inside].sum()), int(inside.sum())
            if n and k / n > 0.5:
                boxes.append({"coverage": k / y.sum(), "density": k / n, "mass": n / y.size,
                              "n": n, "limits": limits})
            return
        col, cat = feature_of[t.feature[node]]
        thr = float(t.threshold[node])
        left, right = dict(limits), dict(limits)
        if cat is None:
            lo, hi = limits[col]
            left[col], right[col] = (lo, min(hi, thr)), (max(lo, thr), hi)
        else:  # one-hot: left is "not this category", right is "this category"
            left[col], right[col] = limits[col] - {cat}, limits[col] & {cat}
        walk(t.children_left[node], left)
        walk(t.children_right[node], right)

    walk(0, {n: (set(map(str, v)) if isinstance(v, set) else v) for n, v in init.items()})
    boxes.sort(key=lambda b: -b["coverage"])
    out = _boxes_dataset(names, boxes, x, y).merge(_tree_dataset(tree, X, y, feature_of))
    out.attrs.update(_attrs("cart", text, x, y, ds, settings))
    out.attrs["tree_accuracy"] = float(tree.score(X, y))
    out.attrs["sklearn_version"] = version("scikit-learn")
    if not boxes:
        out.attrs["note"] = "no leaf of the tree predicts the condition"
    return annotate(out)


def _tree_dataset(tree, X: np.ndarray, y: np.ndarray,
                  feature_of: list[tuple[str, str | None]]) -> xr.Dataset:
    """The fitted tree as node arrays (split, children, cases), enough to draw it."""
    t = tree.tree_
    path = tree.decision_path(X)
    cases_at = np.asarray(path.sum(axis=0)).ravel()
    interest_at = np.asarray(path.T @ y.astype(float)).ravel()
    splits = []
    for node in range(t.node_count):
        if t.children_left[node] == -1:
            splits.append("")
            continue
        col, cat = feature_of[t.feature[node]]
        splits.append(f"{col} <= {t.threshold[node]:.4g}" if cat is None else f"{col} != {cat}")
    return xr.Dataset({
        "tree_split": ("node", np.array(splits, dtype=str)),
        "tree_left": ("node", t.children_left.astype(np.int64)),
        "tree_right": ("node", t.children_right.astype(np.int64)),
        "tree_cases": ("node", cases_at.astype(np.int64)),
        "tree_of_interest": ("node", np.rint(interest_at).astype(np.int64)),
    }, coords={"node": np.arange(t.node_count)})


def in_box(result: xr.Dataset, ds: xr.Dataset, box: int = 0) -> xr.DataArray:
    """True for the runs of sweep ``ds`` that fall inside box ``box`` of a discovery result."""
    inside = xr.DataArray(np.ones(ds.sizes["run"], bool), dims="run",
                          coords={"run": ds["run"]})
    b = result.isel(box=box)
    for n in result["parameter"].values:
        n = str(n)
        if not bool(b["box_restricted"].sel(parameter=n)):
            continue
        values = ds[n]
        cats = str(b["box_categories"].sel(parameter=n).values)
        if cats:
            allowed = {c.strip() for c in cats.split(",")}
            inside &= xr.DataArray(np.isin(values.values.astype(str), list(allowed)), dims="run",
                                   coords={"run": ds["run"]})
        else:
            lo = float(b["box_lower"].sel(parameter=n))
            hi = float(b["box_upper"].sel(parameter=n))
            inside &= (values >= lo) & (values <= hi)
    return inside
