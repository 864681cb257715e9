"""Does the origin of money matter? The same promise executed through each finance channel in
the calibrated pilots (docs/model.md §7.5.2 and docs/coupling.md §1.1 quote its tables).

Per pilot (``scenario=calibrated/<country>``): a programme of ``--share`` % of GDP a year
(default 0.05 %) promised for 2025 to the last simulated year, split equally over technology
transfer, digital adoption vouchers and skills training (instruments every channel may fund),
plus a domestic counterpart of 20 % of it from the treasury in every arm. Arms: the
counterpart alone (``none``), the programme from the treasury (``domestic_public``), and the
programme from each foreign channel. Every arm runs on the same replicate seeds (common
random numbers); each replicate draws its own disbursement ratios and delays (the channel
draws are seeded by the replicate seed). Outcomes, mean over replicates with their standard
errors (paired differences):

* ``delivered``: money that reached the agents (USD million, all years);
* ``sdg``: SDG-index gain versus ``none`` in the last year;
* ``adoption``: mean adoption share of digital technology versus ``none`` in the last year
  (percentage points);
* ``vs_north_south``: the SDG-index gain minus that of ``north_south``, with its SE;
* cost per outcome: promised USD million per SDG-index point.

    python tools/channel_effects.py kenya --firms 2000 --replicates 12
    python tools/channel_effects.py --out channel_effects.csv          # six pilots
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
import pandas as pd
import xarray as xr

PILOTS = ("ethiopia", "ghana", "india", "kenya", "serbia", "ukraine")
FOREIGN = ("trust_fund", "north_south", "south_south", "triangular", "development_bank")
ACTIONS = {"TT": "technology_transfer", "AD": "adoption_subsidy", "SK": "skills_training"}
COUNTERPART = 0.2


def programme(channel: str, amount: float, years: list[int]):
    """A portfolio of the three actions funded by one source of ``channel`` (USD million per
    year in total) and the treasury, and its spend(action, year, source)."""
    from stisim.roadmap import build_portfolio

    kind = {"trust_fund": "donor", "domestic_public": "public"}.get(channel, "partner")
    per = amount / len(ACTIONS)
    raw = {"name": f"programme via {channel}", "horizon": [years[0], years[-1]],
           "sources": [{"id": "treasury", "kind": "public", "channel": "domestic_public"},
                       {"id": "ext", "kind": kind, "channel": channel}],
           "actions": [{"id": a, "name": inst, "instrument": inst, "lead": "agency",
                        "cost": per * (1 + COUNTERPART), "sources": {"ext": 1.0,
                                                                      "treasury": 1.0},
                        "effects": [{"indicator": "17.8.1", "change": 0.1}]}
                       for a, inst in ACTIONS.items()]}
    p = build_portfolio(raw)
    values = np.zeros((len(ACTIONS), len(years), 2))
    values[:, :, 0] = per * COUNTERPART
    values[:, :, 1] = per if channel != "none" else 0.0
    spend = xr.DataArray(values, dims=("action", "year", "source"),
                         coords={"action": list(ACTIONS), "year": years,
                                 "source": ["treasury", "ext"]})
    return p, spend


def pilot(country: str, firms: int, replicates: int, share: float, end_year: int,
          log=print) -> pd.DataFrame:
    from stisim.agents.country import country_inputs
    from stisim.config import load_config
    from stisim.coupling import replicates as sm
    from stisim.coupling.execute import execute
    from stisim.pipeline import build, simulate

    cfg = load_config("compare", [f"country={country}", f"scenario=calibrated/{country}",
                                  f"firms.count={firms}", f"time.end_year={end_year}"])
    inputs = build(cfg)
    gdp = country_inputs(cfg, inputs.baseline).gdp
    amount = share / 100.0 * gdp / 1e6  # USD million a year
    years = list(range(2025, end_year + 1))
    seeds = sm.seeds(int(cfg.seed), replicates)
    arms = ["none", "domestic_public", *FOREIGN]
    out: dict[str, dict[str, np.ndarray]] = {}
    t0 = time.perf_counter()
    for arm in arms:
        p, spend = programme("domestic_public" if arm == "none" else arm, amount, years)
        if arm == "none":
            spend.loc[{"source": "ext"}] = 0.0
        sdg, adopt, delivered = [], [], []
        for s in seeds:
            ex = execute(spend, p, cfg, seed=s)
            raw = simulate(inputs, ex.budgets, seed=s)
            last = sm.scored(raw).isel(time=-1)
            sdg.append(float(last["sdg_index"]))
            adopt.append(_adoption(raw.isel(time=-1)))
            delivered.append(float(ex.lines.loc[ex.lines["amount"] > 0, "amount"].sum()) / 1e6)
        out[arm] = {"sdg": np.array(sdg), "adoption": np.array(adopt),
                    "delivered": np.array(delivered)}
    log(f"  {country}: {len(arms)} arms x {replicates} replicates in "
        f"{time.perf_counter() - t0:.0f} s (programme {amount:.2f} USD m/yr)")
    rows = []
    promised = amount * len(years)
    for arm in arms[1:]:
        d = out[arm]["sdg"] - out["none"]["sdg"]
        da = 100 * (out[arm]["adoption"] - out["none"]["adoption"])
        vs = out[arm]["sdg"] - out["north_south"]["sdg"]
        rows.append({
            "country": country, "channel": arm, "promised": promised,
            "delivered": out[arm]["delivered"].mean() - out["none"]["delivered"].mean(),
            "sdg": d.mean(), "sdg_se": _se(d), "adoption_pp": da.mean(),
            "adoption_se": _se(da), "vs_north_south": vs.mean(), "vs_north_south_se": _se(vs),
            "usd_m_per_point": promised / d.mean() if d.mean() > 0 else np.nan,
            "replicates": replicates})
    return pd.DataFrame(rows)


def _adoption(last: xr.Dataset) -> float:
    a = last["adoption_share"]
    if "technology" in a.dims:
        a = a.sel(technology="digital")
    return float(a.mean())


def _se(x: np.ndarray) -> float:
    return float(np.std(x, ddof=1) / np.sqrt(len(x))) if len(x) > 1 else np.nan


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("countries", nargs="*", default=list(PILOTS))
    ap.add_argument("--firms", type=int, default=2000)
    ap.add_argument("--replicates", type=int, default=12)
    ap.add_argument("--share", type=float, default=0.05, help="% of GDP a year")
    ap.add_argument("--end-year", type=int, default=2035)
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    frames = [pilot(c, args.firms, args.replicates, args.share, args.end_year)
              for c in args.countries]
    table = pd.concat(frames, ignore_index=True)
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(table.round(4).to_string(index=False))
    if args.out:
        table.to_csv(args.out, index=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
