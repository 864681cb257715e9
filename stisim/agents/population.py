"""The initial firm population: sampled at the base year and calibrated to the baseline.

Sector counts follow the structure's firm shares exactly (largest remainder); employment is
log-normal within a sector and scaled so that sector employment matches; log productivity is
normal around the sector level, which is then solved so that sector value added matches the
base-year structure (hence 9.2.1 and 9.b.1 exactly). Initial adopters, R&D performers and
firms with access to finance are the top-ranked firms on a size/skill score plus noise, in
exactly the configured shares.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq

from stisim.agents.catalog import SECTORS, TECHNOLOGIES
from stisim.agents.firms import F32, N_SECTOR, N_TECH, FirmCalibration
from stisim.agents.structure import Structure


def largest_remainder(total: int, shares: np.ndarray) -> np.ndarray:
    """Integers summing to ``total`` in proportion to ``shares``."""
    raw = total * np.asarray(shares, dtype=float) / np.sum(shares)
    out = np.floor(raw).astype(int)
    out[np.argsort(raw - out)[::-1][: total - out.sum()]] += 1
    return out


def _top_share(score: np.ndarray, mask: np.ndarray, share: float) -> np.ndarray:
    """Boolean: the top ``share`` of ``mask`` by ``score``."""
    idx = np.flatnonzero(mask)
    out = np.zeros(score.size, dtype=bool)
    n = round(share * idx.size)
    if n > 0:
        out[idx[np.argsort(-score[idx], kind="stable")[:n]]] = True
    return out


def initial_shares(diffusion, baseline_values) -> np.ndarray:
    """Adopter share among eligible firms at the base year, per technology (``diffusion``:
    the config section)."""
    out = np.zeros(N_TECH)
    for j, tech in enumerate(TECHNOLOGIES):
        value = diffusion.initial_share[tech]
        if value is None:  # digital: the country's internet use
            value = float(baseline_values["17.8.1"]) / 100.0
        out[j] = min(max(float(value), 0.0), 0.999)
    return out


def sample_firms(f, d, regions, macro, structure: Structure, baseline_values,
                 firm_count: float, rng: np.random.Generator) -> tuple[dict, FirmCalibration]:
    """Arrays of the initial firms and the calibration constants, from the config sections
    ``firms`` (``f``), ``diffusion`` (``d``), ``regions`` and ``macro``."""
    # Never simulate more firms than the country has (small states), but at least 100.
    n = int(min(f.count, max(np.ceil(firm_count), 100)))
    n_regions = regions.n
    weight = firm_count / n

    counts = largest_remainder(n, structure.firm_share)
    # Every sector with value added gets at least one firm (its value-added share is exact).
    for s in np.flatnonzero((counts == 0) & (structure.va_share > 0)):
        counts[np.argmax(counts)] -= 1
        counts[s] += 1
    # Index arrays are intp: numpy gathers and bincounts use them without conversion.
    sector = np.repeat(np.arange(N_SECTOR, dtype=np.intp), counts)
    region = rng.choice(n_regions, size=n, p=structure.region_firms).astype(np.intp)
    emp = rng.lognormal(0.0, f.size_sigma, n)
    emp_target = structure.employment * structure.emp_share
    for s in range(N_SECTOR):
        m = sector == s
        if m.any():
            emp[m] *= emp_target[s] / (emp[m].sum() * weight)
    theta = rng.normal(0.0, f.productivity_dispersion, n)
    skill_rel = np.array([f.skill_sector[s] for s in SECTORS])
    skill = np.clip(f.skill_mean * skill_rel[sector] * rng.lognormal(-0.08, 0.4, n),
                    0.005, 0.95)
    ln_emp = np.log(emp)

    # Initial adopters: the top share of eligible firms by size, skill and noise.
    eligible = np.array([[s in d.eligible[t] for s in SECTORS] for t in TECHNOLOGIES])
    shares = initial_shares(d, baseline_values)
    adopted = np.zeros((N_TECH, n), dtype=bool)
    gain = np.array([d.productivity_effect[t] for t in TECHNOLOGIES])
    adopt_gain = np.zeros(n)
    for j in range(N_TECH):
        score = 0.5 * (ln_emp - ln_emp.mean()) + 3.0 * (skill - skill.mean()) \
            + rng.standard_normal(n)
        adopted[j] = _top_share(score, eligible[j][sector], shares[j])
        adopt_gain += gain[j] * adopted[j]

    # Sector productivity level so that sector value added matches the structure.
    ln_r = np.log(np.asarray(regions.productivity, dtype=float))  # a RegionSet
    base = np.exp(ln_r[region] + theta + adopt_gain) * emp * weight
    va_target = structure.gdp * structure.va_share
    ln_p = np.zeros(N_SECTOR)
    for s in range(N_SECTOR):
        m = sector == s
        ln_p[s] = np.log(va_target[s] / base[m].sum()) if m.any() else 0.0

    # Persistent traits: R&D propensity z, finance draw, trade links (larger firms first).
    z = rng.standard_normal(n)
    fin_u = rng.random(n)
    trade_score = 0.5 * (ln_emp - ln_emp.mean()) / max(ln_emp.std(), 1e-9) \
        + rng.standard_normal(n)
    trade_u = np.empty(n)
    trade_u[np.argsort(-trade_score, kind="stable")] = (np.arange(n) + 0.5) / n

    bias = np.array([f.rd_sector_bias[s] for s in SECTORS])
    skill_ref = float(skill.mean())
    rd_score = bias[sector] + f.rd_size_elasticity * ln_emp \
        + f.rd_skill_effect * (skill - skill_ref) + z
    threshold = float(np.quantile(rd_score, 1.0 - f.rd_performer_share))
    mean_ln_emp = float(ln_emp.mean())
    target = min(0.95, float(baseline_values["8.10.2"]) / 100.0 * f.finance_account_ratio)
    x = f.finance_size_effect * (ln_emp - mean_ln_emp)

    def gap(c: float) -> float:
        return float((1.0 / (1.0 + np.exp(-(c + x)))).mean()) - target

    finance_logit = brentq(gap, -30.0, 30.0)

    state = {
        "alive": np.ones(n, dtype=bool),
        "sector": sector,
        "region": region,
        "sr": sector * n_regions + region,
        "emp": emp.astype(F32),
        "theta": theta.astype(F32),
        "skill": skill.astype(F32),
        "z": z.astype(F32),
        "fin_u": fin_u.astype(F32),
        "trade_u": trade_u.astype(F32),
        "rd": np.zeros(n, dtype=F32),
        "grant_w": np.zeros(n, dtype=F32),
        "adopt_gain": adopt_gain.astype(F32),
        "collab": np.zeros(n, dtype=F32),
        "match_src": np.full(n, -1, dtype=np.int8),
        "match_left": np.zeros(n, dtype=F32),
        "match_tech": np.full(n, -1, dtype=np.int8),
        "match_q": np.zeros(n, dtype=F32),
        "match_target": np.zeros(n, dtype=F32),
        "age": rng.exponential(10.0, n).astype(F32),
        "va": np.zeros(n, dtype=F32),
        "performer": rd_score > threshold,
        "access": np.zeros(n, dtype=bool),
        "adopted": adopted,
    }
    calib = FirmCalibration(
        weight=weight, ln_sector_productivity=ln_p, ln_region_productivity=ln_r,
        rd_threshold=threshold, rd_intensity=0.0, finance_logit=float(finance_logit),
        mean_ln_emp=mean_ln_emp, skill_ref=skill_ref, eligible=eligible,
        p=np.array([d.p * d.p_scale[t] for t in TECHNOLOGIES]),
        q=np.array([d.q * d.q_scale[t] for t in TECHNOLOGIES]),
        gain=gain, emission_cut=np.array([d.emissions_effect[t] for t in TECHNOLOGIES]),
        energy_intensity=np.array([f.energy_intensity[s] for s in SECTORS]),
        mean_emp_sector=emp_target / np.maximum(counts * weight, 1e-12), n0=n,
    )
    return state, calib
