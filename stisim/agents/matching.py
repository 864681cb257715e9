"""The two-sided technology-matching platform (equations: docs/model.md, "Technology-matching
platform"; parameters: section ``matching`` and ``partners.platform_matches/match_cost/
match_years``).

Supply side: listings of four origins (:data:`SUPPLIER_ORIGINS`): domestic research institutes
by field (a field per technology, weighted by the value added of the sectors that can use it;
at most ``listings_per_researcher`` per researcher), domestic frontier firms (above the
``frontier_quantile`` of own productivity in their sector, one listing each, offering the
technologies they have adopted) and foreign suppliers from the North and the South (every
technology). The platform spends ``listing_share`` of its money on listings at
``listing_cost`` x GDP per capita each, split by ``origin_mix`` up to each origin's capacity.

Demand side: firms with an eligible technology they have not adopted and that some listing
offers search with probability ``search_rate`` x relative skilled share per year (at most 1).
Matches per year follow a matching function ``A L^alpha U^(1-alpha)`` of listings L and
searching firms U, capped by the brokerage money (``match_cost`` x GDP per capita a match).
Matched firms are drawn by search intensity; each picks a technology it needs in proportion
to the listings offering it, and a supplier origin in proportion to listings x match quality

    q = a / (a + a_ref) * x exp(1 - x),   x = alpha_o max(level_o - theta, 0) / d*

(absorptive capacity ``a``: skilled share; distance to the supplier's appropriate technology,
best at ``distance_optimum``). A match lasts ``match_years``; while it lasts the firm's hazard
of adopting the matched technology rises by ``adoption_rate`` x q and it closes
``catchup_rate`` x q of its gap to the supplier's technology a year. An adoption through the
platform pays the supplier a licence fee and may lead to follow-on collaboration.

The platform agent plans a step (listings, money, matches affordable; no random draws), the
firm population makes the matches (:func:`make_matches`) and the adoption and imitation rules
apply their effects (:func:`platform_adoptions`, :func:`catch_up`).

Random streams: the platform's draws (matches, adoptions through matches, follow-on) come from
its own generator ``model.platform_rng`` (:func:`stisim.seeds.platform_rng`), and a firm that
adopted through a match keeps its place in the Bass draw of the main stream (its own hazard,
:func:`shadow_hazard`), so the firms' draws stay paired with the run without the platform
(common random numbers) until the platform's effects change other draws (catch-up moves exits
and entries, follow-on collaboration moves innovation).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import NormalDist

import numpy as np

from stisim.agents.catalog import SECTORS, SUPPLIER_ORIGINS, TECHNOLOGIES
from stisim.agents.firms import F32, FirmPopulation, binned_sums, top_k

N_ORIGIN = len(SUPPLIER_ORIGINS)
INSTITUTE, DOMESTIC, NORTH, SOUTH = range(N_ORIGIN)
N_TECH = len(TECHNOLOGIES)
N_SECTOR = len(SECTORS)


@dataclass
class PlatformPlan:
    """One step of the platform: what its money buys (rates per year, real firms, USD)."""

    money: float = 0.0  # delivered to the platform, USD/yr
    listings: np.ndarray = field(default_factory=lambda: np.zeros(N_ORIGIN))
    offer: np.ndarray = field(default_factory=lambda: np.zeros((N_ORIGIN, N_TECH)))
    listing_spent: float = 0.0  # USD/yr
    match_unit: float = 1.0  # USD per brokered match
    affordable: float = 0.0  # brokered matches the money pays for, per year
    free: float = 0.0  # business-as-usual matches per year (partners.platform_matches)
    # Filled by make_matches:
    made: np.ndarray = field(default_factory=lambda: np.zeros((N_ORIGIN, N_SECTOR)))
    brokerage_spent: float = 0.0  # USD/yr
    quality_sum: float = 0.0  # sum of match quality over the simulated matches made
    n_made: int = 0  # simulated matches made

    @property
    def spent(self) -> float:
        return self.listing_spent + self.brokerage_spent

    def make_matches(self, firms: FirmPopulation, frontier: np.ndarray, dt: float) -> None:
        """Called by the firm population at the start of its step (:func:`make_matches`)."""
        make_matches(firms, self, frontier, dt)


def appropriateness(cfg) -> np.ndarray:
    """Share of the gap to each origin's technology that is appropriate (origin,)."""
    a = cfg.partners.appropriateness
    return np.array([1.0, 1.0, a["north_south"], a["south_south"]])


def supplier_levels(firms: FirmPopulation, frontier: np.ndarray) -> np.ndarray:
    """(origin, sector) own-productivity level of what each origin offers a firm of a sector:
    institutes ``institute_z`` sd above the sector mean, domestic frontier firms the
    sector's ``frontier_quantile`` (normal approximation), foreign suppliers their frontier."""
    p = firms.cfg.matching
    st = firms.stats
    out = np.empty((N_ORIGIN, N_SECTOR))
    out[INSTITUTE] = st["theta_mean"] + p.institute_z * st["theta_sd"]
    z = NormalDist().inv_cdf(p.frontier_quantile)
    out[DOMESTIC] = st["theta_mean"] + z * st["theta_sd"]
    out[NORTH] = frontier[0]
    out[SOUTH] = frontier[1]
    return out


def field_shares(firms: FirmPopulation) -> np.ndarray:
    """(technology,) institutes' fields: each technology's share of the value added of the
    sectors eligible for it (a field per technology)."""
    code = np.where(firms.alive, firms.sector, N_SECTOR)
    (va,) = binned_sums(code, N_SECTOR + 1, firms.va.astype(np.float64))
    w = firms.calib.eligible.astype(float) @ va[:N_SECTOR]
    return w / w.sum() if w.sum() > 0 else np.full(N_TECH, 1.0 / N_TECH)


def frontier_mask(firms: FirmPopulation) -> np.ndarray:
    """Alive firms at their sector's domestic frontier (own productivity above the level of
    :func:`supplier_levels`)."""
    lev = supplier_levels(firms, np.zeros(2))[DOMESTIC].astype(F32)
    return firms.alive & (firms.theta >= lev.take(firms.sector))


def plan(model, money: float) -> PlatformPlan:
    """Listings bought with the platform's money and the matches it can broker (no draws)."""
    cfg = model.cfg
    p, part = cfg.matching, cfg.partners
    firms = model.firms
    gdp_pc = model.macro.gdp_per_capita
    out = PlatformPlan(money=money, match_unit=part.match_cost * gdp_pc,
                       free=part.platform_matches)
    if money <= 0 and out.free <= 0:
        return out
    mix = np.array([p.origin_mix[o] for o in SUPPLIER_ORIGINS], dtype=float)
    mix /= mix.sum()
    frontier = frontier_mask(firms)
    researchers = sum(i.researchers for i in model.research_institutes)
    cap = np.array([researchers * p.listings_per_researcher,
                    np.count_nonzero(frontier) * firms.weight, np.inf, np.inf])
    unit = p.listing_cost * gdp_pc
    bought = np.minimum(p.listing_share * money * mix / unit, cap)
    out.listing_spent = float(bought.sum()) * unit
    # Business-as-usual matches come with their own listings (one per match).
    out.listings = np.minimum(bought + out.free * mix, np.maximum(cap, bought))
    out.affordable = max(money - out.listing_spent, 0.0) / out.match_unit
    # Technologies each origin offers.
    out.offer[INSTITUTE] = out.listings[INSTITUTE] * field_shares(firms)
    n_front = np.count_nonzero(frontier)
    if n_front:
        has = (firms.adopted & frontier).sum(axis=1).astype(float)
        if has.sum() > 0:
            out.offer[DOMESTIC] = out.listings[DOMESTIC] * has / has.sum()
    out.offer[NORTH] = out.listings[NORTH] / N_TECH
    out.offer[SOUTH] = out.listings[SOUTH] / N_TECH
    return out


def make_matches(firms: FirmPopulation, pl: PlatformPlan, frontier: np.ndarray,
                 dt: float) -> None:
    """Draw the step's matches and set the matched firms' match state (vectorised)."""
    p = firms.cfg.matching
    rng = firms.model.platform_rng
    w = firms.weight
    offered = pl.offer.sum(axis=0)
    if offered.sum() <= 0:
        return
    need = firms.eligible & ~firms.adopted
    need &= (offered > 0)[:, None]
    users = np.flatnonzero(need.any(axis=0) & (firms.match_left <= 0))
    if users.size == 0:
        return
    skill = firms.skill[users].astype(np.float64)
    sigma = np.minimum(p.search_rate * np.minimum(skill / firms.calib.skill_ref, 3.0), 1.0)
    searching = float(sigma.sum()) * w
    if searching <= 0:
        return
    potential = (p.efficiency * pl.listings.sum() ** p.elasticity
                 * searching ** (1.0 - p.elasticity))
    per_year = min(potential, pl.affordable + pl.free, searching)
    n = min(int(np.floor(per_year * dt / w + rng.random())), users.size)
    if n <= 0:
        return
    keys = np.log(np.maximum(sigma, 1e-12)) + rng.gumbel(size=users.size)
    chosen = users[top_k(keys, n)]
    # The technology each chosen firm looks for: one it needs, by listings offering it.
    k_t = np.log(np.maximum(offered, 1e-300))[:, None] + rng.gumbel(size=(N_TECH, n))
    k_t[~need[:, chosen]] = -np.inf
    tech = np.argmax(k_t, axis=0)
    # Match quality with each origin, and the origin chosen by listings x quality.
    theta = firms.theta[chosen].astype(np.float64)
    sector = firms.sector[chosen]
    gap = np.maximum(supplier_levels(firms, frontier)[:, sector] - theta, 0.0)
    gap *= appropriateness(firms.cfg)[:, None]
    x = gap / p.distance_optimum
    absorb = skill_share(firms, chosen)
    quality = absorb * x * np.exp(1.0 - x)  # (origin, n), in [0, 1)
    weight = pl.offer[:, tech] * quality
    k_o = np.log(np.maximum(weight, 1e-300)) + rng.gumbel(size=(N_ORIGIN, n))
    k_o[weight <= 0] = -np.inf
    origin = np.argmax(k_o, axis=0)
    cols = np.arange(n)
    ok = weight[origin, cols] > 0
    chosen, tech, origin, cols = chosen[ok], tech[ok], origin[ok], cols[ok]
    q = quality[origin, cols]
    firms.match_src[chosen] = origin
    firms.match_tech[chosen] = tech
    firms.match_q[chosen] = q
    firms.match_target[chosen] = (theta[cols] + gap[origin, cols]).astype(F32)
    firms.match_left[chosen] = firms.cfg.partners.match_years
    made = np.zeros((N_ORIGIN, N_SECTOR))
    np.add.at(made, (origin, firms.sector[chosen]), w / dt)
    pl.made += made
    pl.n_made += int(chosen.size)
    pl.quality_sum += float(q.sum())
    paid = max(made.sum() - pl.free, 0.0)
    pl.brokerage_spent = min(paid * pl.match_unit, max(pl.money - pl.listing_spent, 0.0))


def skill_share(firms: FirmPopulation, idx: np.ndarray) -> np.ndarray:
    """Absorptive capacity a / (a + a_ref) of firms ``idx`` (a: skilled share, a_ref: the
    base-year national mean), in [0, 1)."""
    a = firms.skill[idx].astype(np.float64)
    return a / (a + firms.calib.skill_ref)


def platform_adoptions(firms: FirmPopulation, j: int, idx: np.ndarray, dt: float,
                       events) -> np.ndarray:
    """Eligible non-adopters ``idx`` of technology ``j`` (not yet adopters this step) that
    adopt through an active match on ``j``: a second, independent hazard
    ``adoption_rate`` x q (competing risks, so the adoption is attributable to the match)."""
    cand = idx[(firms.match_tech[idx] == j) & (firms.match_left[idx] > 0)]
    cand = cand[~firms.adopted[j, cand]]
    if cand.size == 0:
        return cand
    rate = F32(firms.cfg.matching.adoption_rate) * firms.match_q[cand]
    return cand[events(firms.model.platform_rng, rate, dt)]


def shadow_hazard(firms: FirmPopulation, s: np.ndarray, scale: np.ndarray, add: np.ndarray,
                  q_cell: np.ndarray, common: np.ndarray) -> np.ndarray:
    """The counterfactual of adoptions through matches: a firm ``s`` that adopted through a
    match keeps drawing its own adoption hazard, the Bass hazard it would face as a
    non-adopter (``scale`` x ``common`` + ``add`` + ``q_cell`` of its cell), in the main
    stream at its place among the non-adopters; once it fires, the firm would have adopted by
    now anyway and leaves ``firms.shadow``. Exited firms leave too. (Direct effect only: the
    extra adopters' pull on their peers is not counted.)"""
    cell = firms.sr[s]
    rate = scale.take(cell)
    rate *= common[s]
    rate += (add + q_cell).astype(F32).take(cell)
    return rate


def settle(firms: FirmPopulation, j: int, hit: np.ndarray, dt: float) -> None:
    """Licence fees and follow-on collaboration of adoptions ``hit`` of technology ``j``
    through the platform; recorded in ``firms.platform_account`` (per year)."""
    if hit.size == 0:
        return
    cfg = firms.cfg
    p = cfg.matching
    acc = firms.platform_account
    w = firms.weight
    acc["adoptions"][j] += hit.size * w / dt
    firms.shadow[j, hit] = True
    origin = firms.match_src[hit].astype(np.intp)
    gain = float(np.expm1(firms.calib.gain[j]))
    fee = p.royalty_share * gain * p.licence_years * firms.va[hit].astype(np.float64) * w / dt
    acc["licence_paid"] += float(fee.sum())
    acc["licence_received"] += np.bincount(origin, weights=fee, minlength=N_ORIGIN)
    go = firms.model.platform_rng.random(hit.size) < p.follow_on
    if go.any():
        inst = hit[go & (origin == INSTITUTE)]
        firms.collab[inst] = np.maximum(firms.collab[inst],
                                        F32(cfg.institutes.collaboration_years))
        other = hit[go & (origin != INSTITUTE)]
        firms.match_left[other] += F32(cfg.partners.match_years)
        acc["follow_on"] += float(go.sum()) * w / dt


def catch_up(firms: FirmPopulation, dt: float) -> None:
    """Matched firms close ``catchup_rate`` x q of their gap to the supplier's appropriate
    technology a year (bounded by the gap)."""
    m = np.flatnonzero(firms.match_left > 0)
    if m.size == 0:
        return
    gap = np.maximum(firms.match_target[m] - firms.theta[m], F32(0.0))
    step = np.minimum(F32(firms.cfg.matching.catchup_rate * dt) * firms.match_q[m], F32(1.0))
    firms.theta[m] += gap * step
