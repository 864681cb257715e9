"""SDG-layer subcommands: ``calibrate`` (Hydra) and ``influence`` (plain)."""

from __future__ import annotations

from pathlib import Path

from stisim.cli import command, simple_parser
from stisim.config.validate import StisimConfig


@command("calibrate", "fit parameters to a country's observed 2010-2022 history (scipy, "
         "progress bar)", config_name="calibrate")
def calibrate_command(cfg: StisimConfig, run_dir: Path) -> int:
    from stisim.calibrate import fit_table, run_calibration

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
    print(f"\nwrote {out.dataset_path}")
    if out.scenario_path is not None:
        from stisim.data import countries

        slug = countries().loc[cfg.country.m49, "slug"]
        print(f"wrote {out.scenario_path}\nuse it with: stisim run country={slug} "
              f"scenario={out.scenario_name}")
    return 0


@command("influence", "first- and second-order influence scores of a cross-impact matrix "
         "(Weitz et al. 2018 by default)")
def influence_command(argv: list[str]) -> int:
    from stisim.sdg.matrices import influence_scores, load_cross_impact, to_goal_matrix, weitz2018
    from stisim.summary import table

    parser = simple_parser(
        "influence", "Rank the rows of a cross-impact matrix (row influences column, Nilsson "
        "scale -3..+3) by first-order (row sum) plus second-order influence "
        "(0.5 * sum_j a_ij * rowsum_j), as in Weitz et al. (2018).")
    parser.add_argument("--matrix", help="CSV file (labels in the first column and header); "
                        "default: the shipped Weitz et al. 2018 Sweden matrix")
    parser.add_argument("--goals", action="store_true",
                        help="aggregate targets to goals first (mean over target pairs, /3)")
    parser.add_argument("--top", type=int, default=10, help="rows to show (default 10)")
    args = parser.parse_args(argv)
    matrix = load_cross_impact(args.matrix) if args.matrix else weitz2018()
    if args.goals:
        matrix = to_goal_matrix(matrix)
        matrix.index = [f"SDG {g}" for g in matrix.index]
        matrix.columns = list(matrix.index)
    scores = influence_scores(matrix)
    rows = [[str(int(r["rank"])), label, f"{r.first_order:g}", f"{r.positive:g}", f"{r.negative:g}",
             f"{r.second_order:g}", f"{r.total:g}"]
            for label, r in scores.head(args.top).iterrows()]
    print(f"{args.matrix or 'Weitz et al. (2018), Sweden, 34 targets'}"
          f"{' (aggregated to goals)' if args.goals else ''}")
    print(table(rows, ["rank", "label", "first order", "positive", "negative", "second order",
                       "total"]))
    return 0
