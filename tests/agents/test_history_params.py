"""Parameters that govern the 2010-2022 trends fitted by ``stisim calibrate``: each one moves
the indicator it is meant for, leaves the base year alone, and is off by default."""

from __future__ import annotations

import numpy as np
import pytest

from stisim.agents.model import simulate_agents
from tests.agents.conftest import small_inputs

BACKCAST = ["time.base_year=2010", "time.end_year=2022", "firms.count=2000"]


def _run(*overrides: str):
    return simulate_agents(small_inputs(*BACKCAST, *overrides))


def _path(ds, code: str) -> np.ndarray:
    return ds["indicator_value"].sel(indicator=code).to_numpy()


def test_coverage_waits_for_the_network_launch():
    base = _path(_run("country=serbia", "infrastructure.coverage_rollout=0.8"), "9.c.1")
    gated = _path(_run("country=serbia", "infrastructure.coverage_rollout=0.8",
                       "infrastructure.coverage_launch_year=2014.5"), "9.c.1")
    # 2010-2014 (indices 0-4): no 4G growth before the launch; half a step of growth in the
    # step ending 2015, less than a full step without the gate; then fast roll-out.
    assert np.all(gated[:5] == gated[0]) and base[1] > base[0] + 20
    assert 0.3 * (base[1] - base[0]) < gated[5] - gated[0] < base[1] - base[0]
    assert gated[8] > 90


def test_rd_budget_trend_moves_rd_intensity_and_researchers():
    runs = {t: _run("country=serbia", f"ministries.rd_budget_trend={t}")
            for t in (-0.05, 0.0, 0.05)}
    rd = {t: _path(ds, "9.5.1") for t, ds in runs.items()}
    res = {t: _path(ds, "9.5.2") for t, ds in runs.items()}
    assert rd[-0.05][0] == rd[0.0][0] == rd[0.05][0]
    assert rd[-0.05][-1] < 0.85 * rd[0.0][-1] and rd[0.05][-1] > 1.15 * rd[0.0][-1]
    assert res[-0.05][-1] < res[0.0][-1] < res[0.05][-1]
    # With an end year the shares stop moving: 9.5.1 levels off after it.
    ended = _path(_run("country=serbia", "ministries.rd_budget_trend=0.05",
                       "ministries.rd_budget_trend_end_year=2015"), "9.5.1")
    assert rd[0.0][-1] < ended[-1] < rd[0.05][-1]
    # Slopes over 2017-2022 (least squares: end points alone carry the firms' noise).
    years = np.arange(ended.size)[7:]
    slope = {k: np.polyfit(years, path[7:], 1)[0] for k, path in
             (("ended", ended), ("trend", rd[0.05]), ("none", rd[0.0]))}
    assert abs(slope["ended"] - slope["none"]) < 0.5 * abs(slope["trend"] - slope["none"])


def test_researcher_cost_trend_moves_researchers_not_spending():
    plain = _run("country=ghana")
    cheap = _run("country=ghana", "institutes.researcher_cost_trend=-0.05")
    assert _path(cheap, "9.5.2")[-1] > 1.3 * _path(plain, "9.5.2")[-1]
    assert _path(cheap, "9.5.1")[-1] == pytest.approx(_path(plain, "9.5.1")[-1], rel=0.1)
    assert _path(cheap, "9.5.2")[0] == _path(plain, "9.5.2")[0]
    ended = _run("country=ghana", "institutes.researcher_cost_trend=-0.05",
                 "institutes.researcher_cost_trend_end_year=2010")
    assert _path(ended, "9.5.2")[-1] == pytest.approx(_path(plain, "9.5.2")[-1], rel=1e-6)


@pytest.mark.parametrize("country", ["india", "kenya"])
def test_contract_funding_has_no_sampling_jumps(country):
    # Few simulated firms collaborate with institutes; the contracts stream must not follow
    # their value added (it once jumped a hundredfold when a large firm started one).
    ds = _run(f"country={country}", "seed=3")
    contracts = ds["institute_funding"].sel(stream="contracts").to_numpy()
    ratio = contracts / ds["gdp"].to_numpy()
    assert contracts[0] > 0
    assert ratio.max() < 1.5 * ratio[0] and ratio.min() > 0.5 * ratio[0]


def test_trend_years_damped_after_the_end_year():
    from stisim.agents.trends import trend_rate, trend_years

    assert trend_years(2020, 2010, 0, 0.0) == 10  # no end year: undamped
    assert trend_years(2020, 2010, 2015, 0.0) == 5  # stopped at the end year
    assert trend_years(2020, 2010, 2015, 1.0) == 10
    # phi + phi^2 + ... + phi^5 for phi = 0.5, beyond the 5 full years.
    assert trend_years(2020, 2010, 2015, 0.5) == pytest.approx(5 + 0.5 * (1 - 0.5 ** 5) / 0.5)
    assert trend_years(2012, 2010, 2015, 0.5) == 2
    assert trend_rate(2014, 2015, 0.9) == 1.0 and trend_rate(2017, 2015, 0.9) == pytest.approx(
        0.81)
    assert trend_rate(2017, 2015, 0.0) == 0.0 and trend_rate(2017, 0, 0.0) == 1.0


def test_damped_rd_trend_lies_between_stopped_and_continued():
    runs = {d: _path(_run("country=serbia", "ministries.rd_budget_trend=0.05",
                          "ministries.rd_budget_trend_end_year=2015",
                          f"ministries.rd_budget_trend_damping={d}"), "9.5.1")
            for d in (0.0, 0.9, 1.0)}
    assert np.array_equal(runs[0.0][:6], runs[0.9][:6])  # identical up to the end year
    assert runs[0.0][-1] < runs[0.9][-1] < runs[1.0][-1]


def test_damped_renewable_trend_lies_between_stopped_and_continued():
    runs = {d: _path(_run("country=serbia", "macro.grid_renewable_trend=0.04",
                          "macro.grid_renewable_trend_end_year=2015",
                          f"macro.grid_renewable_trend_damping={d}"), "7.2.1")
            for d in (0.0, 0.9, 1.0)}
    assert runs[0.0][-1] < runs[0.9][-1] < runs[1.0][-1]
