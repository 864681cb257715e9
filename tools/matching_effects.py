"""Effect and cost of the technology-matching platform in the calibrated pilots: the table in
docs/model.md (7.5.1, between the ``matching:begin`` and ``matching:end`` markers).

    python tools/matching_effects.py                       # six pilots, 12 replicates
    python tools/matching_effects.py --countries kenya --firms 5000 --replicates 4 --no-write

For each pilot (``scenario=calibrated/<country>``), business as usual and the platform at
``--dose`` % of GDP a year (2023 to the end year, executed by the ministry) run ``--replicates``
times with common random numbers (the atlas ensemble, :mod:`stisim.atlas.ensemble`). Reported
per pilot, from the paired differences at the end year:

* the effect on adoption of the matched technologies: extra adopters (real firms, pooled over
  the four technologies the platform matches) with its standard error and z = effect / SE;
* the adoptions attributable to matches (the matches' own hazard, summed over the horizon);
* the extra money disbursed, and the cost per attributable adoption and per net extra adopter
  (delta-method SE), in USD and in base-year GDP per capita.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "model.md"
PILOTS = ("kenya", "ghana", "ethiopia", "india", "serbia", "ukraine")
BEGIN, END = "<!-- matching:begin -->", "<!-- matching:end -->"


def measure(country: str, args: argparse.Namespace) -> dict[str, float]:
    from stisim.agents.country import country_inputs
    from stisim.atlas.ensemble import OUTCOMES, run_ensemble
    from stisim.config import load_config
    from stisim.pipeline import build

    cfg = load_config("run", [f"country={country}", f"scenario=calibrated/{country}",
                              f"firms.count={args.firms}", f"seed={args.seed}",
                              f"time.end_year={args.end_year}"])
    inputs = build(cfg)
    ens = run_ensemble(inputs, ["matching_platform"], [args.dose], args.replicates,
                       workers=args.workers)
    names = list(OUTCOMES)
    a, m = names.index("matched_technology_adopters"), names.index("matched_adoptions")
    bau = np.array([s["outcomes"] for s in ens.bau])
    dosed = np.array([s["outcomes"] for s in ens.dosed[("matching_platform", args.dose)]])
    money = np.array([d["disbursed"] - b["disbursed"]
                      for b, d in zip(ens.bau, ens.dosed[("matching_platform", args.dose)],
                                      strict=True)])
    diff = dosed[:, a] - bau[:, a]
    n = diff.size
    effect, se = float(diff.mean()), float(diff.std(ddof=1) / np.sqrt(n))
    attributable = float(dosed[:, m].mean())
    cost = float(money.mean())
    # Cost per net extra adopter: ratio of means; delta-method SE from the paired samples.
    cov = np.cov(np.vstack([money, diff]), ddof=1) / n
    ratio = cost / effect if effect > 0 else float("nan")
    ratio_se = (abs(ratio) * np.sqrt(cov[0, 0] / cost**2 + cov[1, 1] / effect**2
                                     - 2 * cov[0, 1] / (cost * effect))
                if effect > 0 else float("nan"))
    gdp_pc = country_inputs(cfg, inputs.baseline).gdp_per_capita
    return {"effect": effect, "se": se, "z": effect / se if se > 0 else float("nan"),
            "eligible_share": 100.0 * effect / max(float(bau[:, a].mean()), 1.0),
            "attributable": attributable, "cost": cost,
            "per_attributable": cost / attributable if attributable > 0 else float("nan"),
            "per_adopter": ratio, "per_adopter_se": ratio_se, "gdp_pc": gdp_pc}


def command_line(args: argparse.Namespace) -> str:
    return (f"python tools/matching_effects.py --countries {args.countries} --firms {args.firms} "
            f"--replicates "
            f"{args.replicates} --dose {args.dose} --end-year {args.end_year} --seed {args.seed}")


def table(rows: dict[str, dict[str, float]], args: argparse.Namespace, seconds: float) -> str:
    head = [
        f"Measured by `{command_line(args)}` ({args.firms:,} simulated firms, "
        f"{args.replicates} replicates with common random numbers, the platform at "
        f"{args.dose} % of GDP a year from {2023} to {args.end_year}, executed by the ministry; "
        f"{seconds / 60:.0f} min on two cores). Effect: extra adopters of the matched "
        "technologies at the end year (real firms, pooled over the four technologies; "
        "paired differences, SE over replicates); relative: as a % of business-as-usual "
        "adopters. Attributable: adoptions the matches' own hazard produced over the horizon. "
        "Costs: extra money disbursed over the horizon per attributable adoption and per net "
        "extra adopter (± delta-method SE), in USD and in base-year GDP per capita.",
        "",
        "| pilot | effect (adopters) | SE | z | relative (%) | attributable | money (USD m) "
        "| USD per attributable adoption | USD per net extra adopter | per net adopter "
        "(GDPpc) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for country, r in rows.items():
        head.append(
            f"| {country} | {r['effect']:,.0f} | {r['se']:,.0f} | {r['z']:.1f} | "
            f"{r['eligible_share']:.2f} | {r['attributable']:,.0f} | {r['cost'] / 1e6:,.0f} | "
            f"{r['per_attributable']:,.0f} | {r['per_adopter']:,.0f} ± "
            f"{r['per_adopter_se']:,.0f} | {r['per_adopter'] / r['gdp_pc']:.1f} |")
    return "\n".join(head)


def write(text: str) -> None:
    page = PAGE.read_text()
    pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.S)
    if not pattern.search(page):
        raise SystemExit(f"{PAGE}: no {BEGIN} ... {END} block")
    PAGE.write_text(pattern.sub(lambda _: f"{BEGIN}\n{text}\n{END}", page))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--countries", default=",".join(PILOTS))
    ap.add_argument("--firms", type=int, default=50000)
    ap.add_argument("--replicates", type=int, default=12)
    ap.add_argument("--dose", type=float, default=0.05, help="% of GDP a year")
    ap.add_argument("--end-year", type=int, default=2040)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-write", action="store_true", help="print the table only")
    args = ap.parse_args(argv)
    start = time.time()
    rows = {}
    for country in args.countries.split(","):
        rows[country] = measure(country, args)
        print(country, {k: round(v, 3) for k, v in rows[country].items()}, file=sys.stderr)
    text = table(rows, args, time.time() - start)
    print(text)
    if not args.no_write:
        write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
