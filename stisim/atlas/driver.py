"""``run_atlas``: config -> atlas Dataset, and the table ``stisim atlas`` prints."""

from __future__ import annotations

import numpy as np
import xarray as xr

from stisim.atlas.ensemble import run_ensemble
from stisim.atlas.evidence import load_evidence
from stisim.atlas.measures import PURPOSES, RD_INDICATOR, atlas_dataset, pick
from stisim.dataset import annotate, provenance_attrs
from stisim.pipeline import build


def run_atlas(cfg, *, workers: int | None = None, progress: bool | None = None) -> xr.Dataset:
    """Run the atlas of ``cfg.atlas`` for ``cfg``'s country and scenario."""
    a = cfg.atlas
    evidence = load_evidence(a.evidence)  # a bad table stops the command before any run
    inputs = build(cfg)
    ens = run_ensemble(
        inputs,
        a.instruments,
        a.doses,
        a.replicates,
        a.workers if workers is None else workers,
        a.progress if progress is None else progress,
    )
    ds = atlas_dataset(ens, cfg, a.instruments, a.doses, evidence)
    b = inputs.baseline
    attrs = provenance_attrs(
        cfg.to_container(),
        cfg.seed,
        b.provenance(),
        country=b.name,
        country_m49=b.m49,
        base_year=b.base_year,
        end_year=int(cfg.time.end_year),
        scenario=cfg.scenario.name,
        replicate_seeds=[int(s) for s in ens.seeds],
        evidence_table=str(a.evidence or "stisim/data/evidence.csv"),
        end_time=float(ens.bau[0]["end_time"]),
    )
    attrs["title"] = f"instrument response atlas: {b.name}, scenario {cfg.scenario.name}"
    ds.attrs = attrs
    return annotate(ds, "atlas")


def _pm(mean: float, se: float, digits: int = 3) -> str:
    if not np.isfinite(mean):
        return "-"
    text = f"{mean:+.{digits}g}"
    return text + (f" ±{se:.2g}" if np.isfinite(se) else "")


def _short(text: str, width: int = 38) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def format_table(ds: xr.Dataset) -> str:
    """The atlas as text: per instrument and dose, the response of its purpose(s), of 9.5.1
    per dose and of the SDG index (± 1 SE), with markers: ``!`` purpose lowered beyond 2 SE,
    ``R`` 9.5.1 moved by more than 3 x the dose, ``E`` outside the evidence range (``E!``
    beyond 2 SE)."""
    from stisim.summary import table

    rows = []
    has_ev = "evidence" in ds.dims
    for inst in ds["instrument"].values:
        for dose in ds["dose"].values:
            purposes = "; ".join(
                f"{p} {_pm(float(pick(ds, p).sel(instrument=inst, dose=dose)), float(pick(ds, p, True).sel(instrument=inst, dose=dose)))}"  # noqa: E501
                for p in PURPOSES[str(inst)]
            )
            marks = []
            if bool(ds["purpose_violation"].sel(instrument=inst, dose=dose)):
                marks.append("!")
            if bool(ds["rd_per_dose_exceeded"].sel(instrument=inst, dose=dose)):
                marks.append("R")
            if has_ev:
                sel = ds["evidence_instrument"] == inst
                if bool(ds["clearly_outside_evidence"].sel(dose=dose).where(sel, False).any()):
                    marks.append("E!")
                elif bool(ds["outside_evidence"].sel(dose=dose).where(sel, False).any()):
                    marks.append("E")
            rd = float(ds["rd_per_dose"].sel(instrument=inst, dose=dose))
            rows.append(
                [
                    str(inst),
                    f"{dose:g}",
                    purposes,
                    f"{rd:+.2f}" if np.isfinite(rd) else "-",
                    _pm(
                        float(ds["sdg_index_response"].sel(instrument=inst, dose=dose)),
                        float(ds["sdg_index_response_se"].sel(instrument=inst, dose=dose)),
                    ),
                    " ".join(marks),
                ]
            )
    end = int(ds.attrs.get("end_year", 0)) or ""
    out = [
        f"Responses at {end} vs business as usual (mean ± SE over replicates, common random "
        f"numbers); dose in % of GDP a year",
        table(
            rows,
            [
                "instrument",
                "dose",
                "purpose response",
                f"Δ{RD_INDICATOR}/dose",
                "ΔSDG index",
                "flags",
            ],
        ),
    ]
    if has_ev:
        ev_rows = []
        for e in ds["evidence"].values:
            row = ds.sel(evidence=e)
            vals = ", ".join(
                _pm(
                    float(row["evidence_value"].sel(dose=d)),
                    float(row["evidence_value_se"].sel(dose=d)),
                )
                + ("*" if bool(row["outside_evidence"].sel(dose=d)) else "")
                for d in ds["dose"].values
            )
            ev_rows.append(
                [
                    str(row["evidence_instrument"].values),
                    str(row["evidence_outcome"].values),
                    f"[{float(row['evidence_low']):g}, {float(row['evidence_high']):g}]",
                    _short(str(row["evidence_unit"].values)),
                    vals,
                    _short(str(row["evidence_source"].values)),
                ]
            )
        out += [
            "",
            "Against the evidence (model value per dose; * outside the range)",
            table(
                ev_rows,
                [
                    "instrument",
                    "outcome",
                    "range",
                    "unit",
                    "model (" + ", ".join(f"{d:g}" for d in ds["dose"].values) + ")",
                    "source",
                ],
            ),
        ]
    out += [
        "",
        "flags: ! lowers its purpose beyond 2 SE; R |Δ9.5.1| > 3 x dose; "
        "E outside the evidence range (E! beyond 2 SE)",
    ]
    return "\n".join(out)
