"""Effect and cost of the technology-matching platform in the calibrated pilots: the table in
docs/model.md (7.5.1, between the ``matching:begin`` and ``matching:end`` markers).

    python tools/matching_effects.py                       # six pilots, 12 replicates
    python tools/matching_effects.py --countries kenya --firms 5000 --replicates 4 --no-write

For each pilot (``scenario=calibrated/<country>``), business as usual and the platform at
``--dose`` % of GDP a year (2023 to the end year, executed by the ministry) run ``--replicates``
times with common random numbers (the atlas ensemble, :mod:`stisim.atlas.ensemble`). Reported
per pilot, from the paired differences at the end year:

* adopters attributable to matches at the end year (adopted through a match, own hazard not
  fired since: the direct effect), mean with standard error over replicates and z;
* the paired difference of end-year adopters of the four technologies the platform matches
  (total effect, noisy), with its standard error and z;
* adoptions through matches over the horizon; the platform's budget, and the cost per
  attributable adopter and per adoption, in USD and in base-year GDP per capita.
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


def measure(country: str, args: argparse.Namespace, extra: tuple[str, ...] = ()
            ) -> dict[str, float]:
    from stisim.agents.country import country_inputs
    from stisim.atlas.ensemble import OUTCOMES, run_ensemble
    from stisim.config import load_config
    from stisim.pipeline import build

    cfg = load_config("run", [f"country={country}", f"scenario=calibrated/{country}",
                              f"firms.count={args.firms}", f"seed={args.seed}",
                              f"time.end_year={args.end_year}", *args.set, *extra])
    inputs = build(cfg)
    ens = run_ensemble(inputs, ["matching_platform"], [args.dose], args.replicates,
                       workers=args.workers)
    names = list(OUTCOMES)
    a, m, n_ = (names.index(k) for k in ("matched_technology_adopters", "matched_adoptions",
                                         "matched_adopters"))
    runs = ens.dosed[("matching_platform", args.dose)]
    bau = np.array([s["outcomes"] for s in ens.bau])
    dosed = np.array([s["outcomes"] for s in runs])
    # The platform's money: the budget lines (dose x business-as-usual GDP of each year).
    money = np.array([args.dose / 100.0 * sum(b["gdp"].values()) for b in ens.bau])
    diff = dosed[:, a] - bau[:, a]
    net = dosed[:, n_]
    r = diff.size
    cost = float(money.mean())
    gdp_pc = country_inputs(cfg, inputs.baseline).gdp_per_capita
    return {"effect": float(diff.mean()), "se": float(diff.std(ddof=1) / np.sqrt(r)),
            "net": float(net.mean()), "net_se": float(net.std(ddof=1) / np.sqrt(r)),
            "bau_adopters": float(bau[:, a].mean()),
            "attributable": float(dosed[:, m].mean()), "cost": cost, "gdp_pc": gdp_pc}


def command_line(args: argparse.Namespace) -> str:
    extra = "".join(f" --set {o}" for o in args.set)
    block = f" --block {args.block}" if args.block != "matching" else ""
    block += f" --vary {args.vary}" if args.vary else ""
    return (f"python tools/matching_effects.py --countries {args.countries} --firms {args.firms} "
            f"--replicates {args.replicates} --dose {args.dose} --end-year {args.end_year} "
            f"--seed {args.seed}{extra}{block}")


def _z(x: float, se: float) -> str:
    return f"{x / se:.1f}" if se > 0 else "inf"


def table(rows: dict[str, dict[str, float]], args: argparse.Namespace, seconds: float) -> str:
    head = [
        f"Measured by `{command_line(args)}` ({args.firms:,} simulated firms, "
        f"{args.replicates} replicates with common random numbers, the platform at "
        f"{args.dose} % of GDP a year from 2023 to {args.end_year}, executed by the ministry; "
        f"{seconds / 60:.0f} min on two cores). *Attributable adopters*: firms at the end "
        "year that adopted a matched technology through a match and whose own hazard has not "
        "fired since (the direct effect; mean ± SE over replicates, z = mean / SE), and as a % "
        "of business-as-usual adopters of the four technologies. *Paired difference*: end-year "
        "adopters with the platform minus without (same seed), ± SE: the total effect, "
        "spill-overs included (the platform draws from its own random stream and an adopter "
        "through a match keeps its own draw, so the arms stay paired until the platform's "
        "effects change other draws). "
        "*Adoptions*: through matches over the horizon. *Cost*: the platform's budget over the "
        "horizon per attributable adopter and per adoption through a match, in USD and in "
        "base-year GDP per capita.",
        "",
        "| pilot | attributable adopters | z | % of adopters | paired difference | z "
        "| adoptions | budget (USD m) | USD per attributable adopter | (GDPpc) "
        "| USD per adoption | (GDPpc) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for country, r in rows.items():
        per_net = r["cost"] / r["net"] if r["net"] > 0 else float("nan")
        per_gross = r["cost"] / r["attributable"] if r["attributable"] > 0 else float("nan")
        head.append(
            f"| {country} | {r['net']:,.0f} ± {r['net_se']:,.0f} | {_z(r['net'], r['net_se'])} "
            f"| {100 * r['net'] / max(r['bau_adopters'], 1.0):.2f} | {r['effect']:,.0f} ± "
            f"{r['se']:,.0f} | {_z(r['effect'], r['se'])} | {r['attributable']:,.0f} | "
            f"{r['cost'] / 1e6:,.0f} | {per_net:,.0f} | {per_net / r['gdp_pc']:.1f} | "
            f"{per_gross:,.0f} | {per_gross / r['gdp_pc']:.1f} |")
    return "\n".join(head)


def write(text: str, block: str) -> None:
    begin, end = f"<!-- {block}:begin -->", f"<!-- {block}:end -->"
    page = PAGE.read_text()
    pattern = re.compile(re.escape(begin) + ".*?" + re.escape(end), re.S)
    if not pattern.search(page):
        raise SystemExit(f"{PAGE}: no {begin} ... {end} block")
    PAGE.write_text(pattern.sub(lambda _: f"{begin}\n{text}\n{end}", page))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--countries", default=",".join(PILOTS))
    ap.add_argument("--firms", type=int, default=50000)
    ap.add_argument("--replicates", type=int, default=12)
    ap.add_argument("--dose", type=float, default=0.05, help="% of GDP a year")
    ap.add_argument("--end-year", type=int, default=2040)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="config override for both arms (repeatable), e.g. "
                    "matching.adoption_rate=0.1")
    ap.add_argument("--vary", metavar="KEY=V1,V2,...",
                    help="one row per value of a config key (sensitivity)")
    ap.add_argument("--block", default="matching",
                    help="the page block to rewrite (<!-- BLOCK:begin --> ... end)")
    ap.add_argument("--no-write", action="store_true", help="print the table only")
    args = ap.parse_args(argv)
    start = time.time()
    rows = {}
    variants: list[tuple[str, ...]] = [()]
    if args.vary:
        key, values = args.vary.split("=", 1)
        variants = [(f"{key}={v}",) for v in values.split(",")]
    for country in args.countries.split(","):
        for extra in variants:
            label = ", ".join((country, *extra))
            rows[label] = measure(country, args, extra)
            print(label, {k: round(v, 3) for k, v in rows[label].items()}, file=sys.stderr)
    text = table(rows, args, time.time() - start)
    print(text)
    if not args.no_write:
        write(text, args.block)
    return 0


if __name__ == "__main__":
    sys.exit(main())
