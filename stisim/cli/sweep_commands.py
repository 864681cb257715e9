"""Subcommands ``stisim sweep`` (Hydra, primary config configs/sweep.yaml) and
``stisim collect DIR`` (merge a Hydra ``-m`` multirun into one Dataset)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from stisim.cli.dispatch import command, simple_parser

if TYPE_CHECKING:  # the config machinery is loaded by the command that runs
    from stisim.config.validate import StisimConfig


@command("sweep", "run a designed sweep (factorial, LHS, Sobol, Morris) with replicates; "
         "resumable", config_name="sweep", exclusive=True)
def sweep_command(cfg: StisimConfig, run_dir: Path) -> int:
    from hydra.core.hydra_config import HydraConfig

    from stisim.io import shown
    from stisim.sweep.runner import run_sweep

    overrides = list(HydraConfig.get().overrides.task)
    try:
        result = run_sweep(cfg, overrides=overrides, directory=run_dir)
    except KeyboardInterrupt:
        print(f"\nstisim sweep: interrupted; finished runs are kept in {shown(run_dir)}; run the "
              "same command again to resume", file=sys.stderr)
        return 130
    print(result.summary())
    if result.tasks and result.failed == result.tasks:
        print(f"stisim: error: every run of the sweep failed; see {run_dir / 'sweep.log'}",
              file=sys.stderr)
        return 1
    return 0


@command("collect", "merge the run outputs of a Hydra -m multirun into one dataset")
def collect_command(argv: list[str]) -> int:
    from stisim.sweep.collect import collect

    parser = simple_parser(
        "collect", "Merge the outputs of a Hydra multirun (stisim run -m ...) into one "
        "Dataset with dims (run, replicate) and the override values as coordinates on run.")
    parser.add_argument("dir", type=Path, help="the multirun directory (holds multirun.yaml "
                        "and one sub-directory per job)")
    parser.add_argument("--out", type=Path, default=None,
                        help="output file (default: DIR/collected.nc, or .zarr with "
                        "--format zarr)")
    parser.add_argument("--format", choices=["netcdf", "zarr"], default="netcdf")
    parser.add_argument("--no-seed-replicates", action="store_true",
                        help="keep a swept `seed` as a run coordinate instead of the "
                        "replicate dimension")
    args = parser.parse_args(argv)
    result = collect(args.dir, out=args.out, fmt=args.format,
                     seed_as_replicate=not args.no_seed_replicates)
    print(result.summary())
    return 0
