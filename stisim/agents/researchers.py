"""The national market for researchers: supply from graduates, brain drain, a wage premium.

Researchers available at the going wage are a pool ``N`` that grows with tertiary graduates
entering research careers and shrinks by retirement and emigration; headcount supplied at a
relative wage premium ``w`` is ``N w^eta``. Employers (institutes and firms) spend a labour
share of their R&D money on researchers; money that would hire more researchers than are
supplied raises the premium instead (it clears the market), so R&D money beyond supply raises
researcher cost, not headcount. Emigration falls as the premium rises.

    X   = lab (F / c_I + BERD / c_B) / cost index        researchers the money pays for at w = 1
    w   = (X / N)^(1 / (1 + eta))                         market-clearing premium
    E   = X / w = N w^eta                                 researchers employed
    dN/dt = iota G_kept - (a + m_0 w^-eps shock) N        pool: graduates in, retirement and
                                                          emigration out

``iota`` is set so that the pool grows with the population at the base year. Equations and
sources: docs/model.md, "Researchers".
"""

from __future__ import annotations


class ResearcherMarket:
    """Pool, premium and flows of the researcher labour market (national)."""

    def __init__(self, model):
        self.model = model
        self.pool = 0.0  # researchers supplied at the base-year premium
        self.premium = 1.0  # researcher wage relative to the base-year wage path
        self.entry_share = 0.0  # share of domestic graduates entering research careers
        self.emigrants = 0.0  # researchers leaving per year
        self.entrants = 0.0  # graduates entering the pool per year

    # -- calibration ----------------------------------------------------------------------
    def calibrate(self, researchers0: float, graduates_kept0: float) -> None:
        """Base year: the market clears at premium 1 with the observed researchers, and the
        pool grows with the population (entry share of graduates set accordingly)."""
        cfg = self.model.cfg.institutes
        self.pool = researchers0
        self.premium = 1.0
        out = cfg.researcher_retirement_rate + self.emigration_rate(1.0, 1.0) \
            + self.model.country.population_growth
        need = max(out, 0.0) * researchers0
        self.entry_share = min(need / graduates_kept0, 1.0) if graduates_kept0 > 0 else 0.0

    # -- rates ----------------------------------------------------------------------------
    def emigration_rate(self, premium: float, shock: float) -> float:
        """Researchers' emigration rate: base rate x premium^-elasticity x wave factor."""
        cfg = self.model.cfg.institutes
        return cfg.brain_drain_rate * max(premium, 1e-3) ** (-cfg.brain_drain_elasticity) * shock

    def clear(self, affordable: float) -> float:
        """Premium at which the researchers ``affordable`` at premium 1 equal supply."""
        eta = self.model.cfg.institutes.researcher_supply_elasticity
        if not self.model.cfg.mechanisms.researcher_market or self.pool <= 0:
            return 1.0
        return max(affordable / self.pool, 1e-9) ** (1.0 / (1.0 + eta))

    def step(self, affordable: float, graduates_kept: float, dt: float) -> None:
        """Clear the market for this step's money, then move the pool."""
        cfg = self.model.cfg.institutes
        self.premium = self.clear(affordable)
        if not self.model.cfg.mechanisms.researcher_market:
            return
        rate = self.emigration_rate(self.premium, self.model.shocks.emigration_factor)
        self.emigrants = rate * self.pool
        self.entrants = self.entry_share * graduates_kept
        out = (cfg.researcher_retirement_rate + rate) * self.pool
        self.pool = max(self.pool + (self.entrants - out) * dt, 1e-9)
