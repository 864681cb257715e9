"""Back-cast fit errors of the six pilot countries as markdown tables (for docs/sdg.md).

One command per table::

    python tools/calibration_table.py                           # agent model (needs stisim.agents)
    python tools/calibration_table.py --calibration interlinkages --priors none,laumann,weitz

For each pilot country it runs ``stisim calibrate`` (the plain function behind the command,
base year 2010, end year 2022) and prints the fitted parameters, the loss before and after,
and the normalised RMSE (SDR score points) per indicator. Extra Hydra overrides follow
``--``, e.g. ``-- calibrate.max_evals=100``. Results go to outputs/calibrations/table/.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

from stisim.config import load_config
from stisim.sdg.calibration import run_calibration

PILOTS = ("ethiopia", "ghana", "india", "kenya", "serbia", "ukraine")


def markdown(frame: pd.DataFrame, index: bool = True) -> str:
    """A pipe table (pandas' to_markdown needs the optional tabulate package)."""
    frame = frame.reset_index() if index else frame
    cells = [[str(c) for c in frame.columns]]
    cells += [["-" if pd.isna(v) else str(v) for v in row] for row in frame.to_numpy()]
    lines = ["| " + " | ".join(r) + " |" for r in cells]
    lines.insert(1, "|" + "---|" * len(frame.columns))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calibration", default="agents", choices=["agents", "interlinkages"])
    parser.add_argument("--priors", default="laumann",
                        help="comma-separated sdg.interactions values to compare")
    parser.add_argument("--countries", default=",".join(PILOTS))
    parser.add_argument("--out", type=Path, default=Path("outputs/calibrations/table"))
    parser.add_argument("overrides", nargs="*", help="extra overrides (after --)")
    args = parser.parse_args()

    summary, errors = [], {}
    for prior in args.priors.split(","):
        for country in args.countries.split(","):
            extra = []
            if prior == "none" and args.calibration == "interlinkages":
                # Without interactions the strength does nothing: fit the damping alone.
                extra = ["calibrate.parameters=[{path:sdg.trend_damping,lower:0,upper:1}]"]
            cfg = load_config("calibrate", [f"country={country}",
                                            f"calibration={args.calibration}",
                                            f"sdg.interactions={prior}", "calibrate.save=false",
                                            *extra, *args.overrides])
            t = time.perf_counter()
            run = run_calibration(cfg, args.out / prior / country, progress=False)
            r = run.result
            summary.append({"prior": prior, "country": cfg.country.name,
                            **{k: round(v, 4) for k, v in r.parameters.items()},
                            "loss start": round(r.initial_loss, 2),
                            "loss fitted": round(r.loss, 2), "runs": r.n_evals,
                            "seconds": round(time.perf_counter() - t, 1)})
            fit = r.fit
            errors[(prior, cfg.country.name)] = fit["nrmse"].where(fit["n_obs"] > 0).round(2)
            units = fit["unit"]
            print(f"done {prior} {country}", flush=True)

    table = pd.DataFrame(summary)
    print("\n## Fitted parameters and loss (mean squared NRMSE, score points^2)\n")
    print(markdown(table, index=False))
    for prior in args.priors.split(","):
        cols = {c: s for (p, c), s in errors.items() if p == prior}
        frame = pd.DataFrame(cols)
        frame.insert(0, "unit", units)
        frame.loc["mean"] = ["", *frame.drop(columns="unit").mean().round(2)]
        print(f"\n## NRMSE per indicator (score points), prior {prior}\n")
        print(markdown(frame.rename_axis("indicator")))


if __name__ == "__main__":
    main()
