"""Core subcommands: ``run`` and ``countries``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from stisim.cli.dispatch import command, simple_parser

if TYPE_CHECKING:  # the config machinery is loaded by the command that runs
    from stisim.config.validate import StisimConfig


@command("run", "simulate one scenario for one country (Hydra overrides, -m)", config_name="run")
def run_command(cfg: StisimConfig, run_dir: Path) -> int:
    from stisim.io import shown, write_dataset
    from stisim.pipeline import run
    from stisim.summary import run_summary

    ds = run(cfg)
    path = write_dataset(ds, run_dir / cfg.output.filename, cfg.output.format)
    if cfg.output.summary:
        print(run_summary(ds))
    print(f"\nwrote {shown(path)}")
    return 0


@command("countries", "list the countries of the shipped data (name, M49, ISO3, region)")
def countries_command(argv: list[str]) -> int:
    from stisim.data import countries
    from stisim.summary import table

    parser = simple_parser("countries", "List the countries usable as country=NAME or CODE.")
    parser.add_argument("--region", help="only countries of this UN sub-region")
    args = parser.parse_args(argv)
    df = countries()
    if args.region:
        regions = sorted(df.un_region.unique())
        df = df[df.un_region.str.lower() == args.region.lower()]
        if df.empty:
            from stisim.config.kernel import allowed_text
            from stisim.errors import ConfigError, Problem

            raise ConfigError([Problem("--region", "not a UN sub-region of the shipped data",
                                       args.region, allowed_text(regions, args.region))])
    rows = [[r.slug, str(m49), r.iso3, r.un_region] for m49, r in df.iterrows()]
    print(table(rows, ["country option", "M49", "ISO3", "UN sub-region"]))
    return 0
