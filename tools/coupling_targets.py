"""Do the optimiser's promises hold in the agent model? The targets of docs/coupling.md §10
for the shipped portfolios of the six pilots in their calibrated scenarios.

Per pilot (``scenario=calibrated/<country>``, the shipped portfolio at the comparison's
envelope):

1. ABM response curves (bounded concave fits, shrunk; seeds of the response stream) and the
   business-as-usual counterfactual (seeds of the counterfactual stream);
2. ``optimal_sdg`` on those curves and that counterfactual: the **promised** SDG-index gain
   in the portfolio's last year (the allocation's ``sdg_index_gain``);
3. ``no_roadmap``, ``optimal_sdg`` and ``equal_split`` executed by the agents on held-out
   seeds (the common replicate seeds, never used to fit curves or the counterfactual): the
   **delivered** gain is the mean over replicates of SDG index(optimal_sdg) − SDG index(no
   roadmap) in the same year, with its standard error;
4. targets: |delivered − promised| <= 25 % of |promised| or < 2 SE; optimal_sdg − no_roadmap
   and optimal_sdg − equal_split (discounted SDG-index points x years, paired) with 95 % CIs
   that exclude 0.

    python tools/coupling_targets.py                       # all six pilots
    python tools/coupling_targets.py kenya ghana --firms 1500 --replicates 8 --out t.csv
    python tools/coupling_targets.py kenya --allocations     # what separates the strategies

Prints one table and writes it as CSV (``--out``).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

PILOTS = ("ethiopia", "ghana", "india", "kenya", "serbia", "ukraine")


def _config(country: str, firms: int, end_year: int, levels: str, response_replicates: int,
            cache: Path):
    from stisim.config import load_config

    return load_config("compare", [
        f"country={country}", f"scenario=calibrated/{country}", f"firms.count={firms}",
        f"time.end_year={end_year}", f"coupling.response_levels={levels}",
        f"coupling.response_replicates={response_replicates}",
        f"coupling.cache_dir={cache / 'responses'}",
        f"coupling.counterfactual_cache_dir={cache / 'counterfactual'}",
        "coupling.responses=abm", "compare.power=false"])


def allocations(country: str, firms: int, end_year: int, levels: str,
                response_replicates: int, cache: Path) -> pd.DataFrame:
    """Spend over the horizon per action of optimal_sdg, equal_split and greedy on the ABM
    curves and counterfactual (what separates the strategies), with the curves' fits."""
    from stisim.coupling.abm_responses import estimate_responses
    from stisim.coupling.compare import load, planning_counterfactual
    from stisim.coupling.strategies import allocate

    cfg = _config(country, firms, end_year, levels, response_replicates, cache)
    portfolio, inputs = load(cfg)
    curves = estimate_responses(cfg, portfolio, inputs)
    cf = planning_counterfactual(cfg, portfolio, inputs, log=lambda *_: None)
    out = pd.DataFrame({s: allocate(s, portfolio, cfg, responses=curves, counterfactual=cf)
                        .sum(("year", "source")).to_series()
                        for s in ("optimal_sdg", "equal_split", "greedy")}).round(1)
    out["instrument"] = portfolio.actions["instrument"]
    est = curves.estimates.groupby(["action", "indicator"]).last()
    fits = est.apply(lambda r: f"{r.name[1]} {r['gain']:+.3g} (raw {r['gain_raw']:+.3g}, "
                     f"shrink {r['shrinkage']:.2f})", axis=1).groupby(level=0).agg("; ".join)
    out["ABM curves at the largest level"] = fits.reindex(out.index).fillna("none")
    return out


def measure(country: str, firms: int, replicates: int, end_year: int, levels: str,
            response_replicates: int, workers: int, cache: Path) -> dict:
    from stisim.coupling import replicates as sm
    from stisim.coupling.abm_responses import estimate_responses
    from stisim.coupling.bridge import optimise_spend
    from stisim.coupling.compare import load, mean_ci, planning_counterfactual
    from stisim.coupling.execute import execute
    from stisim.coupling.strategies import allocate

    t0 = time.perf_counter()
    cfg = _config(country, firms, end_year, levels, response_replicates, cache)
    portfolio, inputs = load(cfg)
    curves = estimate_responses(cfg, portfolio, inputs)
    cf = planning_counterfactual(cfg, portfolio, inputs, log=lambda *_: None)
    spend, alloc = optimise_spend(portfolio, cfg, "sdg", responses=curves, counterfactual=cf,
                                  relax_floors=True)
    last = min(int(portfolio.years[-1]), end_year)
    promised = float(alloc["sdg_index_gain"].sel(year=last))
    equal = allocate("equal_split", portfolio, cfg)
    seeds = sm.seeds(int(cfg.seed), replicates)
    runs = sm.run_batches(inputs, [None, execute(spend, portfolio, cfg).budgets,
                                   execute(equal, portfolio, cfg).budgets], seeds, workers)
    none, opt, eq = (r["sdg_index"] for r in runs)
    d = (opt - none).sel(time=float(last)).values
    delivered, se = float(d.mean()), float(d.std(ddof=1) / np.sqrt(d.size))
    years, rate = portfolio.years, portfolio.discount_rate
    g_opt = sm.discounted_gain(opt, none, years, rate).values
    g_eq = sm.discounted_gain(eq, none, years, rate).values
    vs_none = mean_ci(g_opt)
    vs_eq = mean_ci(g_opt - g_eq)
    gap = delivered - promised
    return {
        "country": country, "promised": promised, "delivered": delivered, "se": se,
        "difference": gap, "diff_ci_low": gap - 1.96 * se, "diff_ci_high": gap + 1.96 * se,
        "promise_ok": bool(abs(gap) <= 0.25 * abs(promised) or abs(gap) < 2 * se),
        "opt_vs_none": vs_none[0], "opt_vs_none_low": vs_none[1],
        "opt_vs_none_high": vs_none[2],
        "opt_vs_equal": vs_eq[0], "opt_vs_equal_low": vs_eq[1], "opt_vs_equal_high": vs_eq[2],
        "beats_none": bool(vs_none[1] > 0), "beats_equal": bool(vs_eq[1] > 0),
        "curves": len(curves.curves), "no_mechanism": len(curves.without_mechanism),
        "funded": int((alloc["scale"] > 1e-6).sum()),
        "floors_relaxed": "floors_relaxed" in alloc.attrs, "replicates": replicates,
        "firms": firms, "seconds": round(time.perf_counter() - t0, 1)}


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("countries", nargs="*", default=list(PILOTS))
    ap.add_argument("--firms", type=int, default=1500)
    ap.add_argument("--replicates", type=int, default=8)
    ap.add_argument("--end-year", type=int, default=2034)
    ap.add_argument("--levels", default="[0.5,1.0,2.0]")
    ap.add_argument("--response-replicates", type=int, default=2)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--cache", type=Path, default=Path("outputs/cache"))
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--allocations", action="store_true",
                    help="print what each strategy funds instead of measuring the targets")
    args = ap.parse_args(argv)
    if args.allocations:
        for c in args.countries:
            table = allocations(c, args.firms, args.end_year, args.levels,
                                args.response_replicates, args.cache)
            with pd.option_context("display.width", 250, "display.max_colwidth", 120):
                print(f"{c}\n{table.to_string()}")
        return 0
    rows = []
    for c in args.countries:
        row = measure(c, args.firms, args.replicates, args.end_year, args.levels,
                      args.response_replicates, args.workers, args.cache)
        rows.append(row)
        print(f"{c}: promised {row['promised']:+.3f}, delivered {row['delivered']:+.3f} "
              f"(SE {row['se']:.3f}), optimal_sdg vs none {row['opt_vs_none']:+.3f} "
              f"[{row['opt_vs_none_low']:+.3f}, {row['opt_vs_none_high']:+.3f}], vs equal "
              f"{row['opt_vs_equal']:+.3f} [{row['opt_vs_equal_low']:+.3f}, "
              f"{row['opt_vs_equal_high']:+.3f}] ({row['seconds']} s)", flush=True)
        if args.out:
            pd.DataFrame(rows).to_csv(args.out, index=False)
    table = pd.DataFrame(rows)
    with pd.option_context("display.width", 200, "display.max_columns", 30):
        print(table.round(3).to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
