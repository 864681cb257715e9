"""Config section of calibration to history: ``calibrate`` (``stisim calibrate``).

Every stisim package declares its config sections in a module named ``params`` (the same
concept in each package); ``docs/sdg.md`` section 5 shows the same table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from stisim.config.fields import param
from stisim.config.sections import check, section
from stisim.errors import Problem

METHODS = ("blocks", "nelder-mead", "powell", "differential-evolution")
SIMULATORS = ("pipeline", "hindcast")
# The six STI indicators of the back-cast to 2010-2022 history.
BACKCAST_INDICATORS = ["9.5.1", "9.5.2", "17.8.1", "9.c.1", "7.2.1", "8.2.1"]


@dataclass
class CalibrationParameter:
    """One fitted parameter: a config path and its search interval."""

    path: str = param("", "Config path, e.g. diffusion.p")
    lower: float = param(0.0, "Lower end of the search interval")
    upper: float = param(1.0, "Upper end of the search interval")
    initial: float | None = param(
        None, "Starting value (default: the current config value if inside the interval, "
        "else the midpoint)")
    indicators: list[str] = param(
        [], "Indicators the parameter governs; if none of them is observed in the window the "
        "parameter is not fitted (kept at its config value and reported). Empty: always fitted")


@dataclass
class FixedSetting:
    """A parameter set (not fitted) during the calibration and in its scenario file."""

    path: str = param("", "Config path, e.g. ministries.rd_budget_trend_end_year")
    value: float = param(0.0, "Value")


def _default_parameters() -> list[CalibrationParameter]:
    # The agent model's parameters that govern the trends of the six back-cast indicators
    # (configs/calibration/agents.yaml gives the reasons; docs/sdg.md section 5).
    p = CalibrationParameter
    return [p("ministries.rd_budget_trend", -0.15, 0.15, None, ["9.5.1"]),
            p("institutes.researcher_cost_trend", -0.15, 0.15, None, ["9.5.2"]),
            p("infrastructure.internet_p", 0.0, 0.05, None, ["17.8.1"]),
            p("infrastructure.internet_q", 0.0, 0.6, None, ["17.8.1"]),
            p("infrastructure.coverage_launch_year", 2010.0, 2020.0, 2014.0, ["9.c.1"]),
            p("infrastructure.coverage_rollout", 0.0, 1.5, None, ["9.c.1"]),
            p("macro.grid_renewable_trend", -0.05, 0.05, None, ["7.2.1"]),
            p("macro.exogenous_growth", -0.06, 0.04, None, ["8.2.1"])]


@section("calibrate")
@dataclass
class CalibrateConfig:
    """Calibration to history (`stisim calibrate`)."""

    simulator: str = param(
        "pipeline", "What is fitted: 'pipeline' = the full model (agents + interlinkages); "
        "'hindcast' = the interlinkage dynamics alone, agent-driven indicators forced by "
        "their observed history", choices=SIMULATORS)
    indicators: list[str] = param(
        BACKCAST_INDICATORS, "Indicators whose observed series (base_year, end_year] are fitted")
    parameters: list[CalibrationParameter] = field(
        default_factory=_default_parameters,
        metadata={"doc": "Fitted parameters: config path and interval", "unit": None,
                  "choices": None, "source": None})
    fixed: list[FixedSetting] = param(
        [], "Parameters set (not fitted) for the calibration and written to the scenario file "
        "with the fitted ones, e.g. the end year of fitted trends")
    method: str = param("blocks", "Search: 'blocks' = block-coordinate search, each group of "
                        "parameters fitted to the indicators it governs (bounded Brent or "
                        "Nelder-Mead per block, 2 sweeps); or one scipy.optimize method over "
                        "all parameters: Nelder-Mead on a logit scale, bounded Powell, seeded "
                        "differential evolution", choices=METHODS)
    max_evals: int = param(200, "Budget of model evaluations", ge=1, le=100000)
    prior_weight: float = param(
        0.0, "Regularisation towards the starting values (the config's sourced values): the "
        "loss gains prior_weight x the sum of squared moves of the parameters across their "
        "intervals (0-1 each), in score points squared; 0: none", ge=0.0, le=1e6)
    replicates: int = param(1, "Seeds averaged per evaluation (stochastic models)", ge=1,
                            le=100)
    tolerance: float = param(1e-4, "Stop when the loss improves by less than this", gt=0.0)
    save_dir: str = param("", "Directory of scenario files the fitted parameters are written "
                              "to as calibrated/<country>.yaml (empty: the project's "
                              "scenarios/ directory)")
    save: bool = param(True, "Write the fitted parameters as a selectable scenario file")



@check
def _check_calibrate(cfg) -> list[Problem]:
    from stisim.data.indicators import registry

    c = cfg.calibrate
    out = []
    known = registry().index
    for i, code in enumerate(c.indicators):
        if code not in known:
            out.append(Problem(f"calibrate.indicators[{i}]", "unknown indicator code", code,
                               ", ".join(known)))
    if not c.indicators:
        out.append(Problem("calibrate.indicators", "at least one indicator is needed", []))
    for i, p in enumerate(c.parameters):
        if p is None:
            continue
        if not p.path:
            out.append(Problem(f"calibrate.parameters[{i}].path", "empty parameter path"))
        if not p.lower < p.upper:
            out.append(Problem(f"calibrate.parameters[{i}]", "lower must be below upper",
                               (p.lower, p.upper)))
        elif p.initial is not None and not p.lower <= p.initial <= p.upper:
            out.append(Problem(f"calibrate.parameters[{i}].initial", "outside [lower, upper]",
                               p.initial, f"{p.lower} .. {p.upper}"))
        for j, code in enumerate(p.indicators or []):
            if code not in known:
                out.append(Problem(f"calibrate.parameters[{i}].indicators[{j}]",
                                   "unknown indicator code", code, ", ".join(known)))
    if not c.parameters:
        out.append(Problem("calibrate.parameters", "at least one parameter is needed", []))
    fitted = {p.path for p in c.parameters if p is not None}
    for i, f in enumerate(c.fixed):
        if f is not None and f.path in fitted:
            out.append(Problem(f"calibrate.fixed[{i}].path", "is also a fitted parameter",
                               f.path))
    return out
