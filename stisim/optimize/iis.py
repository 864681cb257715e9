"""Explaining infeasibility in roadmap terms.

For an infeasible LP (or the LP relaxation of an infeasible MILP) HiGHS computes an
irreducible infeasible subsystem (IIS, ``Highs.getIis`` with the ``iis_strategy`` "from LP,
irreducible"): a set of rows and column bounds that cannot hold together while any proper
subset can. When the relaxation is feasible — the conflict needs the integrality of
all-or-nothing actions or exclusive choices — a deletion filter (Chinneck 2008,
*Feasibility and Infeasibility in Optimization*, ch. 2) over named roadmap rules finds an
irreducible set of rules by re-solving the MILP with rules relaxed one at a time.

Rows and bounds are mapped back to the constraint families that produced them and phrased in
roadmap terms; rows of one family and entity that differ only by year are merged into a
range, e.g. "the SDG 7 floor of 60 by 2030 conflicts with the Treasury budget in 2026-2030
and the maximum scale of action KE07".
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass, field

import highspy
import numpy as np

from stisim.errors import StisimError
from stisim.optimize.strategy import QuietHighs

# Families that state a roadmap rule (others only link variables together).
RULES = {"floor": -1, "goal_floor": -1, "budget": 0, "share": 2, "leverage": 2, "funded_min": 1,
         "funded_max": 1, "dependency": 1, "exclusive": 1, "capacity": 1, "equity": 1,
         "epsilon": 0}
STRUCTURAL = {"finance", "response_curve", "progress_limit", "goal_link",
              "outcome_definition", "worst_case", "cvar", "regret"}
IIS_STRATEGY = 6  # kIisStrategyFromLp | kIisStrategyIrreducible


@dataclass
class Conflict:
    """One named element of an infeasible subsystem."""

    family: str
    phrase: str
    rule: bool
    rows: int = 1


@dataclass
class Explanation:
    conflicts: list[Conflict]
    method: str
    seconds: float
    notes: list[str] = field(default_factory=list)

    @property
    def rules(self) -> list[Conflict]:
        return [c for c in self.conflicts if c.rule]

    def headline(self) -> str:
        rules = self.rules or self.conflicts
        if not rules:
            return "the problem is infeasible, but no conflicting constraints were identified"
        ordered = sorted(rules, key=lambda c: RULES.get(c.family, 3))
        first, rest = ordered[0].phrase, [c.phrase for c in ordered[1:]]
        if not rest:
            return f"{first} cannot be met on its own"
        tail = rest[0] if len(rest) == 1 else ", ".join(rest[:-1]) + " and " + rest[-1]
        return f"{first} conflicts with {tail}"

    def text(self) -> str:
        lines = [f"infeasible: {self.headline()}.",
                 f"(irreducible conflict found by {self.method} in {self.seconds:.2f} s)"]
        links = [c for c in self.conflicts if not c.rule]
        if links:
            lines.append("linked through: " + "; ".join(c.phrase for c in links))
        lines += self.notes
        return "\n".join(lines)


class InfeasibleError(StisimError):
    """No allocation satisfies the portfolio's rules; carries the explanation."""

    exit_code = 3

    def __init__(self, explanation: Explanation, label: str = ""):
        self.explanation = explanation
        prefix = f"{label}: " if label else ""
        super().__init__(prefix + explanation.text())


def _bound_phrase(model, col: int, which: str) -> tuple[str, str, bool]:
    """(family, phrase, is_rule) for a column bound in an IIS."""
    var, labels = model.column_owner(col)
    lo, hi, _ = model.col_bounds()
    if var.name == "scale":
        a = labels["action"]
        name = model.portfolio.actions.loc[a, "name"]
        if which == "upper":
            return ("max_scale", f"the maximum scale {hi[col]:g} of action {a} ({name})", True)
        return ("mandatory", f"the commitment to fund action {a} ({name}) at scale "
                             f">= {lo[col]:g}", True)
    if var.name in ("progress", "goal_part") and which == "upper":
        return (var.name, f"the score cap of 100 for {labels.get('indicator')}", False)
    if var.name == "spend" and which == "lower":
        return ("spend", "non-negative spending", False)
    if var.name == "funded":
        return ("funded", f"the on/off choice of action {labels['action']}", False)
    inner = ", ".join(str(v) for v in labels.values())
    return (var.name, f"the {which} bound of {var.name}[{inner}]", var.name not in (
        "spend", "carry", "response", "progress", "goal_part", "outcome"))


def _merge(items: list[tuple[str, dict, bool, object]]) -> list[Conflict]:
    """Merge rows of one family and entity that differ only by year into year ranges."""
    groups: OrderedDict = OrderedDict()
    for family, labels, rule, block in items:
        key_labels = tuple((k, v) for k, v in labels.items() if k != "year")
        key = (family, key_labels)
        groups.setdefault(key, (labels, rule, block, []))[3].append(labels.get("year"))
    out = []
    for (family, _), (labels, rule, block, years) in groups.items():
        lab = dict(labels)
        years = sorted(y for y in years if y is not None)
        if years:
            lab["year"] = _ranges(years)
        phrase = block(lab) if callable(block) else str(block)
        out.append(Conflict(family, phrase, rule, rows=max(1, len(years))))
    return out


def _ranges(years: list[int]) -> str:
    parts, start, prev = [], years[0], years[0]
    for y in [*years[1:], None]:
        if y is not None and y == prev + 1:
            prev = y
            continue
        parts.append(f"{start}" if start == prev else f"{start}-{prev}")
        if y is not None:
            start = prev = y
    return ", ".join(parts)


def _highs_copy(model, relax_integrality: bool) -> highspy.Highs:
    a, row_lo, row_hi = model.matrix()
    col_lo, col_hi, integer = model.col_bounds()
    h = QuietHighs()
    cost = np.zeros(model.ncols)  # feasibility only
    integ = np.zeros(model.ncols, dtype=np.int32) if relax_integrality else integer.astype(
        np.int32)
    h.passModel(model.ncols, model.nrows, a.nnz, 2, 1, 0.0, cost, col_lo, col_hi, row_lo,
                row_hi, a.indptr.astype(np.int32), a.indices.astype(np.int32),
                a.data.astype(float), integ)
    return h


def _infeasible(h: highspy.Highs, time_limit: float) -> bool | None:
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("presolve", "off")
    h.run()
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kInfeasible:
        return True
    if status in (highspy.HighsModelStatus.kOptimal,):
        return False
    return None


def explain_infeasibility(model, time_limit: float = 60.0) -> Explanation:
    """Find and phrase an irreducible set of conflicting roadmap constraints."""
    t0 = time.perf_counter()
    model.absorb_pyomo()
    relaxed = _highs_copy(model, relax_integrality=True)
    lp_infeasible = _infeasible(relaxed, time_limit)
    if lp_infeasible:
        relaxed.setOptionValue("iis_strategy", IIS_STRATEGY)
        status, iis = relaxed.getIis()
        if status != highspy.HighsStatus.kError and iis.valid_ and (
                len(iis.row_index_) or len(iis.col_index_)):
            conflicts = _from_iis(model, iis)
            method = "HiGHS IIS" + (" (LP relaxation)" if model.col_bounds()[2].any() else "")
            return Explanation(conflicts, method, time.perf_counter() - t0)
    conflicts, notes = _deletion_filter(model, time_limit)
    return Explanation(conflicts, "a deletion filter over roadmap rules (MILP re-solves)",
                       time.perf_counter() - t0, notes)


def _from_iis(model, iis) -> list[Conflict]:
    items = []
    for row in iis.row_index_:
        block, local = model.row_owner(int(row))
        items.append((block.name, block.labels(local), block.name not in STRUCTURAL,
                      block.describe or (lambda lab, b=block: b.phrase(0))))
    for col, status in zip(iis.col_index_, iis.col_bound_):
        if status in (highspy.IisBoundStatus.kIisBoundStatusFree,
                      highspy.IisBoundStatus.kIisBoundStatusDropped,
                      highspy.IisBoundStatus.kIisBoundStatusNull):
            continue
        _lo, hi, _ = model.col_bounds()
        which = {highspy.IisBoundStatus.kIisBoundStatusLower: "lower",
                 highspy.IisBoundStatus.kIisBoundStatusUpper: "upper"}.get(status)
        if which is None:  # boxed: report the bound that is not zero-like
            which = "upper" if np.isfinite(hi[col]) else "lower"
        family, phrase, rule = _bound_phrase(model, int(col), which)
        items.append((family, {"col": int(col)}, rule, phrase))
    conflicts = _merge(items)
    # Bounds of the same family phrase identically per column; drop exact duplicates.
    seen, out = set(), []
    for c in conflicts:
        if (c.family, c.phrase) not in seen:
            seen.add((c.family, c.phrase))
            out.append(c)
    return _summarise_bounds(model, out, iis)


def _summarise_bounds(model, conflicts: list[Conflict], iis) -> list[Conflict]:
    """Many action bounds of one kind read better as one item naming the actions."""
    out, bounded = [], {"max_scale": [], "mandatory": []}
    for c in conflicts:
        if c.family in bounded:
            bounded[c.family].append(c)
        else:
            out.append(c)
    for family, items in bounded.items():
        if len(items) <= 3:
            out.extend(items)
            continue
        ids = [c.phrase.split("action ")[1].split(" ")[0] for c in items]
        shown = ", ".join(ids[:8]) + (f" and {len(ids) - 8} more" if len(ids) > 8 else "")
        text = ("the maximum scales of actions " if family == "max_scale"
                else "the commitments to fund actions ") + shown
        out.append(Conflict(family, text, True, rows=len(items)))
    return out


def _rule_groups(model) -> list[tuple[str, str, np.ndarray, np.ndarray, bool]]:
    """Named roadmap rules as groups: (family, phrase, rows, bound columns, integrality)."""
    groups = []
    for block in model.constraints.values():
        if block.name in STRUCTURAL:
            continue
        by_entity: OrderedDict = OrderedDict()
        for local in range(block.n):
            labels = block.labels(local)
            key = tuple((k, v) for k, v in labels.items() if k != "year")
            by_entity.setdefault(key, ([], []))
            by_entity[key][0].append(local)
            by_entity[key][1].append(labels.get("year"))
        for key, (locals_, years) in by_entity.items():
            lab = dict(key)
            yrs = sorted(y for y in years if y is not None)
            if yrs:
                lab["year"] = _ranges(yrs)
            phrase = block.describe(lab) if block.describe else block.name
            groups.append((block.name, phrase, block.start + np.array(locals_), np.array([],
                                                                                        int),
                           False))
    scale = model.variables["scale"]
    lo, _hi, integer = model.col_bounds()
    cols = scale.columns
    mand = cols[lo[cols] > 0]
    if mand.size:
        names = ", ".join(model.column_owner(int(c))[1]["action"] for c in mand)
        groups.append(("mandatory", f"the commitments to fund {names}", np.array([], int),
                       mand, False))
    groups.append(("max_scale", "the maximum scales of the actions", np.array([], int), cols,
                   False))
    if integer.any():
        groups.append(("indivisible", "the all-or-nothing rule of indivisible actions",
                       np.array([], int), np.flatnonzero(integer), True))
    return groups


def _deletion_filter(model, time_limit: float) -> tuple[list[Conflict], list[str]]:
    _a, row_lo, row_hi = model.matrix()
    col_lo, col_hi, integer = model.col_bounds()
    groups = _rule_groups(model)
    h = _highs_copy(model, relax_integrality=False)
    active = [True] * len(groups)
    notes = []

    def apply(k: int, on: bool) -> None:
        _, _, rows, cols, integ = groups[k]
        if rows.size:
            lo = row_lo[rows] if on else np.full(rows.size, -highspy.kHighsInf)
            hi = row_hi[rows] if on else np.full(rows.size, highspy.kHighsInf)
            h.changeRowsBounds(rows.size, rows.astype(np.int32), lo, hi)
        if cols.size and not integ:
            fam = groups[k][0]
            lo = col_lo[cols] if on or fam != "mandatory" else np.zeros(cols.size)
            hi = col_hi[cols] if on or fam != "max_scale" else np.full(cols.size,
                                                                        highspy.kHighsInf)
            h.changeColsBounds(cols.size, cols.astype(np.int32), lo, hi)
        if cols.size and integ:
            kinds = integer[cols].astype(np.uint8) if on else np.zeros(cols.size, np.uint8)
            h.changeColsIntegrality(cols.size, cols.astype(np.int32), kinds)

    for k in range(len(groups)):
        apply(k, False)
        state = _infeasible(h, time_limit)
        if state is None:
            notes.append(f"could not decide whether relaxing {groups[k][1]} helps "
                         "(time limit); kept")
        if state:
            active[k] = False
        else:
            apply(k, True)
    conflicts = [Conflict(g[0], g[1], True, rows=max(1, g[2].size))
                 for g, on in zip(groups, active) if on]
    return conflicts, notes
