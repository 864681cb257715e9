"""Workaround for a memory leak of Mesa 3.3 (the Python 3.11 install): models are never freed.

``mesa.Agent._ids`` is a class-level ``defaultdict`` from model to a unique-id counter, so it
holds a strong reference to every model that ever created an agent; a process that runs many
models (a sweep worker, a calibration, a comparison) keeps all of them, and their firm arrays,
in memory (about 5 MB per default run). Mesa 3.4 (mesa/mesa#3179, #3180; Python >= 3.12, the
version installed there) counts ids on the model itself and has no ``Agent._ids``: nothing is
patched. On Mesa 3.3 the counters are kept in a mapping with weak keys: the same ids in the
same order, released with their model.
"""

from __future__ import annotations

import itertools
import weakref
from typing import Any

import mesa

# Mesa < 3.4 keeps the per-model id counters on the Agent class.
NEEDED = "_ids" in mesa.Agent.__dict__


class WeakModelCounters(weakref.WeakKeyDictionary):
    """``model -> itertools.count(1)``, created on first use, dropped with the model."""

    def __getitem__(self, model: Any) -> Any:
        try:
            return super().__getitem__(model)
        except KeyError:
            counter = itertools.count(1)
            self[model] = counter
            return counter


def install() -> None:
    """Replace ``mesa.Agent._ids`` by weak-keyed counters on Mesa < 3.4 (idempotent; keeps
    live counters); nothing on later Mesa."""
    ids = mesa.Agent.__dict__.get("_ids")
    if not NEEDED or isinstance(ids, WeakModelCounters):
        return
    weak = WeakModelCounters()
    for model, counter in list(ids.items()):
        weak[model] = counter
    mesa.Agent._ids = weak


install()
