"""Core config sections: country, time, output, scenario metadata; the root ``seed``.

Engines and drivers add their own sections (``firms``, ``diffusion``, ``optimise``, ...) in
their ``params`` modules: every stisim package declares its config sections in a module named
``params`` (the same concept in each package; :mod:`stisim.config.sections` registers them).
Fields are declared with :func:`stisim.config.fields.param`.
"""

from __future__ import annotations

from dataclasses import dataclass

from stisim.config.fields import param
from stisim.config.sections import check, section
from stisim.errors import Problem

MAX_YEAR = 2100
FIRST_DATA_YEAR = 2000


def _m49_codes() -> list[int]:
    from stisim.data import countries

    return [int(c) for c in countries().index]


@section("country")
@dataclass
class CountryConfig:
    """The country simulated; presets live in ``configs/country/``."""

    m49: int = param(288, "UN M49 code of the country", choices=_m49_codes)
    name: str = param("Ghana", "Display name")
    iso3: str = param("GHA", "ISO 3166-1 alpha-3 code (links the SDR 2022 panel)")
    un_region: str = param("Western Africa", "UN M49 sub-region (imputation fallback)")
    laumann_region: str = param("Northern_and_Western_Africa",
                                "Laumann et al. 2022 regional SDG network used as prior")
    # Macro and firm-population inputs of the agent model. The shipped data hold no GDP levels
    # or firm counts: presets state values with their source; null means a documented,
    # flagged fallback (see docs/model.md, "Country inputs").
    gdp_per_capita: float | None = param(
        None, "GDP per capita in the reference year (current USD); null: fallback estimate",
        unit="USD", gt=0.0)
    gdp_per_capita_year: int = param(2022, "Year of gdp_per_capita", unit="year",
                                     ge=FIRST_DATA_YEAR, le=MAX_YEAR)
    gdp_per_capita_source: str = param("", "Where gdp_per_capita comes from")
    agriculture_va_share: float | None = param(
        None, "Agriculture, forestry and fishing value added (% of GDP); null: fallback",
        unit="%", ge=0.0, le=100.0)
    urban_population_share: float | None = param(
        None, "Urban population (% of total); null: fallback", unit="%", ge=0.0, le=100.0)
    structure_source: str = param("", "Where agriculture_va_share and urban_population_share "
                                  "come from")
    firm_count: float | None = param(
        None, "Number of enterprises (formal and informal, incl. micro) in firm_count_year; "
        "null: fallback from firm density", unit="firms", gt=0.0)
    firm_count_year: int = param(2022, "Year of firm_count", unit="year", ge=1990,
                                 le=MAX_YEAR)
    firm_count_source: str = param("", "Where firm_count comes from")
    business_rd_share: float | None = param(
        None, "Share of GERD performed by business; null: firms.business_rd_share",
        unit="fraction", ge=0.0, lt=1.0)
    business_rd_share_source: str = param("", "Where business_rd_share comes from")


@section("time")
@dataclass
class TimeConfig:
    """Simulation calendar."""

    base_year: int = param(2022, "First simulated year; holds the real baseline",
                           ge=FIRST_DATA_YEAR, le=2030)
    end_year: int = param(2040, "Last simulated year (inclusive)", ge=FIRST_DATA_YEAR,
                          le=MAX_YEAR)
    steps_per_year: int = param(1, "Model steps per year (1 annual, 4 quarterly, 12 monthly)",
                                choices=[1, 4, 12])


@section("output")
@dataclass
class OutputConfig:
    """Where and how results are written."""

    format: str = param("netcdf", "File format of run outputs", choices=["netcdf", "zarr"])
    filename: str = param("run.nc", "File name inside the run directory")
    summary: bool = param(True, "Print a summary table after the run")


@section("scenario")
@dataclass
class ScenarioMeta:
    """Scenario narrative metadata (set by files in ``scenarios/``)."""

    name: str = param("baseline", "Short scenario name, used in outputs and reports")
    description: str = param("Business as usual from the country's real baseline.",
                             "One-paragraph narrative")


@check
def _check_names(cfg) -> list[Problem]:
    """Names that become parts of output paths are plain names."""
    import re

    from stisim.config.trust import plain_name_problem

    problems = [p for p in (plain_name_problem("scenario.name", cfg.scenario.name),
                            plain_name_problem("output.filename", cfg.output.filename,
                                               "a file name")) if p]
    if not re.fullmatch(r"[A-Z]{3}", str(cfg.country.iso3)):
        problems.append(Problem("country.iso3", "must be an ISO 3166-1 alpha-3 code",
                                cfg.country.iso3, "three capital letters, e.g. GHA"))
    return problems


@check
def _check_calendar(cfg) -> list[Problem]:
    t = cfg.time
    if t.end_year < t.base_year:
        return [Problem("time.end_year", "must not be before time.base_year", t.end_year,
                        f">= {t.base_year}")]
    return []
