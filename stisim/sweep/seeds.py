"""Seeds of a sweep, all derived from the root ``seed`` with :class:`numpy.random.SeedSequence`.

Each use has its own spawn key, so streams never coincide and a seed depends only on its
position, never on how many runs or replicates a sweep has or in which order they execute:

* design sampling: ``SeedSequence(seed, spawn_key=(0,))``
* replicate ``r`` with common random numbers: ``SeedSequence(seed, spawn_key=(1, r))``
  (every run's replicate ``r`` shares one seed: comparisons between levers and design points
  are not blurred by different random draws)
* independent seeds: ``SeedSequence(seed, spawn_key=(2, run, r))``

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


def design_rng(seed: int) -> np.random.Generator:
    """The generator that samples the design."""
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
