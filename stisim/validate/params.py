"""Config section of held-out validation: ``validate`` (``stisim validate``).

Every stisim package declares its config sections in a module named ``params``.
"""

from __future__ import annotations

from dataclasses import dataclass

from stisim.config.fields import param
from stisim.config.sections import check, section
from stisim.errors import Problem

PILOTS = ["ethiopia", "ghana", "india", "kenya", "serbia", "ukraine"]
# The six STI indicators of the back-cast (stisim.calibrate.params.BACKCAST_INDICATORS).
INDICATORS = ["9.5.1", "9.5.2", "17.8.1", "9.c.1", "7.2.1", "8.2.1"]
BASELINES = ("persistence", "linear_trend", "mean_growth", "ets", "theta")


@section("validate")
@dataclass
class ValidateConfig:
    """Held-out validation (`stisim validate`): fit on the years up to `fit_end`, predict the
    years after it, score against statistical baselines."""

    countries: list[str] = param(
        PILOTS, "Countries validated: preset names, slugs of the shipped data (e.g. "
        "south_africa) or M49 codes")
    fit_start: int = param(2010, "Base year of the fit window (the back-cast starts here)",
                           unit="year", ge=2000, le=2030)
    fit_end: int = param(2016, "Last year whose data the fit may see; nothing later reaches "
                         "the fit or the start state", unit="year", ge=2001, le=2030)
    test_end: int | None = param(
        None, "Last held-out year (null: the last year with observations)", unit="year",
        ge=2002, le=2100)
    refit_end: int | None = param(
        2022, "Fit again with data up to this year to report each parameter's change between "
        "windows (null: no second fit)", unit="year", ge=2001, le=2030)
    indicators: list[str] = param(INDICATORS, "Indicators fitted and scored")
    start: str = param(
        "fit_start", "Where the held-out prediction starts: 'fit_start' = the fitted back-cast "
        "run continued past fit_end, moved to the last observation of the window (intercept "
        "correction); 'fit_end' = the model started again in fit_end from the data known then",
        choices=["fit_start", "fit_end"])
    trend_damping: float = param(
        0.9, "Damping of the fitted business-as-usual trends (R&D budget share, researcher "
        "cost, renewable share of the energy mix) after fit_end: k years later each acts at "
        "trend_damping^k of its fitted rate (1: continued undamped; 0: stopped at fit_end)",
        unit="1", ge=0.0, le=1.0,
        source="Gardner & McKenzie (1985) damped trend; the middle of the 0.8-0.98 that "
        "forecasting practice allows (Hyndman & Athanasopoulos, FPP3 section 8.2); set "
        "before any held-out score was seen")
    replicates: int = param(3, "Seeds of the held-out prediction (mean and standard error)",
                            ge=1, le=100)
    trend_years: int = param(5, "Fitted years of the linear_trend and mean_growth baselines",
                             ge=2, le=30)
    workers: int = param(1, "Countries validated in parallel (processes)", ge=1, le=64)
    plots: bool = param(True, "Write one figure per country")


def find_country(spec: str) -> int | None:
    """The M49 code of a preset name, slug, name or M49 code (None: unknown)."""
    from stisim.data import countries

    table = countries()
    key = str(spec).strip().lower().replace(" ", "_")
    if key.isdigit():
        return int(key) if int(key) in table.index else None
    hit = table[(table["slug"] == key) | (table["name"].str.lower() == key.replace("_", " "))]
    return None if hit.empty else int(hit.index[0])


@check
def _check_validate(cfg) -> list[Problem]:
    from stisim.data.indicators import registry

    v = getattr(cfg, "validate", None)
    if v is None:
        return []
    out = []
    if not v.fit_start < v.fit_end:
        out.append(Problem("validate.fit_end", "must be after validate.fit_start", v.fit_end,
                           f"> {v.fit_start}"))
    if v.test_end is not None and v.test_end <= v.fit_end:
        out.append(Problem("validate.test_end", "must be after validate.fit_end", v.test_end,
                           f"> {v.fit_end}"))
    if v.refit_end is not None and v.refit_end <= v.fit_start:
        out.append(Problem("validate.refit_end", "must be after validate.fit_start",
                           v.refit_end, f"> {v.fit_start}"))
    if not v.countries:
        out.append(Problem("validate.countries", "at least one country is needed", []))
    for i, spec in enumerate(v.countries):
        if find_country(spec) is None:
            out.append(Problem(f"validate.countries[{i}]", "not a known country", spec,
                               "a preset (e.g. kenya), a slug of the shipped data (e.g. "
                               "south_africa) or an M49 code; `stisim countries` lists them"))
    known = registry().index
    for i, code in enumerate(v.indicators):
        if code not in known:
            out.append(Problem(f"validate.indicators[{i}]", "unknown indicator code", code,
                               ", ".join(known)))
    if not v.indicators:
        out.append(Problem("validate.indicators", "at least one indicator is needed", []))
    return out
