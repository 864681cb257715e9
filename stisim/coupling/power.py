"""Verdicts with power: how many replicates a comparison needs, and how much common random
numbers save.

A **pilot batch** runs every compared allocation (and no roadmap) in
``compare.pilot_replicates`` replicates on seeds of their own
(:func:`stisim.seeds.pilot_seeds`: the verdict is never computed on pilot runs, so sizing
does not bias it). The verdict metric is ``sdg_gain``, discounted SDG-index points x years
over no roadmap; a resolution of ``compare.resolution`` SDG-index points (default 0.1) is
ρ x W points x years, W = Σ_t (1 + r)^-(t - t0) over the roadmap years. For each pair the
verdicts read (the two best strategies in the pilot, ``optimal_sdg`` against
``equal_split`` and against no roadmap) the paired differences across replicates have a
standard deviation s; the replicates needed are the smallest n with

    t_{0.975, n-1} s / √n <= ρ W          (95 % CI half-width at most the resolution)

taking the largest n over the pairs (at least ``compare.replicates``, at most
``compare.max_replicates``). The time is estimated from the pilot's seconds per run; when
it would exceed ``compare.max_seconds``, the comparison runs what fits and warns with the
resolution it can reach. Firm count: under the labelled assumption that the replicate
standard deviation falls as 1/√(firms.count) (more firms average out idiosyncratic firm
noise), n replicates at F firms resolve as well as 1 replicate at n x F firms at about the
same cost (run time is about linear in firms), so the estimate is reported as replicates
at the configured firm count.

**Variance reduction**, measured on the verdict's runs: common random numbers (replicate r
has the same seed in every strategy) make a paired difference's variance
var(A - B) = var(A) + var(B) - 2 cov(A, B); the factor reported is
(var(A) + var(B)) / var(A - B), the replicates saved against independent seeds. The
no-roadmap twin (a control variate with coefficient 1: each strategy's index minus the
no-roadmap index of the same replicate) is measured the same way, as
var(Σ w I_A) / var(Σ w (I_A - I_none)).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import xarray as xr
from scipy import stats

from stisim.coupling import replicates as sm
from stisim.seeds import pilot_seeds


@dataclass
class Plan:
    """How many replicates the verdict needs and why."""

    replicates: int
    needed: int
    pilot_replicates: int
    seconds_per_run: float
    estimated_seconds: float
    resolution: float  # SDG-index points
    resolution_points_years: float
    pairs: dict[str, float] = field(default_factory=dict)  # pair -> sd of the difference
    warning: str | None = None

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items()}


def weight_sum(portfolio, times: np.ndarray) -> float:
    """W = Σ over the simulated roadmap years of the discount factors."""
    from stisim.roadmap.discount import discount_factors

    years = portfolio.years
    t = times[(times >= years[0]) & (times <= years[-1])]
    return float(discount_factors(portfolio.discount_rate, t, years[0]).sum())


def replicates_for(sd: float, half_width: float, cap: int = 10_000) -> int:
    """Smallest n >= 2 with t_{0.975,n-1} sd / √n <= half_width."""
    if not np.isfinite(sd) or sd <= 0:
        return 2
    n = max(2, math.ceil((1.96 * sd / half_width) ** 2))
    while n < cap and stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n) > half_width:
        n += 1
    return min(n, cap)


def distinct(ranked: list[str], gains: dict[str, np.ndarray]) -> list[str]:
    """``ranked`` without strategies whose runs equal a better-ranked one's in every
    replicate (the same plan under two names, e.g. one_goal_first = expert_ranking)."""
    out: list[str] = []
    for n in ranked:
        if not any(np.array_equal(gains[n], gains[m]) for m in out):
            out.append(n)
    return out


def verdict_pairs(names: list[str], gains: dict[str, np.ndarray]) -> list[tuple[str, str]]:
    """The pairs the verdicts read: the two best strategies, optimal_sdg (and the robust
    plan of ``stisim plan``, robust_sdg) against equal_split and against no roadmap."""
    ranked = distinct(sorted((n for n in names if n != "no_roadmap"),
                             key=lambda n: -gains[n].mean()), gains)
    pairs = []
    if len(ranked) >= 2:
        pairs.append((ranked[0], ranked[1]))
    for plan in ("optimal_sdg", "robust_sdg"):
        if plan not in names:
            continue
        for other in ("equal_split", "no_roadmap"):
            if other in names and (plan, other) not in pairs and (other, plan) not in pairs:
                pairs.append((plan, other))
    return pairs


def pilot(cfg, portfolio, inputs, allocations: dict[str, object], log=print) -> Plan:
    """Run the pilot batch and size the verdict (``allocations``: name -> Budgets or None,
    no_roadmap first)."""
    c = cfg.compare
    names = list(allocations)
    seeds = pilot_seeds(int(cfg.seed), int(c.pilot_replicates))
    t0 = time.perf_counter()
    runs = sm.run_batches(inputs, list(allocations.values()), seeds, int(c.workers))
    wall = time.perf_counter() - t0
    per_run = wall * int(c.workers) / (len(names) * len(seeds))
    ref = runs[0]["sdg_index"]
    gains = {n: sm.discounted_gain(r["sdg_index"], ref, portfolio.years,
                                   portfolio.discount_rate).values
             for n, r in zip(names, runs)}
    w = weight_sum(portfolio, runs[0]["time"].values)
    half = float(c.resolution) * w
    sds, needed = {}, int(c.replicates)
    for a, b in verdict_pairs(names, gains):
        sd = float(np.std(gains[a] - gains[b], ddof=1)) if len(seeds) > 1 else np.nan
        sds[f"{a} - {b}"] = sd
        needed = max(needed, replicates_for(sd, half))
    n = min(needed, int(c.max_replicates))
    est = per_run * len(names) * n / int(c.workers)
    warning = None
    if est > float(c.max_seconds):
        fit = max(2, int(float(c.max_seconds) * int(c.workers) / (per_run * len(names))))
        worst = max((v for v in sds.values() if np.isfinite(v)), default=np.nan)
        reach = stats.t.ppf(0.975, fit - 1) * worst / math.sqrt(fit) / w
        warning = (f"{needed} replicates are needed to resolve {c.resolution} SDG-index points "
                   f"with 95% confidence (about {est:.0f} s at {per_run:.2f} s per run on "
                   f"{c.workers} worker(s)), more than compare.max_seconds = {c.max_seconds:g}; "
                   f"running {fit}, which resolve about {reach:.2f} points")
        n = min(n, fit)
        est = per_run * len(names) * n / int(c.workers)
    elif needed > int(c.max_replicates):
        warning = (f"{needed} replicates are needed to resolve {c.resolution} SDG-index points; "
                   f"compare.max_replicates = {c.max_replicates} caps them")
    plan = Plan(replicates=int(n), needed=int(needed), pilot_replicates=len(seeds),
                seconds_per_run=round(per_run, 3), estimated_seconds=round(est, 1),
                resolution=float(c.resolution), resolution_points_years=round(half, 4),
                pairs={k: round(v, 4) for k, v in sds.items()}, warning=warning)
    log(f"pilot batch: {len(seeds)} replicates x {len(names)} allocations in {wall:.1f} s; "
        f"sd of the verdicts' paired differences {plan.pairs} points x years; "
        f"{needed} replicates resolve {c.resolution} SDG-index points "
        f"(= {half:.3f} points x years) with 95% confidence")
    if warning:
        log(f"warning: {warning}")
    return plan


def variance_reduction(ds: xr.Dataset, portfolio, pair: tuple[str, str]) -> dict[str, float]:
    """Measured variance-reduction factors of the comparison's verdict pair (see module
    docstring); NaN with fewer than 3 replicates."""
    a, b = pair
    if ds.sizes.get("replicate", 0) < 3:
        return {"common_random_numbers": float("nan"), "no_roadmap_twin": float("nan")}
    ga = ds["sdg_gain"].sel(strategy=a).values
    gb = ds["sdg_gain"].sel(strategy=b).values
    v_diff = float(np.var(ga - gb, ddof=1))
    crn = (float(np.var(ga, ddof=1)) + float(np.var(gb, ddof=1))) / v_diff if v_diff > 0 \
        else float("inf")
    ref = ds["sdg_index"].sel(strategy="no_roadmap")
    zero = xr.zeros_like(ref)
    level = sm.discounted_gain(ds["sdg_index"].sel(strategy=a), zero, portfolio.years,
                               portfolio.discount_rate).values
    v_gain = float(np.var(ga, ddof=1))
    twin = float(np.var(level, ddof=1)) / v_gain if v_gain > 0 else float("inf")
    return {"common_random_numbers": round(crn, 3), "no_roadmap_twin": round(twin, 3)}
