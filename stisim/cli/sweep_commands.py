"""Subcommands ``stisim sweep`` (Hydra, primary config configs/sweep.yaml) and
``stisim collect DIR`` (merge a Hydra ``-m`` multirun into one Dataset)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from stisim.cli.dispatch import command, simple_parser
from stisim.config.validate import StisimConfig
from stisim.errors import StisimError


def _remove_if_fresh(directory: Path) -> None:
    """Remove what Hydra and stisim created in a sweep directory that holds no run yet."""
    if (directory / "manifest.jsonl").exists() or (directory / "runs").exists():
        return
    for name in (".hydra", ".lock", "sweep.log", "sweep.json"):
        path = directory / name
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    try:
        directory.rmdir()
    except OSError:
        return  # other files live there; leave them


@command("sweep", "run a designed sweep (factorial, LHS, Sobol, Morris) with replicates; "
         "resumable", config_name="sweep")
def sweep_command(cfg: StisimConfig, run_dir: Path) -> int:
    from hydra.core.hydra_config import HydraConfig

    from stisim.sweep.runner import run_sweep

    overrides = list(HydraConfig.get().overrides.task)
    try:
        result = run_sweep(cfg, overrides=overrides, directory=run_dir)
    except KeyboardInterrupt:
        print(f"\nstisim sweep: interrupted; finished runs are kept in {run_dir}; run the "
              "same command again to resume", file=sys.stderr)
        return 130
    except StisimError as exc:
        print(f"stisim: error: {exc}", file=sys.stderr)
        _remove_if_fresh(run_dir)
        return exc.exit_code
    print(result.summary())
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
