"""``stisim atlas``: the instrument response atlas (stisim.atlas)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from stisim.cli.dispatch import command

if TYPE_CHECKING:  # the config machinery is loaded by the command that runs
    from stisim.config.validate import StisimConfig


@command(
    "atlas",
    "instrument response atlas: each agent instrument dosed as extra money "
    "(% of GDP a year) against business as usual, responses with SEs, checks and "
    "evidence",
    config_name="atlas",
)
def atlas_command(cfg: StisimConfig, run_dir: Path) -> int:
    from stisim.atlas import format_table, run_atlas
    from stisim.io import shown, write_dataset

    a = cfg.atlas
    runs = a.replicates * (1 + len(a.instruments) * len(a.doses))
    print(
        f"atlas of {len(a.instruments)} instruments x {len(a.doses)} doses x {a.replicates} "
        f"replicates + business as usual = {runs} runs ({cfg.country.name}, scenario "
        f"{cfg.scenario.name}, {cfg.firms.count} firms, {cfg.time.base_year}-"
        f"{cfg.time.end_year})",
        flush=True,
    )
    ds = run_atlas(cfg)
    run_dir.mkdir(parents=True, exist_ok=True)
    written = [write_dataset(ds, run_dir / "atlas.nc")]
    print(format_table(ds))
    if a.plot:
        from stisim.analysis.atlas_plots import atlas_responses

        fig = atlas_responses(ds)
        path = run_dir / "atlas.png"
        fig.savefig(path, dpi=100, bbox_inches="tight")
        written.append(path)
    for path in written:
        print(f"wrote {shown(path)}")
    return 0
