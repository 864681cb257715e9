"""Workaround for a memory leak of Mesa 3.3: models are never freed.

``mesa.Agent._ids`` is a class-level ``defaultdict`` from model to a unique-id counter, so it
holds a strong reference to every model that ever created an agent; a process that runs many
models (a sweep worker, a calibration, a comparison) keeps all of them, and their firm arrays,
in memory (about 5 MB per default run). Upstream fixed it in Mesa 3.4 (mesa/mesa#3179,
#3180), which needs Python 3.12. Until stisim can require it, the counters are kept in a
mapping with weak keys: the same ids in the same order, released with their model.
"""

from __future__ import annotations

import itertools
import weakref
from typing import Any

import mesa


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
    """Replace ``mesa.Agent._ids`` by weak-keyed counters (idempotent; keeps live counters)."""
    ids = mesa.Agent.__dict__.get("_ids")
    if isinstance(ids, WeakModelCounters) or ids is None:
        return
    weak = WeakModelCounters()
    for model, counter in list(ids.items()):
        weak[model] = counter
    mesa.Agent._ids = weak


install()
