"""``stisim calibrate``: fit parameters to a country's history (stisim.calibrate)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from stisim.cli.dispatch import command

if TYPE_CHECKING:  # the config machinery is loaded by the command that runs
    from stisim.config.validate import StisimConfig


@command("calibrate", "fit parameters to a country's observed 2010-2022 history (scipy, "
         "progress bar)", config_name="calibrate")
def calibrate_command(cfg: StisimConfig, run_dir: Path) -> int:
    from stisim.calibrate import fit_table, run_calibration
    from stisim.io import shown

    out = run_calibration(cfg, run_dir)
    r = out.result
    print(f"\n{cfg.country.name}: {cfg.calibrate.simulator} calibration, {r.method}, "
          f"{r.n_evals} runs ({r.message})")
    width = max(len(p) for p in [*r.parameters, *r.held])
    for path, value in r.parameters.items():
        print(f"  {path:<{width}}  {value:.6g}   (start {r.initial[path]:.6g})")
    for path, why in r.held.items():
        print(f"  {path:<{width}}  not fitted: {why}")
    for code, how in r.imputed.items():
        print(f"base-year {code}: {how}")
    print(f"loss (mean squared NRMSE, score points^2): uncalibrated {r.uncalibrated_loss:.4g}, "
          f"search start {r.initial_loss:.4g}, fitted {r.loss:.4g}\n")
    if r.uncalibrated_loss is not None and r.loss > r.uncalibrated_loss:
        print("note: the fit is worse than the uncalibrated model (budget too small? raise "
              "calibrate.max_evals)\n")
    print(fit_table(r))
    print(f"\nwrote {shown(out.dataset_path)}")
    if out.scenario_path is not None:
        from stisim.data import countries

        slug = countries().loc[cfg.country.m49, "slug"]
        print(f"wrote {shown(out.scenario_path)}\nuse it with: stisim run country={slug} "
              f"scenario={out.scenario_name}")
    return 0
