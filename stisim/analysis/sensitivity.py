"""Global sensitivity of sweep outcomes to sampled uncertainties, via SALib.

- **Sobol** (Saltelli design): first-order ``S1``, total-order ``ST`` and, when sampled,
  second-order ``S2`` indices with bootstrap confidence intervals (Sobol 2001; Saltelli 2002;
  Saltelli et al. 2010 estimators, as implemented in SALib).
- **Morris** (elementary effects): ``μ``, ``μ*`` (mean absolute effect, Campolongo et al. 2007)
  and ``σ`` (interactions and non-linearity) (Morris 1991).
- **Delta** (Borgonovo 2007, with the Plischke et al. 2013 estimator) with first-order Sobol
  estimates from the same given data: for Latin hypercube and other designs without a SALib
  structure.

Everything needed comes from the sweep Dataset itself: the parameter values are the coords on
``run``, the SALib ``problem`` and sample order are in the ``sweep_design`` attribute, and the
outcome is an expression (see :mod:`stisim.analysis.expression`) such as
``goal_score(goal=9, time=2030)``. Replicates are averaged per run (the sensitivity of the
expected outcome); runs whose replicates all failed make Sobol and Morris impossible and are
reported by name.

Each method has a minimum design size (:func:`minimum_runs`, per lever setting); below it
SALib returns missing indices or zero-width confidence intervals. A smaller sweep is analysed
with a :class:`SampleSizeWarning` (refused with ``strict=True``), and an index SALib could not
compute stays NaN with its reason in the ``not_computed`` attribute: never zero.
"""

from __future__ import annotations

import json
import warnings
from datetime import UTC, datetime
from importlib.metadata import version
from typing import Any

import numpy as np
import xarray as xr

from stisim.analysis.datasets import design_of, levers, ok_mask
from stisim.analysis.expression import describe, outcome
from stisim.dataset import annotate
from stisim.errors import DataError

METHODS = ("sobol", "morris", "delta")
_DESIGN_METHOD = {"sobol": "sobol", "saltelli": "sobol", "morris": "morris"}
# SALib's delta estimator (1.6) bootstraps within equal-width bins of each input: 10 bins,
# each of at least 10 runs (0.5 % of the runs when that is more); sparser bins are merged,
# and with fewer than 2 bins or too few runs per bin it returns no index for that input.
DELTA_BINS, DELTA_MIN_PER_BIN = 10, 10


class SampleSizeWarning(UserWarning):
    """A sweep is smaller than the minimum design of a sensitivity method."""


def minimum_runs(method: str, problem: dict[str, Any], second_order: bool = False
                 ) -> tuple[int, str]:
    """The least number of runs (per lever setting) for ``method`` to give every index, and
    why. Sobol: 2 base samples of the Saltelli design; Morris: 2 trajectories; delta: 100
    runs (10 bins x 10 runs)."""
    d = len(_groups(problem)[0])
    if method == "sobol":
        block = 2 * d + 2 if second_order else d + 2
        return 2 * block, (f"N >= 2 base samples of the Saltelli design ({block} runs each for "
                           f"{d} factors{' with second order' if second_order else ''}); with "
                           "N = 1 SALib's bootstrap resamples a single base sample and reports "
                           "zero-width confidence intervals")
    if method == "morris":
        return 2 * (d + 1), (f"r >= 2 trajectories ({d + 1} runs each for {d} factors); with "
                             "r = 1 SALib cannot estimate sigma (the spread of elementary "
                             "effects) nor a confidence interval of mu*")
    return DELTA_BINS * DELTA_MIN_PER_BIN, (
        f"SALib's delta estimator bootstraps within {DELTA_BINS} equal-width bins of each "
        f"input holding at least {DELTA_MIN_PER_BIN} runs each; with fewer runs bins are "
        "merged and SALib may return no index (below 20 runs it never does)")


def problem_of(ds: xr.Dataset) -> dict[str, Any]:
    """The SALib problem of a sweep: from ``sweep_design["problem"]``, else built from the
    numeric sampled parameters (names and bounds) of ``sweep_design["parameters"]``."""
    design = design_of(ds)
    problem = design.get("problem")
    if problem:
        problem = dict(problem)
        problem.setdefault("num_vars", len(problem["names"]))
        return problem
    lever_names = set(levers(ds))
    names, bounds = [], []
    for p in design.get("parameters", []):
        name = p.get("name")
        if name in lever_names or name not in ds.coords or ds[name].dtype.kind not in "iuf":
            continue
        b = p.get("bounds", p.get("salib_bounds"))
        if b is None and "low" in p and "high" in p:
            b = [p["low"], p["high"]]
        if b is None or len(b) != 2:
            values = np.asarray(ds[name].values, float)
            b = [float(values.min()), float(values.max())]
        names.append(name)
        bounds.append([float(b[0]), float(b[1])])
    if not names:
        raise DataError("the sweep has no sampled numeric parameters (sweep_design "
                        "'parameters' or 'problem'); sensitivity needs at least one")
    return {"num_vars": len(names), "names": names, "bounds": bounds}


def _groups(problem: dict[str, Any]) -> tuple[list[str], np.ndarray]:
    """Factor labels (groups when defined) and the factor index of each variable."""
    groups = problem.get("groups")
    if not groups:
        return list(problem["names"]), np.arange(problem["num_vars"])
    labels = list(dict.fromkeys(groups))
    return labels, np.array([labels.index(g) for g in groups])


def _check_sobol_order(X: np.ndarray, problem: dict[str, Any], second: bool) -> bool:
    """True when the rows of ``X`` have Saltelli's block structure A, AB_i, (BA_i), B."""
    _, member = _groups(problem)
    d = int(member.max()) + 1
    step = 2 * d + 2 if second else d + 2
    if X.shape[0] % step or X.shape[0] == 0:
        return False
    blocks = X.reshape(-1, step, X.shape[1])
    a, b = blocks[:, 0], blocks[:, -1]
    for k in range(d):
        expected = np.where(member == k, b, a)
        if not np.allclose(blocks[:, 1 + k], expected, rtol=1e-9, atol=1e-12):
            return False
        if second and not np.allclose(blocks[:, 1 + d + k], np.where(member == k, a, b),
                                      rtol=1e-9, atol=1e-12):
            return False
    return True


def _check_morris_order(X: np.ndarray, problem: dict[str, Any]) -> bool:
    """True when ``X`` is a sequence of Morris trajectories (one factor moves per step)."""
    _, member = _groups(problem)
    g = int(member.max()) + 1
    if X.shape[0] % (g + 1) or X.shape[0] == 0:
        return False
    traj = X.reshape(-1, g + 1, X.shape[1])
    moved = ~np.isclose(np.diff(traj, axis=1), 0.0)
    moved_group = np.zeros((*moved.shape[:2], g), bool)
    for k in range(g):
        moved_group[..., k] = moved[..., member == k].any(axis=-1)
    return bool((moved_group.sum(axis=-1) == 1).all())


def _sample_matrix(ds: xr.Dataset, problem: dict[str, Any], idx: np.ndarray) -> np.ndarray:
    """The design matrix X of the runs ``idx``: the sweep's ``sample(run, uncertainty)`` (in
    the SALib problem's space) when recorded, else the parameter coords on ``run``."""
    if "sample" in ds and ds["sample"].dims[0] == "run" and ds["sample"].ndim == 2:
        dim = ds["sample"].dims[1]
        labels = [str(v) for v in ds[dim].values] if dim in ds.coords else []
        if set(problem["names"]) <= set(labels):
            return np.asarray(ds["sample"].sel({dim: problem["names"]}).values, float)[idx]
    missing = [n for n in problem["names"] if n not in ds.coords]
    if missing:
        raise DataError(f"sweep lacks run coords for sampled parameters {missing}; coords: "
                        f"{sorted(map(str, ds.coords))}")
    return np.column_stack([np.asarray(ds[n].values, float)[idx] for n in problem["names"]])


def _run_order(ds: xr.Dataset) -> np.ndarray:
    """Run positions in SALib sample order (``sweep_design["sample_order"]`` gives the SALib
    row of each run when runs were stored in another order)."""
    order = design_of(ds).get("sample_order")
    n = ds.sizes["run"]
    if order is None or isinstance(order, str):
        return np.arange(n)
    order = np.asarray(order, int)
    if sorted(order.tolist()) != list(range(n)):
        raise DataError("sweep_design sample_order must be a permutation of the runs")
    return np.argsort(order)


def _per_run(ds: xr.Dataset, y: xr.DataArray) -> xr.DataArray:
    mask = ok_mask(ds)
    if mask is not None:
        y = y.where(mask)
    if "replicate" in y.dims:
        y = y.mean("replicate", skipna=True)
    return y


def sensitivity(ds: xr.Dataset, output: str | xr.DataArray, method: str | None = None, *,
                num_resamples: int | None = None, conf_level: float = 0.95, seed: int = 1,
                strict: bool = False) -> xr.Dataset:
    """Sensitivity indices of ``output`` over the sampled parameters of sweep ``ds``.

    ``output`` is an expression (e.g. ``"goal_score(time=2030)"``) or a DataArray over
    ``run`` (and ``replicate``); dims left in it (e.g. ``goal``) give one set of indices per
    label. ``method`` defaults to the sweep design's (Sobol, Morris), else ``delta``. Levers
    (strategies) crossed with the design give one set of indices per lever setting.
    ``num_resamples`` bootstrap samples give the confidence intervals (default 100 for
    Sobol and Morris, 20 for delta, whose every resample re-estimates densities).
    ``seed`` seeds the bootstrap; it must be positive because SALib ignores a seed of 0
    (``if seed:``) and would bootstrap unseeded.

    A design smaller than :func:`minimum_runs` gives a :class:`SampleSizeWarning`, or a
    :class:`DataError` with ``strict``; so does, with ``strict``, any index SALib could not
    compute. Indices not computed are NaN and listed with their reason in the
    ``not_computed`` attribute (JSON: parameter -> reason).
    """
    if seed < 1:
        raise DataError(f"sensitivity seed must be a positive integer (got {seed}): SALib "
                        "ignores 0 and would give irreproducible confidence intervals")
    if "run" not in ds.dims:
        raise DataError("sensitivity needs a sweep dataset (dim 'run'); got dims "
                        f"{list(map(str, ds.dims))}")
    design = design_of(ds)
    design_name = str(design.get("design", "")).lower()
    method = (method or _DESIGN_METHOD.get(design_name, "delta")).lower()
    if method not in METHODS:
        raise DataError(f"unknown sensitivity method {method!r}; allowed: {', '.join(METHODS)}")
    if method != "delta" and _DESIGN_METHOD.get(design_name) != method:
        raise DataError(f"{method} indices need a {method} sweep design; this sweep's design "
                        f"is {design_name or 'not recorded'} (use method='delta' for any "
                        "sample of independent inputs)")
    if num_resamples is None:
        num_resamples = 20 if method == "delta" else 100
    text = output if isinstance(output, str) else str(output.name or "output")
    y = outcome(ds, output, allow_extra_dims=True) if isinstance(output, str) else output
    y = _per_run(ds, y)
    problem = problem_of(ds)
    labels, _ = _groups(problem)
    order = _run_order(ds)
    lever_names = [n for n in levers(ds) if n not in problem["names"]]
    if lever_names:
        keys = [tuple(ds[n].values[i] for n in lever_names) for i in range(ds.sizes["run"])]
        settings = list(dict.fromkeys(keys))
    else:
        keys, settings = [()] * ds.sizes["run"], [()]
    extra = [d for d in y.dims if d != "run"]
    y = y.transpose("run", *extra)
    flat = y.values.reshape(ds.sizes["run"], -1)
    short = []
    results = []
    not_computed: dict[str, str] = {}
    for setting in settings:
        idx = np.array([i for i in order if keys[i] == setting])
        X = _sample_matrix(ds, problem, idx)
        least, why = minimum_runs(method, problem, method == "sobol" and
                                  _second_order(design, X, problem))
        usable = np.isfinite(flat[idx]).any(axis=1).sum() if method == "delta" else idx.size
        if usable < least:
            short.append((_setting_label(lever_names, setting), int(usable)))
        cols = []
        for j in range(flat.shape[1]):
            Y = flat[idx, j]
            res, reasons = _analyse(method, problem, design, X, Y, ds, idx, num_resamples,
                                    conf_level, seed)
            cols.append(res)
            for name, reason in reasons.items():
                not_computed.setdefault(name, reason)
        results.append(cols)
    if short:
        _short_design(method, least, why, short, strict)
    out = _to_dataset(results, labels, method, lever_names, settings, y, extra)
    out.attrs.update(_attrs(ds, method, describe(text), design_name, problem, num_resamples,
                            conf_level, seed))
    out.attrs["minimum_runs"] = least
    out.attrs["minimum_runs_reason"] = why
    out.attrs["not_computed"] = json.dumps(not_computed)
    failed = {k: v for k, v in not_computed.items() if v != CONSTANT}
    if strict and failed:
        raise DataError(f"{method} indices not computed: " + "; ".join(
            f"{k}: {v}" for k, v in failed.items()))
    return annotate(out)


CONSTANT = "the outcome is the same in every run"


def _setting_label(names: list[str], setting: tuple) -> str:
    return ", ".join(f"{n}={v}" for n, v in zip(names, setting))


def _short_design(method: str, least: int, why: str, short: list[tuple[str, int]],
                  strict: bool) -> None:
    """Warn about (or refuse) lever settings with fewer runs than the method needs."""
    got = "; ".join(f"{n} runs" + (f" for {label}" if label else "") for label, n in short)
    text = (f"{method} needs at least {least} runs per setting ({why}); this sweep has {got}. "
            "Rerun the sweep with more samples (sweep.samples)")
    if strict:
        raise DataError(text)
    warnings.warn(text + "; indices SALib cannot compute are left missing.",
                  SampleSizeWarning, stacklevel=3)


def _analyse(method: str, problem: dict, design: dict, X: np.ndarray, Y: np.ndarray,
             ds: xr.Dataset, idx: np.ndarray, num_resamples: int, conf_level: float,
             seed: int) -> tuple[dict[str, np.ndarray] | None, dict[str, str]]:
    """SALib's indices for one outcome column, and the reason for each factor left NaN."""
    labels, _ = _groups(problem)
    if np.isnan(Y).all():
        return None, {}  # e.g. a goal without indicators: no outcome, nothing to explain
    if np.nanstd(Y) == 0:
        return None, dict.fromkeys(labels, CONSTANT)
    if np.isnan(Y).any():
        bad = ds["run"].values[idx[np.isnan(Y)]]
        if method != "delta":
            raise DataError(f"{method} indices need every run of the design; runs with no "
                            f"successful replicate: {bad.tolist()[:20]}"
                            f"{' ...' if bad.size > 20 else ''}")
        keep = ~np.isnan(Y)
        X, Y = X[keep], Y[keep]
    # SALib's delta sets warning filters and the warning format for the whole process and
    # reports its bin notices as warnings; keep them (and numpy's) out of the user's output.
    formatwarning = warnings.formatwarning
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            out = _salib(method, problem, design, X, Y, num_resamples, conf_level, seed)
        finally:
            warnings.formatwarning = formatwarning
    main = {"sobol": "ST", "morris": "mu_star", "delta": "delta"}[method]
    notes = list(out.get("notes") or [])
    reasons = {}
    for k, name in enumerate(labels):
        if not np.isfinite(np.asarray(out[main], float)[k]):
            note = str(notes[k]).strip() if k < len(notes) and notes[k] else ""
            reasons[name] = f"SALib returned no index from {len(Y)} runs" + (
                f" ({note})" if note else "")
    return out, reasons


def _second_order(design: dict, X: np.ndarray, problem: dict) -> bool:
    """Whether a Sobol design holds the BA_i blocks: recorded, else read from the rows."""
    second = design.get("calc_second_order")
    return bool(_check_sobol_order(X, problem, True) if second is None else second)


def _salib(method: str, problem: dict, design: dict, X: np.ndarray, Y: np.ndarray,
           num_resamples: int, conf_level: float, seed: int) -> dict[str, Any]:
    from SALib.analyze import delta, morris, sobol

    if method == "sobol":
        second = _second_order(design, X, problem)
        if not _check_sobol_order(X, problem, second):
            raise DataError("runs are not in Saltelli sample order (A, AB_i, BA_i, B blocks "
                            "per base sample); record sweep_design['sample_order'] or rerun "
                            "the sweep with its Sobol design")
        return dict(sobol.analyze(problem, Y, calc_second_order=second,
                                  num_resamples=num_resamples, conf_level=conf_level,
                                  seed=seed))
    if method == "morris":
        if not _check_morris_order(X, problem):
            raise DataError("runs are not Morris trajectories in sample order (one factor "
                            "moves per step); record sweep_design['sample_order']")
        return dict(morris.analyze(problem, X, Y, num_resamples=num_resamples,
                                   conf_level=conf_level,
                                   num_levels=int(design.get("num_levels", 4)), seed=seed))
    out = dict(delta.analyze(problem, X, Y, num_resamples=num_resamples,
                             conf_level=conf_level, seed=seed))
    # "raw" is Plischke et al.'s estimator bootstrapped on the sample as drawn, the
    # right reading for designed samples of independent inputs (LHS, grids).
    out["delta"], out["delta_conf"] = out["delta_raw"], out["delta_raw_conf"]
    return out


_FIELDS = {
    "sobol": {"S1": "sobol_s1", "S1_conf": "sobol_s1_conf", "ST": "sobol_st",
              "ST_conf": "sobol_st_conf"},
    "morris": {"mu": "morris_mu", "mu_star": "morris_mu_star",
               "mu_star_conf": "morris_mu_star_conf", "sigma": "morris_sigma"},
    "delta": {"delta": "delta", "delta_conf": "delta_conf", "S1": "delta_s1",
              "S1_conf": "delta_s1_conf"},
}


def _to_dataset(results: list[list[dict | None]], labels: list[str], method: str,
                lever_names: list[str], settings: list[tuple], y: xr.DataArray,
                extra: list[str]) -> xr.Dataset:
    n_set, n_out, n_par = len(results), len(results[0]), len(labels)
    shape_extra = [y.sizes[d] for d in extra]
    fields = dict(_FIELDS[method])
    second = any(r is not None and "S2" in r for row in results for r in row)
    data: dict[str, np.ndarray] = {}
    for key, name in fields.items():
        arr = np.full((n_set, n_out, n_par), np.nan)
        for s, row in enumerate(results):
            for o, r in enumerate(row):
                if r is not None:
                    arr[s, o] = np.asarray(r[key], float)
        data[name] = arr
    if second:
        for key, name in (("S2", "sobol_s2"), ("S2_conf", "sobol_s2_conf")):
            arr = np.full((n_set, n_out, n_par, n_par), np.nan)
            for s, row in enumerate(results):
                for o, r in enumerate(row):
                    if r is not None and key in r:
                        arr[s, o] = np.asarray(r[key], float)
            data[name] = arr
    setting_dim = "setting"
    out = xr.Dataset()
    for name, arr in data.items():
        dims = [setting_dim, "output", "parameter"] + (["parameter_2"] if arr.ndim == 4 else [])
        out[name] = xr.DataArray(arr, dims=dims)
    out = out.assign_coords(parameter=labels)
    if second:
        out = out.assign_coords(parameter_2=labels)
    # Split the flattened outcome dims back out.
    if extra:
        idx = xr.DataArray(np.arange(n_out).reshape(shape_extra), dims=extra,
                           coords={d: y[d].values for d in extra})
        out = out.isel(output=idx)
    else:
        out = out.isel(output=0, drop=True)
    if lever_names:
        for k, name in enumerate(lever_names):
            out = out.assign_coords({name: (setting_dim, [s[k] for s in settings])})
        if len(lever_names) == 1:
            out = out.swap_dims({setting_dim: lever_names[0]})
        out = out.drop_vars(setting_dim, errors="ignore")
    else:
        out = out.isel({setting_dim: 0}, drop=True)
    return out


def _attrs(ds: xr.Dataset, method: str, output: str, design: str, problem: dict,
           num_resamples: int, conf_level: float, seed: int) -> dict[str, Any]:
    refs = {
        "sobol": "Sobol (2001) Math. Comput. Simul. 55:271; Saltelli et al. (2010) Comput. "
                 "Phys. Commun. 181:259",
        "morris": "Morris (1991) Technometrics 33:161; Campolongo, Cariboni & Saltelli (2007) "
                  "Environ. Model. Softw. 22:1509",
        "delta": "Borgonovo (2007) Reliab. Eng. Syst. Saf. 92:771; Plischke, Borgonovo & "
                 "Smith (2013) Eur. J. Oper. Res. 226:536",
    }
    attrs = {
        "title": f"stisim sensitivity ({method})",
        "method": method,
        "method_reference": refs[method],
        "output": output,
        "sweep_design": design or "unknown",
        "salib_problem": json.dumps(problem),
        "n_runs": int(ds.sizes["run"]),
        "n_replicates": int(ds.sizes.get("replicate", 1)),
        "replicates": "averaged per run before analysis",
        "num_resamples": int(num_resamples),
        "conf_level": float(conf_level),
        "bootstrap_seed": int(seed),
        "salib_version": version("SALib"),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    for key in ("country", "scenario", "stisim_version", "git_commit"):
        if key in ds.attrs:
            attrs[f"source_{key}"] = ds.attrs[key]
    return attrs


def ranking(result: xr.Dataset) -> list[str]:
    """Parameters from most to least influential (ST, μ* or δ averaged over other dims)."""
    key = next(k for k in ("sobol_st", "morris_mu_star", "delta") if k in result)
    score = result[key]
    other = [d for d in score.dims if d != "parameter"]
    if other:
        score = score.mean(other, skipna=True)
    order = np.argsort(-np.nan_to_num(score.values, nan=-np.inf))
    return [str(result["parameter"].values[i]) for i in order]
