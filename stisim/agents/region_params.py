"""Config section ``regions``: the sub-national regions of the agent model.

Every stisim package declares its config sections in modules named ``params``; the agent
model has one per agent type (:mod:`stisim.agents.params` lists them).
"""

from __future__ import annotations

from dataclasses import dataclass

from stisim.agents.param_tools import ASSUMPTION, TRIED
from stisim.config.fields import param
from stisim.config.sections import check, section
from stisim.errors import Problem


@section("regions")
@dataclass
class RegionsConfig:
    """Sub-national regions: each has a local government and is tracked in the outputs."""

    source: str = param(
        "auto", "Which regions: auto (the country's first-level administrative regions where "
        "stisim ships them: Ethiopia, Ghana, India, Kenya, Serbia, Ukraine; else the generic "
        "three) or generic (capital, other urban, rural everywhere). Regions named here with "
        "population_share are used as given", choices=["auto", "generic"],
        source="Global Data Lab Area Database (stisim/data/SOURCES.md) or assumption")
    names: list[str] = param(["capital", "other_urban", "rural"],
                             "Region names (one local government each)", source=ASSUMPTION)
    population_share: list[float] = param(
        [], "Population share per region; empty: capital/other urban/rural from the country's "
        "urban population share (country.urban_population_share)", unit="fraction",
        source="World Bank WDI SP.URB.TOTL.IN.ZS (via country config) or user input")
    capital_share_of_urban: float = param(
        0.35, "Share of the urban population living in the capital region (used when "
        "population_share is empty)", unit="fraction", ge=0.0, le=1.0,
        source="World Bank WDI EN.URB.LCTY.UR.ZS (population in the largest city, % of urban "
               "population): about 10-35 % in the pilot countries other than India; the capital "
               "region (metropolitan area and its province) holds more than the city, so 0.35 "
               "(labelled); range 0.175-0.525" + TRIED)
    firm_density: list[float] = param(
        [2.0, 1.3, 0.6], "Firms per inhabitant relative to the national mean", unit="ratio",
        source=ASSUMPTION)
    productivity: list[float] = param(
        [1.25, 1.05, 0.85], "Firm productivity relative to the sector mean", unit="ratio",
        source="assumption (urban productivity premium, cf. Gollin, Lagakos & Waugh 2014)")
    access_offset: list[float] = param(
        [1.0, 0.4, -0.8], "Logit offset of infrastructure coverage and household adoption "
        "(calibrated so the population-weighted mean equals the national baseline)",
        unit="logit", source=ASSUMPTION)
    capacity: list[float] = param(
        [0.8, 0.7, 0.55], "Execution efficiency of the local government (share of money that "
        "reaches beneficiaries)", unit="fraction", source=ASSUMPTION)


@check
def _check_regions(cfg) -> list[Problem]:
    out: list[Problem] = []
    reg = cfg.regions
    n = len(reg.names)
    if n == 0:
        out.append(Problem("regions.names", "at least one region is needed", reg.names))
    if len(set(reg.names)) != n:
        out.append(Problem("regions.names", "region names must be unique", reg.names))
    for key in ("firm_density", "productivity", "access_offset", "capacity"):
        values = getattr(reg, key)
        if len(values) != n:
            out.append(Problem(f"regions.{key}", f"needs one value per region ({n}: "
                               f"{', '.join(reg.names)})", values))
    if reg.population_share:
        if len(reg.population_share) != n:
            out.append(Problem("regions.population_share", f"needs one value per region ({n})",
                               reg.population_share))
        elif abs(sum(reg.population_share) - 1.0) > 1e-6 or min(reg.population_share) <= 0:
            out.append(Problem("regions.population_share", "shares must be positive and sum "
                               "to 1", reg.population_share))
    elif n != 3:
        out.append(Problem("regions.population_share", "required when the regions are not "
                           "the default capital/other_urban/rural", reg.population_share))
    for key in ("firm_density", "productivity"):
        if any(v <= 0 for v in getattr(reg, key)):
            out.append(Problem(f"regions.{key}", "values must be positive", getattr(reg, key)))
    if any(not 0 < v <= 1 for v in reg.capacity):
        out.append(Problem("regions.capacity", "values must lie in (0, 1]", reg.capacity))
    return out
