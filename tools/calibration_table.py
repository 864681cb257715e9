"""Back-cast fit errors of the six pilot countries as markdown tables (for docs/sdg.md).

One command per table::

    python tools/calibration_table.py                           # agent model (docs/sdg.md 5.1)
    python tools/calibration_table.py --calibration interlinkages --priors none,laumann,weitz

For each pilot country it runs ``stisim calibrate`` (the plain function behind the command,
base year 2010, end year 2022) and prints the fitted parameters, the loss and the error per
indicator: normalised RMSE (SDR score points) fitted and uncalibrated, and RMSE in the
indicator's unit. The agent-model calibration also writes the selectable scenario files
``scenarios/calibrated/<country>.yaml`` (``--no-save`` to leave them alone). Extra Hydra
overrides follow ``--``, e.g. ``-- calibrate.max_evals=100``. Result datasets go to
outputs/calibrations/table/ and the tables to outputs/calibrations/table/<calibration>.md.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

from stisim.calibrate import CalibrationResult, run_calibration
from stisim.config import load_config

PILOTS = ("ethiopia", "ghana", "india", "kenya", "serbia", "ukraine")


def markdown(frame: pd.DataFrame, index: bool = True) -> str:
    """A pipe table (pandas' to_markdown needs the optional tabulate package)."""
    frame = frame.reset_index() if index else frame
    cells = [[str(c) for c in frame.columns]]
    cells += [["-" if pd.isna(v) else str(v) for v in row] for row in frame.to_numpy()]
    lines = ["| " + " | ".join(r) + " |" for r in cells]
    lines.insert(1, "|" + "---|" * len(frame.columns))
    return "\n".join(lines)


def _num(value: float, digits: int = 3) -> str:
    if abs(value) >= 100:  # years, researcher counts: no scientific notation
        return f"{value:.1f}"
    return f"{value:.{digits}g}" if abs(value) >= 1e-3 or value == 0 else f"{value:.2e}"


def agent_tables(results: dict[str, CalibrationResult], seconds: dict[str, float]) -> str:
    """Markdown: loss per country; NRMSE fitted (uncalibrated) and RMSE per indicator and
    country; fitted parameter values per country."""
    names = list(results)
    first = next(iter(results.values()))
    codes = list(first.fit.index)
    units = first.fit["unit"]
    out = []
    summary = pd.DataFrame({
        "country": names,
        "loss uncalibrated": [round(r.uncalibrated_loss, 1) for r in results.values()],
        "loss fitted": [round(r.loss, 1) for r in results.values()],
        "runs": [r.n_evals for r in results.values()],
        "seconds": [round(seconds[n]) for n in names]})
    out += ["Loss = mean over observed indicators of NRMSE² (score points²).", "",
            markdown(summary, index=False), ""]

    nrmse = pd.DataFrame(index=pd.Index(codes, name="indicator"))
    nrmse.insert(0, "n obs", ["/".join(str(int(results[n].fit.at[c, "n_obs"])) for n in names)
                              for c in codes])
    for n, r in results.items():
        nrmse[n] = [f"{r.fit.at[c, 'nrmse']:.2f} ({r.uncalibrated_fit.at[c, 'nrmse']:.2f})"
                    if r.fit.at[c, "n_obs"] > 0 else "-" for c in codes]
    out += ["NRMSE per indicator, score points: fitted (uncalibrated); n obs in 2011-2022 per "
            "country in\nthe column order.", "", markdown(nrmse), ""]

    rmse = pd.DataFrame(index=pd.Index(codes, name="indicator"))
    rmse.insert(0, "unit", units)
    for n, r in results.items():
        rmse[n] = [f"{_num(r.fit.at[c, 'rmse'])} ({_num(r.fit.at[c, 'bias'])})"
                   if r.fit.at[c, "n_obs"] > 0 else "-" for c in codes]
    out += ["RMSE (mean error) in the indicator's unit, fitted.", "", markdown(rmse), ""]

    paths = list(dict.fromkeys(p for r in results.values()
                               for p in [*r.parameters, *r.held]))
    params = pd.DataFrame(index=pd.Index(paths, name="parameter"))
    for n, r in results.items():
        params[n] = [_num(r.parameters[p], 4) if p in r.parameters else "not fitted"
                     for p in paths]
    out += ["Fitted parameters (not fitted: none of its indicators observed).", "",
            markdown(params), ""]
    return "\n".join(out)


def interlinkage_tables(summary: list[dict], errors: dict, units: pd.Series,
                        priors: list[str]) -> str:
    out = ["## Fitted parameters and loss (mean squared NRMSE, score points^2)", "",
           markdown(pd.DataFrame(summary), index=False)]
    for prior in priors:
        frame = pd.DataFrame({c: s for (p, c), s in errors.items() if p == prior})
        frame.insert(0, "unit", units)
        frame.loc["mean"] = ["", *frame.drop(columns="unit").mean().round(2)]
        out += ["", f"## NRMSE per indicator (score points), prior {prior}", "",
                markdown(frame.rename_axis("indicator"))]
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calibration", default="agents", choices=["agents", "interlinkages"])
    parser.add_argument("--priors", default="laumann",
                        help="comma-separated sdg.interactions values to compare "
                             "(interlinkages)")
    parser.add_argument("--countries", default=",".join(PILOTS))
    parser.add_argument("--no-save", action="store_true",
                        help="do not write scenarios/calibrated/<country>.yaml (agents)")
    parser.add_argument("--out", type=Path, default=Path("outputs/calibrations/table"))
    parser.add_argument("overrides", nargs="*", help="extra overrides (after --)")
    args = parser.parse_args()
    countries = args.countries.split(",")

    if args.calibration == "agents":
        results, seconds = {}, {}
        save = "false" if args.no_save else "true"
        for country in countries:
            cfg = load_config("calibrate", [f"country={country}", "calibration=agents",
                                            f"calibrate.save={save}", *args.overrides])
            t = time.perf_counter()
            run = run_calibration(cfg, args.out / "agents" / country, progress=False)
            seconds[cfg.country.name] = time.perf_counter() - t
            results[cfg.country.name] = run.result
            print(f"done {country}: loss {run.result.uncalibrated_loss:.1f} -> "
                  f"{run.result.loss:.1f}, {run.result.n_evals} runs, "
                  f"{seconds[cfg.country.name]:.0f} s"
                  + (f", wrote {run.scenario_path}" if run.scenario_path else ""), flush=True)
        text = agent_tables(results, seconds)
    else:
        summary, errors, units = [], {}, None
        priors = args.priors.split(",")
        for prior in priors:
            for country in countries:
                extra = []
                if prior == "none":
                    # Without interactions the strength does nothing: fit the damping alone.
                    extra = ["calibrate.parameters=[{path:sdg.trend_damping,lower:0,upper:1}]"]
                cfg = load_config("calibrate", [f"country={country}",
                                                "calibration=interlinkages",
                                                f"sdg.interactions={prior}",
                                                "calibrate.save=false", *extra,
                                                *args.overrides])
                t = time.perf_counter()
                r = run_calibration(cfg, args.out / prior / country, progress=False).result
                summary.append({"prior": prior, "country": cfg.country.name,
                                **{k: round(v, 4) for k, v in r.parameters.items()},
                                "loss start": round(r.initial_loss, 2),
                                "loss fitted": round(r.loss, 2), "runs": r.n_evals,
                                "seconds": round(time.perf_counter() - t, 1)})
                errors[(prior, cfg.country.name)] = r.fit["nrmse"].where(
                    r.fit["n_obs"] > 0).round(2)
                units = r.fit["unit"]
                print(f"done {prior} {country}", flush=True)
        text = interlinkage_tables(summary, errors, units, priors)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{args.calibration}.md").write_text(text + "\n", encoding="utf-8")
    print()
    print(text)


if __name__ == "__main__":
    main()
