"""The economy's structure at the base year: value added, employment and firms by sector and
region, consistent with the baseline indicators (9.2.1, 9.b.1, 8.5.2) and country inputs."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from stisim.agents.catalog import SECTORS
from stisim.agents.country import CountryInputs
from stisim.agents.region_set import RegionSet, resolve_regions

MIN_SERVICES = 10.0  # % of GDP left to services when assumed shares would leave less


@dataclass
class Structure:
    gdp: float  # base-year USD per year
    population: float
    labour_force: float
    employment: float
    unemployment: float  # fraction
    va_share: np.ndarray  # (sector,) fractions of GDP
    emp_share: np.ndarray  # (sector,)
    firm_share: np.ndarray  # (sector,) fractions of firms
    region_population: np.ndarray  # (region,) fractions
    region_firms: np.ndarray  # (region,) fractions of firms
    notes: dict[str, str] = field(default_factory=dict)


def va_shares(cfg, country: CountryInputs, baseline_values) -> tuple[np.ndarray, dict]:
    """Sector value-added shares (% of GDP) and where each comes from."""
    m = cfg.macro.sector_va_share
    manuf = float(baseline_values["9.2.1"])
    mht = float(baseline_values["9.b.1"]) / 100.0 * manuf
    shares = {s: m.get(s) for s in SECTORS}
    notes = {}
    if shares["agriculture"] is None:
        shares["agriculture"] = country.agriculture_va_share
        notes["agriculture"] = "country input"
    if shares["low_tech_manufacturing"] is None:
        shares["low_tech_manufacturing"] = manuf - mht
        notes["low_tech_manufacturing"] = "9.2.1 x (1 - 9.b.1/100)"
    if shares["medium_high_tech_manufacturing"] is None:
        shares["medium_high_tech_manufacturing"] = mht
        notes["medium_high_tech_manufacturing"] = "9.2.1 x 9.b.1/100"
    fixed = ("low_tech_manufacturing", "medium_high_tech_manufacturing")
    flexible = [s for s in SECTORS if s not in fixed and s != "services"]
    if shares["services"] is None:
        rest = 100.0 - sum(shares[s] for s in SECTORS if s != "services")
        if rest < MIN_SERVICES:
            # Scale the assumed shares (not the observed manufacturing) to leave services 10%.
            room = 100.0 - MIN_SERVICES - sum(shares[s] for s in fixed)
            scale = room / sum(shares[s] for s in flexible)
            for s in flexible:
                shares[s] *= scale
            notes["scaled"] = f"agriculture, energy, ICT, health scaled by {scale:.3f}"
            rest = MIN_SERVICES
        shares["services"] = rest
        notes["services"] = "remainder"
    arr = np.array([shares[s] for s in SECTORS], dtype=float)
    if abs(arr.sum() - 100.0) > 1e-6:
        arr = arr / arr.sum() * 100.0
        notes["normalised"] = "shares normalised to 100%"
    return arr, notes


def base_structure(cfg, country: CountryInputs, baseline_values,
                   regions: RegionSet | None = None) -> Structure:
    """Base-year structure from the country inputs and the baseline indicator values."""
    va, notes = va_shares(cfg, country, baseline_values)
    va = va / 100.0
    rel = np.array([cfg.macro.relative_productivity[s] for s in SECTORS])
    emp = va / rel
    emp /= emp.sum()
    size = np.array([cfg.firms.relative_size[s] for s in SECTORS])
    firms = emp / size
    firms /= firms.sum()
    u = float(baseline_values["8.5.2"]) / 100.0
    lf = cfg.macro.labour_force_participation * country.population
    if regions is None:
        regions = resolve_regions(cfg, country.urban_share)
    pop_r = regions.population_share
    firm_r = pop_r * regions.firm_density
    firm_r /= firm_r.sum()
    return Structure(gdp=country.gdp, population=country.population, labour_force=lf,
                     employment=lf * (1.0 - u), unemployment=u, va_share=va, emp_share=emp,
                     firm_share=firms, region_population=pop_r, region_firms=firm_r,
                     notes={f"va_share.{k}": v for k, v in notes.items()})
