"""Regenerate the atlas shown in docs/atlas.md: one ``stisim atlas`` per pilot, then the
generated part of the page (between the ``atlas:begin`` and ``atlas:end`` markers), the
figures in docs/figures/ and a per-pilot summary of the checks.

    python tools/atlas_docs.py                              # the six calibrated pilots
    python tools/atlas_docs.py --countries kenya --firms 2000 --replicates 4

Each pilot runs exactly the command the page prints beside its results
(``stisim atlas country=C scenario=calibrated/C firms.count=N atlas.replicates=R ...``) into
``outputs/atlas_docs/C``; ``--reuse`` rebuilds the page from atlas.nc files already there.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import re
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "atlas.md"
FIGURES = ROOT / "docs" / "figures"
PILOTS = ("kenya", "ghana", "ethiopia", "india", "serbia", "ukraine")
BEGIN, END = "<!-- atlas:begin -->", "<!-- atlas:end -->"
# tests/docs/test_doc_commands.py runs the page's commands at small sizes; this one is the
# first command of the page at the size that made the figures.
NOT_RUN = ("<!-- doc-test: not run: the size that made the figures below; at the tests' small "
           "size it is the first command of this page, which runs -->")


def command(country: str, args: argparse.Namespace) -> list[str]:
    out = [f"country={country}", f"scenario=calibrated/{country}",
           f"firms.count={args.firms}", f"atlas.replicates={args.replicates}",
           f"atlas.workers={args.workers}", f"hydra.run.dir=outputs/atlas_docs/{country}"]
    if args.doses:
        out.append(f"atlas.doses=[{args.doses}]")
    if args.instruments:
        out.append(f"atlas.instruments=[{args.instruments}]")
    return out


def summary(ds) -> list[str]:
    """Per pilot: largest |Δ9.5.1|/dose, purpose violations, evidence flags."""
    import numpy as np

    rd = ds["rd_per_dose"]
    k = np.unravel_index(int(np.nanargmax(np.abs(rd.values))), rd.shape)
    worst = rd.isel(instrument=k[0], dose=k[1])
    lines = [f"* largest |Δ9.5.1|/dose: {float(worst):+.2f} pp per % of GDP "
             f"({worst['instrument'].item()} at {float(worst['dose']):g} % of GDP); "
             f"limit 3: {'exceeded' if bool(ds['rd_per_dose_exceeded'].any()) else 'met'}"]
    bad = ds["purpose_violation"]
    hits = [f"{i} at {float(d):g} (z = {float(ds['purpose_z'].sel(instrument=i, dose=d)):+.1f})"
            for i in ds["instrument"].values for d in ds["dose"].values
            if bool(bad.sel(instrument=i, dose=d))]
    lines.append("* instruments lowering their own purpose beyond 2 SE: "
                 + ("; ".join(hits) if hits else "none"))
    small = float(ds["dose"].min())
    z = ds["purpose_z"].sel(dose=small)
    weak = [str(i) for i in ds["instrument"].values if not float(z.sel(instrument=i)) > 2]
    lines.append(f"* purpose moved by more than 2 SE at {small:g} % of GDP: "
                 f"{ds.sizes['instrument'] - len(weak)} of {ds.sizes['instrument']} instruments"
                 + (f" (not: {', '.join(weak)})" if weak else ""))
    if "evidence" in ds.dims:
        out = ds["outside_evidence"].any("dose")
        clearly = ds["clearly_outside_evidence"].any("dose")
        lines.append(f"* evidence ranges: {int(out.sum())} of {ds.sizes['evidence']} rows "
                     f"outside at some dose ({int(clearly.sum())} beyond 2 SE): "
                     + "; ".join(str(e) for e in ds["evidence"].values[out.values]))
    return lines


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--countries", default=",".join(PILOTS))
    p.add_argument("--firms", type=int, default=2000)
    p.add_argument("--replicates", type=int, default=4)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--doses", default="", help="comma-separated, default: the config's")
    p.add_argument("--instruments", default="", help="comma-separated, default: all")
    p.add_argument("--reuse", action="store_true", help="rebuild the page from existing runs")
    args = p.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from stisim.atlas import format_table
    from stisim.cli import main as stisim
    from stisim.io import open_dataset

    parts = []
    for country in args.countries.split(","):
        cmd = command(country, args)
        nc = ROOT / "outputs" / "atlas_docs" / country / "atlas.nc"
        if not args.reuse:
            t0 = time.perf_counter()
            buf = io.StringIO()
            with contextlib.redirect_stdout(buf):
                code = stisim(["atlas", *cmd])
            if code:
                print(buf.getvalue())
                return code
            print(f"{country}: {time.perf_counter() - t0:.0f} s", file=sys.stderr)
        ds = open_dataset(nc)
        FIGURES.mkdir(parents=True, exist_ok=True)
        shutil.copy(nc.parent / "atlas.png", FIGURES / f"atlas_{country}.png")
        name = ds.attrs["country"]
        parts += [f"### {name}", "", NOT_RUN, "```bash", "stisim atlas " + " ".join(
            c for c in cmd if not c.startswith("hydra.")), "```", "",
            *summary(ds), "", f"![atlas of {name}](figures/atlas_{country}.png)", "",
            "```text", format_table(ds), "```", ""]
    text = PAGE.read_text(encoding="utf-8")
    block = "\n".join([BEGIN, "", *parts, END])
    new, n = re.subn(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: block, text,
                     flags=re.S)
    if n != 1:
        print(f"{PAGE}: markers {BEGIN} ... {END} not found", file=sys.stderr)
        return 1
    PAGE.write_text(new, encoding="utf-8")
    print(f"wrote {PAGE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
