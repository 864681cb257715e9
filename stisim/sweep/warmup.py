"""Warm-up of local worker processes, paid once per sweep instead of once per worker.

The ``processes`` executor starts its workers from a fork server that preloads this module.
When ``$STISIM_SWEEP_WARMUP`` names a JSON file (written by the executor), the fork server
imports the run function's module and, for the default run function, builds the inputs of
every base config of the sweep (:func:`stisim.pipeline.build`: the country baselines, which
stay cached per process) and runs the first one once (which fills the remaining per-process
caches: indicator registry, normalisation bounds, provenance). Every worker forked afterwards
starts with those imports and caches in memory (copy-on-write), so its first run costs no
more than the others. A run function of another module may offer ``fn.warm(cfg)`` for the
same purpose.

Warm-up is best effort: a failure here only means the workers load lazily; the run itself
reports any real problem.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

ENV = "STISIM_SWEEP_WARMUP"


def warm(path: str | os.PathLike) -> None:
    from stisim.config.validate import validate
    from stisim.sweep.batch import resolve_function

    data = json.loads(Path(path).read_text(encoding="utf-8"))
    name = data.get("run_function")
    if data.get("module"):
        __import__(data["module"])
    fn = resolve_function(name) if name else None
    configs = [validate(c) for c in data.get("configs", [])]
    if name == "stisim.pipeline.run":
        from stisim.pipeline import build

        for cfg in configs:
            build(cfg)
        if configs:
            fn(configs[0])
        return
    hook = getattr(fn, "warm", None)
    for cfg in configs if hook is not None else []:
        hook(cfg)


if os.environ.get(ENV):
    with contextlib.suppress(Exception):  # best effort, see the module docstring
        warm(os.environ[ENV])
