"""The deterministic roadmap LP built directly with highspy from numpy arrays.

This is the HiGHS-alone reference of ``bench_optimise.py``: an independent formulation of the
same problem (finance, shares, budgets, leverage, capacity, equity, concave responses, score
progress; value or sdg objective) written without Pyomo or stisim's expression layer. It reads
the same numeric inputs (``stisim.optimize.inputs.build_inputs``), so its optimum must equal
stisim's. Carry-over, floors, dependencies, exclusive groups and integer actions are not
covered (the benchmark portfolios have none).
"""

from __future__ import annotations

import time

import highspy
import numpy as np
import scipy.sparse as sp

INF = highspy.kHighsInf


class Builder:
    def __init__(self):
        self.lo, self.hi, self.cost = [], [], []
        self.rows, self.cols, self.vals = [], [], []
        self.rlo, self.rhi = [], []
        self.ncol = 0
        self.nrow = 0

    def columns(self, n, lo=0.0, hi=INF, cost=0.0):
        start = self.ncol
        self.lo.append(np.broadcast_to(np.asarray(lo, float), n))
        self.hi.append(np.broadcast_to(np.asarray(hi, float), n))
        self.cost.append(np.broadcast_to(np.asarray(cost, float), n))
        self.ncol += n
        return np.arange(start, start + n)

    def rows_(self, r, c, v, lo, hi):
        """Rows given by local row numbers r (0..k-1), columns c and values v."""
        k = len(lo)
        self.rows.append(np.asarray(r) + self.nrow)
        self.cols.append(np.asarray(c))
        self.vals.append(np.asarray(v, float))
        self.rlo.append(np.asarray(lo, float))
        self.rhi.append(np.asarray(hi, float))
        self.nrow += k
        return np.arange(self.nrow - k, self.nrow)

    def highs(self, sense: int) -> highspy.Highs:
        a = sp.csr_matrix((np.concatenate(self.vals), (np.concatenate(self.rows),
                                                       np.concatenate(self.cols))),
                          shape=(self.nrow, self.ncol))
        a.sum_duplicates()
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.passModel(self.ncol, self.nrow, a.nnz, 2, sense, 0.0, np.concatenate(self.cost),
                    np.concatenate(self.lo), np.concatenate(self.hi), np.concatenate(self.rlo),
                    np.concatenate(self.rhi), a.indptr.astype(np.int32),
                    a.indices.astype(np.int32), a.data, np.zeros(self.ncol, np.int32))
        return h


def build_reference(inputs) -> tuple[highspy.Highs, np.ndarray, float]:
    """(Highs with the LP loaded, row numbers of the budget rows, seconds to build)."""
    t0 = time.perf_counter()
    p = inputs.portfolio
    b = Builder()
    cost = p.cost.values
    share = p.max_share.values
    A, Y = cost.shape
    kinds = p.sources["kind"].to_numpy()
    acts = p.actions
    objective = inputs.options.objective
    upper = np.where(acts["indivisible"], 1.0, acts["max_scale"].astype(float))
    value = acts["value"].to_numpy(float) if objective == "value" else 0.0
    scale = b.columns(A, 0.0, upper, value)
    cell = (cost[:, :, None] > 0) & (share[:, None, :] > 0)
    a_i, y_i, s_i = np.nonzero(cell)
    spend = b.columns(len(a_i))
    # finance: sum_s spend - cost * scale = 0 for each active (a, y)
    key = a_i * Y + y_i
    active = np.flatnonzero((cost > 0).ravel())
    pos = {k: i for i, k in enumerate(active)}
    r = np.array([pos[k] for k in key])
    aa, yy = np.divmod(active, Y)
    b.rows_(np.concatenate([r, np.arange(len(active))]),
            np.concatenate([spend, scale[aa]]),
            np.concatenate([np.ones(len(spend)), -cost[aa, yy]]),
            np.zeros(len(active)), np.zeros(len(active)))
    # shares
    capped = (share[a_i, s_i] < 1)
    k = np.flatnonzero(capped)
    b.rows_(np.concatenate([np.arange(len(k))] * 2),
            np.concatenate([spend[k], scale[a_i[k]]]),
            np.concatenate([np.ones(len(k)), -share[a_i[k], s_i[k]] * cost[a_i[k], y_i[k]]]),
            np.full(len(k), -INF), np.zeros(len(k)))
    # budgets
    budget = p.budget.values
    finite = np.isfinite(budget[s_i, y_i])
    bkey = s_i * Y + y_i
    brows = np.unique(bkey[finite])
    bpos = {kk: i for i, kk in enumerate(brows)}
    sel = np.flatnonzero(finite)
    budget_rows = b.rows_([bpos[kk] for kk in bkey[sel]], spend[sel], np.ones(len(sel)),
                          np.full(len(brows), -INF), budget.ravel()[brows])
    # leverage: private - lev * official <= 0 per (a, y) with a private source
    lev = acts["leverage"].to_numpy(float)
    has_priv = (share[:, kinds == "private"] > 0).any(axis=1)
    lk = np.flatnonzero(has_priv[a_i])
    lkey = a_i[lk] * Y + y_i[lk]
    lrows = np.unique(lkey)
    lpos = {kk: i for i, kk in enumerate(lrows)}
    coef = np.where(kinds[s_i[lk]] == "private", 1.0, -lev[a_i[lk]])
    b.rows_([lpos[kk] for kk in lkey], spend[lk], coef, np.full(len(lrows), -INF),
            np.zeros(len(lrows)))
    # capacity per agency and year
    if len(p.agencies):
        lead = acts["lead"].to_numpy()
        agencies = list(p.agencies.index)
        g_i = np.array([agencies.index(x) for x in lead[a_i]])
        capv = p.capacity.values
        ok = np.isfinite(capv[g_i, y_i])
        ckey = g_i * Y + y_i
        crows = np.unique(ckey[ok])
        cpos = {kk: i for i, kk in enumerate(crows)}
        sel = np.flatnonzero(ok)
        b.rows_([cpos[kk] for kk in ckey[sel]], spend[sel], np.ones(len(sel)),
                np.full(len(crows), -INF), capv.ravel()[crows])
    # regional equity: sum_{a in r} spend - share_r * sum spend >= 0
    if len(p.regions):
        region = acts["region"].to_numpy()
        basis = np.ones(len(spend), bool) if p.equity_basis == "all" else (
            kinds[s_i] != "private")
        regs = p.regions[p.regions["min_share"] > 0]
        rr, cc, vv = [], [], []
        for j, (rid, ms) in enumerate(zip(regs.index, regs["min_share"])):
            coefs = np.where(region[a_i] == rid, 1.0 - ms, -ms) * basis
            rr.append(np.full(len(spend), j))
            cc.append(spend)
            vv.append(coefs)
        if rr:
            b.rows_(np.concatenate(rr), np.concatenate(cc), np.concatenate(vv),
                    np.zeros(len(regs)), np.full(len(regs), INF))
    # effects and progress (sdg objective)
    if objective == "sdg":
        eff = inputs.effects
        a_of = {a: i for i, a in enumerate(p.action_ids)}
        years = inputs.years
        inds = sorted(set(eff["indicator"]), key=inputs.indicators.index)
        head = inputs.headroom.sel(indicator=inds).values
        w = (inputs.weight.sel(indicator=inds).values[:, None]
             * inputs.discount.values[None, :])
        prog = b.columns(len(inds) * len(years), -INF, head.ravel(), w.ravel())
        pr, pc, pv = [], [], []
        for e in eff.itertuples(index=False):
            a = a_of[e.action]
            if e.kind == "concave":
                rcol = b.columns(1, float(np.min(e.ys)))[0]
                slopes = np.diff(e.ys) / np.diff(e.xs)
                icpt = e.ys[:-1] - slopes * e.xs[:-1]
                m = len(slopes)
                b.rows_(np.concatenate([np.arange(m)] * 2),
                        np.concatenate([np.full(m, rcol), np.full(m, scale[a])]),
                        np.concatenate([np.ones(m), -slopes]), np.full(m, -INF), icpt)
                col, c0 = rcol, 1.0
            else:
                col, c0 = scale[a], e.slope
            i = inds.index(e.indicator)
            scale_i = float(inputs.score_scale.sel(indicator=e.indicator)) * e.sign
            for t, year in enumerate(years):
                if year >= e.first_year:
                    pr.append(i * len(years) + t)
                    pc.append(col)
                    pv.append(-scale_i * c0)
        nrow = len(inds) * len(years)
        b.rows_(np.concatenate([np.arange(nrow), np.array(pr, int)]),
                np.concatenate([prog, np.array(pc, int)]),
                np.concatenate([np.ones(nrow), np.array(pv)]), np.full(nrow, -INF),
                np.zeros(nrow))
    h = b.highs(-1)
    return h, budget_rows, time.perf_counter() - t0
