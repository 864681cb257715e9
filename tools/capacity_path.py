"""The path of a jump in R&D money through the institutes' absorption limit (docs/model.md,
"Research capacity"): Δ9.5.1 against business as usual and the share of the institutes' money
left unspent, with the limit on and off (common random numbers: same seed).

    python tools/capacity_path.py                          # Serbia, x4 institutional funding
    python tools/capacity_path.py --country kenya --factor 2 --firms 2000
"""

from __future__ import annotations

import argparse

import numpy as np

from stisim.agents.model import build_model
from stisim.agents.policy import Budgets
from stisim.config import load_config
from stisim.pipeline import build


def _inputs(country: str, firms: int, end: int, capacity: bool):
    return build(load_config("run", [f"country={country}", f"firms.count={firms}",
                                     f"time.end_year={end}",
                                     f"mechanisms.institute_capacity={str(capacity).lower()}"]))


def _extra(inputs, factor: float) -> tuple[Budgets, float]:
    """(factor - 1) x the ministries' business-as-usual institutional funding line, % of
    base-year GDP, from the year after the base year."""
    cfg = inputs.cfg
    model = build_model(inputs)
    pct = (factor - 1.0) * model.calib.bau.get(("ministry", "institutional_funding"), 0.0)
    out = Budgets(cfg.regions.names, cfg.time.base_year, cfg.time.end_year)
    for year in range(cfg.time.base_year + 1, cfg.time.end_year + 1):
        out.add("institutional_funding", year, pct / 100.0 * model.macro.gdp0, "ministry")
    return out, pct


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--country", default="serbia")
    ap.add_argument("--factor", type=float, default=4.0)
    ap.add_argument("--firms", type=int, default=2000)
    ap.add_argument("--end", type=int, default=2034)
    a = ap.parse_args(argv)
    rows = {}
    for capacity in (True, False):
        inputs = _inputs(a.country, a.firms, a.end, capacity)
        extra, pct = _extra(inputs, a.factor)
        base = build_model(inputs).run().recorder.dataset()
        dosed = build_model(inputs, extra).run().recorder.dataset()
        d = (dosed["indicator_value"] - base["indicator_value"]).sel(indicator="9.5.1")
        unspent = dosed["institute_unspent"].sum("stream")
        share = unspent / (unspent + dosed["institute_funding"].sum("stream"))
        rows[capacity] = (d.values, share.values)
    years = np.floor(base["time"].values + 1e-9).astype(int)
    print(f"{a.country}: institutional funding x{a.factor:g} (+{pct:.3g} % of base-year GDP a "
          f"year), {a.firms} firms, seed {inputs.cfg.seed}")
    print(f"{'year':>6} {'d9.5.1 limit':>13} {'unspent':>8} {'d9.5.1 no limit':>16}")
    for k, year in enumerate(years):
        print(f"{year:>6} {rows[True][0][k]:>13.3f} {100 * rows[True][1][k]:>7.1f}% "
              f"{rows[False][0][k]:>16.3f}")


if __name__ == "__main__":
    main()
