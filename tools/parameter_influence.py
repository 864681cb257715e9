"""Which agent parameters move the outcomes, and is each of them sourced?

Morris elementary effects (SALib, through ``stisim sweep``'s Morris design and
``stisim.analysis.sensitivity``) of every numeric parameter of the agent model's sections
(dict entries one by one) on the end-year SDG index and on 9.5.1, 9.5.2, 17.8.1, 9.c.1,
7.2.1 and 8.2.1. Each parameter is varied over [0.5 x, 1.5 x] its value in the scenario
(calendar years by +-5 years; clipped to its allowed range); parameters at 0 are not
screened (reported). A
parameter's influence is the largest, over the outcomes, of its mu* divided by the largest
mu* of that outcome (1 = the most influential parameter of some outcome), counting only
outcomes where its mu* exceeds twice the noise floor: the mu* a parameter with no effect
would get from the model's stochastic noise alone, 1.69 sd (E|N(0, 2 sd^2)| over the Morris
step of 2/3 of the range at 4 levels), with sd the outcome's standard deviation over
``--noise-seeds`` runs of the scenario with different seeds. Parameters under the floor for
every outcome have influence 0 (their effect is not distinguishable from noise at this size).

    python tools/parameter_influence.py run --country kenya --trajectories 4 --firms 800
    python tools/parameter_influence.py report --country kenya          # the top 30

``run`` is resumable (a stisim sweep in outputs/influence/<country>/); ``report`` prints the
30 most influential parameters with their sourcing status (citation, data derivation, labelled
assumption with or without the range tried, bare) read from the parameter tables (the
``source`` of each config field; a value fitted by the calibrated scenario counts as a data
derivation) and writes ``influence.csv`` beside the sweep.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SECTIONS = ("regions", "firms", "diffusion", "institutes", "ministries", "local_governments",
            "partners", "infrastructure", "macro")
SKIP = {"firms.count", "institutes.count"}  # sizes of the simulation, not behaviour
OUTCOMES = ("sdg_index", "9.5.1", "9.5.2", "17.8.1", "9.c.1", "7.2.1", "8.2.1")
CITATION = re.compile(r"\(\d{4}\)|\b(19|20)\d{2}\b.*\)|et al\.")
DATA = re.compile(r"baseline|UNSD|WDI|World Bank|SDR 20|UIS|ILO|fitted|calibrat|derived|"
                  r"\bdata\b", re.IGNORECASE)


def _bounds(meta) -> tuple[float, float]:
    lo = meta.get("ge") if meta.get("ge") is not None else meta.get("gt")
    hi = meta.get("le") if meta.get("le") is not None else meta.get("lt")
    lo = -math.inf if lo is None else float(lo) + (1e-9 if meta.get("gt") is not None else 0)
    hi = math.inf if hi is None else float(hi) - (1e-9 if meta.get("lt") is not None else 0)
    return lo, hi


def candidates(cfg) -> tuple[dict[str, dict], dict[str, str], list[str]]:
    """Uncertainties ({path: {low, high}}), sources (path -> source text) and the paths not
    screened (value 0 or not numeric)."""
    from stisim.config.sections import SECTIONS as REGISTRY

    unc, sources, skipped = {}, {}, []
    for name in SECTIONS:
        cls = REGISTRY[name]
        section = getattr(cfg, name)
        for f in dataclasses.fields(cls):
            path = f"{name}.{f.name}"
            value = getattr(section, f.name)
            src = str(f.metadata.get("source") or "")
            if path in SKIP or isinstance(value, bool):
                continue
            items = []
            if isinstance(value, (int, float)):
                items = [(path, float(value), _bounds(f.metadata))]
            elif isinstance(value, dict):
                items = [(f"{path}.{k}", float(v), (-math.inf, math.inf))
                         for k, v in value.items()
                         if isinstance(v, (int, float)) and not isinstance(v, bool)]
            for p, v, (lo, hi) in items:
                sources[p] = src
                if v == 0.0 or not math.isfinite(v):
                    skipped.append(p)
                    continue
                # calendar years move by +-5 years, everything else by +-50 %
                a, b = (v - 5.0, v + 5.0) if p.endswith("_year") else sorted((0.5 * v, 1.5 * v))
                a, b = max(a, lo), min(b, hi)
                if b <= a:
                    skipped.append(p)
                    continue
                unc[p] = {"low": a, "high": b}
    return unc, sources, skipped


def valid_ranges(cfg, unc: dict[str, dict]) -> tuple[dict[str, dict], list[str]]:
    """Clip each range to what the config validation accepts at both ends (dict entries
    have their own limits); drop parameters whose ends are refused for another reason
    (shares that must sum to 1 cannot move one at a time)."""
    import copy

    from stisim.config.validate import validate
    from stisim.errors import ConfigError
    from stisim.sweep.parameters import set_path

    base = cfg.to_container()
    base.pop("sweep", None)
    out, dropped = {}, []
    for path, spec in unc.items():
        spec = dict(spec)
        ok = True
        for end in ("low", "high"):
            for _ in range(2):
                trial = set_path(copy.deepcopy(base), path, spec[end])
                try:
                    validate(trial)
                    break
                except ConfigError as exc:
                    m = re.search(r">=? *(-?[\d.e+-]+)(?: and <=? *(-?[\d.e+-]+))?",
                                  " ".join(str(p.allowed or "") for p in exc.problems))
                    if m is None:
                        ok = False
                        break
                    lo = float(m.group(1))
                    hi = float(m.group(2)) if m.group(2) else math.inf
                    spec[end] = min(max(spec[end], lo), hi)
            else:
                ok = False
            if not ok:
                break
        if ok and spec["high"] > spec["low"]:
            out[path] = spec
        else:
            dropped.append(path)
    return out, dropped


def scenario_values(scenario: str) -> set[str]:
    """Config paths the scenario file sets (fitted values of a calibrated scenario)."""
    import yaml

    path = ROOT / "scenarios" / f"{scenario}.yaml"
    if not path.exists():
        return set()
    out: set[str] = set()

    def walk(d, prefix=""):
        for k, v in d.items():
            if isinstance(v, dict):
                walk(v, f"{prefix}{k}.")
            else:
                out.add(f"{prefix}{k}")

    walk(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    return out


def status(path: str, source: str, fitted: set[str]) -> str:
    """citation | data derivation | labelled assumption (+ range tried) | bare."""
    if path in fitted:
        return "data derivation (fitted to history by the calibrated scenario)"
    key = path.rsplit(".", 1)[-1]
    text = source.strip()
    if "otherwise" in text:  # "X for <keys>; assumption otherwise"
        head = text.split("otherwise")[0]
        stem = key[:max(len(key) - 1, 4)]  # agriculture ~ agricultural
        named = any(w.startswith(stem) for w in re.findall(r"\w+", head)) or (
            key in ("rd_grants", "institutional_funding", "tax_credits")
            and "R&D lines" in head)
        text = head if named else "assumption" + text.split("otherwise", 1)[1]
    if not text:
        return "bare"
    ranged = bool(re.search(r"range|tried", text, re.IGNORECASE))
    if text.lower().startswith("assumption"):
        pointer = " with a pointer" if CITATION.search(text) else ""
        return "labelled assumption" + pointer + (" and the range tried" if ranged else "")
    if DATA.match(text):  # a value read from a named data source
        return "data derivation"
    if CITATION.search(text) and not text.lower().startswith("derived"):
        return "citation"
    if DATA.search(text):
        return "data derivation"
    if text[0].isupper():
        return "citation"
    return "labelled assumption"


def sourced(state: str) -> bool:
    return state.startswith(("citation", "data derivation"))


def base_overrides(args) -> list[str]:
    out = [f"country={args.country}", f"firms.count={args.firms}", "institutes.count=6"]
    if args.scenario:
        out.append(f"scenario={args.scenario}")
    return out


def directory(args) -> Path:
    return ROOT / "outputs" / "influence" / args.country


def run(args) -> int:
    from stisim.config import load_config
    from stisim.errors import ConfigError
    from stisim.sweep import run_sweep
    from stisim.sweep.parameters import check_parameters

    overrides = [*base_overrides(args), f"sweep.samples={args.trajectories}",
                 "sweep.name=influence", f"sweep.executor.workers={args.workers}"]
    cfg = load_config("sweep", overrides)
    unc, _, skipped = candidates(cfg)
    unc, dropped = valid_ranges(cfg, unc)
    skipped += dropped
    cfg.sections["sweep"] = dataclasses.replace(cfg.sweep, design="morris", uncertainties=unc)
    problems = check_parameters(cfg)
    if problems:
        raise ConfigError(problems, title="invalid influence sweep")
    print(f"{len(unc)} parameters x {args.trajectories} trajectories = "
          f"{args.trajectories * (len(unc) + 1)} runs; not screened (0): {len(skipped)}",
          flush=True)
    result = run_sweep(cfg, overrides=overrides, directory=directory(args))
    print(result.summary())
    return 0


def report(args) -> int:
    import numpy as np
    import pandas as pd

    from stisim.analysis.sensitivity import sensitivity
    from stisim.config import load_config
    from stisim.io import open_dataset

    d = directory(args)
    ds = open_dataset(d / "sweep.nc")
    end = float(ds["time"].values.max())
    cfg = load_config("run", base_overrides(args))
    _, sources, skipped = candidates(cfg)
    fitted = scenario_values(args.scenario) if args.scenario else set()
    table = {}
    for out in OUTCOMES:
        y = ds["sdg_index"] if out == "sdg_index" else ds["indicator_value"].sel(indicator=out)
        y = y.sel(time=end)
        if "replicate" in y.dims:
            y = y.mean("replicate")
        res = sensitivity(ds, y, "morris", seed=1)
        mu = res["morris_mu_star"].to_series()
        table[out] = mu / mu.max() if mu.max() > 0 else mu * np.nan
        table[f"{out} mu*"] = mu
    floor = noise_floor(args, end)
    df = pd.DataFrame(table)
    for out in OUTCOMES:
        df[f"{out} snr"] = df[f"{out} mu*"] / floor[out]
        df.loc[df[f"{out} snr"] < 2.0, out] = 0.0  # within noise
    norm = df[list(OUTCOMES)].fillna(0.0)
    df["influence"] = norm.max(axis=1)
    df["driven"] = norm.idxmax(axis=1)
    df["status"] = [status(p, sources.get(p, ""), fitted) for p in df.index]
    df["source"] = [sources.get(p, "") for p in df.index]
    df = df.sort_values("influence", ascending=False)
    df.to_csv(d / "influence.csv", index_label="parameter")
    top = df.head(args.top)
    n_src = int(sum(sourced(s) for s in top["status"]))
    print(f"Morris mu* (end year {end:.0f}, {args.country}, scenario "
          f"{args.scenario or 'baseline'}; {ds.sizes['run']} runs); influence = max over "
          f"outcomes of mu*/max mu*")
    print(f"{'rank':>4}  {'parameter':<46} {'influence':>9}  {'outcome':<9} status")
    for k, (p, r) in enumerate(top.iterrows(), 1):
        print(f"{k:>4}  {p:<46} {r['influence']:>9.3f}  {r['driven']:<9} {r['status']}")
    print("noise floor of mu* (1.69 sd over " + str(args.noise_seeds) + " seeds): "
          + ", ".join(f"{o} {floor[o]:.3g}" for o in OUTCOMES))
    print(f"parameters above twice the floor for some outcome: "
          f"{int((df['influence'] > 0).sum())} of {len(df)}")
    print(f"\nsourced (citation or data derivation): {n_src} of {len(top)}; "
          f"not screened (value 0): {len(skipped)}; wrote {d / 'influence.csv'}")
    return 0


def noise_floor(args, end: float) -> dict[str, float]:
    """mu* of a parameter without effect: 1.69 x the outcome's sd over seeds (see module
    doc), from ``--noise-seeds`` runs of the base config."""
    import numpy as np

    from stisim.config import load_config
    from stisim.pipeline import run as simulate_run

    vals = {o: [] for o in OUTCOMES}
    for k in range(args.noise_seeds):
        ds = simulate_run(load_config("run", [*base_overrides(args), f"seed={1000 + k}"]))
        at = ds.sel(time=end)
        for o in OUTCOMES:
            v = at["sdg_index"] if o == "sdg_index" else at["indicator_value"].sel(indicator=o)
            vals[o].append(float(v))
    delta = 4 / (2 * (4 - 1))
    return {o: float(np.sqrt(2) * np.std(v, ddof=1) * np.sqrt(2 / np.pi) / delta)
            for o, v in vals.items()}


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("action", choices=("run", "report"))
    p.add_argument("--country", default="kenya")
    p.add_argument("--scenario", default=None, help="default: calibrated/<country>")
    p.add_argument("--firms", type=int, default=800)
    p.add_argument("--trajectories", type=int, default=4)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--top", type=int, default=30)
    p.add_argument("--noise-seeds", type=int, default=8)
    args = p.parse_args(argv)
    if args.scenario is None:
        args.scenario = f"calibrated/{args.country}"
    sys.path.insert(0, str(ROOT))
    return run(args) if args.action == "run" else report(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
