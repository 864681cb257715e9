"""The equivalence test between the vectorised firms and the per-agent Mesa reference
(benchmarks/reference_firms.py), with a statistic that has power.

Both models start from the same firm state and signals; each replicate runs ``steps`` steps of
each with its own seed. Per replicate we record end-state summaries and event counts summed
over the steps (exits, entries, adoptions per technology, firms whose productivity moved by
innovation or by imitation). For every key a Welch t statistic compares the two means; the
models *differ* when any ``|t|`` exceeds the Bonferroni critical value at family-wise level
``alpha`` (Welch-Satterthwaite degrees of freedom).

``perturb`` multiplies one core rate on the vectorised side only (p, q, imitation,
innovation, exit, entry), which is how the power of the comparison is measured::

    python -m benchmarks.reference_power --replicates 8 --steps 4 --factor 1.2

Innovation and imitation both move productivity and are hard to tell apart in the full
model, so the comparison also runs each in isolation (``phases``): a phase switches off every
firm mechanism but the named ones, and its counts (firms whose productivity rose) then measure
that rate alone.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
from scipy import stats

from benchmarks.reference_firms import ReferenceEconomy, restore, snapshot, vectorised_summary
from stisim.agents.catalog import TECHNOLOGIES
from stisim.config.validate import StisimConfig

# Core rates: name -> (where, field). "calib" rates are per-technology arrays.
RATES = {"p": ("calib", "p"), "q": ("calib", "q"), "imitation": ("firms", "imitation_rate"),
         "innovation": ("firms", "innovation_rate"), "exit": ("firms", "exit_rate"),
         "entry": ("firms", "entry_rate")}
# Per phase: the firm mechanisms kept on (all others off; None: the config's), firm
# parameters and calibration constants set to isolate one rate, and the keys compared.
# innovation: every firm performs R&D and there is no base rate, so every innovation event
# comes from innovation_rate x R&D intensity;
# imitation: no foreign catch-up and no productivity noise, so only imitation events move
# productivity; adoption_p / adoption_q: the Bass hazard with q = 0 / p = 0; event rates
# are raised where the calibrated ones give too few events in a short run (R&D intensity
# 0.05, p = 0.1, exit and entry 0.2 a year): the perturbation multiplies them all the same.
PHASES: dict[str, tuple[tuple[str, ...] | None, dict[str, float], dict[str, float],
                        tuple[str, ...]]] = {
    "full": (None, {}, {}, ("firms", "employment", "theta", "skill", "rd", "exits", "entries",
                            *(f"adoption_{t}" for t in TECHNOLOGIES))),
    "innovation": (("finance", "rd", "innovation"), {"innovation_base_rate": 0.0},
                   {"rd_threshold": -1e9, "rd_intensity": 0.05},
                   ("rose", "theta")),
    "imitation": (("imitation",), {"foreign_catchup": 0.0, "productivity_noise": 0.0}, {},
                  ("rose", "theta")),
    "adoption_p": (("finance", "adoption"), {}, {"q": 0.0, "p": 0.1}, ("adoptions",)),
    "adoption_q": (("finance", "adoption"), {}, {"p": 0.0}, ("adoptions",)),
    "entry_exit": (("entry_exit",), {"exit_rate": 0.2, "entry_rate": 0.2}, {},
                   ("exits", "entries")),
}
FIRM_MECHANISMS = ("finance", "rd", "innovation", "imitation", "adoption", "skills", "growth",
                   "entry_exit")


@contextlib.contextmanager
def perturbed(pop, rate: str | None, factor: float) -> Iterator[None]:
    """The vectorised population with one core rate multiplied by ``factor``."""
    if rate is None:
        yield
        return
    where, name = RATES[rate]
    cfg, calib = pop.cfg, pop.calib
    try:
        if where == "calib":
            pop.calib = dataclasses.replace(calib, **{name: getattr(calib, name) * factor})
        else:
            firms = dataclasses.replace(cfg.firms, **{name: getattr(cfg.firms, name) * factor})
            pop.cfg = StisimConfig(seed=cfg.seed, sections={**cfg.sections, "firms": firms})
        yield
    finally:
        pop.cfg, pop.calib = cfg, calib


@contextlib.contextmanager
def phase(pop, name: str) -> Iterator[None]:
    """The population configured for a phase (both models read ``pop.cfg`` and
    ``pop.calib`` when they are built)."""
    keep, firm_values, calib_values, _ = PHASES[name]
    if keep is None:
        yield
        return
    from stisim.agents.registry import active_firm_rules

    cfg, calib, rules = pop.cfg, pop.calib, pop.rules
    mech = dataclasses.replace(cfg.mechanisms, **{m: m in keep for m in FIRM_MECHANISMS})
    firms = dataclasses.replace(cfg.firms, **firm_values)
    try:
        pop.cfg = StisimConfig(seed=cfg.seed, sections={**cfg.sections, "mechanisms": mech,
                                                       "firms": firms})
        pop.calib = dataclasses.replace(calib, **{
            k: np.full_like(getattr(calib, k), v) if isinstance(getattr(calib, k), np.ndarray)
            else v for k, v in calib_values.items()})
        pop.rules = active_firm_rules(pop.cfg.extensions, pop.cfg.mechanisms)
        yield
    finally:
        pop.cfg, pop.calib, pop.rules = cfg, calib, rules


def _reference(pop, env, seed: int, steps: int) -> dict[str, float]:
    economy = ReferenceEconomy(pop, env, seed=seed)
    exits = entries = rose = adoptions = 0
    for _ in range(steps):
        before = {a.unique_id: (a.theta, sum(a.adopted)) for a in economy.firms}
        economy.step()
        after = {a.unique_id: a for a in economy.firms}
        exits += len(before.keys() - after.keys())
        entries += len(after.keys() - before.keys())
        for uid, (theta, adopted) in before.items():
            if uid in after:
                rose += after[uid].theta > theta + 1e-6
                adoptions += sum(after[uid].adopted) - adopted
    out = economy.summary()
    out.update(exits=float(exits), entries=float(entries), rose=float(rose),
               adoptions=float(adoptions))
    return out


def _vectorised(model, pop, env, seed: int, steps: int) -> dict[str, float]:
    model.rng = np.random.default_rng(100 + seed)
    exits = entries = rose = adoptions = 0
    for _ in range(steps):
        theta, alive, adopted = pop.theta.copy(), pop.alive.copy(), pop.adopted.sum(0)
        age = pop.age.copy()
        pop.run(env)
        n = alive.size
        # the same firm in its slot: alive before and after, not replaced by an entrant
        same = alive & pop.alive[:n] & (pop.age[:n] > age)
        exits += pop.exits * env.dt / pop.weight
        entries += pop.entries * env.dt / pop.weight
        rose += int(np.count_nonzero(pop.theta[:n][same] > theta[same] + 1e-6))
        adoptions += int((pop.adopted.sum(0)[:n][same] - adopted[same]).sum())
    out = vectorised_summary(pop)
    out.update(exits=float(round(exits)), entries=float(round(entries)), rose=float(rose),
               adoptions=float(adoptions))
    return out


@dataclass
class Comparison:
    """Welch t per key and the verdict."""

    t: dict[str, float]
    critical: dict[str, float]
    means: dict[str, tuple[float, float]] = field(default_factory=dict)

    @property
    def differ(self) -> bool:
        return any(abs(self.t[k]) > self.critical[k] for k in self.t)

    def worst(self) -> tuple[str, float]:
        k = max(self.t, key=lambda k: abs(self.t[k]) / self.critical[k])
        return k, self.t[k]


def welch(ref: np.ndarray, vec: np.ndarray, alpha: float, keys: int) -> tuple[float, float]:
    """Welch t of vec - ref and its Bonferroni critical value (``keys`` comparisons)."""
    n1, n2 = ref.size, vec.size
    v1, v2 = ref.var(ddof=1) / n1, vec.var(ddof=1) / n2
    se = math.sqrt(v1 + v2)
    diff = float(vec.mean() - ref.mean())
    if se == 0.0:
        return (0.0 if diff == 0.0 else math.copysign(math.inf, diff)), 1.0
    df = (v1 + v2) ** 2 / (v1**2 / (n1 - 1) + v2**2 / (n2 - 1)) if v1 + v2 > 0 else n1 + n2 - 2
    return diff / se, float(stats.t.ppf(1 - alpha / (2 * keys), max(df, 1.0)))


def _runs(model, replicates: int, phases: tuple[str, ...], first_seed: int, one
          ) -> dict[str, list[float]]:
    """Values per ``phase:key``, one per replicate, of ``one(pop, env, seed)`` run from the
    same starting snapshot (restored afterwards)."""
    pop = model.firms
    env = model.base_env()
    snap = snapshot(pop)
    rows: dict[str, list[float]] = {}
    try:
        for name in phases:
            with phase(pop, name):
                for seed in range(first_seed, first_seed + replicates):
                    restore(pop, snap)
                    values = one(pop, env, seed)
                    for key in PHASES[name][3]:
                        rows.setdefault(f"{name}:{key}", []).append(values[key])
    finally:
        restore(pop, snap)
    return rows


def reference_runs(model, replicates: int, steps: int,
                   phases: tuple[str, ...] = tuple(PHASES), first_seed: int = 0
                   ) -> dict[str, list[float]]:
    """The per-agent reference's values per ``phase:key``, one per replicate (the costly
    part: computed once and compared with every perturbation)."""
    return _runs(model, replicates, phases, first_seed,
                 lambda pop, env, seed: _reference(pop, env, seed, steps))


def vectorised_runs(model, replicates: int, steps: int, rate: str | None = None,
                    factor: float = 1.2, phases: tuple[str, ...] = tuple(PHASES),
                    first_seed: int = 0) -> dict[str, list[float]]:
    """The vectorised firms' values per ``phase:key``, with ``rate`` x ``factor``."""
    def one(pop, env, seed):
        with perturbed(pop, rate, factor):
            return _vectorised(model, pop, env, seed, steps)

    return _runs(model, replicates, phases, first_seed, one)


def compare(reference: dict[str, list[float]], vectorised: dict[str, list[float]],
            alpha: float = 1e-3) -> Comparison:
    """Welch t per key (vectorised - reference) with Bonferroni critical values."""
    t, crit, means = {}, {}, {}
    for key, r in reference.items():
        v = np.array(vectorised[key])
        t[key], crit[key] = welch(np.array(r), v, alpha, len(reference))
        means[key] = (float(np.mean(r)), float(v.mean()))
    return Comparison(t, crit, means)


def main() -> None:
    from stisim.agents.model import build_model
    from stisim.config import load_config
    from stisim.pipeline import build

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--firms", type=int, default=1500)
    p.add_argument("--replicates", type=int, default=8)
    p.add_argument("--steps", type=int, default=4)
    p.add_argument("--factor", type=float, default=1.2)
    p.add_argument("--country", default="kenya")
    p.add_argument("--first-seed", type=int, default=0)
    args = p.parse_args()
    model = build_model(build(load_config("run", [f"country={args.country}",
                                                  f"firms.count={args.firms}",
                                                  "institutes.count=6"])))
    t0 = time.perf_counter()
    ref = reference_runs(model, args.replicates, args.steps, first_seed=args.first_seed)
    print(f"reference: {time.perf_counter() - t0:.1f} s", flush=True)
    for rate in (None, *RATES):
        t0 = time.perf_counter()
        c = compare(ref, vectorised_runs(model, args.replicates, args.steps, rate, args.factor,
                                         first_seed=args.first_seed))
        key, t = c.worst()
        own = {k: f"{v:+.1f}" for k, v in c.t.items() if abs(v) > 3}
        print(f"{rate or 'none':<11} differ={c.differ!s:<5} worst {key} t={t:+.1f} "
              f"(critical {c.critical[key]:.1f}) {time.perf_counter() - t0:.1f} s {own}",
              flush=True)


if __name__ == "__main__":
    main()
