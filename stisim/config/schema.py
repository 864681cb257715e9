"""Core config sections: country, time, output, scenario metadata; the root ``seed``.

Engines add their own sections (``firms``, ``diffusion``, ``optimise``, ...) in their
``params`` modules; see :mod:`stisim.config.sections`.
"""

from __future__ import annotations

from dataclasses import dataclass

from stisim.config.params import param
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
def _check_calendar(cfg) -> list[Problem]:
    t = cfg.time
    if t.end_year < t.base_year:
        return [Problem("time.end_year", "must not be before time.base_year", t.end_year,
                        f">= {t.base_year}")]
    return []
