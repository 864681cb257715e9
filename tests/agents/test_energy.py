"""Energy balance: the exit from traditional biomass, clean cooking (7.1.2), the renewable
share (7.2.1) and the direction of every energy mechanism (docs/model.md, "Energy and
emissions")."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from stisim.agents import cooking
from stisim.agents.firms import CLEAN
from stisim.agents.model import build_model
from stisim.agents.policy import Budgets

from .conftest import PILOTS, small_inputs

ROOT = Path(__file__).resolve().parents[2]


def _model(*overrides: str):
    return build_model(small_inputs("time.end_year=2030", "firms.count=1000", *overrides))


@pytest.mark.parametrize("country", [*PILOTS, "norway", "niger", "brazil"])
def test_base_year_balance_is_exact(country):
    """The balance reproduces the baseline 7.2.1 and 7.1.2 for biomass-heavy, modern-renewable
    and fossil countries; the uses add up and their renewable parts add up to 7.2.1."""
    model = _model(f"country={country}")
    base = model.baseline.value
    t = model.energy.totals()
    assert 100 * t["renewable_share"] == pytest.approx(float(base["7.2.1"]), rel=1e-6)
    assert 100 * model.energy.cooking.national() == pytest.approx(float(base["7.1.2"]),
                                                                  rel=1e-6)
    assert t["energy_share"].sum() == pytest.approx(1.0)
    assert (t["energy_share"] >= 0).all() and (t["renewable_contribution"] >= 0).all()
    assert (t["renewable_contribution"] <= t["energy_share"] + 1e-12).all()
    assert 0.0 <= model.firms.calib.grid_renewable <= 1.0


@pytest.mark.parametrize("gain", [0.05, 0.5, 1.0])
def test_clean_adopters_raise_renewables_and_cut_co2(gain):
    """Whatever the fitted gain, turning firms into clean-energy adopters raises 7.2.1 and
    lowers CO2 (the sign the calibration once inverted)."""
    model = _model("country=ghana", f"macro.clean_renewable_gain={gain}")
    before = model.energy.totals()
    firms = model.firms
    eligible = np.flatnonzero(firms.eligible[CLEAN] & ~firms.adopted[CLEAN] & firms.alive)
    firms.adopted[CLEAN, eligible[: eligible.size // 3]] = True
    after = model.energy.totals()
    assert after["renewable_share"] > before["renewable_share"]
    assert after["co2"] < before["co2"]
    assert model.energy.adopter_renewable() > model.firms.calib.grid_renewable


def test_biomass_exit_lowers_7_2_1_and_final_energy():
    """Households switching to clean cooking burn less (efficiency) and no traditional
    biomass: 7.2.1 falls, final energy falls, households' fossil CO2 rises."""
    model = _model("country=kenya")
    before = model.energy.totals()
    e0 = before["energy_firms"] + before["energy_households"]
    model.energy.cooking.access = np.minimum(model.energy.cooking.access + 0.2, 1.0)
    after = model.energy.totals()
    assert after["renewable_share"] < before["renewable_share"] - 0.02
    assert after["energy_firms"] + after["energy_households"] < e0
    assert after["co2_households"] > before["co2_households"]


def test_income_growth_speeds_the_cooking_transition():
    model = _model("country=ghana")
    c = model.energy.cooking
    start = c.access.copy()
    c.step()
    trend_only = c.access - start
    model2 = _model("country=ghana")
    c2 = model2.energy.cooking
    c2.income = c2.income / 1.05  # 5 % regional income growth since the last step
    c2.step()
    assert (trend_only > 0).all()
    assert (c2.access - start > trend_only).all()


def test_renewable_investment_raises_the_grid_share():
    model = _model("country=india")
    energy = model.energy
    g0 = model.firms.calib.grid_renewable
    energy.step()
    trend = model.firms.calib.grid_renewable - g0
    model2 = _model("country=india")
    model2.flows.delivered["infrastructure_energy"][:] = 1e-3 * model2.macro.gdp / 3
    model2.energy.step()
    assert model2.firms.calib.grid_renewable - g0 > trend


@pytest.mark.parametrize("trend", [-0.05, 0.05])
def test_grid_trend_keeps_the_share_inside_0_1(trend):
    model = _model("country=ethiopia", f"macro.grid_renewable_trend={trend}")
    g = []
    for _ in range(8):
        model.step()
        g.append(model.firms.calib.grid_renewable)
    g = np.array(g)
    assert ((g > 0) & (g < 1)).all()
    assert (np.diff(g) > 0).all() if trend > 0 else True


def test_business_as_usual_exits_traditional_biomass():
    model = _model("country=ghana").run()
    ds = model.recorder.dataset()
    bio = ds["renewable_contribution"].sel(energy_use="traditional_biomass")
    cook = ds["indicator_value"].sel(indicator="7.1.2")
    # The share moves with firms' energy too; the trend over the horizon is down.
    assert float(bio.isel(time=-1)) < float(bio.isel(time=0)) - 3.0
    assert (np.diff(cook.values) > 0).all()
    total = ds["renewable_contribution"].sum("energy_use")
    np.testing.assert_allclose(total, ds["indicator_value"].sel(indicator="7.2.1"), rtol=1e-6)


def test_clean_energy_subsidy_money_is_disbursed_once():
    """Extra clean-energy adoption subsidy: the ministry disburses the line once, local
    governments add only their co-finance, and every dollar delivered is visible."""
    inputs = small_inputs("country=ghana", "time.end_year=2026")
    base = build_model(inputs).run().recorder.dataset()
    b = Budgets(inputs.cfg.regions.names, 2022, 2026)
    amount = 1e7
    for year in range(2023, 2027):
        b.add("adoption_subsidy", year, amount, technology="clean_energy")
    more = build_model(inputs, b).run().recorder.dataset()
    sel = {"instrument": "adoption_subsidy", "time": 2025.0}
    extra = more["disbursed"].sel(**sel) - base["disbursed"].sel(**sel)
    assert float(extra.sel(executor="ministry")) == pytest.approx(amount, rel=1e-9)
    cof = inputs.cfg.local_governments.cofinance_rate
    assert float(extra.sel(executor="local_government")) == pytest.approx(cof * amount,
                                                                            rel=1e-6)
    assert float(extra.sel(executor="partner")) == 0.0
    delivered = float(more["delivered"].sel(**sel) - base["delivered"].sel(**sel))
    assert 0 < delivered <= float(extra.sum())


def test_fitted_constants_match_the_data():
    """The constants shipped in stisim.agents.cooking and the macro defaults are the ones
    tools/fit_energy_transition.py estimates from the shipped data."""
    spec = importlib.util.spec_from_file_location(
        "fit_energy_transition", ROOT / "tools" / "fit_energy_transition.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    b = tool.biomass_attribution()
    shipped = (cooking.MODERN_RENEWABLE, cooking.BIOMASS_SLOPE, cooking.INCOME_EXPONENT)
    np.testing.assert_allclose(shipped, (b["modern"], b["slope"], b["exponent"]), atol=5e-4)
    c = tool.cooking_transition()
    from stisim.agents.system_params import MacroConfig

    assert MacroConfig().cooking_trend == pytest.approx(c["trend"], abs=5e-4)
    assert MacroConfig().cooking_income_effect == pytest.approx(c["income_effect"], abs=5e-3)
