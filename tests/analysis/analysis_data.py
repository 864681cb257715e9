"""Small synthetic results that follow the Dataset contracts of the comparison, sweep and
allocation outputs, for testing the analysis layer on its own.

They start from Ghana's real baseline (stisim.baseline) and move indicators towards their
SDR optimum at strategy- and parameter-dependent rates with seeded noise; scores are computed
with stisim's own SDR normalisation. They are test data, not model results.
"""

from __future__ import annotations

import json

import numpy as np
import xarray as xr
import yaml

from stisim.baseline import load_baseline
from stisim.data.indicators import registry
from stisim.dataset import provenance_attrs
from stisim.sdg.scores import goal_scores, index_score, normalise

GHANA = 288
STRATEGIES = ("optimal_sdg", "equal_split", "expert_ranking", "greedy", "gap_proportional")
ACTIONS = ("rd_grants", "4g_rollout", "tech_transfer", "skills", "research_funding",
           "renewables_subsidy")
SOURCES = ("public", "private", "donor")
TECHNOLOGIES = ("mobile_money", "solar_pv", "precision_agriculture")


def _trajectories(rate: np.ndarray, years: np.ndarray, rng: np.random.Generator,
                  base: np.ndarray, optimum: np.ndarray, noise: float) -> np.ndarray:
    """Paths closing a share ``rate`` per year of the gap to the optimum, with AR noise.

    ``rate`` has shape (..., indicator); returns (..., time, indicator)."""
    t = (years - years[0])[:, None]
    gap = optimum - base
    frac = 1.0 - (1.0 - np.clip(rate, -0.2, 0.5))[..., None, :] ** t
    eps = rng.normal(0.0, noise, frac.shape).cumsum(axis=-2)
    eps[..., 0, :] = 0.0
    return base + gap * (frac + eps)


def _finish(values: xr.DataArray, attrs: dict, extra: dict | None = None) -> xr.Dataset:
    reg = registry().loc[values["indicator"].values]
    scores = normalise(values)
    goals = goal_scores(scores)
    ds = xr.Dataset({
        "indicator_value": values, "indicator_score": scores, "goal_score": goals,
        "sdg_index": index_score(goals),
        "indicator_name": ("indicator", reg["name"].to_numpy(str)),
        "indicator_unit": ("indicator", reg["unit"].to_numpy(str)),
        "indicator_goal": ("indicator", reg["goal"].to_numpy(np.int64)),
    })
    for k, v in (extra or {}).items():
        ds[k] = v
    ds.attrs = attrs
    return ds


def _attrs(kind: str, seed: int, extra_cfg: dict) -> dict:
    b = load_baseline(GHANA, 2022)
    cfg = {"country": {"name": "Ghana", "m49": GHANA, "iso3": "GHA",
                       "un_region": "Western Africa"},
           "time": {"base_year": 2022, "end_year": 2035, "steps_per_year": 1},
           "scenario": {"name": "baseline", "description": "synthetic test data"},
           "seed": seed, **extra_cfg}
    attrs = provenance_attrs(cfg, seed, b.provenance(), country="Ghana", country_m49=GHANA,
                             base_year=2022, scenario="baseline")
    attrs["title"] = f"synthetic {kind} (test data)"
    return attrs


def comparison(replicates: int = 6, end_year: int = 2035, seed: int = 7) -> xr.Dataset:
    """A strategy comparison for Ghana: dims strategy, replicate, time, indicator, goal."""
    rng = np.random.default_rng(seed)
    b = load_baseline(GHANA, 2022)
    reg = registry()
    codes = list(b.value.index)
    base = b.value.to_numpy(float)
    optimum = reg.loc[codes, "optimum"].to_numpy(float)
    years = np.arange(2022, end_year + 1, dtype=float)
    strength = {"optimal_sdg": 0.06, "equal_split": 0.035, "expert_ranking": 0.045,
                "greedy": 0.05, "gap_proportional": 0.04}
    agents = (reg.loc[codes, "driver"] == "agents").to_numpy()
    rates = np.stack([np.where(agents, strength[s], 0.4 * strength[s]) for s in STRATEGIES])
    rates = rates[:, None, :] * rng.lognormal(0.0, 0.15, (len(STRATEGIES), replicates, 1))
    values = _trajectories(rates, years, rng, base, optimum, noise=0.01)
    da = xr.DataArray(values, dims=("strategy", "replicate", "time", "indicator"),
                      coords={"strategy": list(STRATEGIES), "replicate": np.arange(replicates),
                              "time": years, "indicator": codes})
    spend_years = np.arange(2023, 2031)
    budget = rng.uniform(5, 40, (len(STRATEGIES), len(ACTIONS), len(spend_years), len(SOURCES)))
    budget[STRATEGIES.index("equal_split")] = budget.mean(axis=(0, 1), keepdims=True)[0]
    budget[:, :, :, SOURCES.index("donor")] *= 0.4
    spend = xr.DataArray(budget, dims=("strategy", "action", "year", "source"),
                         coords={"strategy": list(STRATEGIES), "action": list(ACTIONS),
                                 "year": spend_years, "source": list(SOURCES)},
                         attrs={"units": "USD million"})
    adoption = 1.0 / (1.0 + np.exp(-(years - 2030.0) / 3.0))
    share = (adoption[None, None, :, None] * np.linspace(0.4, 0.9, len(TECHNOLOGIES))
             * (1.0 + 0.1 * rng.standard_normal((len(STRATEGIES), replicates, 1, 1))))
    adoption_share = xr.DataArray(share.clip(0, 1), dims=("strategy", "replicate", "time",
                                                          "technology"),
                                  coords={"strategy": list(STRATEGIES), "time": years,
                                          "replicate": np.arange(replicates),
                                          "technology": list(TECHNOLOGIES)})
    attrs = _attrs("comparison", seed, {"compare": {"strategies": list(STRATEGIES),
                                                    "replicates": replicates}})
    return _finish(da, attrs, {"spend": spend, "adoption_share": adoption_share})


def run_like(end_year: int = 2035, seed: int = 3) -> xr.Dataset:
    """A single simulated run: dims time, indicator, goal."""
    ds = comparison(replicates=1, end_year=end_year, seed=seed)
    out = ds.sel(strategy="optimal_sdg", replicate=0, drop=True).drop_vars("spend")
    out.attrs["title"] = "synthetic run (test data)"
    return out


def sweep(n_base: int = 32, replicates: int = 2, seed: int = 11, design: str = "sobol",
          strategies: tuple[str, ...] = ("optimal_sdg", "equal_split"),
          fail_every: int = 0) -> xr.Dataset:
    """A sweep over three uncertainties crossed with strategy levers: dims run, replicate.

    The uncertainties act on the pace of convergence; goal 9 falls behind when diffusion is
    slow and budget growth low (a planted vulnerability for scenario discovery).
    """
    from SALib.sample import latin, morris
    from SALib.sample import sobol as sobol_sample

    rng = np.random.default_rng(seed)
    problem = {"num_vars": 3, "names": ["diffusion.p", "finance.budget_growth",
                                        "absorptive.capacity"],
               "bounds": [[0.005, 0.05], [0.0, 0.1], [0.2, 0.8]]}
    if design == "sobol":
        X = sobol_sample.sample(problem, n_base, calc_second_order=False, seed=seed)
    elif design == "morris":
        X = morris.sample(problem, n_base, num_levels=4, seed=seed)
    else:
        X = latin.sample(problem, n_base, seed=seed)
    b = load_baseline(GHANA, 2022)
    reg = registry()
    codes = list(b.value.index)
    base = b.value.to_numpy(float)
    optimum = reg.loc[codes, "optimum"].to_numpy(float)
    years = np.arange(2022, 2031, dtype=float)
    goal9 = (reg.loc[codes, "goal"] == 9).to_numpy()
    runs, lever = [], []
    for s in strategies:
        bonus = 1.3 if s == "optimal_sdg" else 1.0
        for x in X:
            p, g, a = x
            rate = bonus * (0.01 + 0.8 * p + 0.25 * g) * (0.5 + a)
            rates = np.where(goal9, rate * (1.0 + 5.0 * (p - 0.02)), 0.5 * rate)
            runs.append(np.clip(rates, 0.0, 0.5))
            lever.append(s)
    rates = np.array(runs)[:, None, :] * rng.lognormal(0.0, 0.05, (len(runs), replicates, 1))
    values = _trajectories(rates, years, rng, base, optimum, noise=0.003)
    n = len(runs)
    da = xr.DataArray(values, dims=("run", "replicate", "time", "indicator"),
                      coords={"run": np.arange(n), "replicate": np.arange(replicates),
                              "time": years, "indicator": codes})
    status = np.full((n, replicates), "ok", dtype=object)
    if fail_every:
        status[::fail_every, -1] = "failed"
        da = da.where(xr.DataArray(status == "ok", dims=("run", "replicate")))
    seeds = np.random.SeedSequence(seed).generate_state(n * replicates).reshape(n, replicates)
    # The layout written by stisim.sweep: parameters with a role, the SALib problem under
    # "salib_problem", lever-major run order and the design matrix as `sample`.
    design_attr = {
        "design": design, "samples": n_base, "runs": n, "replicates": replicates,
        "run_order": "lever-major: run = lever_combination * design_points + design_point",
        "parameters": [{"name": nm, "role": "uncertainty", "dist": "uniform", "low": bd[0],
                        "high": bd[1], "salib_dist": "unif", "salib_bounds": bd}
                       for nm, bd in zip(problem["names"], problem["bounds"])]
        + [{"name": "strategy", "role": "lever", "dist": "choice",
            "values": list(strategies)}],
    }
    if design in ("sobol", "morris"):
        design_attr["salib_problem"] = problem
    if design == "sobol":
        design_attr["calc_second_order"] = False
    if design == "morris":
        design_attr["num_levels"] = 4
    attrs = _attrs("sweep", seed, {"sweep": {"design": design, "n": n_base}})
    attrs["sweep_design"] = json.dumps(design_attr)
    extra = {"seed": (("run", "replicate"), seeds.astype(np.int64)),
             "run_status": (("run", "replicate"), status.astype(str)),
             "sample": (("run", "uncertainty"), np.tile(X, (len(strategies), 1)))}
    ds = _finish(da, attrs, extra)
    coords = {nm: ("run", np.tile(X[:, i], len(strategies)))
              for i, nm in enumerate(problem["names"])}
    coords["strategy"] = ("run", np.array(lever))
    coords["uncertainty"] = problem["names"]
    return ds.assign_coords(coords)


def allocation(seed: int = 5) -> xr.Dataset:
    """An optimised allocation in the layout of stisim.optimize: dims action, year, source;
    scale, spend, budgets, gains and shadow prices of budget (source, year) and agency
    capacity constraints."""
    rng = np.random.default_rng(seed)
    years = np.arange(2023, 2031)
    spend = rng.uniform(0, 30, (len(ACTIONS), len(years), len(SOURCES)))
    spend[rng.uniform(size=spend.shape) < 0.25] = 0.0
    codes = ["9.5.1", "9.5.2", "9.c.1", "7.2.1", "17.8.1"]
    gains = rng.uniform(0, 2, (len(ACTIONS), len(codes)))
    budget = spend.sum(axis=0).T * rng.uniform(1.0, 1.5, (len(SOURCES), len(years)))
    budget[SOURCES.index("private")] = np.inf
    duals = rng.uniform(0, 0.2, (len(SOURCES), len(years)))
    duals[SOURCES.index("private")] = np.nan
    ds = xr.Dataset(
        {"scale": ("action", rng.uniform(0.2, 1.0, len(ACTIONS))),
         "spend": (("action", "year", "source"), spend),
         "budget": (("source", "year"), budget),
         "budget_used": (("year", "source"), spend.sum(axis=0)),
         "action_indicator_gain": (("action", "indicator"), gains),
         "indicator_gain": (("indicator", "year"),
                            np.cumsum(np.tile(gains.sum(0)[:, None] / 8, (1, 8)), axis=1)),
         "budget_shadow_price": (("source", "year"), duals),
         "capacity_shadow_price": (("agency", "year"),
                                   rng.uniform(0, 0.01, (2, len(years))))},
        coords={"action": list(ACTIONS), "year": years, "source": list(SOURCES),
                "indicator": codes, "agency": ["MESTI", "MoCD"],
                "action_name": ("action", [a.replace("_", " ").capitalize() + " programme"
                                           for a in ACTIONS])})
    ds["spend"].attrs["units"] = "see attribute currency"
    ds["budget_shadow_price"].attrs["units"] = "objective unit per currency unit"
    ds.attrs = {"objective": "sdg", "objective_value": float(gains.sum()), "status": "optimal",
                "currency": "USD million (2023 prices)", "country": "Ghana",
                "config": yaml.safe_dump({"optimise": {"objective": "sdg"}})}
    return ds


def pareto(points: int = 6) -> xr.Dataset:
    """The optimiser's Pareto front between the SDG objective and cost (dim point)."""
    cost = np.linspace(100.0, 5.0, points)
    sdg = 4.5 * (1 - np.exp(-cost / 25.0))
    scale = (np.linspace(1.0, 0.2, points)[:, None]
             * np.ones((points, len(ACTIONS)))).round(1)
    return xr.Dataset(
        {"pareto_primary": ("point", sdg), "pareto_secondary": ("point", cost),
         "pareto_scale": (("point", "action"), scale)},
        coords={"point": np.arange(points), "action": list(ACTIONS)},
        attrs={"primary": "sdg", "secondary": "min_cost", "method": "augmented "
               "epsilon-constraint (AUGMECON)", "primary_units": "score points",
               "secondary_units": "USD million"})
