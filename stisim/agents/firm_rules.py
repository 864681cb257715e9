"""The core firm rules: vectorised functions over the whole firm population, in execution
order (finance, rd, innovation, imitation, adoption, skills, growth, entry_exit), each
registered with :func:`stisim.agents.registry.firm_rule` and switchable in ``mechanisms``.
Equations: docs/model.md, "Firms".
"""

from __future__ import annotations

import numpy as np

from stisim.agents.catalog import SECTORS, TECH_SOURCES, TECHNOLOGIES
from stisim.agents.firms import (
    DIGITAL,
    F32,
    N_SECTOR,
    N_TECH,
    PROCUREMENT_SECTORS,
    R_AND_D_CAP,
    FirmEnv,
    FirmPopulation,
    binned_sums,
    top_k,
)
from stisim.agents.matching import catch_up, platform_adoptions, settle, shadow_hazard
from stisim.agents.rd_finance import absorb, tax_price_multiplier, tax_rate_for_budget
from stisim.agents.registry import firm_rule


# ============================================================================================
# Rules. Each takes (firms, env, params); params is None for core rules.
# ============================================================================================
def uniform_noise(rng: np.random.Generator, n: int, sd: float) -> np.ndarray:
    """Zero-mean shocks with standard deviation ``sd`` (uniform: cheaper than normal draws
    and, summed over steps, close to normal)."""
    out = rng.random(n, dtype=F32)
    out -= F32(0.5)
    out *= F32(sd * np.sqrt(12.0))
    return out


def _prob(rate: np.ndarray | float, dt: float) -> np.ndarray:
    """Probability of at least one event in dt for a Poisson hazard ``rate``."""
    return -np.expm1(-np.asarray(rate, dtype=F32) * F32(dt))


def events(rng: np.random.Generator, rate: np.ndarray, dt: float) -> np.ndarray:
    """Which of the firms with Poisson hazards ``rate`` (per year) have an event in dt."""
    return rng.random(rate.size, dtype=F32) < _prob(rate, dt)


def factor_where(mask: np.ndarray, value: float) -> np.ndarray:
    """``value`` where ``mask``, 1 elsewhere (float32; arithmetic rather than ``np.where``,
    whose branches mispredict on random masks)."""
    out = mask.astype(F32)
    out *= F32(value) - F32(1.0)
    out += F32(1.0)
    return out


def finance_factor(firms: FirmPopulation) -> np.ndarray:
    """1 for firms with access to finance, 1 - ``firms.finance_barrier`` for the others."""
    return factor_where(~firms.access, 1.0 - firms.cfg.firms.finance_barrier)


def relative_skill(firms: FirmPopulation) -> np.ndarray:
    """Absorptive capacity: skilled share relative to the base-year national mean, <= 3."""
    return np.minimum(firms.skill / F32(firms.calib.skill_ref), F32(3.0))


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
    out = np.log(np.maximum(firms.emp, F32(1e-3)))
    out *= F32(f.rd_size_elasticity)
    out += bias.take(firms.sector)
    out += F32(f.rd_skill_effect) * (firms.skill - F32(firms.calib.skill_ref))
    out += firms.z
    return out


def own_rd_base(firms: FirmPopulation) -> np.ndarray:
    """Own R&D before tax credits: intensity x value added for performers, less where
    finance is lacking."""
    out = firms.va * F32(firms.calib.rd_intensity)
    out *= firms.performer
    if firms.cfg.mechanisms.finance:
        out *= finance_factor(firms)
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
    keys = firms.model.rng.random(firms.size, dtype=F32)
    with np.errstate(divide="ignore"):  # u = 0 gives a key of -inf: never chosen
        np.log(keys, out=keys)
        np.negative(keys, out=keys)
        np.log(keys, out=keys)
    np.subtract(score, keys, out=keys)  # score + Gumbel(0, 1)
    keys[~firms.alive] = -np.inf
    firms.grant_w[top_k(keys, n)] = 1.0 / n


@firm_rule("rd", core=True)
def rule_rd(firms: FirmPopulation, env: FirmEnv, params=None) -> None:
    """R&D spending: own funds (propensity, finance, tax price), grants with crowding-in up to
    the firm's absorptive capacity and crowding out beyond it (:mod:`stisim.agents.rd_finance`).
    Keeps the step's R&D account in ``firms.rd_account`` (USD per year, float64)."""
    f = firms.cfg.firms
    score = rd_score(firms)
    firms.performer = (score > F32(firms.calib.rd_threshold)) & firms.alive
    base = own_rd_base(firms).astype(np.float64)
    w = firms.weight
    s = float(base.sum()) * w
    e = f.tax_credit_elasticity
    tau = tax_rate_for_budget(env.tax_credit_budget, s, e,
                              firms.cfg.ministries.max_tax_credit_rate)
    firms.tax_credit_rate = tau
    own = base * tax_price_multiplier(tau, e)
    claimed = tau * float(own.sum()) * w
    if env.new_year:
        award_grants(firms, env.grant_budget, env.gdp_per_capita, score)
    total_w = float(firms.grant_w.sum(dtype=np.float64))
    paid = 0.0
    if total_w > 0 and env.grant_budget > 0:
        grant = firms.grant_w.astype(np.float64) * (env.grant_budget / w / total_w)
        capacity = firms.va.astype(np.float64) * f.rd_absorptive_intensity
        rd = absorb(own, grant, capacity, f.grant_crowding, f.rd_crowding_beyond_capacity)
        paid = float(grant.sum()) * w
    else:
        rd = own
    firms.rd = rd.astype(F32)
    firms.rd_account = {"total": float(rd.sum()) * w, "grants": paid,
                        "tax_credit": claimed, "own_before_credit": s}


@firm_rule("innovation", core=True)
def rule_innovation(firms: FirmPopulation, env: FirmEnv, params=None) -> None:
    """Nelson-Winter innovation: hazard rising with R&D intensity; a success draws a new
    log productivity around the current one and keeps the better."""
    f = firms.cfg.firms
    rate = firms.rd / np.maximum(firms.va, F32(1e-6))
    np.minimum(rate, F32(R_AND_D_CAP), out=rate)
    rate *= F32(f.innovation_rate)
    rate += F32(f.innovation_base_rate)
    collab = firms.collab > 0
    if collab.any():
        rate *= factor_where(collab, 1.0 + firms.cfg.institutes.collaboration_innovation_boost)
    if env.procurement > 0:
        rate *= procurement_multiplier(firms, env.procurement)
    rng = firms.model.rng
    hit = events(rng, rate, env.dt)
    hit &= firms.alive
    idx = np.flatnonzero(hit)
    if idx.size:
        shift = f.innovation_drift * env.knowledge_ratio ** f.knowledge_spillover
        draw = firms.theta[idx] + F32(shift) + F32(f.innovation_sd) * rng.standard_normal(
            idx.size, dtype=F32)
        firms.theta[idx] = np.maximum(firms.theta[idx], draw)


def procurement_multiplier(firms: FirmPopulation, budget: float) -> np.ndarray:
    """Innovation procurement buys from R&D performers in technology sectors in proportion to
    their value added; it raises their innovation hazard."""
    target = np.isin(firms.sector, [SECTORS.index(s) for s in PROCUREMENT_SECTORS])
    target &= firms.performer
    va_t = float(firms.va[target].sum()) * firms.weight
    if va_t <= 0:
        return np.ones(firms.size, dtype=F32)
    share = budget / va_t  # procurement per unit of targeted value added
    return factor_where(target, 1.0 + firms.cfg.firms.procurement_effect * share)


@firm_rule("imitation", core=True)
def rule_imitation(firms: FirmPopulation, env: FirmEnv, params=None) -> None:
    """Imitation of domestic best practice and catch-up to foreign frontiers, both scaled by
    absorptive capacity (skilled share); idiosyncratic productivity shocks."""
    f = firms.cfg.firms
    rng = firms.model.rng
    st = firms.stats
    theta = firms.theta
    rel_skill = relative_skill(firms)
    hit = events(rng, F32(f.imitation_rate) * rel_skill, env.dt)
    hit &= firms.alive
    best = (st["theta_mean"] + f.best_practice_z * st["theta_sd"]).astype(F32)
    gap = best.take(firms.sector)
    gap -= theta
    np.maximum(gap, F32(0.0), out=gap)
    catch = np.minimum(F32(f.imitation_catchup) * rel_skill, F32(1.0))
    catch *= hit
    gap *= catch
    theta += gap
    # Foreign sources: persistent trade links (trade_u below the access share).
    p = firms.cfg.partners
    step = np.zeros(firms.size, dtype=F32)
    for k, src in enumerate(TECH_SOURCES):
        access = firms.trade_u < F32(p.transfer_access[src])
        gap_f = np.maximum(F32(env.frontier[k]) - theta, F32(0.0))
        gap_f *= F32(p.appropriateness[src])
        gap_f *= access
        step += gap_f
    step *= rel_skill
    step *= F32(f.foreign_catchup * env.dt)
    theta += step
    # Platform matches: catch-up towards the supplier's appropriate technology.
    catch_up(firms, env.dt)
    if f.productivity_noise > 0:
        theta += uniform_noise(rng, firms.size, f.productivity_noise * np.sqrt(env.dt))


def spontaneous_multiplier(firms: FirmPopulation) -> np.ndarray:
    """Factor on p common to all technologies: absorptive capacity, finance and transfer
    (collaboration with an institute). (Platform matches act through their own hazard on the
    matched technology, stisim.agents.matching.platform_adoptions.)"""
    d = firms.cfg.diffusion
    out = relative_skill(firms)
    if d.skill_effect != 1.0:
        out **= F32(d.skill_effect)
    if firms.cfg.mechanisms.finance:
        out *= finance_factor(firms)
    collab = firms.collab > 0
    if d.transfer_boost and collab.any():
        out *= factor_where(collab, 1.0 + d.transfer_boost)
    return out


def spontaneous_cells(firms: FirmPopulation, env: FirmEnv, j: int
                      ) -> tuple[np.ndarray, np.ndarray]:
    """p of technology j per sector-region cell as ``scale * common + add`` for a firm with
    common factor ``common`` (:func:`spontaneous_multiplier`): Bass p times the coverage of
    the cell's region (as far as the technology depends on it), plus subsidies; the pandemic
    pushes digital. Returns ``(scale, add)``, each (cell,)."""
    c = firms.calib
    n_r = firms.n_regions
    dep = firms.cfg.diffusion.coverage_dependence[TECHNOLOGIES[j]]
    scale = np.full(n_r, c.p[j])
    if dep:
        scale *= 1.0 - dep + dep * env.coverage
    add = np.asarray(env.subsidy[j], dtype=float).copy()
    if j == DIGITAL and env.digital_push > 0:
        scale *= 1.0 + env.digital_push
        add *= 1.0 + env.digital_push
    return np.tile(scale, N_SECTOR).astype(F32), np.tile(add, N_SECTOR).astype(F32)


def group_map(firms: FirmPopulation) -> tuple[np.ndarray, int]:
    """Peer group of each sector-region cell for imitation in adoption
    (``diffusion.mixing``: one group for the economy, per sector, per region or per cell),
    and the number of groups."""
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
    Only non-adopters are visited (adoption is absorbing). Peer groups are unions of
    sector-region cells, so group statistics are summed from cell statistics.
    """
    d = firms.cfg.diffusion
    c = firms.calib
    rng = firms.model.rng
    dt = env.dt
    n_cells = firms.n_groups
    cell_group, n_groups = group_map(firms)
    policy = firms.cfg.mechanisms.adoption_policy
    common = spontaneous_multiplier(firms) if policy else None
    platform = bool((firms.match_left > 0).any() or firms.shadow.any())
    # Eligible firms per peer group from alive firms per sector-region cell.
    alive_cells = firms.stats["n_cell"]
    cell_sector = np.arange(n_cells) // firms.n_regions
    for j in range(N_TECH):
        firms.new_adoptions[j] = 0.0
        adopted = firms.adopted[j]
        n_g = np.bincount(cell_group, weights=alive_cells * c.eligible[j][cell_sector],
                          minlength=n_groups)
        n_tot = n_g.sum()
        if n_tot == 0:
            continue
        cand = firms.eligible[j] & ~adopted
        idx = np.flatnonzero(cand)  # eligible non-adopters
        cell = firms.sr[idx]
        if policy:
            scale, add = spontaneous_cells(firms, env, j)
            common_i = common[idx]
            non_c, common_c = binned_sums(cell, n_cells, None, common_i)
            p_c = scale * common_c + add * non_c  # sum of p_f over non-adopters per cell
        else:
            (non_c,) = binned_sums(cell, n_cells, None)
            p_c = c.p[j] * non_c
        non_g = np.bincount(cell_group, weights=non_c, minlength=n_groups)
        a_g = n_g - non_g
        s_econ = a_g.sum() / n_tot
        lw = d.local_weight if n_groups > 1 else 1.0
        s_g = lw * np.divide(a_g, n_g, out=np.full(n_groups, s_econ), where=n_g > 0) \
            + (1 - lw) * s_econ
        if idx.size == 0 and not (policy and platform and firms.shadow[j].any()):
            continue
        p_sum = np.bincount(cell_group, weights=p_c, minlength=n_groups)
        p_g = np.divide(p_sum, non_g, out=np.full(n_groups, c.p[j]), where=non_g > 0)
        # Midpoint estimate of the peer share over the step (second order in dt).
        s_mid = s_g + 0.5 * dt * (p_g + c.q[j] * s_g) * (1.0 - s_g)
        q_cell = (c.q[j] * s_mid)[cell_group]
        if policy:
            hazard = scale.take(cell)
            hazard *= common_i
            hazard += (add + q_cell).astype(F32).take(cell)
        else:
            hazard = (c.p[j] + q_cell).astype(F32).take(cell)
        shadow = firms.shadow[j]
        if policy and platform and shadow.any():
            # Adopters through matches keep their draw at their place among non-adopters.
            shadow &= firms.eligible[j]  # exited firms leave
            s = np.flatnonzero(shadow)
            both = np.concatenate([idx, s])
            order = np.argsort(both, kind="stable")
            rate = np.concatenate([hazard, shadow_hazard(firms, s, scale, add, q_cell,
                                                         common)])
            fired = np.empty(both.size, dtype=bool)
            fired[order] = events(rng, rate[order], dt)
            new = idx[fired[:idx.size]]
            shadow[s[fired[idx.size:]]] = False
        else:
            new = idx[events(rng, hazard, dt)]
        adopted[new] = True
        if policy and platform:
            # A second, independent hazard while matched on j (attributable to the match).
            via = platform_adoptions(firms, j, idx, dt, events)
            adopted[via] = True
            settle(firms, j, via, dt)
            new = np.concatenate([new, via])
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
    skill = firms.skill
    # Skilled workers leave (turnover) and new labour-market entrants are unskilled.
    skill *= F32(np.exp(-(f.skill_turnover + env.labour_force_growth) * env.dt))
    if env.graduates > 0:
        # Hires per worker are proportional to sqrt(productivity): demand / employment.
        per_worker = np.exp(F32(0.5) * firms.stats["ln_a"])
        per_worker *= alive
        total = float(np.dot(np.maximum(firms.emp, F32(1e-6)), per_worker)) * firms.weight
        if total > 0:
            per_worker *= F32(env.graduates * env.dt / total)
            skill += per_worker
    if env.trained.any():
        code = np.where(alive, firms.region, firms.n_regions)
        (e_r,) = binned_sums(code, firms.n_regions + 1, firms.emp)
        e_r = e_r[:-1] * firms.weight
        per_worker = np.divide(env.trained * env.dt, e_r, out=np.zeros_like(e_r),
                               where=e_r > 0)
        skill += per_worker.astype(F32).take(firms.region)
    np.clip(skill, F32(0.0), F32(0.95), out=skill)


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
    # Growth in log employment over dt: sector demand (incumbents rehire the workers that
    # net exit released) plus selection on productivity relative to the sector mean.
    sel = F32(f.selection * env.dt)
    table = ((g_s + firms.churn) * env.dt - f.selection * env.dt
             * firms.stats["ln_a_mean"]).astype(F32)
    g = firms.stats["ln_a"] * sel
    g += table.take(firms.sector)
    sd = f.employment_noise * np.sqrt(env.dt)
    g += uniform_noise(firms.model.rng, firms.size, sd)
    g -= F32(sd * sd / 2)
    firms.emp *= np.exp(g)


@firm_rule("entry_exit", core=True)
def rule_entry_exit(firms: FirmPopulation, env: FirmEnv, params=None) -> None:
    """Exit hazard falling with relative productivity (mean kept at the base rate times
    shocks); entrants copy the sector and region of a random incumbent and start smaller and
    less productive than their sector's mean."""
    f = firms.cfg.firms
    rng = firms.model.rng
    alive = firms.alive
    n_alive = int(np.count_nonzero(alive))
    if n_alive == 0:
        return
    # Relative productivity enters as exp(-effect * rel), in log space clipped to +-20.
    k = F32(f.exit_productivity_effect)
    lw = (k * firms.stats["ln_a_mean"]).astype(F32).take(firms.sector)
    lw -= k * firms.stats["ln_a"]
    np.clip(lw, F32(-20.0), F32(20.0), out=lw)
    w = np.exp(lw)
    w *= alive
    hook = firms.extra.get("exit_multiplier")  # extension hook (per-firm factor)
    w *= F32(f.exit_rate * env.exit_multiplier * n_alive / max(float(w.sum()), 1e-12))
    if hook is not None:
        w *= hook
    hit = events(rng, w, env.dt)
    hit &= alive
    out = np.flatnonzero(hit)
    n_out = out.size
    emp_total = max(float(np.dot(firms.emp, alive)), 1e-12)
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
    for name in ("rd", "grant_w", "adopt_gain", "collab", "match_left", "match_q",
                 "match_target", "age", "va"):
        getattr(firms, name)[slots] = 0.0
    firms.match_src[slots] = -1
    firms.match_tech[slots] = -1
    firms.performer[slots] = False
    firms.access[slots] = False
    firms.adopted[:, slots] = False
    firms.shadow[:, slots] = False
    for name in [k for k in firms.extra if not k.endswith("__fill")]:
        firms.extra[name][slots] = firms.extra[name + "__fill"]
