"""``stisim compare``: prioritisation strategies executed by the agents (stisim.coupling)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from stisim.cli.dispatch import command

if TYPE_CHECKING:  # the config machinery is loaded by the command that runs
    from stisim.config.validate import StisimConfig


@command("compare", "compare prioritisation strategies (optimal per objective, equal split, "
         "expert ranking, greedy, gap-proportional, one goal first) in the agent model",
         config_name="compare")
def compare_command(cfg: StisimConfig, run_dir: Path) -> int:
    from stisim.coupling import compare as cmp
    from stisim.coupling.abm_responses import responses_for
    from stisim.io import shown, write_dataset

    run_dir.mkdir(parents=True, exist_ok=True)
    portfolio, inputs = cmp.load(cfg)
    curves = responses_for(cfg, portfolio, inputs)
    reps = (f"replicates sized by a pilot batch (at least {cfg.compare.replicates})"
            if cfg.compare.power else f"{cfg.compare.replicates} replicates")
    print(f"comparing {len(cfg.compare.strategies)} strategies x {reps} ({cfg.country.name}, "
          f"scenario {cfg.scenario.name}, response curves: "
          f"{getattr(curves, 'origin', 'portfolio expert effects')})")
    ds = cmp.run_compare(cfg, responses=curves)
    written = [write_dataset(ds, run_dir / "compare.nc")]
    table = cmp.summary(ds)
    print(cmp.format_table(table))
    for line in cmp.verdicts(ds):
        print(line)
    for name, note in json.loads(ds.attrs["strategy_notes"]).items():
        print(f"note: {name}: {note}")
    vr = json.loads(ds.attrs.get("variance_reduction", "null"))
    if vr and vr["common_random_numbers"] != vr["common_random_numbers"]:  # NaN
        print(f"variance reduction not measured on {vr['pair']} (fewer than 3 replicates)")
    elif vr:
        print(f"variance reduction measured on {vr['pair']}: common random numbers x"
              f"{vr['common_random_numbers']}, no-roadmap twin x{vr['no_roadmap_twin']} "
              "(variance with independent seeds / variance as run)")
    if "channel_money" in ds:
        from stisim.coupling.finance import channel_report

        for name in ds["strategy"].values[1:]:
            print(channel_report(ds["channel_money"].sel(strategy=name), f", {name}"))
    print(f"time to verdict: {ds.attrs['total_seconds']} s")
    if cfg.compare.loop:
        from stisim.coupling.loop import closed_loop, loop_report

        result = closed_loop(cfg, portfolio, inputs, curves)
        print(loop_report(result))
        _provenance(result.dataset, ds, "closed loop")
        written.append(write_dataset(result.dataset, run_dir / "loop.nc"))
    if cfg.compare.adaptive:
        from stisim.coupling.adaptive import adaptive_report, static_vs_adaptive

        res = static_vs_adaptive(cfg, portfolio, inputs, curves)
        print(adaptive_report(res))
        _provenance(res, ds, "static vs adaptive roadmap")
        written.append(write_dataset(res, run_dir / "adaptive.nc"))
    if cfg.compare.plot:
        written.append(_plot(ds, run_dir / "compare.png"))
    for path in written:
        print(f"wrote {shown(path)}")
    return 0


def _plot(ds, path: Path) -> Path:
    """SDG-index change to the roadmap's last year per strategy, with 95% CIs."""
    from stisim.analysis.plots import strategy_comparison

    last = float(min(ds["year"].values.max(), ds["time"].values.max()))
    fig = strategy_comparison(ds, "sdg_index", year=last)
    fig.savefig(path, dpi=100, bbox_inches="tight")
    return path


def _provenance(out, ds, title: str) -> None:
    """Copy the comparison's provenance (config, seed, version, baseline) to ``out``."""
    for key, value in ds.attrs.items():
        out.attrs.setdefault(key, value)
    out.attrs["title"] = f"{title}: {ds.attrs.get('portfolio', '')}"
