"""Independent reference computations (scipy.optimize.linprog, plain numpy) used to check
the optimiser: feasibility of a given set of scales, greedy and equal-split allocations."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import linprog


def _cells(p):
    cost = p.cost.values
    share = p.max_share.values
    return [(a, y, s) for a in range(cost.shape[0]) for y in range(cost.shape[1])
            for s in range(share.shape[1]) if cost[a, y] > 0 and share[a, s] > 0]


def financing(p, scales: np.ndarray, free: int | None = None, cap: float = 1.0):
    """Can these scales be financed (budgets, shares, leverage, capacity)? With ``free``,
    the largest scale of that action (up to ``cap``) that can be financed; None if none."""
    cost, share = p.cost.values, p.max_share.values
    kinds = p.sources["kind"].to_numpy()
    lev = p.actions["leverage"].to_numpy(float)
    cells = _cells(p)
    n = len(cells) + (1 if free is not None else 0)
    xcol = len(cells)
    a_eq, b_eq, a_ub, b_ub = [], [], [], []
    A, Y, S = cost.shape[0], cost.shape[1], share.shape[1]
    for a in range(A):
        for y in range(Y):
            if cost[a, y] <= 0:
                continue
            row = np.zeros(n)
            for k, (aa, yy, _) in enumerate(cells):
                if aa == a and yy == y:
                    row[k] = 1.0
            if a == free:
                row[xcol] = -cost[a, y]
                a_eq.append(row)
                b_eq.append(0.0)
            else:
                a_eq.append(row)
                b_eq.append(cost[a, y] * scales[a])
            # leverage
            if any(kinds[s] == "private" and share[a, s] > 0 for s in range(S)):
                row = np.zeros(n)
                for k, (aa, yy, ss) in enumerate(cells):
                    if aa == a and yy == y:
                        row[k] = 1.0 if kinds[ss] == "private" else -lev[a]
                a_ub.append(row)
                b_ub.append(0.0)
            # shares
            for s in range(S):
                if 0 < share[a, s] < 1:
                    row = np.zeros(n)
                    k = cells.index((a, y, s))
                    row[k] = 1.0
                    if a == free:
                        row[xcol] = -share[a, s] * cost[a, y]
                        a_ub.append(row)
                        b_ub.append(0.0)
                    else:
                        a_ub.append(row)
                        b_ub.append(share[a, s] * cost[a, y] * scales[a])
    budget = p.budget.values
    for s in range(S):
        for y in range(Y):
            if np.isfinite(budget[s, y]):
                row = np.zeros(n)
                for k, (_, yy, ss) in enumerate(cells):
                    if ss == s and yy == y:
                        row[k] = 1.0
                a_ub.append(row)
                b_ub.append(budget[s, y])
    if len(p.agencies):
        lead = p.actions["lead"].to_numpy()
        for g, agency in enumerate(p.agencies.index):
            for y in range(Y):
                capy = p.capacity.values[g, y]
                if not np.isfinite(capy):
                    continue
                row = np.zeros(n)
                for k, (aa, yy, _) in enumerate(cells):
                    if yy == y and lead[aa] == agency:
                        row[k] = 1.0
                a_ub.append(row)
                b_ub.append(capy)
    c = np.zeros(n)
    bounds = [(0, None)] * len(cells)
    if free is not None:
        c[xcol] = -1.0
        bounds.append((0, cap))
    res = linprog(c, A_ub=np.array(a_ub) if a_ub else None, b_ub=b_ub or None,
                  A_eq=np.array(a_eq) if a_eq else None, b_eq=b_eq or None, bounds=bounds,
                  method="highs")
    if res.status != 0:
        return None if free is not None else False
    return float(res.x[xcol]) if free is not None else True


def _max_scale(p, a: int) -> float:
    acts = p.actions
    return 1.0 if acts["indivisible"].iloc[a] else float(acts["max_scale"].iloc[a])


def _dependency_cap(p, scales: np.ndarray, a: int) -> float:
    ids = list(p.actions.index)
    cap = _max_scale(p, a)
    for dep, pre in p.dependencies:
        if dep == ids[a]:
            b = ids.index(pre)
            cap = min(cap, _max_scale(p, a) * scales[b] / _max_scale(p, b))
    return cap


def _discretise(p, a: int, x: float) -> float:
    acts = p.actions
    if acts["indivisible"].iloc[a]:
        return 1.0 if x >= 1 - 1e-9 else 0.0
    if x < float(acts["min_scale"].iloc[a]) - 1e-9:
        return 0.0
    return x


def greedy(p) -> np.ndarray:
    """Actions by value per unit of cost; each at the largest scale still financeable."""
    acts = p.actions
    total = p.cost.values.sum(axis=1)
    order = np.argsort(-(acts["value"].to_numpy(float) / total), kind="stable")
    scales = np.zeros(len(acts))
    groups = acts["exclusive_group"].to_numpy()
    for a in order:
        g = groups[a]
        if pd.notna(g) and any(scales[b] > 0 for b in range(len(acts)) if groups[b] == g):
            continue
        cap = _dependency_cap(p, scales, a)
        if cap <= 1e-12:
            continue
        x = financing(p, scales, free=int(a), cap=cap)
        scales[a] = _discretise(p, a, x or 0.0)
        # Rounding down can only make financing easier; keep the LP's value otherwise.
    return scales


def fundable_fraction(per: np.ndarray, share: np.ndarray, cost: float) -> float:
    """Largest scale x of an action costing ``cost`` at full scale that sources with
    ``per[s]`` available each can pay, source s paying at most ``share[s] * cost * x``.

    f(x) = sum_s min(per_s, share_s cost x) - cost x is concave and piecewise linear with
    f(0) = 0; the answer is its largest root (0 when f falls from the start)."""
    active = [(per[s], share[s]) for s in range(len(share)) if share[s] > 0 and per[s] > 0]
    x, f = 0.0, 0.0
    for cap in [*sorted({m / (sh * cost) for m, sh in active}), np.inf]:
        slope = cost * (sum(sh for m, sh in active if m / (sh * cost) > x) - 1.0)
        if slope < 0 and x + f / -slope <= cap:
            return x + f / -slope
        f += slope * (cap - x)
        x = cap
    return x


def equal_split(p) -> np.ndarray:
    """Official budgets shared equally by the actions eligible and active each year."""
    cost, share, budget = p.cost.values, p.max_share.values, p.budget.values
    kinds = p.sources["kind"].to_numpy()
    A, Y, S = cost.shape[0], cost.shape[1], share.shape[1]
    frac = np.full(A, np.inf)
    lead = p.actions["lead"].to_numpy()
    for y in range(Y):
        per = np.zeros(S)
        for s in range(S):
            n = sum(1 for a in range(A) if cost[a, y] > 0 and share[a, s] > 0)
            if kinds[s] != "private" and n and np.isfinite(budget[s, y]):
                per[s] = budget[s, y] / n
        for a in range(A):
            if cost[a, y] > 0:
                x = fundable_fraction(per, share[a], cost[a, y])
                if len(p.agencies) and lead[a] in p.agencies.index:
                    # An agency's capacity is shared equally too.
                    g = list(p.agencies.index).index(lead[a])
                    n_g = sum(1 for b in range(A) if cost[b, y] > 0 and lead[b] == lead[a])
                    x = min(x, p.capacity.values[g, y] / n_g / cost[a, y])
                frac[a] = min(frac[a], x)
    scales = np.array([min(frac[a], _max_scale(p, a)) for a in range(A)])
    acts = p.actions
    groups = acts["exclusive_group"].to_numpy()
    values = acts["value"].to_numpy(float)
    for g in {x for x in groups if pd.notna(x)}:
        members = [a for a in range(A) if groups[a] == g]
        keep = max(members, key=lambda a: values[a] * scales[a])
        for a in members:
            if a != keep:
                scales[a] = 0.0
    for _ in range(A):  # dependencies, to a fixed point
        for a in range(A):
            scales[a] = _discretise(p, a, min(scales[a], _dependency_cap(p, scales, a)))
    return scales


def check_allocation(p, ds, tol: float = 1e-6) -> None:
    """Every rule of the portfolio holds for the allocation in ``ds`` (plain numpy)."""
    acts = p.actions
    scale = ds["scale"].values
    spend = ds["spend"].transpose("action", "year", "source").values
    cost, share, budget = p.cost.values, p.max_share.values, p.budget.values
    kinds = p.sources["kind"].to_numpy()
    assert (spend >= -tol).all()
    assert np.allclose(spend.sum(axis=2), cost * scale[:, None], atol=1e-5)
    used = spend.sum(axis=0).T  # (source, year)
    assert (used <= budget + 1e-5).all(), "budget exceeded"
    assert (spend <= share[:, None, :] * cost[:, :, None] * scale[:, None, None] + 1e-5).all()
    private = spend[:, :, kinds == "private"].sum(axis=2)
    official = spend[:, :, kinds != "private"].sum(axis=2)
    lev = acts["leverage"].to_numpy(float)
    assert (private <= lev[:, None] * official + 1e-5).all(), "leverage exceeded"
    ids = list(acts.index)
    for dep, pre in p.dependencies:
        a, b = ids.index(dep), ids.index(pre)
        assert scale[a] / _max_scale(p, a) <= scale[b] / _max_scale(p, b) + 1e-6
    for _, members in p.exclusive_groups().items():
        assert sum(scale[ids.index(m)] > 1e-7 for m in members) <= 1
    for a in range(len(ids)):
        if acts["indivisible"].iloc[a]:
            assert min(abs(scale[a]), abs(scale[a] - 1)) < 1e-7
        elif acts["min_scale"].iloc[a] > 0:
            assert scale[a] < 1e-7 or scale[a] >= acts["min_scale"].iloc[a] - 1e-7
        assert scale[a] <= _max_scale(p, a) + 1e-9
    if len(p.agencies):
        lead = acts["lead"].to_numpy()
        for g, agency in enumerate(p.agencies.index):
            spent = spend[lead == agency].sum(axis=(0, 2))
            assert (spent <= p.capacity.values[g] + 1e-5).all(), "capacity exceeded"
