"""Reference: the same firm rules as stisim.agents.firms, one Mesa agent per firm.

This is how the firm population would look as ordinary Mesa agents with scalar Python
rules. It exists to measure what vectorisation buys (benchmarks/bench_firms.py) and to check
that the vectorised rules do what the readable per-firm rules do
(tests/agents/test_reference.py). It covers the core firm rules (finance, R&D, innovation,
imitation, adoption, skills, growth, entry and exit) given a fixed ``FirmEnv``; the other
agent types are not involved.

Group statistics (sector means, adopter shares among peers, the mean spontaneous hazard of
non-adopters) are computed once per step after the finance pass, as the vectorised rules use
them; everything else is per firm.
"""

from __future__ import annotations

import math

import mesa
import numpy as np

from stisim.agents.catalog import SECTORS, TECH_SOURCES, TECHNOLOGIES
from stisim.agents.firms import DIGITAL, N_SECTOR, N_TECH, PROCUREMENT_SECTORS, R_AND_D_CAP

STATE = ("sector", "region", "sr", "emp", "theta", "skill", "z", "fin_u", "trade_u",
         "adopt_gain", "collab", "match_src", "match_left", "age")


class RefFirm(mesa.Agent):
    """One firm with scalar state."""

    def __init__(self, model: mesa.Model, **state):
        super().__init__(model)
        for key in STATE:
            setattr(self, key, float(state[key]) if key not in ("sector", "region", "sr",
                                                                 "match_src") else int(state[key]))
        self.adopted = [bool(x) for x in state["adopted"]]
        self.grant_w = 0.0
        self.rd = 0.0
        self.access = False
        self.performer = False
        self.va = 0.0
        self.ln_a = 0.0
        self.exited = False

    # -- per-firm quantities --------------------------------------------------------------
    def update_va(self) -> None:
        m = self.model
        c = m.calib
        self.ln_a = (c.ln_sector_productivity[self.sector]
                     + c.ln_region_productivity[self.region] + self.theta + self.adopt_gain)
        self.va = math.exp(self.ln_a) * self.emp * m.env.va_shock[self.sector] * m.env.drift

    def rd_score(self) -> float:
        f = self.model.cfg.firms
        return (f.rd_sector_bias[SECTORS[self.sector]]
                + f.rd_size_elasticity * math.log(max(self.emp, 1e-3))
                + f.rd_skill_effect * (self.skill - self.model.calib.skill_ref) + self.z)

    def finance(self) -> None:
        m = self.model
        c = m.calib
        x = c.finance_logit + m.cfg.firms.finance_size_effect * (
            math.log(max(self.emp, 1e-3)) - c.mean_ln_emp)
        self.access = self.fin_u < 1.0 / (1.0 + math.exp(-x)) - m.env.finance_tightening

    def own_rd_base(self) -> float:
        m = self.model
        fin = 1.0 if (self.access or not m.cfg.mechanisms.finance) else \
            1.0 - m.cfg.firms.finance_barrier
        return m.calib.rd_intensity * self.va * self.performer * fin

    def rel_skill(self) -> float:
        return min(self.skill / self.model.calib.skill_ref, 3.0)

    def spontaneous(self, j: int) -> float:
        """p of technology j for this firm (policy multipliers and subsidy)."""
        m = self.model
        d = m.cfg.diffusion
        c = m.calib
        p = c.p[j]
        if not m.cfg.mechanisms.adoption_policy:
            return p
        mult = self.rel_skill() ** d.skill_effect
        if m.cfg.mechanisms.finance and not self.access:
            mult *= 1.0 - m.cfg.firms.finance_barrier
        if self.collab > 0:
            mult *= 1.0 + d.transfer_boost
        dep = d.coverage_dependence[TECHNOLOGIES[j]]
        mult *= 1.0 - dep + dep * m.env.coverage[self.region]
        p = p * mult + m.env.subsidy[j][self.region]
        if j == DIGITAL and m.env.digital_push > 0:
            p *= 1.0 + m.env.digital_push
        return p

    # -- the step -------------------------------------------------------------------------
    def step(self) -> None:
        m = self.model
        cfg = m.cfg
        f = cfg.firms
        env = m.env
        rng = m.rng
        dt = env.dt
        st = m.stats
        mech = cfg.mechanisms

        if mech.rd:
            self.performer = self.rd_score() > m.calib.rd_threshold
            own = self.own_rd_base() * (1.0 + f.tax_credit_elasticity * m.tax_rate)
            grant = self.grant_w * env.grant_budget / m.weight / m.grant_total \
                if m.grant_total > 0 else 0.0
            self.rd = max(own + (1.0 + f.grant_crowding) * grant, grant)

        if mech.innovation:
            intensity = min(self.rd / max(self.va, 1e-6), R_AND_D_CAP)
            rate = f.innovation_rate * intensity + f.innovation_base_rate
            if self.collab > 0:
                rate *= 1.0 + cfg.institutes.collaboration_innovation_boost
            if st["procurement_share"] > 0 and self.performer and \
                    SECTORS[self.sector] in PROCUREMENT_SECTORS:
                rate *= 1.0 + f.procurement_effect * st["procurement_share"]
            if rng.random() < -math.expm1(-rate * dt):
                shift = f.innovation_drift * env.knowledge_ratio ** f.knowledge_spillover
                self.theta = max(self.theta, self.theta + shift
                                 + f.innovation_sd * rng.standard_normal())

        if mech.imitation:
            rel = self.rel_skill()
            best = st["theta_mean"][self.sector] + f.best_practice_z * st["theta_sd"][self.sector]
            theta0 = self.theta
            if rng.random() < -math.expm1(-f.imitation_rate * rel * dt):
                self.theta += min(f.imitation_catchup * rel, 1.0) * max(best - theta0, 0.0)
            p = cfg.partners
            step = 0.0
            for k, src in enumerate(TECH_SOURCES):
                access = self.trade_u < p.transfer_access[src] or (
                    self.match_src == k and self.match_left > 0)
                if access:
                    step += p.appropriateness[src] * max(env.frontier[k] - self.theta, 0.0)
            self.theta += f.foreign_catchup * dt * rel * step
            if f.productivity_noise > 0:
                self.theta += (rng.random() - 0.5) * f.productivity_noise * math.sqrt(12 * dt)

        if mech.adoption:
            for j in range(N_TECH):
                if self.adopted[j] or not m.calib.eligible[j][self.sector]:
                    continue
                g = m.group_of(self)
                s_mid = st["s_mid"][j][g]
                hazard = self.spontaneous(j) + m.calib.q[j] * s_mid
                if rng.random() < -math.expm1(-hazard * dt):
                    self.adopted[j] = True
                    self.adopt_gain += m.calib.gain[j]
                    m.new_adoptions[j] += 1

        if mech.skills:
            self.skill *= math.exp(-(f.skill_turnover + env.labour_force_growth) * dt)
            emp = max(self.emp, 1e-6)
            if env.graduates > 0 and st["grad_total"] > 0:
                demand = emp * math.sqrt(math.exp(self.ln_a))
                self.skill += env.graduates * dt / st["grad_total"] * demand / emp
            if st["trained_per_worker"][self.region] > 0:
                self.skill += st["trained_per_worker"][self.region]
            self.skill = min(max(self.skill, 0.0), 0.95)

        if mech.growth:
            rel = self.ln_a - st["ln_a_mean"][self.sector]
            g = st["g_sector"][self.sector] + f.selection * rel
            sd = f.employment_noise * math.sqrt(dt)
            noise = (rng.random() - 0.5) * sd * math.sqrt(12.0) - sd * sd / 2
            self.emp *= math.exp(g * dt + noise)

        if mech.entry_exit:
            rel = self.ln_a - st["ln_a_mean"][self.sector]
            w = math.exp(min(max(-f.exit_productivity_effect * rel, -20), 20)) * st["exit_norm"]
            if rng.random() < -math.expm1(-f.exit_rate * env.exit_multiplier * w * dt):
                self.exited = True

        self.age += dt
        self.collab -= dt
        self.match_left -= dt


class ReferenceEconomy(mesa.Model):
    """Per-agent firm model, initialised from a vectorised population's state."""

    def __init__(self, population, env, seed: int = 0):
        super().__init__(rng=seed)
        self.cfg = population.cfg
        self.calib = population.calib
        self.weight = population.weight
        self.n_regions = population.n_regions
        self.env = env
        self.tax_rate = 0.0
        self.grant_total = 0.0
        self.churn = population.churn
        self.new_adoptions = [0] * N_TECH
        p = population
        for i in np.flatnonzero(p.alive):
            RefFirm(self, **{k: getattr(p, k)[i] for k in STATE}, adopted=p.adopted[:, i])
        self.stats: dict = {}

    @property
    def firms(self) -> list[RefFirm]:
        return list(self.agents_by_type[RefFirm])

    def group_of(self, firm: RefFirm) -> int:
        mixing = self.cfg.diffusion.mixing
        if mixing == "economy":
            return 0
        if mixing == "sector":
            return firm.sector
        if mixing == "region":
            return firm.region
        return firm.sr

    def n_groups(self) -> int:
        return {"economy": 1, "sector": N_SECTOR, "region": self.n_regions}.get(
            self.cfg.diffusion.mixing, N_SECTOR * self.n_regions)

    def compute_stats(self, firms: list[RefFirm]) -> None:
        """Step-start statistics, the same the vectorised rules use."""
        cfg = self.cfg
        env = self.env
        n_s = [0.0] * N_SECTOR
        th = [0.0] * N_SECTOR
        th2 = [0.0] * N_SECTOR
        e_s = [0.0] * N_SECTOR
        la = [0.0] * N_SECTOR
        for a in firms:
            a.update_va()
            n_s[a.sector] += 1
            th[a.sector] += a.theta
            th2[a.sector] += a.theta * a.theta
            e_s[a.sector] += a.emp
            la[a.sector] += a.ln_a * a.emp
        # R&D: performers now, the tax credit rate the budget pays for, procurement.
        f = cfg.firms
        self.tax_rate = 0.0
        procured = 0.0
        if cfg.mechanisms.rd:
            base = 0.0
            for a in firms:
                a.performer = a.rd_score() > self.calib.rd_threshold
                base += a.own_rd_base() * self.weight
                if a.performer and SECTORS[a.sector] in PROCUREMENT_SECTORS:
                    procured += a.va * self.weight
            e = f.tax_credit_elasticity
            if env.tax_credit_budget > 0 and base > 0:
                ratio = env.tax_credit_budget / base
                tau = ratio if e == 0 else (math.sqrt(1 + 4 * e * ratio) - 1) / (2 * e)
                self.tax_rate = min(tau, cfg.ministries.max_tax_credit_rate)
        proc_share = env.procurement / procured if env.procurement > 0 and procured > 0 else 0.0
        mean = [th[s] / max(n_s[s], 1) for s in range(N_SECTOR)]
        sd = [math.sqrt(max(th2[s] / max(n_s[s], 1) - mean[s] ** 2, 0)) for s in range(N_SECTOR)]
        ln_a_mean = [la[s] / max(e_s[s], 1e-12) for s in range(N_SECTOR)]
        # Adoption: peer shares and the midpoint estimate per technology and group.
        ng = self.n_groups()
        lw = cfg.diffusion.local_weight
        s_mid = []
        for j in range(N_TECH):
            n_g, a_g, p_sum = [0.0] * ng, [0.0] * ng, [0.0] * ng
            for a in firms:
                if not self.calib.eligible[j][a.sector]:
                    continue
                g = self.group_of(a)
                n_g[g] += 1
                if a.adopted[j]:
                    a_g[g] += 1
                else:
                    p_sum[g] += a.spontaneous(j)
            total = sum(n_g)
            s_econ = sum(a_g) / total if total else 0.0
            row = []
            for g in range(ng):
                s_g = s_econ if ng == 1 else (
                    lw * (a_g[g] / n_g[g] if n_g[g] else s_econ) + (1 - lw) * s_econ)
                non = n_g[g] - a_g[g]
                p_g = p_sum[g] / non if non > 0 else self.calib.p[j]
                row.append(s_g + 0.5 * env.dt * (p_g + self.calib.q[j] * s_g) * (1 - s_g))
            s_mid.append(row)
        eta = np.array([cfg.macro.income_elasticity[s] for s in SECTORS])
        eta = eta - float(eta @ np.array(e_s) / max(sum(e_s), 1e-12))
        g_sector = (env.labour_force_growth + eta * env.income_growth
                    + cfg.macro.unemployment_recovery * env.unemployment_gap
                    - env.employment_shock + self.churn)
        exit_w = [math.exp(min(max(-cfg.firms.exit_productivity_effect
                                   * (a.ln_a - ln_a_mean[a.sector]), -20), 20)) for a in firms]
        grad_total = sum(a.emp * math.sqrt(math.exp(a.ln_a)) for a in firms) * self.weight
        e_r = [0.0] * self.n_regions
        for a in firms:
            e_r[a.region] += a.emp * self.weight
        trained = [env.trained[r] * env.dt / e_r[r] if e_r[r] > 0 else 0.0
                   for r in range(self.n_regions)]
        self.stats = {"theta_mean": mean, "theta_sd": sd, "ln_a_mean": ln_a_mean,
                      "emp_sector": e_s, "n_sector": n_s, "s_mid": s_mid,
                      "g_sector": g_sector, "exit_norm": len(firms) / max(sum(exit_w), 1e-12),
                      "grad_total": grad_total, "trained_per_worker": trained,
                      "procurement_share": proc_share}

    def award_grants(self, firms: list[RefFirm]) -> None:
        for a in firms:
            a.grant_w = 0.0
        env = self.env
        self.grant_total = 0.0
        if env.grant_budget <= 0:
            return
        size = self.cfg.ministries.grant_size * env.gdp_per_capita
        n = int(min(max(round(env.grant_budget / (size * self.weight)), 1), len(firms)))
        keyed = sorted(firms, key=lambda a: a.rd_score() - math.log(-math.log(self.rng.random())),
                       reverse=True)
        for a in keyed[:n]:
            a.grant_w = 1.0 / n
        self.grant_total = 1.0

    def step(self) -> None:
        env = self.env
        cfg = self.cfg
        firms = self.firms
        self.new_adoptions = [0] * N_TECH
        if cfg.mechanisms.finance:
            for a in firms:
                a.finance()
        self.compute_stats(firms)
        if cfg.mechanisms.rd and env.new_year:
            self.award_grants(firms)
        self.agents_by_type[RefFirm].do("step")
        if cfg.mechanisms.entry_exit:
            self.entry_exit(firms)

    def entry_exit(self, firms: list[RefFirm]) -> None:
        cfg = self.cfg.firms
        env = self.env
        st = self.stats
        emp_total = sum(a.emp for a in firms)
        released = 0.0
        n_alive = len(firms)
        for a in firms:
            if a.exited:
                released += a.emp
                a.remove()
        survivors = self.firms
        entry = cfg.entry_rate * max(0.0, 1.0 + cfg.entry_growth_response * env.income_growth)
        n_in = int(self.rng.poisson(entry * n_alive * env.dt))
        self.churn = released / max(emp_total, 1e-12) / env.dt
        mean_emp = [st["emp_sector"][s] / max(st["n_sector"][s], 1) for s in range(N_SECTOR)]
        for _ in range(n_in):
            parent = survivors[int(self.rng.integers(0, len(survivors)))]
            s = parent.sector
            emp = cfg.entrant_size * mean_emp[s]
            self.churn -= emp / max(emp_total, 1e-12) / env.dt
            RefFirm(self, sector=s, region=parent.region, sr=parent.sr, emp=emp,
                    theta=st["theta_mean"][s] - cfg.entrant_gap
                    + st["theta_sd"][s] * self.rng.standard_normal(),
                    skill=parent.skill * self.rng.uniform(0.5, 1.0),
                    z=self.rng.standard_normal(), fin_u=self.rng.random(),
                    trade_u=self.rng.random(), adopt_gain=0.0, collab=0.0, match_src=-1,
                    match_left=0.0, age=0.0, adopted=[False] * N_TECH)

    # -- summaries to compare with the vectorised population ------------------------------
    def summary(self) -> dict[str, float]:
        firms = self.firms
        emp = np.array([a.emp for a in firms])
        out = {"firms": float(len(firms)), "employment": float(emp.sum()),
               "theta": float(np.average([a.theta for a in firms], weights=emp)),
               "skill": float(np.average([a.skill for a in firms], weights=emp)),
               "rd": float(sum(a.rd for a in firms))}
        for j, tech in enumerate(TECHNOLOGIES):
            elig = [a for a in firms if self.calib.eligible[j][a.sector]]
            out[f"adoption_{tech}"] = sum(a.adopted[j] for a in elig) / max(len(elig), 1)
        return out


def vectorised_summary(pop) -> dict[str, float]:
    """The same summary of a vectorised FirmPopulation."""
    alive = pop.alive
    emp = pop.emp[alive].astype(float)
    out = {"firms": float(alive.sum()), "employment": float(emp.sum()),
           "theta": float(np.average(pop.theta[alive], weights=emp)),
           "skill": float(np.average(pop.skill[alive], weights=emp)),
           "rd": float(pop.rd[alive].sum())}
    for j, tech in enumerate(TECHNOLOGIES):
        elig = pop.calib.eligible[j][pop.sector] & alive
        out[f"adoption_{tech}"] = float(pop.adopted[j][elig].mean()) if elig.any() else 0.0
    return out


def snapshot(pop) -> dict:
    """Copies of a vectorised population's arrays (to restart it from the same state)."""
    names = [*pop.ARRAYS, "adopted"]
    return {"arrays": {k: getattr(pop, k).copy() for k in names},
            "scalars": {"churn": pop.churn}}


def restore(pop, snap: dict) -> None:
    for k, v in snap["arrays"].items():
        setattr(pop, k, v.copy())
    for k, v in snap["scalars"].items():
        setattr(pop, k, v)
