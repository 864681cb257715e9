"""Step 1 of the report: the objective in words and the portfolio's scope, horizon, floors
and targets (from the datasets' recorded config and portfolio)."""

from __future__ import annotations

import xarray as xr
import yaml

from stisim.errors import StisimError
from stisim.io import load_yaml_limited

OBJECTIVE_TEXT = {
    "sdg": "maximise the discounted SDG-index points x years gained over the counterfactual",
    "value": "maximise the stakeholder value of the funded actions",
    "min_cost": "minimise the discounted public cost of meeting the SDG floors",
}


def objective_text(alloc: xr.Dataset | None, ds: xr.Dataset | None) -> str | None:
    """The objective as a sentence (objective, counterfactual, strategies compared)."""
    for d in (alloc, ds):
        if d is None or "config" not in d.attrs:
            continue
        try:
            cfg = load_yaml_limited(str(d.attrs["config"]), "the config attribute") or {}
        except (yaml.YAMLError, StisimError):
            continue
        opt = cfg.get("optimise") or {}
        parts = []
        if d is alloc or "strategy" not in (ds.dims if ds is not None else {}):
            obj = str(d.attrs.get("objective", opt.get("objective", "?")))
            parts.append(OBJECTIVE_TEXT.get(obj, obj) + f" (objective {obj})")
        else:
            parts.append("compare prioritisation strategies in the agent model on discounted "
                         "SDG-index points x years over no roadmap")
        cf = d.attrs.get("counterfactual", d.attrs.get("optimiser_counterfactual"))
        if cf:
            parts.append(f"counterfactual: {cf}")
        if d.attrs.get("responses") or d.attrs.get("response_curves"):
            parts.append("response curves: "
                         f"{d.attrs.get('responses', d.attrs.get('response_curves'))}")
        return "; ".join(parts)
    return None


def portfolio_rows(alloc: xr.Dataset | None, ds: xr.Dataset | None, notes: list[str]
                   ) -> list[tuple[str, str]]:
    """Scope, horizon, floors and targets from the portfolio the results used."""
    path = None
    for d in (alloc, ds):
        if d is not None and d.attrs.get("portfolio"):
            path = str(d.attrs["portfolio"])
            break
    if path is None:
        return []
    from stisim.roadmap.portfolio import load_portfolio

    try:
        p = load_portfolio(path)
    except (StisimError, OSError) as exc:
        notes.append(f"portfolio {path} not readable: {str(exc).splitlines()[0]}")
        return [("Portfolio", path)]
    years = [int(y) for y in p.years]
    rows = [("Portfolio", f"{p.name} ({len(p.actions)} actions, {len(p.sources)} sources)"),
            ("Horizon", f"{years[0]}–{years[-1]}, discount rate {p.discount_rate:.0%}")]
    reg = None
    floors = []
    for f in p.floors.itertuples(index=False):
        if isinstance(f.indicator, str) and f.indicator:
            if reg is None:
                from stisim.data.indicators import registry

                reg = registry()
            what = (f"{f.indicator} {reg.loc[f.indicator, 'name']} at least "
                    if reg.loc[f.indicator, "better"] != "lower" else
                    f"{f.indicator} {reg.loc[f.indicator, 'name']} at most ")
            floors.append(f"{what}{f.target:g} {reg.loc[f.indicator, 'unit']} by {int(f.year)}")
        else:
            floors.append(f"SDG {int(f.goal)} score at least {f.target:g} by {int(f.year)}")
    rows.append(("Floors and targets", "; ".join(floors) if floors else "none"))
    return rows
