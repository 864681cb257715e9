"""From the ensemble's end states to the atlas Dataset: responses with standard errors, cost
effectiveness, the checks on each instrument's purpose and the comparison with evidence.

Replicate ``r`` of a dosed run and of business as usual share their seed (common random
numbers), so a response is the mean of paired differences and its standard error the
standard deviation of those differences over ``sqrt(R)``:

    response(i, d, x) = mean_r [x(T; i, d, r) - x(T; BAU, r)],  se = sd_r(...) / sqrt(R)

at the end year ``T``. ``cost_effectiveness(i, x) = response(i, d_min, x) x 0.1 / d_min``:
the change per 0.1 % of GDP a year at the smallest dose (the most linear part of a concave
response).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from stisim.agents.catalog import TECHNOLOGIES
from stisim.atlas.ensemble import OUTCOMES, Ensemble, budget_years, outcome_names

# The outcome(s) each instrument exists to raise (an SDG indicator code or an OUTCOMES
# name): a dose must not lower any of them beyond 2 SE (docs/atlas.md, "Checks").
PURPOSES: dict[str, tuple[str, ...]] = {
    "rd_grants": ("9.5.1",),
    "institutional_funding": ("9.5.1",),
    "tax_credits": ("9.5.1",),
    "procurement": ("business_rd",),
    "tto_support": ("collaborations",),
    "matching_platform": ("matched_technology_adopters",),
    "skills": ("skilled_share",),
    "infrastructure_broadband": ("17.8.1", "9.c.1"),
    "infrastructure_energy": ("7.1.1", "7.2.1"),
    "adoption_subsidy": ("adoption_share.mean",),
    "regional_partnership": ("adoption_share.mean", "17.8.1"),
    **{f"adoption_subsidy.{t}": (f"adoption_share.{t}",) for t in TECHNOLOGIES},
}
PURPOSES["adoption_subsidy.clean_energy"] += ("7.2.1",)
RD_INDICATOR = "9.5.1"
RD_RATIO_LIMIT = 3.0  # pp of 9.5.1 per % of GDP: more is R&D from nothing
Z = 2.0  # standard errors that make a change significant in the checks


def _se(diff: np.ndarray) -> np.ndarray:
    """Standard error of the mean over axis ``-2`` (replicates); NaN for one replicate."""
    n = diff.shape[-2]
    if n < 2:
        return np.full(diff.shape[:-2] + diff.shape[-1:], np.nan)
    return diff.std(axis=-2, ddof=1) / np.sqrt(n)


class Paired:
    """Per-replicate paired differences ``(instrument, dose, replicate, k)`` of one kind of
    quantity (indicator values, goal scores, outcomes, the SDG index), with the BAU values
    ``(replicate, k)``."""

    def __init__(self, ens: Ensemble, instruments, doses, key: str):
        self.bau = np.array([np.atleast_1d(s[key]) for s in ens.bau], dtype=float)
        runs = np.array(
            [
                [[np.atleast_1d(s[key]) for s in ens.dosed[(i, float(d))]] for d in doses]
                for i in instruments
            ],
            dtype=float,
        )
        self.diff = runs - self.bau[None, None]

    @property
    def mean(self) -> np.ndarray:
        return self.diff.mean(axis=-2)

    @property
    def se(self) -> np.ndarray:
        return _se(self.diff)


def _with_mean_adoption(p: Paired) -> Paired:
    """Append the mean adoption share over technologies to the outcomes."""
    names = list(OUTCOMES)
    cols = [names.index(f"adoption_share.{t}") for t in TECHNOLOGIES]
    p.bau = np.concatenate([p.bau, p.bau[..., cols].mean(-1, keepdims=True)], axis=-1)
    p.diff = np.concatenate([p.diff, p.diff[..., cols].mean(-1, keepdims=True)], axis=-1)
    return p


def money(ens: Ensemble, cfg, instruments, doses) -> tuple[np.ndarray, np.ndarray]:
    """Intended extra money per replicate ``(instrument, dose, replicate)`` (sum over budget
    years, base-year USD) and the share of it disbursed within the horizon (extra
    disbursement of all instruments and executors over intended money, mean over
    replicates)."""
    years = budget_years(cfg)
    gdp = np.array([[s["gdp"][y] for y in years] for s in ens.bau])  # (replicate, year)
    intended = np.array([[gdp.sum(-1) * float(d) / 100.0 for d in doses] for _ in instruments])
    bau = np.array([s["disbursed"] for s in ens.bau])
    extra = (
        np.array(
            [
                [[s["disbursed"] for s in ens.dosed[(i, float(d))]] for d in doses]
                for i in instruments
            ]
        )
        - bau
    )
    return intended, (extra / intended).mean(-1)


def atlas_dataset(
    ens: Ensemble, cfg, instruments, doses, evidence: pd.DataFrame | None = None
) -> xr.Dataset:
    """The atlas Dataset (variables documented in ``stisim/atlas/variables.yml``)."""
    instruments = list(instruments)
    doses = [float(d) for d in doses]
    first = ens.bau[0]
    indicators = list(first["indicator"])
    goals = list(first["goal"])
    outcomes = outcome_names()
    values = Paired(ens, instruments, doses, "value")
    goal = Paired(ens, instruments, doses, "goal_score")
    index = Paired(ens, instruments, doses, "sdg_index")
    out = _with_mean_adoption(Paired(ens, instruments, doses, "outcomes"))
    dims3 = ("instrument", "dose", "indicator")
    i_min = int(np.argmin(doses))
    scale = 0.1 / doses[i_min]
    intended, disbursed_share = money(ens, cfg, instruments, doses)
    ds = xr.Dataset(
        {
            "response": (dims3, values.mean),
            "response_se": (dims3, values.se),
            "goal_response": (("instrument", "dose", "goal"), goal.mean),
            "goal_response_se": (("instrument", "dose", "goal"), goal.se),
            "sdg_index_response": (("instrument", "dose"), index.mean[..., 0]),
            "sdg_index_response_se": (("instrument", "dose"), index.se[..., 0]),
            "outcome_response": (("instrument", "dose", "outcome"), out.mean),
            "outcome_response_se": (("instrument", "dose", "outcome"), out.se),
            "cost_effectiveness": (("instrument", "indicator"), values.mean[:, i_min] * scale),
            "cost_effectiveness_se": (("instrument", "indicator"), values.se[:, i_min] * scale),
            "bau_value": ("indicator", values.bau.mean(0)),
            "bau_goal_score": ("goal", goal.bau.mean(0)),
            "bau_sdg_index": ((), float(index.bau.mean())),
            "bau_outcome": ("outcome", out.bau.mean(0)),
            "extra_money": (("instrument", "dose"), intended.mean(-1)),
            "money_disbursed_share": (("instrument", "dose"), disbursed_share),
            "outcome_unit": (
                "outcome",
                [OUTCOMES[o][0] if o in OUTCOMES else "% of eligible firms" for o in outcomes],
            ),
        },
        coords={
            "instrument": instruments,
            "dose": doses,
            "indicator": indicators,
            "goal": goals,
            "outcome": outcomes,
        },
    )
    ds = ds.assign(**checks(ds))
    if evidence is not None and len(evidence):
        from stisim.atlas.evidence import compare_evidence

        ds = ds.merge(compare_evidence(ds, evidence, values, out, intended))
    ds["dose"].attrs.update(units="% of GDP per year", long_name="extra money per year")
    return ds


def pick(ds: xr.Dataset, name: str, se: bool = False) -> xr.DataArray:
    """Response (or its SE) of an indicator code or an outcome name, ``(instrument, dose)``."""
    suffix = "_se" if se else ""
    if name in ds["indicator"].values:
        return ds[f"response{suffix}"].sel(indicator=name, drop=True)
    if name == "sdg_index":
        return ds[f"sdg_index_response{suffix}"]
    return ds[f"outcome_response{suffix}"].sel(outcome=name, drop=True)


def checks(ds: xr.Dataset) -> dict[str, xr.DataArray]:
    """The purpose and R&D checks (docs/atlas.md, "Checks")."""
    inst = list(ds["instrument"].values)
    z = xr.full_like(ds["sdg_index_response"], np.nan)
    for i in inst:
        with np.errstate(divide="ignore", invalid="ignore"):
            zs = [
                pick(ds, p).sel(instrument=i) / pick(ds, p, se=True).sel(instrument=i)
                for p in PURPOSES[i]
            ]
        z.loc[{"instrument": i}] = xr.concat(zs, "p").min("p").values
    rd = (
        pick(ds, RD_INDICATOR) / ds["dose"]
        if RD_INDICATOR in ds["indicator"].values
        else xr.full_like(z, np.nan)
    )
    return {
        "purpose": ("instrument", [", ".join(PURPOSES[i]) for i in inst]),
        "purpose_z": z,
        "purpose_violation": z < -Z,
        "rd_per_dose": rd,
        "rd_per_dose_exceeded": np.abs(rd) > RD_RATIO_LIMIT,
    }
