"""Firms: a struct-of-arrays population inside the Mesa model (agent type ``firms``).

Firms are many (10^3-10^6), so they are not one Mesa agent each: :class:`FirmPopulation` is
one Mesa agent holding one numpy array per attribute, and each rule is a function over whole
arrays (:mod:`stisim.agents.firm_rules`). Each simulated firm stands for ``weight`` real
firms. Rules run in the order of :data:`stisim.agents.registry.CORE_RULE_ORDER` (finance, rd,
innovation, imitation, adoption, skills, growth, entry_exit), each switchable in
``mechanisms``; extensions insert their own (:func:`stisim.agents.registry.firm_rule`). What
firms see of the rest of the model arrives in a :class:`FirmEnv` each step. Equations:
docs/model.md, "Firms".
"""

from __future__ import annotations

from dataclasses import dataclass, field

import mesa
import numpy as np

from stisim.agents.catalog import SECTORS, SUPPLIER_ORIGINS, TECH_SOURCES, TECHNOLOGIES
from stisim.agents.registry import active_firm_rules, agent_type

F32 = np.float32
N_TECH = len(TECHNOLOGIES)
N_SECTOR = len(SECTORS)
DIGITAL = TECHNOLOGIES.index("digital")
CLEAN = TECHNOLOGIES.index("clean_energy")
R_AND_D_CAP = 0.5  # R&D intensity above which the innovation hazard stops rising
# Sectors whose R&D performers innovation procurement buys from.
PROCUREMENT_SECTORS = ("medium_high_tech_manufacturing", "ict", "health")
# Partial sums per bin in binned_sums: firms sit in runs of the same sector/cell, and a
# bincount over runs serialises every addition through one memory slot (3x slower).
LANES = 8
_lanes = np.zeros(0, dtype=np.intp)


def lane_index(n: int) -> np.ndarray:
    """0, 1, ..., LANES-1, 0, 1, ... of length ``n`` (a view of a cached array)."""
    global _lanes
    if _lanes.size < n:
        _lanes = np.arange(max(n, 2 * _lanes.size), dtype=np.intp) & (LANES - 1)
    return _lanes[:n]


def binned_sums(codes: np.ndarray, n_bins: int, *weights: np.ndarray | None
                ) -> list[np.ndarray]:
    """Per bin (``codes`` in [0, n_bins)) the sum of each weight array, or the count for
    ``None``: ``np.bincount`` spread over :data:`LANES` partial sums per bin."""
    spread = codes * LANES
    spread += lane_index(codes.size)
    size = n_bins * LANES
    return [np.bincount(spread, weights=w, minlength=size).reshape(n_bins, LANES).sum(axis=1)
            for w in weights]


def eligibility(table: np.ndarray, sector: np.ndarray, alive: np.ndarray) -> np.ndarray:
    """(technology, firm) ``table[:, sector] & alive`` from a gather of one byte per firm
    (a bit per technology), cheaper than a 2-D boolean gather."""
    n_tech = table.shape[0]
    dtype = np.uint8 if n_tech <= 8 else np.uint64
    bit = (np.ones(1, dtype) << np.arange(n_tech, dtype=dtype))
    per_firm = (table * bit[:, None]).sum(axis=0).astype(dtype).take(sector)
    per_firm *= alive
    out = np.empty((n_tech, sector.size), dtype=bool)
    for j in range(n_tech):
        np.not_equal(per_firm & bit[j], 0, out=out[j])
    return out


def top_k(keys: np.ndarray, n: int) -> np.ndarray:
    """Indices of the ``n`` largest ``keys`` (in no order; ``n`` <= ``keys.size``).

    When ``n`` is small, a threshold read off a strided sample narrows the partition to a
    few candidates; the result is exact (a full partition when the sample misleads)."""
    m = keys.size
    if n == 1:
        return np.array([int(np.argmax(keys))])
    if 64 * n < m:
        stride = max(m // 4096, 1)
        sample = keys[::stride]
        s = sample.size
        expect = n * s / m
        r = min(s - 1, int(1.5 * expect + 4.0 * np.sqrt(expect) + 8))
        thr = np.partition(sample, s - 1 - r)[s - 1 - r]
        cand = np.flatnonzero(keys >= thr)
        if cand.size >= n:
            return cand[np.argpartition(-keys[cand], n - 1)[:n]]
    return np.argpartition(-keys, n - 1)[:n]


def platform_account() -> dict:
    """Adoptions (technology,), licence fees paid and received by supplier origin, and
    follow-on collaborations through the matching platform in one step (per year)."""
    return {"adoptions": np.zeros(N_TECH), "licence_paid": 0.0,
            "licence_received": np.zeros(len(SUPPLIER_ORIGINS)), "follow_on": 0.0}


@dataclass
class FirmEnv:
    """What firms see of the rest of the model during one step (rates are per year)."""

    t: float
    dt: float
    new_year: bool = True
    gdp_per_capita: float = 1000.0
    income_growth: float = 0.0
    labour_force_growth: float = 0.0
    unemployment_gap: float = 0.0
    knowledge_ratio: float = 1.0
    grant_budget: float = 0.0  # USD/yr of R&D grants reaching firms
    tax_credit_budget: float = 0.0  # USD/yr
    procurement: float = 0.0  # USD/yr
    subsidy: np.ndarray | None = None  # (technology, region) USD/yr
    trained: np.ndarray | None = None  # (region,) workers trained per year
    graduates: float = 0.0  # graduates hired by firms per year
    collaborations: np.ndarray | None = None  # (region,) new collaborations per year
    platform: object | None = None  # the matching platform's plan of the step (PlatformPlan)
    frontier: np.ndarray | None = None  # (source,) log productivity of foreign frontiers
    coverage: np.ndarray | None = None  # (region,) 4G coverage share
    va_shock: np.ndarray | None = None  # (sector,) output multiplier
    employment_shock: np.ndarray | None = None  # (sector,) growth penalty per year
    exit_multiplier: float = 1.0
    finance_tightening: float = 0.0
    digital_push: float = 0.0
    drift: float = 1.0  # exp(exogenous growth * years since base)

    def fill(self, n_regions: int) -> FirmEnv:
        """Default the array signals (no policy, no shock)."""
        z = np.zeros
        if self.subsidy is None:
            self.subsidy = z((N_TECH, n_regions))
        if self.trained is None:
            self.trained = z(n_regions)
        if self.collaborations is None:
            self.collaborations = z(n_regions)
        if self.frontier is None:
            self.frontier = z(len(TECH_SOURCES))
        if self.coverage is None:
            self.coverage = np.ones(n_regions)
        if self.va_shock is None:
            self.va_shock = np.ones(N_SECTOR)
        if self.employment_shock is None:
            self.employment_shock = z(N_SECTOR)
        return self


@dataclass
class FirmCalibration:
    """Constants fixed at the base year so that the initial state matches the baseline."""

    weight: float  # real firms per simulated firm
    ln_sector_productivity: np.ndarray  # (sector,) log USD per worker
    ln_region_productivity: np.ndarray  # (region,)
    rd_threshold: float  # R&D propensity score above which a firm performs R&D
    rd_intensity: float  # own R&D / value added of performers with finance access
    finance_logit: float  # intercept of the finance-access probability
    mean_ln_emp: float
    skill_ref: float  # national mean skilled share at the base year
    eligible: np.ndarray  # (technology, sector) bool
    p: np.ndarray  # (technology,) Bass p
    q: np.ndarray  # (technology,) Bass q
    gain: np.ndarray  # (technology,) log productivity effect of adoption
    emission_cut: np.ndarray  # (technology,)
    energy_intensity: np.ndarray  # (sector,)
    co2_per_energy: float = 1.0  # t CO2 per unit of non-renewable firm energy
    grid_renewable: float = 0.0
    mean_emp_sector: np.ndarray = field(default_factory=lambda: np.ones(N_SECTOR))
    n0: int = 0  # simulated firms at the base year


@agent_type("firms", core=True)
class FirmPopulation(mesa.Agent):
    """All firms of the economy as arrays (one Mesa agent; rules vectorised)."""

    ARRAYS = ("alive", "sector", "region", "sr", "emp", "theta", "skill", "z", "fin_u",
              "trade_u", "rd", "grant_w", "adopt_gain", "collab", "match_src", "match_left",
              "match_tech", "match_q", "match_target", "age", "va", "performer", "access",
              "eligible")

    def __init__(self, model: mesa.Model, cfg, calib: FirmCalibration, state: dict,
                 n_regions: int):
        super().__init__(model)
        self.cfg = cfg
        self.calib = calib
        self.n_regions = n_regions
        self.n_groups = N_SECTOR * n_regions
        for name, arr in state.items():
            setattr(self, name, arr)
        self.rules = active_firm_rules(cfg.extensions, cfg.mechanisms)
        self.extra: dict[str, np.ndarray] = {}  # per-firm arrays added by extensions
        self.tax_credit_rate = 0.0
        # R&D money of the last R&D decision (USD/yr): total performed, grants paid, tax
        # credit claimed, own R&D before the credit (rule_rd).
        self.rd_account = {"total": 0.0, "grants": 0.0, "tax_credit": 0.0,
                           "own_before_credit": 0.0}
        self.new_adoptions = np.zeros(N_TECH)
        # Adoptions, licence fees and follow-on through the matching platform in the step.
        self.platform_account = platform_account()
        self.exits = 0.0
        self.entries = 0.0
        self.churn = 0.0  # employment released by net exit, share of employment per year
        self.stats: dict[str, np.ndarray] = {}
        self.env = FirmEnv(t=0.0, dt=1.0).fill(n_regions)
        # (technology, firm): eligible for the technology and alive; set by refresh().
        self.eligible = np.zeros((N_TECH, self.size), dtype=bool)
        # (technology, firm): adopted through a platform match, and its own hazard has not
        # fired since (stisim.agents.matching.shadow_hazard): adopters attributable to matches.
        self.shadow = np.zeros((N_TECH, self.size), dtype=bool)

    # -- structure ------------------------------------------------------------------------
    @classmethod
    def create(cls, model, params=None) -> FirmPopulation:
        return model.firms

    @property
    def size(self) -> int:
        return self.alive.size

    @property
    def weight(self) -> float:
        return self.calib.weight

    def add_array(self, name: str, fill: float = 0.0, dtype=F32) -> np.ndarray:
        """Add a per-firm array (for extensions); entrants get ``fill``."""
        if name not in self.extra:
            self.extra[name] = np.full(self.size, fill, dtype=dtype)
            self.extra[name + "__fill"] = np.array(fill, dtype=dtype)
        return self.extra[name]

    def step(self) -> None:
        self.run(self.model.firm_env())

    def run(self, env: FirmEnv) -> None:
        """Apply all active rules for one step."""
        self.env = env
        if env.collaborations.any():
            start_collaborations(self, env.collaborations, env.dt)
        self.platform_account = platform_account()
        if env.platform is not None:
            env.platform.make_matches(self, env.frontier, env.dt)
        self.refresh(env)
        self.rd_account["grants"] = self.rd_account["tax_credit"] = 0.0  # set by rule_rd
        for spec, params in self.rules:
            spec.func(self, env, params)
        dt = F32(env.dt)
        self.age += dt
        np.subtract(self.collab, dt, out=self.collab)
        np.subtract(self.match_left, dt, out=self.match_left)

    # -- derived quantities ---------------------------------------------------------------
    def ln_productivity(self) -> np.ndarray:
        """Log value added per worker before shocks: sector + region + own + adoption."""
        c = self.calib
        cell = (c.ln_sector_productivity.astype(F32)[:, None]
                + c.ln_region_productivity.astype(F32)[None, :]).ravel()
        out = cell[self.sr]
        out += self.theta
        out += self.adopt_gain
        return out

    def refresh(self, env: FirmEnv, stats: bool = True) -> None:
        """Value added and eligibility, and (``stats``) the sector statistics the rules use."""
        ln_a = self.ln_productivity()
        alive = self.alive
        shock = env.va_shock * env.drift
        va = np.exp(ln_a)
        va *= self.emp
        if np.all(shock == shock[0]):
            va *= F32(shock[0])
        else:
            va *= shock.astype(F32)[self.sector]
        va *= alive
        self.va = va
        self.eligible = eligibility(self.calib.eligible, self.sector, alive)
        if not stats:
            return
        # Sums per sector-region cell (dead slots in a bin of their own), then per sector.
        n_r = self.n_regions
        code = np.where(alive, self.sr, self.n_groups)
        theta = self.theta.astype(np.float64)
        emp = self.emp.astype(np.float64)
        n_c, th_s, sq_s, e_s, lna_s = (
            x[:-1].reshape(N_SECTOR, n_r)
            for x in binned_sums(code, self.n_groups + 1, None, theta, theta * theta, emp,
                                 emp * ln_a))
        n_s = np.maximum(n_c.sum(axis=1), 1.0)
        mean = th_s.sum(axis=1) / n_s
        sd = np.sqrt(np.maximum(sq_s.sum(axis=1) / n_s - mean * mean, 0.0))
        e_s = np.maximum(e_s.sum(axis=1), 1e-12)
        self.stats = {"n_sector": n_s, "n_cell": n_c.ravel().astype(float),
                      "theta_mean": mean, "theta_sd": sd, "ln_a_mean": lna_s.sum(axis=1) / e_s,
                      "emp_sector": e_s, "ln_a": ln_a}

    # -- entry ----------------------------------------------------------------------------
    def free_slots(self, n: int) -> np.ndarray:
        """Indices of ``n`` dead slots, growing the arrays when there are too few."""
        free = np.flatnonzero(~self.alive)
        if free.size < n:
            grow = max(n - free.size, self.size // 16, 16)
            old = self.size
            for name in self.ARRAYS:
                arr = getattr(self, name)
                shape = (arr.shape[0], old + grow) if arr.ndim == 2 else (old + grow,)
                new = np.zeros(shape, dtype=arr.dtype)
                new[..., :old] = arr
                setattr(self, name, new)
            self.adopted = np.concatenate(
                [self.adopted, np.zeros((N_TECH, grow), dtype=bool)], axis=1)
            self.shadow = np.concatenate(
                [self.shadow, np.zeros((N_TECH, grow), dtype=bool)], axis=1)
            self.match_src[old:] = -1
            self.match_tech[old:] = -1
            for name in [k for k in self.extra if not k.endswith("__fill")]:
                arr = self.extra[name]
                new = np.full(old + grow, self.extra[name + "__fill"], dtype=arr.dtype)
                new[:old] = arr
                self.extra[name] = new
            free = np.flatnonzero(~self.alive)
        return free[:n]


def group_counts(group: np.ndarray | None, n_groups: int, mask: np.ndarray,
                 flag: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per group: firms in ``mask`` and those of them with ``flag`` (one integer bincount)."""
    if group is None:
        n = np.count_nonzero(mask)
        return np.array([n], float), np.array([np.count_nonzero(mask & flag)], float)
    code = np.where(mask, group * 2 + flag, 2 * n_groups)
    (c,) = binned_sums(code, 2 * n_groups + 1, None)
    c = c[: 2 * n_groups].reshape(n_groups, 2)
    return c.sum(axis=1).astype(float), c[:, 1].astype(float)


# ============================================================================================
# Assignments made by other agents (institutes, platform): which firms get them.
# ============================================================================================
def sample_by_skill(firms: FirmPopulation, cand: np.ndarray, n: int) -> np.ndarray:
    """``min(n, len(cand))`` of the candidate firms without replacement, with probability
    proportional to their skilled share (Gumbel-top-k sampling)."""
    n = min(n, cand.size)
    keys = np.log(np.maximum(firms.skill[cand], 1e-6)) + firms.model.rng.gumbel(size=cand.size)
    return cand[np.argpartition(-keys, n - 1)[:n]]


def start_collaborations(firms: FirmPopulation, per_year: np.ndarray, dt: float) -> None:
    """Institutes start ``per_year`` (region,) collaborations with the most skilled firms not
    yet collaborating (stochastic rounding of the simulated count)."""
    rng = firms.model.rng
    years = firms.cfg.institutes.collaboration_years
    for r, rate in enumerate(per_year):
        expected = rate * dt / firms.weight
        n = int(np.floor(expected + rng.random()))
        if n <= 0:
            continue
        cand = np.flatnonzero(firms.alive & (firms.region == r) & (firms.collab <= 0))
        if cand.size == 0:
            continue
        chosen = sample_by_skill(firms, cand, n)
        firms.collab[chosen] = years

