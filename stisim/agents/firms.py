"""Firms: a struct-of-arrays population inside the Mesa model, with vectorised rules.

Firms are many (10^3-10^6), so they are not one Mesa agent each: :class:`FirmPopulation` is
one Mesa agent holding one numpy array per attribute, and each rule is a function over whole
arrays. Each simulated firm stands for ``weight`` real firms. Rules run in the order of
:data:`stisim.agents.registry.CORE_RULE_ORDER` (finance, rd, innovation, imitation, adoption,
skills, growth, entry_exit), each switchable in ``mechanisms``; extensions insert their own
(:func:`stisim.agents.registry.firm_rule`). What firms see of the rest of the model arrives
in a :class:`FirmEnv` each step. Equations: docs/model.md, "Firms".
"""

from __future__ import annotations

from dataclasses import dataclass, field

import mesa
import numpy as np

from stisim.agents.catalog import SECTORS, TECH_SOURCES, TECHNOLOGIES
from stisim.agents.registry import active_firm_rules, firm_rule

F32 = np.float32
N_TECH = len(TECHNOLOGIES)
N_SECTOR = len(SECTORS)
DIGITAL = TECHNOLOGIES.index("digital")
CLEAN = TECHNOLOGIES.index("clean_energy")
R_AND_D_CAP = 0.5  # R&D intensity above which the innovation hazard stops rising


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
    matches: np.ndarray | None = None  # (source,) new platform matches per year
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
        if self.matches is None:
            self.matches = z(len(TECH_SOURCES))
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
    clean_renewable: float = 0.8
    mean_emp_sector: np.ndarray = field(default_factory=lambda: np.ones(N_SECTOR))
    n0: int = 0  # simulated firms at the base year


class FirmPopulation(mesa.Agent):
    """All firms of the economy as arrays (one Mesa agent; rules vectorised)."""

    ARRAYS = ("alive", "sector", "region", "sr", "emp", "theta", "skill", "z", "fin_u",
              "trade_u", "rd", "grant_w", "adopt_gain", "collab", "match_src", "match_left",
              "age", "va", "performer", "access", "eligible")

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
        self.new_adoptions = np.zeros(N_TECH)
        self.exits = 0.0
        self.entries = 0.0
        self.churn = 0.0  # employment released by net exit, share of employment per year
        self.stats: dict[str, np.ndarray] = {}
        self.env = FirmEnv(t=0.0, dt=1.0).fill(n_regions)
        # (technology, firm): eligible for the technology and alive; set by refresh().
        self.eligible = np.zeros((N_TECH, self.size), dtype=bool)

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
        if env.matches.any():
            make_matches(self, env.matches, env.dt)
        self.refresh(env)
        for spec, params in self.rules:
            spec.func(self, env, params)
        dt = F32(env.dt)
        self.age += dt
        np.subtract(self.collab, dt, out=self.collab)
        np.subtract(self.match_left, dt, out=self.match_left)

    # -- derived quantities ---------------------------------------------------------------
    def ln_productivity(self) -> np.ndarray:
        c = self.calib
        out = c.ln_sector_productivity.astype(F32)[self.sector]
        out += c.ln_region_productivity.astype(F32)[self.region]
        out += self.theta
        out += self.adopt_gain
        return out

    def refresh(self, env: FirmEnv, stats: bool = True) -> None:
        """Value added and eligibility, and (``stats``) the sector statistics the rules use."""
        ln_a = self.ln_productivity()
        shock = (env.va_shock * env.drift).astype(F32)[self.sector]
        alive = self.alive
        self.va = np.exp(ln_a)
        self.va *= self.emp
        self.va *= shock
        self.va[~alive] = 0.0
        self.eligible = np.take(self.calib.eligible, self.sector, axis=1)
        self.eligible &= alive
        if not stats:
            return
        w_alive = alive.astype(np.float64)
        n_s = np.maximum(np.bincount(self.sector, weights=w_alive, minlength=N_SECTOR), 1.0)
        th = self.theta * w_alive
        mean = np.bincount(self.sector, weights=th, minlength=N_SECTOR) / n_s
        sq = np.bincount(self.sector, weights=th * self.theta, minlength=N_SECTOR) / n_s
        sd = np.sqrt(np.maximum(sq - mean * mean, 0.0))
        emp_w = self.emp * w_alive
        e_s = np.maximum(np.bincount(self.sector, weights=emp_w, minlength=N_SECTOR), 1e-12)
        lna_s = np.bincount(self.sector, weights=ln_a * emp_w, minlength=N_SECTOR) / e_s
        self.stats = {"n_sector": n_s, "theta_mean": mean, "theta_sd": sd,
                      "ln_a_mean": lna_s, "emp_sector": e_s, "ln_a": ln_a}

    # -- entry ----------------------------------------------------------------------------
    def free_slots(self, n: int) -> np.ndarray:
        """Indices of ``n`` dead slots, growing the arrays when there are too few."""
        free = np.flatnonzero(~self.alive)
        if free.size < n:
            grow = max(n - free.size, self.size // 4, 16)
            old = self.size
            for name in self.ARRAYS:
                arr = getattr(self, name)
                shape = (arr.shape[0], old + grow) if arr.ndim == 2 else (old + grow,)
                new = np.zeros(shape, dtype=arr.dtype)
                new[..., :old] = arr
                setattr(self, name, new)
            self.adopted = np.concatenate(
                [self.adopted, np.zeros((N_TECH, grow), dtype=bool)], axis=1)
            self.match_src[old:] = -1
            for name in [k for k in self.extra if not k.endswith("__fill")]:
                arr = self.extra[name]
                new = np.full(old + grow, self.extra[name + "__fill"], dtype=arr.dtype)
                new[:old] = arr
                self.extra[name] = new
            free = np.flatnonzero(~self.alive)
        return free[:n]


# ============================================================================================
# Rules. Each takes (firms, env, params); params is None for core rules.
# ============================================================================================
def uniform_noise(rng: np.random.Generator, n: int, sd: float) -> np.ndarray:
    """Zero-mean shocks with standard deviation ``sd`` (uniform: cheaper than normal draws
    and, summed over steps, close to normal)."""
    return ((rng.random(n) - 0.5) * (sd * np.sqrt(12.0))).astype(F32)


def _prob(rate: np.ndarray | float, dt: float) -> np.ndarray:
    """Probability of at least one event in dt for a Poisson hazard ``rate``."""
    return -np.expm1(-np.asarray(rate, dtype=F32) * F32(dt))


def finance_probability(firms: FirmPopulation, tightening: float = 0.0) -> np.ndarray:
    c = firms.calib
    x = (c.finance_logit + firms.cfg.firms.finance_size_effect
         * (np.log(np.maximum(firms.emp, 1e-3)) - c.mean_ln_emp))
    return 1.0 / (1.0 + np.exp(-x.astype(F32))) - F32(tightening)


@firm_rule("finance", core=True)
def rule_finance(firms: FirmPopulation, env: FirmEnv, params=None) -> None:
    """Access to finance: a persistent firm trait against a probability rising with size."""
    firms.access = firms.fin_u < finance_probability(firms, env.finance_tightening)


def rd_score(firms: FirmPopulation) -> np.ndarray:
    f = firms.cfg.firms
    bias = np.array([f.rd_sector_bias[s] for s in SECTORS], dtype=F32)
    return (bias[firms.sector] + F32(f.rd_size_elasticity)
            * np.log(np.maximum(firms.emp, 1e-3))
            + F32(f.rd_skill_effect) * (firms.skill - F32(firms.calib.skill_ref)) + firms.z)


def own_rd_base(firms: FirmPopulation) -> np.ndarray:
    """Own R&D before tax credits: intensity x value added for performers, less where
    finance is lacking."""
    f = firms.cfg.firms
    out = F32(firms.calib.rd_intensity) * firms.va * firms.performer
    if firms.cfg.mechanisms.finance:
        out *= np.where(firms.access, F32(1.0), F32(1.0 - f.finance_barrier))
    return out


def award_grants(firms: FirmPopulation, budget: float, gdp_per_capita: float,
                 score: np.ndarray | None = None) -> None:
    """Competitive R&D grants: ``budget``/(grant size) real grants go to firms drawn with
    probability rising with their R&D propensity score (Gumbel top-k sampling: the top
    score + Gumbel noise, i.e. draws without replacement with weights exp(score))."""
    firms.grant_w[:] = 0.0
    if budget <= 0:
        return
    size = firms.cfg.ministries.grant_size * gdp_per_capita
    n = int(np.clip(round(budget / (size * firms.weight)), 1, int(firms.alive.sum())))
    if score is None:
        score = rd_score(firms)
    u = firms.model.rng.random(firms.size)
    keys = score - np.log(-np.log(u))  # + Gumbel(0, 1)
    keys[~firms.alive] = -np.inf
    winners = [int(np.argmax(keys))] if n == 1 else np.argpartition(-keys, n - 1)[:n]
    firms.grant_w[winners] = 1.0 / n


@firm_rule("rd", core=True)
def rule_rd(firms: FirmPopulation, env: FirmEnv, params=None) -> None:
    """R&D spending: own funds (propensity, finance, tax credits) plus grants with crowding."""
    f = firms.cfg.firms
    score = rd_score(firms)
    firms.performer = (score > F32(firms.calib.rd_threshold)) & firms.alive
    base = own_rd_base(firms)
    # Tax credit rate tau that the budget pays for: tau * (1 + e tau) * S = B.
    s = float(base.sum()) * firms.weight
    tau, e = 0.0, f.tax_credit_elasticity
    if env.tax_credit_budget > 0 and s > 0:
        ratio = env.tax_credit_budget / s
        tau = ratio if e == 0 else (np.sqrt(1.0 + 4.0 * e * ratio) - 1.0) / (2.0 * e)
        tau = min(tau, firms.cfg.ministries.max_tax_credit_rate)
    firms.tax_credit_rate = float(tau)
    own = base * F32(1.0 + e * tau)
    if env.new_year:
        award_grants(firms, env.grant_budget, env.gdp_per_capita, score)
    total_w = float(firms.grant_w.sum())
    grant = firms.grant_w * F32(env.grant_budget / firms.weight / total_w) if total_w > 0 \
        else np.zeros(firms.size, dtype=F32)
    phi = F32(f.grant_crowding)
    firms.rd = np.maximum(own + (F32(1.0) + phi) * grant, grant)


@firm_rule("innovation", core=True)
def rule_innovation(firms: FirmPopulation, env: FirmEnv, params=None) -> None:
    """Nelson-Winter innovation: hazard rising with R&D intensity; a success draws a new
    log productivity around the current one and keeps the better."""
    f = firms.cfg.firms
    intensity = np.minimum(firms.rd / np.maximum(firms.va, F32(1e-6)), F32(R_AND_D_CAP))
    rate = F32(f.innovation_rate) * intensity + F32(f.innovation_base_rate)
    boost = firms.cfg.institutes.collaboration_innovation_boost
    rate *= np.where(firms.collab > 0, F32(1.0 + boost), F32(1.0))
    if env.procurement > 0:
        rate *= procurement_multiplier(firms, env.procurement)
    rng = firms.model.rng
    hit = (rng.random(firms.size) < _prob(rate, env.dt)) & firms.alive
    idx = np.flatnonzero(hit)
    if idx.size:
        shift = f.innovation_drift * env.knowledge_ratio ** f.knowledge_spillover
        draw = firms.theta[idx] + F32(shift) + F32(f.innovation_sd) * rng.standard_normal(
            idx.size, dtype=F32)
        firms.theta[idx] = np.maximum(firms.theta[idx], draw)


PROCUREMENT_SECTORS = ("medium_high_tech_manufacturing", "ict", "health")


def procurement_multiplier(firms: FirmPopulation, budget: float) -> np.ndarray:
    """Innovation procurement buys from R&D performers in technology sectors in proportion to
    their value added; it raises their innovation hazard."""
    target = np.isin(firms.sector, [SECTORS.index(s) for s in PROCUREMENT_SECTORS])
    target &= firms.performer
    va_t = float(firms.va[target].sum()) * firms.weight
    if va_t <= 0:
        return np.ones(firms.size, dtype=F32)
    share = budget / va_t  # procurement per unit of targeted value added
    return np.where(target, F32(1.0 + firms.cfg.firms.procurement_effect * share), F32(1.0))


@firm_rule("imitation", core=True)
def rule_imitation(firms: FirmPopulation, env: FirmEnv, params=None) -> None:
    """Imitation of domestic best practice and catch-up to foreign frontiers, both scaled by
    absorptive capacity (skilled share); idiosyncratic productivity shocks."""
    f = firms.cfg.firms
    rng = firms.model.rng
    st = firms.stats
    rel_skill = np.minimum(firms.skill / F32(firms.calib.skill_ref), F32(3.0))
    best = (st["theta_mean"] + f.best_practice_z * st["theta_sd"]).astype(F32)[firms.sector]
    hit = rng.random(firms.size) < _prob(F32(f.imitation_rate) * rel_skill, env.dt)
    hit &= firms.alive
    gap = np.maximum(best - firms.theta, F32(0.0))
    firms.theta += np.where(hit, np.minimum(F32(f.imitation_catchup) * rel_skill, F32(1.0))
                            * gap, F32(0.0))
    # Foreign sources: persistent trade links (trade_u below the access share) or a match.
    p = firms.cfg.partners
    step = np.zeros(firms.size, dtype=F32)
    for k, src in enumerate(TECH_SOURCES):
        access = (firms.trade_u < F32(p.transfer_access[src])) | (
            (firms.match_src == k) & (firms.match_left > 0))
        gap_f = np.maximum(F32(env.frontier[k]) - firms.theta, F32(0.0))
        step += np.where(access, F32(p.appropriateness[src]) * gap_f, F32(0.0))
    firms.theta += F32(f.foreign_catchup * env.dt) * rel_skill * step
    if f.productivity_noise > 0:
        firms.theta += uniform_noise(rng, firms.size, f.productivity_noise * np.sqrt(env.dt))


def peer_group(firms: FirmPopulation) -> tuple[np.ndarray | None, int]:
    """Index of each firm's peer group for imitation in adoption (None: one group for the
    whole economy), and the number of groups."""
    mixing = firms.cfg.diffusion.mixing
    if mixing == "economy":
        return None, 1
    if mixing == "sector":
        return firms.sector, N_SECTOR
    if mixing == "region":
        return firms.region, firms.n_regions
    return firms.sr, firms.n_groups


def group_counts(group: np.ndarray | None, n_groups: int, mask: np.ndarray,
                 flag: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per group: firms in ``mask`` and those of them with ``flag`` (one integer bincount)."""
    if group is None:
        n = np.count_nonzero(mask)
        return np.array([n], float), np.array([np.count_nonzero(mask & flag)], float)
    code = np.where(mask, group * 2 + flag, 2 * n_groups)
    c = np.bincount(code, minlength=2 * n_groups + 1)[: 2 * n_groups].reshape(n_groups, 2)
    return c.sum(axis=1).astype(float), c[:, 1].astype(float)


def spontaneous_multiplier(firms: FirmPopulation) -> np.ndarray:
    """Factor on p common to all technologies: absorptive capacity, finance, transfer
    (collaboration with an institute) and platform matches."""
    d = firms.cfg.diffusion
    rel_skill = np.minimum(firms.skill / F32(firms.calib.skill_ref), F32(3.0))
    out = rel_skill ** F32(d.skill_effect) if d.skill_effect != 1.0 else rel_skill
    if firms.cfg.mechanisms.finance:
        out *= np.where(firms.access, F32(1.0), F32(1.0 - firms.cfg.firms.finance_barrier))
    out *= np.where(firms.collab > 0, F32(1.0 + d.transfer_boost), F32(1.0))
    out *= np.where(firms.match_left > 0, F32(1.0 + d.platform_boost), F32(1.0))
    return out


def spontaneous_rate(firms: FirmPopulation, env: FirmEnv, j: int, idx: np.ndarray,
                     common: np.ndarray | None) -> np.ndarray | np.float32:
    """p of technology j for firms ``idx``: Bass p times the common factor and the coverage
    of the firm's region (as far as the technology depends on it), plus subsidies; the
    pandemic pushes digital. A scalar when ``mechanisms.adoption_policy`` is off
    (``common`` None)."""
    c = firms.calib
    if common is None:
        return F32(c.p[j])
    dep = firms.cfg.diffusion.coverage_dependence[TECHNOLOGIES[j]]
    p_f = F32(c.p[j]) * common[idx]
    region = firms.region[idx]
    if dep:
        cov = (1.0 - dep + dep * env.coverage).astype(F32)
        p_f *= cov[region]
    if env.subsidy[j].any():
        p_f += env.subsidy[j].astype(F32)[region]
    if j == DIGITAL and env.digital_push > 0:
        p_f *= F32(1.0 + env.digital_push)
    return p_f


def group_map(firms: FirmPopulation) -> tuple[np.ndarray, int]:
    """Peer group of each sector-region cell (see :func:`peer_group`)."""
    n_r = firms.n_regions
    cells = np.arange(firms.n_groups)
    mixing = firms.cfg.diffusion.mixing
    if mixing == "economy":
        return np.zeros_like(cells), 1
    if mixing == "sector":
        return cells // n_r, N_SECTOR
    if mixing == "region":
        return cells % n_r, n_r
    return cells, firms.n_groups


@firm_rule("adoption", core=True)
def rule_adoption(firms: FirmPopulation, env: FirmEnv, params=None) -> None:
    """Bass-type adoption: hazard p_f + q * (adopter share among peers).

    The peer share used over the step is a midpoint estimate s + dt/2 (p + q s)(1 - s), so
    that the discrete-time process tracks the continuous Bass model to second order in dt.
    Only non-adopters are visited (adoption is absorbing).
    """
    d = firms.cfg.diffusion
    c = firms.calib
    rng = firms.model.rng
    dt = env.dt
    group, n_groups = peer_group(firms)
    policy = firms.cfg.mechanisms.adoption_policy
    common = spontaneous_multiplier(firms) if policy else None
    # Eligible firms per peer group from alive firms per sector-region cell.
    alive_cells = np.bincount(np.where(firms.alive, firms.sr, firms.n_groups),
                              minlength=firms.n_groups + 1)[:-1].astype(float)
    cell_group, _ = group_map(firms)
    cell_sector = np.arange(firms.n_groups) // firms.n_regions
    for j in range(N_TECH):
        adopted = firms.adopted[j]
        n_g = np.bincount(cell_group, weights=alive_cells * c.eligible[j][cell_sector],
                          minlength=n_groups)
        n_tot = n_g.sum()
        if n_tot == 0:
            continue
        idx = np.flatnonzero(firms.eligible[j] & ~adopted)  # eligible non-adopters
        g_idx = None if group is None else group[idx]
        non_g = (np.array([float(idx.size)]) if group is None
                 else np.bincount(g_idx, minlength=n_groups).astype(float))
        a_g = n_g - non_g
        s_econ = a_g.sum() / n_tot
        if group is None:
            s_g = np.array([s_econ])
        else:
            lw = d.local_weight
            s_g = lw * np.divide(a_g, n_g, out=np.full(n_groups, s_econ), where=n_g > 0) \
                + (1 - lw) * s_econ
        firms.new_adoptions[j] = 0.0
        if idx.size == 0:
            continue
        p_f = spontaneous_rate(firms, env, j, idx, common)
        if not policy:
            p_g = np.full(n_groups, c.p[j])
        elif group is None:
            p_g = np.array([float(p_f.mean())])
        else:
            p_sum = np.bincount(g_idx, weights=p_f, minlength=n_groups)
            p_g = np.divide(p_sum, non_g, out=np.full(n_groups, c.p[j]), where=non_g > 0)
        # Midpoint estimate of the peer share over the step (second order in dt).
        s_mid = s_g + 0.5 * dt * (p_g + c.q[j] * s_g) * (1.0 - s_g)
        q_s = (c.q[j] * s_mid).astype(F32)
        hazard = p_f + (q_s[0] if group is None else q_s[g_idx])
        new = idx[rng.random(idx.size) < _prob(hazard, dt)]
        adopted[new] = True
        firms.new_adoptions[j] = new.size * firms.weight / dt
        if new.size and c.gain[j]:
            firms.adopt_gain[new] += F32(c.gain[j])


@firm_rule("skills", core=True)
def rule_skills(firms: FirmPopulation, env: FirmEnv, params=None) -> None:
    """Skilled shares: turnover and dilution by labour-force growth; graduates hired by
    firms in proportion to employment times sqrt(productivity); workers trained by skills
    programmes in their region."""
    f = firms.cfg.firms
    alive = firms.alive
    # Skilled workers leave (turnover) and new labour-market entrants are unskilled.
    firms.skill *= F32(np.exp(-(f.skill_turnover + env.labour_force_growth) * env.dt))
    emp = np.maximum(firms.emp, F32(1e-6))
    if env.graduates > 0:
        demand = emp * np.sqrt(np.exp(firms.stats["ln_a"])) * alive
        total = float(demand.sum()) * firms.weight
        if total > 0:
            firms.skill += F32(env.graduates * env.dt / total) * demand / emp
    if env.trained.any():
        e_r = np.bincount(firms.region, weights=firms.emp * alive,
                          minlength=firms.n_regions) * firms.weight
        per_worker = np.divide(env.trained * env.dt, e_r, out=np.zeros_like(e_r),
                               where=e_r > 0)
        firms.skill += per_worker.astype(F32)[firms.region]
    np.clip(firms.skill, F32(0.0), F32(0.95), out=firms.skill)


@firm_rule("growth", core=True)
def rule_growth(firms: FirmPopulation, env: FirmEnv, params=None) -> None:
    """Employment: labour-force growth, sector demand (income elasticity relative to the
    mean), selection on relative productivity, labour-market slack, sector shocks and
    idiosyncratic noise."""
    f = firms.cfg.firms
    m = firms.cfg.macro
    eta = np.array([m.income_elasticity[s] for s in SECTORS])
    # Demand shifts between sectors without changing total labour demand: elasticities are
    # taken relative to their employment-weighted mean.
    e_s = firms.stats["emp_sector"]
    eta = eta - float(eta @ e_s / e_s.sum())
    g_s = (env.labour_force_growth + eta * env.income_growth
           + m.unemployment_recovery * env.unemployment_gap - env.employment_shock)
    rel = firms.stats["ln_a"] - firms.stats["ln_a_mean"].astype(F32)[firms.sector]
    # Incumbents rehire the workers that net exit (exits minus entrants) released.
    g = (g_s + firms.churn).astype(F32)[firms.sector] + F32(f.selection) * rel
    sd = f.employment_noise * np.sqrt(env.dt)
    noise = uniform_noise(firms.model.rng, firms.size, sd) - F32(sd * sd / 2)
    firms.emp *= np.exp(g * F32(env.dt) + noise)


@firm_rule("entry_exit", core=True)
def rule_entry_exit(firms: FirmPopulation, env: FirmEnv, params=None) -> None:
    """Exit hazard falling with relative productivity (mean kept at the base rate times
    shocks); entrants copy the sector and region of a random incumbent and start smaller and
    less productive than their sector's mean."""
    f = firms.cfg.firms
    rng = firms.model.rng
    alive = firms.alive
    n_alive = int(alive.sum())
    if n_alive == 0:
        return
    rel = firms.stats["ln_a"] - firms.stats["ln_a_mean"].astype(F32)[firms.sector]
    w = np.exp(np.clip(-F32(f.exit_productivity_effect) * rel, -20, 20)) * alive
    w *= F32(n_alive / max(float(w.sum()), 1e-12))
    rate = F32(f.exit_rate * env.exit_multiplier) * w
    hook = firms.extra.get("exit_multiplier")  # extension hook (per-firm factor)
    if hook is not None:
        rate *= hook
    out = np.flatnonzero(alive & (rng.random(firms.size) < _prob(rate, env.dt)))
    n_out = out.size
    emp_total = max(float((firms.emp * alive).sum()), 1e-12)
    released = float(firms.emp[out].sum())
    firms.alive[out] = False
    firms.emp[out] = 0.0
    firms.grant_w[out] = 0.0
    firms.exits = n_out * firms.weight / env.dt
    entry = f.entry_rate * max(0.0, 1.0 + f.entry_growth_response * env.income_growth)
    n_in = int(rng.poisson(entry * n_alive * env.dt))
    firms.entries = n_in * firms.weight / env.dt
    firms.churn = released / emp_total / env.dt
    if n_in == 0:
        return
    parents = np.flatnonzero(firms.alive)
    parents = parents[rng.integers(0, parents.size, n_in)]
    slots = firms.free_slots(n_in)
    st = firms.stats
    sec = firms.sector[parents]
    firms.alive[slots] = True
    firms.sector[slots] = sec
    firms.region[slots] = firms.region[parents]
    firms.sr[slots] = firms.sr[parents]
    mean_emp = st["emp_sector"] / st["n_sector"]
    firms.emp[slots] = (f.entrant_size * mean_emp[sec]).astype(F32)
    firms.churn -= float(firms.emp[slots].sum()) / emp_total / env.dt
    firms.theta[slots] = (st["theta_mean"][sec] - f.entrant_gap + st["theta_sd"][sec]
                          * rng.standard_normal(n_in)).astype(F32)
    firms.skill[slots] = firms.skill[parents] * rng.uniform(0.5, 1.0, n_in).astype(F32)
    firms.z[slots] = rng.standard_normal(n_in).astype(F32)
    firms.fin_u[slots] = rng.random(n_in, dtype=F32)
    firms.trade_u[slots] = rng.random(n_in, dtype=F32)
    for name in ("rd", "grant_w", "adopt_gain", "collab", "match_left", "age", "va"):
        getattr(firms, name)[slots] = 0.0
    firms.match_src[slots] = -1
    firms.performer[slots] = False
    firms.access[slots] = False
    firms.adopted[:, slots] = False
    for name in [k for k in firms.extra if not k.endswith("__fill")]:
        firms.extra[name][slots] = firms.extra[name + "__fill"]


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


def make_matches(firms: FirmPopulation, per_year: np.ndarray, dt: float) -> None:
    """The matching platform links ``per_year`` (source,) firms with foreign suppliers,
    choosing firms with probability rising with absorptive capacity."""
    rng = firms.model.rng
    years = firms.cfg.partners.match_years
    for k, rate in enumerate(per_year):
        n = int(np.floor(rate * dt / firms.weight + rng.random()))
        if n <= 0:
            continue
        cand = np.flatnonzero(firms.alive & (firms.match_left <= 0))
        if cand.size == 0:
            continue
        chosen = sample_by_skill(firms, cand, n)
        firms.match_src[chosen] = k
        firms.match_left[chosen] = years
