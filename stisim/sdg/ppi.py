"""Policy Priority Inference (PPI) interoperability.

PPI (Guerrero & Castañeda; PyPI ``policy-priority-inference``) models how government
expenditure programmes and an indicator network move development indicators. Its tutorial
data format (shipped in ``data/ppi/clean_data``) is five CSV files:

* ``data_indicators.csv`` — one row per indicator: yearly values (columns ``2000`` …),
  ``seriesCode``, ``sdg``, ``minVals``/``maxVals`` (theoretical bounds), ``instrumental``
  (1 = targeted by expenditure), ``seriesName``, ``I0``/``IF`` (initial and final values),
  ``successRates`` (share of periods with improvement), ``qm``/``rl`` (quality of
  monitoring and of the rule of law);
* ``data_network.csv`` — directed weighted edges ``origin``, ``destination``, ``weight``;
* ``data_expenditure.csv`` — one row per programme (first column, e.g. ``sdg``), one column
  per simulation period;
* ``data_relational_table.csv`` — ``seriesCode`` then the programme(s) targeting it;
* ``parameters.csv`` — calibrated ``alpha``, ``alpha_prime``, ``beta`` per indicator (row
  order of the indicators) and ``T`` (periods) in the first row.

:func:`read_ppi` reads and validates a directory in that format into :class:`PPIData`;
:func:`to_dataset` turns it into a documented ``xarray.Dataset`` labelled like stisim's
outputs (``indicator`` with a ``registry_code`` coordinate where the indicator is in stisim's
registry). :func:`run_ppi` runs PPI's model on it (Monte Carlo mean, seeded) and
:func:`run_stisim` runs stisim's interlinkage equation on the same data, so that
``benchmarks/ppi_side_by_side.py`` can compare them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr
from scipy.stats import theilslopes

from stisim import data
from stisim.data.indicators import registry
from stisim.errors import DataError
from stisim.sdg.interlinkages import propagate

FILES = {"indicators": "data_indicators.csv", "network": "data_network.csv",
         "expenditure": "data_expenditure.csv", "relational": "data_relational_table.csv",
         "parameters": "parameters.csv"}
INDICATOR_COLUMNS = ("seriesCode", "sdg", "instrumental", "I0", "IF", "successRates")
# PPI's tutorial data disaggregates each year's budget into three periods.
PERIODS_PER_YEAR = 3


@dataclass
class PPIData:
    """A PPI data set: inputs of ``policy_priority_inference.run_ppi`` plus history."""

    indicators: pd.DataFrame  # index seriesCode: sdg, name, instrumental, I0, IF, ...
    series: pd.DataFrame  # year x seriesCode
    network: pd.DataFrame  # origin x destination (seriesCode), 0 where no edge
    expenditure: pd.DataFrame  # programme x period
    programs: dict[str, list]  # seriesCode -> programme ids (instrumental indicators)
    parameters: pd.DataFrame | None  # index seriesCode: alpha, alpha_prime, beta
    periods: int | None  # T of the calibration, if parameters are given
    source: Path

    @property
    def codes(self) -> list[str]:
        return list(self.indicators.index)


def _read(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise DataError(f"PPI data file missing: {path}")
    try:
        return pd.read_csv(path)
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise DataError(f"PPI data file {path} cannot be read as CSV: {exc}") from None


def _numeric(frame: pd.DataFrame, columns: Sequence[str], path: Path) -> pd.DataFrame:
    bad = []
    out = frame.copy()
    for col in columns:
        values = pd.to_numeric(frame[col], errors="coerce")
        rows = np.flatnonzero(values.isna() & frame[col].notna())
        bad += [f"row {r + 2}, column {col}: {frame[col].iloc[r]!r}" for r in rows[:5]]
        out[col] = values
    if bad:
        raise DataError(f"PPI data file {path}: non-numeric values:\n  - " + "\n  - ".join(bad))
    return out


def read_ppi(directory: str | Path | None = None) -> PPIData:
    """Read a directory of PPI data files (default: the shipped tutorial ``clean_data``).

    ``parameters.csv`` is optional. Raises :class:`DataError` naming the file and field of
    every problem: missing files or columns, non-numeric values, network or relational-table
    entries that name unknown indicators or programmes, a parameters table of the wrong size.
    """
    root = Path(directory) if directory is not None else data.path("ppi", "clean_data")
    paths = {k: root / v for k, v in FILES.items()}

    ind = _read(paths["indicators"])
    missing = [c for c in INDICATOR_COLUMNS if c not in ind.columns]
    if missing:
        raise DataError(f"PPI data file {paths['indicators']}: missing columns "
                        f"{', '.join(missing)} (needed: {', '.join(INDICATOR_COLUMNS)})")
    ind["seriesCode"] = ind["seriesCode"].astype(str)
    dup = ind["seriesCode"][ind["seriesCode"].duplicated()].tolist()
    if dup:
        raise DataError(f"PPI data file {paths['indicators']}: duplicate seriesCode "
                        f"{', '.join(dup)}")
    years = [c for c in ind.columns if str(c).isdigit()]
    optional = [c for c in ("minVals", "maxVals", "qm", "rl") if c in ind.columns]
    ind = _numeric(ind, [*years, "sdg", "instrumental", "I0", "IF", "successRates", *optional],
                   paths["indicators"])
    ind = ind.set_index("seriesCode")
    series = ind[years].T
    series.index = series.index.astype(int)
    series.index.name = "year"
    meta = pd.DataFrame({
        "sdg": ind["sdg"].astype(int), "name": ind.get("seriesName", pd.Series("", ind.index)),
        "instrumental": ind["instrumental"].astype(int), "I0": ind["I0"], "IF": ind["IF"],
        "success_rate": ind["successRates"],
        "min": ind.get("minVals", np.nan), "max": ind.get("maxVals", np.nan),
        "qm": ind.get("qm", 0.5), "rl": ind.get("rl", 0.5),
    }, index=pd.Index(ind.index, name="seriesCode"))
    codes = list(meta.index)
    problems = []
    for code, r in meta.iterrows():
        if not np.isnan(r["min"]) and not np.isnan(r["max"]) and not (
                r["min"] <= r.I0 <= r["max"] and r["min"] <= r.IF <= r["max"]):
            problems.append(f"{code}: I0/IF outside [minVals, maxVals]")
    if problems:
        raise DataError(f"PPI data file {paths['indicators']}:\n  - " + "\n  - ".join(problems))

    net = _read(paths["network"])
    missing = [c for c in ("origin", "destination", "weight") if c not in net.columns]
    if missing:
        raise DataError(f"PPI data file {paths['network']}: missing columns {', '.join(missing)}")
    net = _numeric(net, ["weight"], paths["network"])
    unknown = sorted((set(net["origin"].astype(str)) | set(net["destination"].astype(str)))
                     - set(codes))
    if unknown:
        raise DataError(f"PPI data file {paths['network']}: edges name indicators not in "
                        f"{paths['indicators'].name}: {', '.join(unknown)}")
    network = pd.DataFrame(0.0, index=pd.Index(codes, name="origin"),
                           columns=pd.Index(codes, name="destination"))
    for o, d, w in zip(net["origin"].astype(str), net["destination"].astype(str), net["weight"],
                       strict=True):
        network.at[o, d] = float(w)

    exp = _read(paths["expenditure"])
    if exp.shape[1] < 2:
        raise DataError(f"PPI data file {paths['expenditure']}: needs a programme column and "
                        "at least one period column")
    exp = _numeric(exp, list(exp.columns), paths["expenditure"])
    expenditure = exp.set_index(exp.columns[0])
    expenditure.index = [int(p) if float(p).is_integer() else p for p in expenditure.index]
    expenditure.index.name = "program"
    expenditure.columns = range(expenditure.shape[1])
    expenditure.columns.name = "period"

    rel = _read(paths["relational"])
    if "seriesCode" not in rel.columns or rel.shape[1] < 2:
        raise DataError(f"PPI data file {paths['relational']}: needs seriesCode and at least "
                        "one programme column")
    programs: dict[str, list] = {}
    problems = []
    for _, row in rel.iterrows():
        code = str(row["seriesCode"])
        if code not in codes:
            problems.append(f"unknown indicator {code}")
            continue
        progs = []
        for value in row.drop("seriesCode").dropna():
            prog = int(value) if float(value).is_integer() else value
            if prog not in expenditure.index:
                problems.append(f"{code}: programme {prog} has no row in {FILES['expenditure']}")
            progs.append(prog)
        programs[code] = progs
    lacking = [c for c in codes if meta.at[c, "instrumental"] == 1 and not programs.get(c)]
    problems += [f"instrumental indicator {c} has no programme" for c in lacking]
    if problems:
        raise DataError(f"PPI data file {paths['relational']}:\n  - " + "\n  - ".join(problems))

    parameters, periods = None, None
    if paths["parameters"].is_file():
        par = _read(paths["parameters"])
        missing = [c for c in ("alpha", "alpha_prime", "beta", "T") if c not in par.columns]
        if missing:
            raise DataError(f"PPI data file {paths['parameters']}: missing columns "
                            f"{', '.join(missing)}")
        if len(par) != len(codes):
            raise DataError(f"PPI data file {paths['parameters']}: {len(par)} rows for "
                            f"{len(codes)} indicators (one row per indicator, same order)")
        par = _numeric(par, ["alpha", "alpha_prime", "beta"], paths["parameters"])
        parameters = par[["alpha", "alpha_prime", "beta"]].set_axis(meta.index)
        periods = int(pd.to_numeric(par["T"], errors="coerce").iloc[0])
    return PPIData(meta, series, network, expenditure, programs, parameters, periods, root)


def registry_codes(codes: Sequence[str]) -> list[str]:
    """stisim registry codes of PPI (SDR 2022) series codes, "" where not in the registry."""
    reg = registry()
    by_series = dict(zip(reg.loc[reg.source == "sdr", "series"],
                         reg.loc[reg.source == "sdr", "code"], strict=True))
    by_bounds: dict[str, str] = {}
    for code, sdr in zip(reg["code"], reg["sdr_code"], strict=True):
        by_bounds.setdefault(sdr, code)
    return [by_series.get(c, by_bounds.get(c, "")) for c in codes]


def to_dataset(ppi: PPIData) -> xr.Dataset:
    """The PPI data as a documented Dataset (dims indicator, indicator_to, year, program,
    period); ``registry_code`` links indicators to stisim's registry."""
    from stisim.dataset import annotate

    codes = ppi.codes
    m = ppi.indicators
    link = np.zeros((len(codes), len(ppi.expenditure.index)))
    prog_pos = {p: j for j, p in enumerate(ppi.expenditure.index)}
    for i, c in enumerate(codes):
        for p in ppi.programs.get(c, []):
            link[i, prog_pos[p]] = 1.0
    ds = xr.Dataset(
        {
            "ppi_value": (("year", "indicator"), ppi.series.to_numpy(float)),
            "ppi_initial": ("indicator", m["I0"].to_numpy(float)),
            "ppi_final": ("indicator", m["IF"].to_numpy(float)),
            "ppi_success_rate": ("indicator", m["success_rate"].to_numpy(float)),
            "ppi_instrumental": ("indicator", m["instrumental"].to_numpy(np.int64)),
            "ppi_goal": ("indicator", m["sdg"].to_numpy(np.int64)),
            "ppi_monitoring": ("indicator", m["qm"].to_numpy(float)),
            "ppi_rule_of_law": ("indicator", m["rl"].to_numpy(float)),
            "ppi_network": (("indicator", "indicator_to"), ppi.network.to_numpy(float)),
            "ppi_expenditure": (("program", "period"), ppi.expenditure.to_numpy(float)),
            "ppi_program_link": (("indicator", "program"), link),
        },
        coords={"indicator": codes, "indicator_to": codes,
                "year": ppi.series.index.to_numpy(), "program": list(ppi.expenditure.index),
                "period": np.arange(ppi.expenditure.shape[1]),
                "registry_code": ("indicator", registry_codes(codes)),
                "indicator_name": ("indicator", m["name"].astype(str).to_numpy())},
    )
    if ppi.parameters is not None:
        for name, col in (("ppi_alpha", "alpha"), ("ppi_alpha_prime", "alpha_prime"),
                          ("ppi_beta", "beta")):
            ds[name] = ("indicator", ppi.parameters[col].to_numpy(float))
    ds.attrs.update(title="Policy Priority Inference data", source=str(ppi.source),
                    calibration_periods=ppi.periods or -1,
                    provenance="PPI tutorial data (oguerrer/ppi, MIT): indicators sampled from "
                               "SDR 2022, hypothetical expenditure; see data/ppi/LICENSE.md")
    return annotate(ds)


def _budget(ppi: PPIData, periods: int, scale: Mapping | None) -> np.ndarray:
    """Future budget: each programme's mean disbursement per period over the last year of
    the schedule, held constant, times ``scale[programme]``."""
    last = ppi.expenditure.iloc[:, -PERIODS_PER_YEAR:].mean(axis=1).to_numpy(float)
    factors = np.array([float((scale or {}).get(p, 1.0)) for p in ppi.expenditure.index])
    unknown = set(scale or {}) - set(ppi.expenditure.index)
    if unknown:
        raise DataError(f"budget scale names unknown programme(s) {sorted(unknown)}; "
                        f"programmes: {list(ppi.expenditure.index)}")
    return np.tile((last * factors)[:, None], (1, periods))


def ppi_arguments(ppi: PPIData, periods: int, start: str = "final",
                  budget_scale: Mapping | None = None) -> dict:
    """Keyword arguments of ``policy_priority_inference.run_ppi`` for a projection of
    ``periods`` periods from the final (``IF``) or initial (``I0``) values."""
    if ppi.parameters is None:
        raise DataError(f"{ppi.source}: no parameters.csv, so PPI has no calibrated alpha, "
                        "alpha_prime and beta to run with")
    m = ppi.indicators
    instrumental = m["instrumental"].to_numpy(int) == 1
    prog_row = {p: j for j, p in enumerate(ppi.expenditure.index)}
    b_dict = {i: [prog_row[p] for p in ppi.programs[c]]
              for i, c in enumerate(ppi.codes) if instrumental[i]}
    return {
        "I0": (m["IF"] if start == "final" else m["I0"]).to_numpy(float).copy(),
        "alphas": ppi.parameters["alpha"].to_numpy(float),
        "alphas_prime": ppi.parameters["alpha_prime"].to_numpy(float),
        "betas": ppi.parameters["beta"].to_numpy(float),
        "A": ppi.network.to_numpy(float), "R": instrumental.astype(int).copy(),
        "qm": m["qm"].to_numpy(float), "rl": m["rl"].to_numpy(float),
        "Imax": m["max"].to_numpy(float), "Imin": m["min"].to_numpy(float),
        "Bs": _budget(ppi, periods, budget_scale), "B_dict": b_dict,
    }


def ppi_samples(ppi: PPIData, years: int, sample_size: int = 200, seed: int = 0,
                budget_scale: Mapping | None = None) -> np.ndarray:
    """``sample_size`` PPI runs from the final values over ``years`` years, as an array
    (sample, year, indicator) at whole years. Run *i* is seeded with the *i*-th seed spawned
    from ``seed`` by ``numpy.random.SeedSequence``, so two calls with the same ``seed`` are
    paired run by run (common random numbers) whatever their budgets. PPI draws from NumPy's
    global generator: it is seeded here and restored afterwards."""
    import policy_priority_inference as ppi_lib

    from stisim.seeds import ppi_seeds

    periods = years * PERIODS_PER_YEAR + 1
    seeds = ppi_seeds(seed, sample_size)
    out = np.empty((sample_size, years + 1, len(ppi.codes)))
    # PPI draws from NumPy's legacy global generator, so that is what has to be seeded.
    state = np.random.get_state()  # noqa: NPY002
    try:
        for i, s in enumerate(seeds):
            np.random.seed(int(s))  # noqa: NPY002
            # run_ppi mutates some inputs: fresh arguments every run.
            series = ppi_lib.run_ppi(**ppi_arguments(ppi, periods, "final", budget_scale))[0]
            out[i] = series[:, ::PERIODS_PER_YEAR].T
    finally:
        np.random.set_state(state)  # noqa: NPY002
    return out


def run_ppi(ppi: PPIData, years: int, sample_size: int = 200, seed: int = 0,
            budget_scale: Mapping | None = None) -> xr.DataArray:
    """PPI's projection from the final values over ``years`` years at
    :data:`PERIODS_PER_YEAR` periods per year: the Monte Carlo mean of :func:`ppi_samples`
    as (year, indicator), year 0 = the last data year."""
    mean = ppi_samples(ppi, years, sample_size, seed, budget_scale).mean(axis=0)
    return xr.DataArray(mean, dims=("year", "indicator"),
                        coords={"year": np.arange(years + 1), "indicator": ppi.codes})


def ppi_trends(ppi: PPIData, window: int = 10) -> pd.Series:
    """Theil–Sen slope of each PPI indicator (score points = 100 x PPI scale, per year) over
    the last ``window`` years of its series."""
    recent = ppi.series.iloc[-window:]
    years = recent.index.to_numpy(float)
    return pd.Series([theilslopes(100.0 * recent[c].to_numpy(float), years)[0]
                      for c in ppi.codes], index=ppi.codes)


def run_stisim(ppi: PPIData, years: int, strength: float = 0.5, damping: float = 0.7,
               window: int = 10, basis: str = "anomaly",
               forced: xr.DataArray | None = None, trends: pd.Series | None = None
               ) -> xr.DataArray:
    """stisim's interlinkage equation on PPI data: every indicator its own node, PPI's network
    as the interaction matrix, damped Theil–Sen trends from the series, start at ``IF``.

    ``forced`` (year, indicator) gives paths to impose (the role of agent-driven indicators);
    ``trends`` (score points per year) skips the trend estimation. Returns (year, indicator)
    on PPI's 0-1 scale, year 0 = the last data year. Defaults are those of the ``sdg``
    config section.
    """
    n = len(ppi.codes)
    score = np.full((years + 1, n), np.nan)
    score[0] = 100.0 * ppi.indicators["IF"].to_numpy(float)
    given = np.zeros(n, bool)
    if forced is not None:
        cols = [ppi.codes.index(c) for c in forced["indicator"].values]
        score[:, cols] = 100.0 * forced.transpose("year", "indicator").to_numpy()
        given[cols] = True
    lo = 100.0 * ppi.indicators["min"].fillna(-np.inf).to_numpy(float)
    hi = 100.0 * ppi.indicators["max"].fillna(np.inf).to_numpy(float)
    result = propagate(score, np.arange(years + 1, dtype=float), given, np.arange(n),
                       (ppi_trends(ppi, window) if trends is None else trends)
                       .reindex(ppi.codes).to_numpy(float), ppi.network.to_numpy(float),
                       strength, damping, basis, lo, hi)
    return xr.DataArray(result["score"] / 100.0, dims=("year", "indicator"),
                        coords={"year": np.arange(years + 1), "indicator": ppi.codes})
