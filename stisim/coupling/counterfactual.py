"""The optimiser's counterfactual from the agent model: the business-as-usual ensemble.

What happens without the roadmap is, by default (``optimise.counterfactual=abm``), what the
agent model simulates for the country and scenario of the config without any roadmap budget
line: the mean over ``coupling.counterfactual_replicates`` runs of
:func:`stisim.pipeline.simulate` (agents and SDG interlinkages, as ``stisim run``) with the
seeds of their own stream (:func:`stisim.seeds.counterfactual_seeds`), so the path the
optimiser plans against never shares a seed with the runs a comparison evaluates. Floors are
judged against this path (a floor the country reaches anyway needs no money), and the
``sdg`` objective counts the gains above it.

The ensemble is cached as netCDF in ``coupling.counterfactual_cache_dir/<hash>.nc``; the hash
covers every config section that changes a no-roadmap run (all but ``optimise``, ``compare``,
``coupling``, ``sweep``, ``calibrate`` and ``output``), the seed, the replicate count, the
stisim version and commit, and the Python and numeric package versions (which decide the
last bits of a run). Files are written atomically under a file lock (concurrent runs write one
file once) and a file whose stored hash differs from its name is recomputed, never used.
The flat and trend counterfactuals stay available (``optimise.counterfactual=flat|trend``).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import xarray as xr

from stisim import __version__
from stisim.coupling.runcache import environment_key
from stisim.seeds import counterfactual_seeds

IRRELEVANT = ("optimise", "compare", "coupling", "sweep", "calibrate", "output")
KEEP = ("indicator_value",)


def country_config(cfg, portfolio):
    """``cfg`` with the portfolio's country (the agent model must simulate the country the
    roadmap is for); ``cfg`` itself when they agree or the portfolio names no country."""
    m49 = getattr(portfolio, "country_m49", None)
    if m49 is None or int(cfg.country.m49) == int(m49):
        return cfg
    import yaml

    from stisim.config.compose import config_dir
    from stisim.config.validate import validate
    from stisim.data import countries

    row = countries().loc[int(m49)]
    preset = config_dir() / "country" / f"{row['slug']}.yaml"
    if preset.exists():
        country = yaml.safe_load(preset.read_text(encoding="utf-8"))
    else:
        country = {"m49": int(m49), "name": row["name"], "iso3": row["iso3"],
                   "un_region": row["un_region"], "laumann_region": row["laumann_region"]}
    return validate(cfg.to_container() | {"country": country})


def ensemble_hash(cfg) -> str:
    """Hash of everything a no-roadmap ensemble depends on."""
    conf = {k: v for k, v in cfg.to_container().items() if k not in IRRELEVANT}
    payload = {"config": conf, "version": __version__, "environment": environment_key(),
               "replicates": int(cfg.coupling.counterfactual_replicates)}
    text = json.dumps(payload, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _simulate(cfg, inputs, seeds: list[int]) -> xr.Dataset:
    from stisim.pipeline import simulate

    runs = [simulate(inputs, None, seed=s)[list(KEEP)] for s in seeds]
    return xr.concat(runs, "replicate", coords="minimal", compat="override").assign_coords(
        replicate=np.arange(len(runs)))


def bau_ensemble(cfg, inputs=None, log=None) -> xr.Dataset:
    """The business-as-usual ensemble ``indicator_value(replicate, time, indicator)``,
    read from or written to the cache. Attributes: ``config_hash``, ``replicate_seeds``,
    ``cache_path``, ``from_cache``."""
    from filelock import FileLock

    from stisim.coupling import replicates as sm
    from stisim.io import atomic_path, open_dataset, write_dataset
    from stisim.pipeline import build

    key = ensemble_hash(cfg)
    seeds = counterfactual_seeds(int(cfg.seed), int(cfg.coupling.counterfactual_replicates))
    path = Path(cfg.coupling.counterfactual_cache_dir) / f"{key}.nc"
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(path) + ".lock"):
        if path.exists():
            ds = open_dataset(path).load()
            if ds.attrs.get("config_hash") == key and \
                    list(np.atleast_1d(ds.attrs.get("replicate_seeds", []))) == seeds:
                ds.attrs.update(cache_path=str(path), from_cache=1)
                return ds
            if log:
                log(f"business-as-usual cache {path} does not match its hash: recomputed")
        inputs = build(cfg) if inputs is None else sm.rebind(inputs, cfg)
        ds = _simulate(cfg, inputs, seeds)
        ds.attrs = {"title": "business-as-usual ensemble (no roadmap)", "config_hash": key,
                    "replicate_seeds": seeds, "stisim_version": __version__,
                    "config": json.dumps(cfg.to_container(), sort_keys=True, default=str),
                    "country": str(cfg.country.name), "scenario": str(cfg.scenario.name)}
        with atomic_path(path) as tmp:
            write_dataset(ds, tmp)
    ds.attrs.update(cache_path=str(path), from_cache=0)
    return ds


def bau_path(cfg, portfolio, inputs=None, log=None) -> xr.DataArray:
    """The optimiser's counterfactual ``(indicator, year)`` over the portfolio's horizon:
    the ensemble mean; years after the simulated horizon keep the last simulated level.
    ``attrs["method"]`` says where it comes from (the allocation's provenance)."""
    cfg = country_config(cfg, portfolio)
    if inputs is not None and int(inputs.cfg.country.m49) != int(cfg.country.m49):
        inputs = None
    ens = bau_ensemble(cfg, inputs, log=log)
    v = ens["indicator_value"].mean("replicate")
    v = v.assign_coords(time=v["time"].values.astype(int)).rename(time="year")
    years = [int(y) for y in portfolio.years]
    path = v.reindex(year=years, method="ffill").transpose("indicator", "year")
    n = ens.sizes["replicate"]
    # the method text travels into allocations: it names the ensemble by what defines it
    # (the cache key also holds the commit and package versions, so it is kept apart)
    path.attrs = {"method": (f"agent-model business-as-usual ensemble (mean of {n} runs, "
                             f"{cfg.country.name}, scenario {cfg.scenario.name}, "
                             f"{cfg.firms.count} firms, seed {cfg.seed})"),
                  "config_hash": ens.attrs["config_hash"],
                  "cache_path": ens.attrs["cache_path"], "from_cache": ens.attrs["from_cache"]}
    if log:
        verb = "read from" if ens.attrs["from_cache"] else "written to"
        log(f"counterfactual: {path.attrs['method']} {verb} {path.attrs['cache_path']}")
    return path


def needed(portfolio, options) -> bool:
    """Whether an allocation of ``portfolio`` under ``options`` (the ``optimise`` section)
    reads a counterfactual path: sdg or min_cost objectives, floors, an sdg trade-off."""
    if getattr(portfolio, "country_m49", None) is None:
        return False
    return (options.objective in ("sdg", "min_cost") or len(portfolio.floors) > 0
            or options.pareto.against == "sdg")


def planning_path(cfg, portfolio, inputs=None, log=None) -> xr.DataArray | None:
    """The counterfactual the optimiser gets for this config: the agent model's path when
    ``optimise.counterfactual`` is ``abm``, else None (flat or trend inside the optimiser)."""
    if cfg.optimise.counterfactual != "abm":
        return None
    return bau_path(cfg, portfolio, inputs, log=log)

