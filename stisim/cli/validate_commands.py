"""``stisim validate``: held-out forecasts scored against statistical baselines
(stisim.validate)."""

from __future__ import annotations

from pathlib import Path

from stisim.cli.dispatch import command
from stisim.config.validate import StisimConfig


@command("validate", "fit on the years up to validate.fit_end, predict the held-out years, "
         "score NRMSE against persistence, trend, ETS and Theta baselines",
         config_name="validate")
def validate_command(cfg: StisimConfig, run_dir: Path) -> int:
    from stisim.dataset import provenance_attrs
    from stisim.io import write_dataset
    from stisim.validate import run_validation
    from stisim.validate.scoring import (
        country_table,
        parameter_table,
        plot_country,
        score_table,
        summary,
        to_dataset,
    )

    v = cfg.validate
    results, failed = run_validation(cfg, run_dir)
    attrs = provenance_attrs(cfg.to_container(), cfg.seed, {}, title="stisim validation",
                             fit_start=v.fit_start, fit_end=v.fit_end)
    ds = to_dataset(results, v.fit_end, attrs)
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    path = write_dataset(ds, run_dir / "validation.nc", "netcdf")
    s = summary(ds)
    lines = [f"Held-out validation: fit {v.fit_start}-{v.fit_end}, predict "
             f"{v.fit_end + 1}-{ds.attrs['test_end']}, {v.replicates} replicate(s); "
             "NRMSE = 100 x RMSE / SDR range (mean over countries)", "", score_table(ds), "",
             f"best single baseline: {s['best_baseline']} ({s['mean'][s['best_baseline']]:.2f});"
             f" model / best = {s['ratio']:.2f}; model lowest in {s['wins']} of {s['cells']} "
             f"cells ({100 * s['win_share']:.0f} %)", ""]
    for country in ds["country"].values:
        name = str(ds["country_name"].sel(country=country).values)
        flags = str(ds["input_fallbacks"].sel(country=country).values)
        lines += [f"{name} ({country}); inputs from regional values: {flags}",
                  country_table(ds, str(country)), ""]
        if v.plots:
            plot_country(ds, str(country), run_dir / f"validation_{country}.png")
    lines += ["Fitted parameters per window", parameter_table(ds)]
    if failed:
        lines += ["", "Not validated:", *[f"  {f}" for f in failed]]
    text = "\n".join(lines)
    (run_dir / "validation.md").write_text(text + "\n", encoding="utf-8")
    print("\n" + text)
    print(f"\nwrote {path}")
    if failed:
        import sys

        print("stisim: warning: not validated (see validation.md): " + "; ".join(failed),
              file=sys.stderr)
    return 0
