"""tools/parameter_influence.py: which parameters are screened, over what ranges, and how
their sourcing status is read from the parameter tables."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

import parameter_influence as pi  # noqa: E402


@pytest.mark.parametrize("path, source, fitted, expected", [
    ("diffusion.p", "Sultan, Farley & Lehmann (1990), J. Marketing Research", set(),
     "citation"),
    ("macro.population_growth", "SDR 2022 panel, series Population", set(), "data derivation"),
    ("firms.exit_rate", "assumption (OECD DynEmp entry and exit rates 2001-2011)", set(),
     "labelled assumption with a pointer"),
    ("firms.selection", "assumption; range 0.01-0.05 tried", set(),
     "labelled assumption and the range tried"),
    ("firms.entrant_gap", "", set(), "bare"),
    ("infrastructure.internet_max", "UNSD 17.8.1 (series IT_USE_II99): 99-100 % in 2021 (top "
     "countries)", set(), "data derivation"),
    ("firms.exit_rate", "McKenzie & Paffhausen (2017), CEPR Discussion Paper 12401: 8.3 % a "
     "year", set(), "citation"),
    ("firms.entry_rate", "derived: equal to exit_rate (after McKenzie & Paffhausen 2017)", set(),
     "data derivation"),
    ("macro.relative_productivity.agriculture", "Gollin, Lagakos & Waugh (2014), QJE 129(2) "
     "for the agricultural gap; assumption otherwise", set(), "citation"),
    ("macro.relative_productivity.ict", "Gollin, Lagakos & Waugh (2014), QJE 129(2) for the "
     "agricultural gap; assumption otherwise", set(), "labelled assumption"),
    ("infrastructure.internet_p", "assumption", {"infrastructure.internet_p"},
     "data derivation (fitted to history by the calibrated scenario)"),
    ("ministries.bau_budget.rd_grants", "9.5.1 baseline (UNSD) for R&D lines; assumption "
     "otherwise", set(), "data derivation"),
    ("ministries.bau_budget.skills", "9.5.1 baseline (UNSD) for R&D lines; assumption "
     "otherwise", set(), "labelled assumption"),
])
def test_sourcing_status(path, source, fitted, expected):
    assert pi.status(path, source, fitted) == expected
    assert pi.sourced(expected) == expected.startswith(("citation", "data derivation"))


def test_candidates_cover_the_agent_parameters_with_bounded_ranges():
    from stisim.config import load_config

    cfg = load_config("run", ["country=kenya", "scenario=calibrated/kenya"])
    unc, sources, skipped = pi.candidates(cfg)
    assert sources["diffusion.p"].startswith("Sultan")
    assert len(unc) > 150 and "firms.count" not in unc
    assert unc["diffusion.p"] == {"low": pytest.approx(0.015), "high": pytest.approx(0.045)}
    # a calendar year moves by five years, not by half its value
    year = unc["infrastructure.coverage_launch_year"]
    assert year["high"] - year["low"] == pytest.approx(10.0)
    assert "ministries.rd_budget_trend" in skipped  # 0: nothing to scale
    assert pi.scenario_values("calibrated/kenya") >= {"infrastructure.internet_p",
                                                      "macro.exogenous_growth"}
