"""Seeds: every random stream stisim uses, derived from a config's root ``seed``.

One convention for every command and driver. Each use has its own
:class:`numpy.random.SeedSequence` spawn key, so streams never coincide and a seed depends
only on its position, never on how many runs or replicates there are or in which order they
execute:

============================  ===========================================================
use                           sequence
============================  ===========================================================
sweep design sampling         ``SeedSequence(seed, spawn_key=(0,))``
replicate ``r`` (common)      ``SeedSequence(seed, spawn_key=(1, r))``: the same in every
                              run, strategy or design point (common random numbers)
run ``i``, replicate ``r``    ``SeedSequence(seed, spawn_key=(2, i, r))`` (independent)
monitoring noise, replicate   ``SeedSequence(seed, spawn_key=(3, r))`` (adaptive roadmaps)
response-curve ensembles      replicate seeds of ``seed + 7919``: never the seeds of the
                              runs the curves are used to compare
robust-optimisation samples   ``SeedSequence([seed, 5])``
business-as-usual ensemble    ``SeedSequence(seed, spawn_key=(6, r))``: the optimiser's
                              agent-model counterfactual, never the seeds of compared runs
pilot batch of a comparison   ``SeedSequence(seed, spawn_key=(8, r))`` (sample-size
                              estimate; independent of the verdict's replicates)
PPI runs                      ``SeedSequence(seed).generate_state(n)``
matching platform of a run    ``SeedSequence(seed, spawn_key=(9,))``: the platform's own
                              draws (matches, adoptions through them, follow-on), so the
                              firms' draws stay those of the run without the platform
============================  ===========================================================

A run's seed is the first 32-bit word of its sequence's state with the top bit cleared (31
bits: it fits every integer type of classic netCDF, so run files stay in the fast format); it
becomes the run config's ``seed``, from which the model creates its one
``numpy.random.Generator``.
"""

from __future__ import annotations

import numpy as np

DESIGN_STREAM = 0
COMMON_STREAM = 1
INDEPENDENT_STREAM = 2
MONITOR_STREAM = 3
RESPONSE_OFFSET = 7919  # a prime: response ensembles use other seeds than compared runs
ROBUST_STREAM = 5
COUNTERFACTUAL_STREAM = 6
PILOT_STREAM = 8
PLATFORM_STREAM = 9


def design_rng(seed: int) -> np.random.Generator:
    """The generator that samples a sweep design."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(DESIGN_STREAM,)))


def _word(seed: int, key: tuple[int, ...]) -> int:
    word = np.random.SeedSequence(seed, spawn_key=key).generate_state(1, np.uint32)[0]
    return int(word) & 0x7FFFFFFF


def replicate_seeds(seed: int, n_runs: int, n_replicates: int, common: bool = True
                    ) -> np.ndarray:
    """Seeds as an ``(n_runs, n_replicates)`` int64 array of values in [0, 2**31)."""
    if common:
        row = [_word(seed, (COMMON_STREAM, r)) for r in range(n_replicates)]
        return np.tile(np.array(row, dtype=np.int64), (n_runs, 1))
    return np.array([[_word(seed, (INDEPENDENT_STREAM, i, r)) for r in range(n_replicates)]
                     for i in range(n_runs)], dtype=np.int64).reshape(n_runs, n_replicates)


def common_seeds(seed: int, replicates: int) -> list[int]:
    """The replicate seeds with common random numbers: replicate ``r`` has the same seed in
    every strategy, scenario and design point."""
    return [int(s) for s in replicate_seeds(seed, 1, replicates, common=True)[0]]


def response_seeds(seed: int, replicates: int) -> list[int]:
    """Replicate seeds of the agent-model ensembles that estimate response curves."""
    return common_seeds(seed + RESPONSE_OFFSET, replicates)


def counterfactual_seeds(seed: int, replicates: int) -> list[int]:
    """Replicate seeds of the business-as-usual ensemble the optimiser plans against."""
    return [_word(seed, (COUNTERFACTUAL_STREAM, r)) for r in range(replicates)]


def pilot_seeds(seed: int, replicates: int) -> list[int]:
    """Replicate seeds of the pilot batch that sizes a comparison."""
    return [_word(seed, (PILOT_STREAM, r)) for r in range(replicates)]


def averaged_seeds(seed: int, replicates: int) -> list[int]:
    """Seeds of a stochastic evaluation averaged over ``replicates`` runs (calibration): the
    seed itself for one run, else the common replicate seeds."""
    return [int(seed)] if replicates == 1 else common_seeds(seed, replicates)


def monitor_rng(seed: int, replicate: int) -> np.random.Generator:
    """The generator of monitoring noise in replicate ``replicate`` of an adaptive run."""
    return np.random.default_rng(np.random.SeedSequence(int(seed),
                                                        spawn_key=(MONITOR_STREAM, replicate)))


def robust_rng(seed: int) -> np.random.Generator:
    """The generator of the scenarios sampled for a robust allocation."""
    return np.random.default_rng(np.random.SeedSequence([seed, ROBUST_STREAM]))


def ppi_seeds(seed: int, runs: int) -> np.ndarray:
    """Seeds of ``runs`` Policy Priority Inference runs (paired run by run across calls)."""
    return np.random.SeedSequence(seed).generate_state(runs)


def platform_rng(seed: int) -> np.random.Generator:
    """The matching platform's own generator in a run seeded ``seed`` (its draws never move
    the model's main stream, so a run with the platform stays paired draw for draw with its
    twin without it)."""
    return np.random.default_rng(np.random.SeedSequence(int(seed),
                                                        spawn_key=(PLATFORM_STREAM,)))
