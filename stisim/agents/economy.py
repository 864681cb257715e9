"""Macro accounting from firm state: output, value added by sector and region, employment,
unemployment, population and labour force, growth rates and the wage index.

GDP is the sum of firms' value added (base-year USD); before the base year the economy is
taken to have grown at the baseline rates of 8.1.1 (per capita) and 8.2.1 (per worker), so
that annual growth rates are defined from the first step.
"""

from __future__ import annotations

import numpy as np

from stisim.agents.catalog import SECTORS
from stisim.agents.trends import trend_years


class Macro:
    """Economy-wide aggregates, updated after the firms act."""

    def __init__(self, model):
        s = model.structure
        c = model.country
        self.model = model
        self.t0 = model.t0
        self.pop0 = c.population
        self.g_pop = c.population_growth
        self.lf0 = s.labour_force
        self.u0 = s.unemployment
        self.gdp0 = s.gdp
        self.growth_pc0 = float(model.baseline.value["8.1.1"]) / 100.0
        self.growth_pw0 = float(model.baseline.value["8.2.1"]) / 100.0
        n_r = model.regions.n
        self.va = np.zeros((len(SECTORS), n_r))
        self.emp = np.zeros((len(SECTORS), n_r))
        self.gdp = s.gdp
        self.employment = s.employment
        self.region_gdp_share = np.full(n_r, 1.0 / n_r)
        self.times: list[float] = []
        self.gdp_pc_hist: list[float] = []
        self.gdp_pw_hist: list[float] = []
        self.gdp_hist: list[float] = []
        self.update()

    # -- exogenous paths ------------------------------------------------------------------
    def population_at(self, t: float) -> float:
        return self.pop0 * np.exp(self.g_pop * (t - self.t0))

    @property
    def population(self) -> float:
        return self.population_at(self.model.t)

    @property
    def labour_force(self) -> float:
        return self.lf0 * self.population / self.pop0

    # -- state ----------------------------------------------------------------------------
    def update(self) -> None:
        """Aggregate the firms' value added and employment (call after firms act)."""
        firms = self.model.firms
        n_r = self.va.shape[1]
        w = firms.weight
        alive = firms.alive
        va = firms.va * alive
        self.va = np.bincount(firms.sr, weights=va, minlength=firms.n_groups).reshape(
            len(SECTORS), n_r) * w
        self.emp = np.bincount(firms.sr, weights=firms.emp * alive,
                               minlength=firms.n_groups).reshape(len(SECTORS), n_r) * w
        self.gdp = float(self.va.sum())
        self.employment = float(self.emp.sum())
        region_va = self.va.sum(axis=0)
        if self.gdp > 0:
            self.region_gdp_share = region_va / self.gdp
        t = self.model.t
        if self.times and abs(self.times[-1] - t) < 1e-9:
            self.times.pop()
            self.gdp_pc_hist.pop()
            self.gdp_pw_hist.pop()
            self.gdp_hist.pop()
        self.times.append(t)
        self.gdp_hist.append(self.gdp)
        self.gdp_pc_hist.append(self.gdp / self.population_at(t))
        self.gdp_pw_hist.append(self.gdp / max(self.employment, 1e-9))

    @property
    def gdp_per_capita(self) -> float:
        return self.gdp_pc_hist[-1]

    @property
    def gdp_per_worker(self) -> float:
        return self.gdp_pw_hist[-1]

    @property
    def unemployment(self) -> float:
        return 1.0 - self.employment / self.labour_force

    @property
    def wage_index(self) -> float:
        """Wages follow GDP per worker (relative to the base year)."""
        return self.gdp_pw_hist[-1] / self.gdp_pw_hist[0]

    @property
    def researcher_cost_index(self) -> float:
        """Cost of a researcher FTE relative to the base year: wages times the trend
        ``institutes.researcher_cost_trend`` (up to its end year)."""
        c = self.model.cfg.institutes
        years = trend_years(self.model.t, self.t0, c.researcher_cost_trend_end_year,
                            c.researcher_cost_trend_damping)
        return self.wage_index * float(np.exp(c.researcher_cost_trend * years))

    def _value_at(self, hist: list[float], t: float, pre_growth: float) -> float:
        times = self.times
        if t < times[0] - 1e-9:
            return hist[0] * (1.0 + pre_growth) ** (t - times[0])
        return float(np.interp(t, times, hist))

    def annual_growth(self, which: str = "per_capita") -> float:
        """Growth over the past year, in % (8.1.1 per capita, 8.2.1 per worker)."""
        hist, g0 = ((self.gdp_pc_hist, self.growth_pc0) if which == "per_capita"
                    else (self.gdp_pw_hist, self.growth_pw0))
        t = self.times[-1]
        before = self._value_at(hist, t - 1.0, g0)
        return 100.0 * (hist[-1] / before - 1.0)

    @property
    def income_growth(self) -> float:
        """Log growth of GDP per capita over the past year (per year)."""
        return float(np.log1p(self.annual_growth("per_capita") / 100.0))

    def gdp_of_year(self, year: int) -> float:
        """GDP at the start of a budget year: the base-year level before the base year, the
        latest simulated value for years not reached yet."""
        t = float(year)
        if t <= self.times[0]:
            return self.gdp_hist[0]
        return float(np.interp(t, self.times, self.gdp_hist))

    def labour_force_growth(self) -> float:
        return self.g_pop

    def unemployment_gap(self) -> float:
        """(u - u0) / (1 - u): positive when unemployment is above its base-year rate."""
        u = self.unemployment
        return (u - self.u0) / max(1.0 - u, 1e-6)
