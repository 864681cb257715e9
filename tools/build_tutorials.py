"""Build the tutorial notebooks in docs/tutorials/ from the cell sources held here.

Each tutorial is a list of markdown and code cells; this script writes them as Jupyter
notebooks without outputs (``python tools/build_tutorials.py``; ``--check`` exits non-zero
when a committed notebook differs from its source here). ``tests/docs/test_tutorials.py``
executes every notebook top to bottom. Tutorials write only into a temporary directory.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "tutorials"

Cell = tuple[str, str]


def md(text: str) -> Cell:
    return ("markdown", text.strip("\n"))


def code(text: str) -> Cell:
    return ("code", text.strip("\n"))


WORKDIR = code('''
import tempfile
from pathlib import Path

work = Path(tempfile.mkdtemp(prefix="stisim-tutorial-"))  # everything is written here
print(work)
''')

# ---------------------------------------------------------------------------------------------
FIRST_RUN = [
    md('''
# First run: a pilot country from its baseline to 2040

This tutorial runs stisim's agent model of Ghana's national innovation system from the
country's real baseline (latest observed SDG indicators, 2022) to 2040, reads the labelled
`xarray.Dataset` it returns and plots a few results. It uses 2,000 simulated firms instead of
the default 50,000 so that it runs in seconds; the command-line equivalent is

```bash
stisim run country=ghana firms.count=2000
```

which writes `run.nc` under `outputs/runs/GHA/...`. Here we stay in Python and write only into
a temporary directory.
'''),
    WORKDIR,
    md('''
## 1. Compose a configuration

`load_config` composes the same Hydra configuration as the command line (the `run` primary
config plus overrides) and validates every key. The result is typed: one attribute per
config section.
'''),
    code('''
from stisim.config import load_config

cfg = load_config("run", ["country=ghana", "firms.count=2000", "institutes.count=6"])
print(cfg.country.name, cfg.country.m49, "| years", cfg.time.base_year, "-", cfg.time.end_year,
      "| firms", cfg.firms.count, "| seed", cfg.seed)
'''),
    md('''
A wrong key or value is refused before anything runs, with the key path and what is allowed:
'''),
    code('''
from stisim.errors import ConfigError

try:
    load_config("run", ["country=ghana", "firms.count=-5", "time.end_year=2200"])
except ConfigError as err:
    print(err)
'''),
    md('''
## 2. The baseline

The first simulated year *is* the country's real data. `load_baseline` shows each indicator's
value, the year it was observed, and whether it was imputed.
'''),
    code('''
import pandas as pd

from stisim.baseline import load_baseline

base = load_baseline(cfg.country.m49, cfg.time.base_year)
table = pd.DataFrame({"value": base.value, "year observed": base.year,
                      "imputed": base.imputed, "source": base.source.str[:40]})
table.loc[["9.5.1", "9.5.2", "17.8.1", "9.c.1", "7.1.1", "7.2.1"]]
'''),
    md('''
## 3. Simulate to 2040

`stisim.pipeline.run` builds the inputs, runs the Mesa model year by year and finalises the
Dataset (SDG scores, goal scores, SDG index, metadata, provenance).
'''),
    code('''
import time

from stisim.pipeline import run

t0 = time.perf_counter()
ds = run(cfg)
print(f"simulated {ds.sizes['time']} years in {time.perf_counter() - t0:.1f} s")
ds
'''),
    md('''
## 4. Reading the Dataset

Every variable carries `units`, `long_name` and `description`; the file carries the resolved
configuration, seed, version and data provenance as attributes.
'''),
    code('''
for name in ["indicator_value", "indicator_score", "goal_score", "sdg_index", "adoption_share"]:
    v = ds[name]
    print(f"{name:16} {v.dims!s:28} [{v.attrs['units']}] {v.attrs['long_name']}")
print()
print("seed", ds.attrs["seed"], "| version", ds.attrs["stisim_version"])
'''),
    code('''
key = ["9.5.1", "9.5.2", "17.8.1", "9.c.1", "7.2.1", "8.2.1"]
values = ds["indicator_value"].sel(indicator=key, time=[2022, 2030, 2040]).to_pandas().T
values.insert(0, "unit", ds["indicator_unit"].sel(indicator=key).to_pandas())
values.round(2)
'''),
    code('''
print("SDG index 2022 -> 2040:", round(float(ds.sdg_index.sel(time=2022)), 2), "->",
      round(float(ds.sdg_index.sel(time=2040)), 2))
# goals without a registry indicator (10, 12, 14) have no score
ds["goal_score"].sel(time=[2022, 2040]).to_pandas().T.dropna().round(1)
'''),
    md('''
## 5. Plots

xarray plots straight from the labelled arrays. With 2,000 simulated firms the health-tech
curve is noisy (few simulated health firms); the default 50,000 firms smooth it.
'''),
    code('''
import matplotlib.pyplot as plt

fig, axes = plt.subplots(1, 3, figsize=(14, 3.5))
ds["indicator_value"].sel(indicator="17.8.1").plot(ax=axes[0])
axes[0].set_title("17.8.1 Internet use (%)")
ds["adoption_share"].plot.line(x="time", ax=axes[1])
axes[1].set_title("Technology adoption (share of firms)")
ds["sdg_index"].plot(ax=axes[2])
axes[2].set_title("SDG index")
for ax in axes:
    ax.set_xlabel("year")
    ax.set_ylabel("")
    ax.xaxis.set_major_locator(plt.MaxNLocator(5, integer=True))
fig.tight_layout()
'''),
    md('''
## 6. Save and reopen

`write_dataset` writes atomically (temporary file, then rename); the reopened file holds the
same numbers. The same configuration and seed always give the same Dataset.
'''),
    code('''
import numpy as np

from stisim.io import open_dataset, write_dataset

path = write_dataset(ds, work / "run.nc")
again = open_dataset(path)
np.testing.assert_allclose(again["sdg_index"].values, ds["sdg_index"].values)
print(path.name, f"{path.stat().st_size / 1e3:.0f} kB")
'''),
    md('''
## Try next
* `country=kenya` or any pilot (ethiopia, ghana, india, kenya, serbia, ukraine);
* a shock: `load_config("run", [..., "scenario=shocks/pandemic"])`;
* `stisim report <run dir>` turns the run into the six-step roadmap report.
'''),
]

# ---------------------------------------------------------------------------------------------
ROADMAP_AUTHOR = [
    md('''
# Roadmap author: from a spreadsheet of actions to an optimised, explained allocation

A roadmap team lists candidate actions with their costs, who leads them, who may pay, and
what they are expected to change. This tutorial

1. writes such a portfolio as an **XLSX workbook** (with pandas/openpyxl, the way a team would
   fill in a spreadsheet),
2. loads and validates it with stisim's loader,
3. **optimises** it under public budgets with **donor and private co-finance**,
4. reads the **shadow prices** (what one more unit of money is worth),
5. makes a target **infeasible** and fixes it using stisim's **explanation**,
6. **compares prioritisation options in the agent model** (optimal, equal split, greedy,
   gap-proportional) on the same seeds,
7. produces the **six-step roadmap report** (UN IATT Guidebook structure).

The portfolio is small and illustrative (Kenya, 2025-2030, USD million); its costs and effects
are assumptions for teaching, not appraised figures.
'''),
    WORKDIR,
    md('''
## 1. The workbook

One sheet per table (`docs/roadmap.md` lists every column): `portfolio` (key/value),
`sources`, `actions`, `effects`, `agencies`, `floors`. Yearly amounts are a list `"4;4;4"` from
the action's start or one column per year (`budget_2026`); eligible sources read
`"treasury;donor:0.3"` (the donor pays at most 30% of each year's cost); `leverage` is private
money allowed per unit of official money.
'''),
    code('''
import openpyxl
import pandas as pd

portfolio = pd.DataFrame({
    "key": ["name", "country", "currency", "horizon", "discount_rate"],
    "value": ["Kenya digital and energy roadmap (tutorial)", "kenya",
              "USD million (2023 prices)", "2025-2030", 0.05]})
donor_budget = {f"budget_{y}": b for y, b in zip(range(2025, 2031), [8, 8, 6, 6, 4, 4])}
sources = pd.DataFrame([
    {"id": "treasury", "name": "National Treasury development budget", "kind": "public",
     "budget": 8, "carry_over": True},
    {"id": "donor", "name": "Donor trust fund", "kind": "donor", **donor_budget},
    {"id": "private", "name": "Private co-finance (operators, banks)", "kind": "private"},
])
actions = pd.DataFrame([
    {"id": "A1", "name": "Research fund competitive grants", "instrument": "research_grants",
     "lead": "MoE", "cost": "4;4;4;4;4;4", "sources": "treasury;donor:0.3", "value": 6},
    {"id": "A2", "name": "Business R&D matching grants", "instrument": "business_rd_grants",
     "lead": "MoE", "cost": "3;3;3;3;3;3", "sources": "treasury;private:0.5", "leverage": 1.0,
     "value": 5, "depends_on": "A1"},
    {"id": "A3", "name": "Rural 4G towers", "instrument": "digital_infrastructure",
     "lead": "MoICT", "cost": "10;10;5", "sources": "treasury;donor;private:0.5",
     "leverage": 1.0, "indivisible": True, "value": 7},
    {"id": "A4", "name": "Digital skills for 100,000 youth", "instrument": "skills_training",
     "lead": "MoICT", "cost": "2;2;2;2;2;2", "sources": "treasury;donor", "value": 4},
    {"id": "A5", "name": "Solar mini-grids", "instrument": "energy_infrastructure",
     "lead": "MoEn", "cost": "6;6;6", "sources": "treasury;donor;private:0.4",
     "leverage": 0.8, "value": 6},
    {"id": "A6", "name": "Solar home systems (results-based)",
     "instrument": "energy_infrastructure", "lead": "MoEn", "cost": "3;3;3;3",
     "sources": "donor;private:0.5", "leverage": 1.0, "value": 4, "exclusive_group": "offgrid"},
    {"id": "A7", "name": "Solar home systems (grants)", "instrument": "energy_infrastructure",
     "lead": "MoEn", "cost": "4;4;4;4", "sources": "treasury;donor", "value": 4,
     "exclusive_group": "offgrid"},
])
effects = pd.DataFrame([
    {"action": "A1", "indicator": "9.5.2", "change": 25, "lag": 2},
    {"action": "A1", "indicator": "9.5.1", "change": 0.05, "lag": 2},
    {"action": "A2", "indicator": "9.5.1", "change": 0.08, "lag": 2, "response": "concave"},
    {"action": "A3", "indicator": "9.c.1", "change": 4, "lag": 1},
    {"action": "A3", "indicator": "17.8.1", "change": 5, "lag": 2},
    {"action": "A4", "indicator": "17.8.1", "change": 3, "lag": 1, "response": "concave"},
    {"action": "A5", "indicator": "7.1.1", "change": 4, "lag": 1},
    {"action": "A6", "indicator": "7.1.1", "change": 3, "lag": 1},
    {"action": "A7", "indicator": "7.1.1", "change": 3.5, "lag": 1},
])
agencies = pd.DataFrame([{"id": "MoE", "capacity": 8}, {"id": "MoICT", "capacity": 14},
                         {"id": "MoEn", "capacity": 12}])
floors = pd.DataFrame([{"name": "electricity 80% by 2030", "indicator": "7.1.1",
                        "target": 80, "year": 2030}])


def write_book(path, **replace):
    """Write the workbook; keyword arguments replace whole sheets."""
    sheets = {"portfolio": portfolio, "sources": sources, "actions": actions,
              "effects": effects, "agencies": agencies, "floors": floors} | replace
    with pd.ExcelWriter(path, engine="openpyxl") as book:
        for name, df in sheets.items():
            df.to_excel(book, sheet_name=name, index=False)
    return path


book = write_book(work / "kenya_roadmap.xlsx")
print(openpyxl.load_workbook(book).sheetnames)
'''),
    md('''
## 2. Load and validate

`load_portfolio` reads YAML, XLSX or a directory of CSV files into one validated `Portfolio`.
Every problem is reported at once with the sheet and row to fix. A typo shows how:
'''),
    code('''
from stisim.errors import ConfigError
from stisim.roadmap import load_portfolio

typo = actions.copy()
typo.loc[2, "instrument"] = "ict_infrastructure"
typo.loc[4, "lead"] = "MoE&E"
typo.loc[5, "depends_on"] = "A9"
try:
    load_portfolio(write_book(work / "typo.xlsx", actions=typo))
except ConfigError as err:
    print(err)
'''),
    code('''
p = load_portfolio(book)
print(p.name, "|", len(p.actions), "actions |", p.currency)
p.actions[["name", "instrument", "lead", "indivisible", "leverage", "value"]]
'''),
    md('''
## 3. Optimise under the budgets

The `sdg` objective maximises discounted SDG-index progress (score points x years) from the
country's real baseline; `value` maximises the stakeholder values; `min_cost` minimises public
cost subject to the floors. Private money can only follow official money (leverage), and the
donor pays at most its share of each action.
'''),
    code('''
import stisim.optimize as so
from stisim.optimize.results import allocation_table

alloc = so.optimise(book, objective="sdg")
print(allocation_table(alloc))
'''),
    code('''
by_source = alloc["spend"].sum(["action", "year"]).to_pandas()
print("money by source (USD million):")
print(by_source.round(2))
print("private per unit of official money:",
      round(by_source["private"] / (by_source["treasury"] + by_source["donor"]), 2))
'''),
    md('''
## 4. Shadow prices

A budget's shadow price is the objective gained by one more unit of that source's money in
that year (here: discounted SDG-index points per USD million). Zero means the budget does not
bind in that year; agency capacities and floors have their own.
'''),
    code('''
print(alloc["budget_shadow_price"].attrs["units"])
alloc["budget_shadow_price"].to_pandas().round(4)
'''),
    code('''
alloc["capacity_shadow_price"].to_pandas().round(4)
'''),
    md('''
The treasury's price is positive in the years it binds: if the Treasury can add money, those
are the years where it buys most progress. (Expected with stisim 0.1.0: objective
1.85986, 6 of 7 actions funded, USD 98.75 million of which 32.75 private; treasury and donor
shadow prices 0.0084 in 2025 and 2026, zero afterwards.) The agency capacities' prices say whether a
ministry's ability to execute, rather than money, is the limit.

The same portfolio with the `value` objective (stakeholder scores) funds a different set
(expected: A1-A4 and A6 fully, A5 at 0.6, where the `sdg` objective funds A1 and A2 at about
three quarters and A5 fully):
'''),
    code('''
by_value = so.optimise(book, objective="value")
pd.DataFrame({"sdg": alloc["scale"].to_pandas(), "value": by_value["scale"].to_pandas()}).round(2)
'''),
    md('''
## 5. An infeasible target, explained and fixed

The team raises the electricity target to 86% by 2028. No allocation can reach it; stisim says
which rules conflict (an irreducible infeasible subsystem found by HiGHS).
'''),
    code('''
ambitious = pd.DataFrame([{"name": "electricity 86% by 2028", "indicator": "7.1.1",
                           "target": 86, "year": 2028}])
try:
    so.optimise(write_book(work / "ambitious.xlsx", floors=ambitious), objective="sdg")
except so.InfeasibleError as err:
    explanation = err.explanation
    print(explanation.text())
'''),
    code('''
for c in explanation.rules:
    print(f"- [{c.family}] {c.phrase}")
'''),
    md('''
The explanation names the floor, the maximum scale of the mini-grids (A5) and the exclusive
off-grid choice (A6 or A7): even everything at full scale falls short. The ways out are to
relax one of those rules: allow the mini-grid programme to be expanded beyond its appraised
size (`max_scale` 1.5, if the utility can deliver it), fund both off-grid designs, or move the
target year. We expand the mini-grids and raise the energy ministry's capacity to deliver it.
(Expected: objective 2.01095, mini-grids A5 at scale 1.5, 7.1.1 at 86.0% from 2026.)
'''),
    code('''
expanded = actions.copy()
expanded["max_scale"] = 1.0
expanded.loc[expanded["id"] == "A5", "max_scale"] = 1.5
more_capacity = agencies.copy()
more_capacity.loc[more_capacity["id"] == "MoEn", "capacity"] = 16
fixed = write_book(work / "fixed.xlsx", floors=ambitious, actions=expanded,
                   agencies=more_capacity)
alloc_fixed = so.optimise(fixed, objective="sdg")
print(allocation_table(alloc_fixed))
'''),
    code('''
level = alloc_fixed["indicator_level"].sel(indicator="7.1.1")
print("7.1.1 without the roadmap (counterfactual) and with it, %:")
pd.DataFrame({"without": alloc_fixed["indicator_counterfactual"].sel(indicator="7.1.1"),
              "with": level}, index=level["year"].values).round(2)
'''),
    md('''
## 6. Compare prioritisation options in the agent model

The optimiser's allocation is a promise computed from the portfolio's expert effects. `stisim
compare` runs prioritisation strategies on the same budget envelope through the agent model,
with the same replicate seeds (common random numbers): the SDG-optimal allocation, an equal
split, greedy benefit/cost and gap-proportional allocation (budget in proportion to the
distance to the goal, as in Policy Priority Inference), each against a no-roadmap reference.
Sizes are tiny here (2 replicates, 1,000 firms, to 2030); with so few replicates the confidence
intervals are wide, and the verdict line says so.
'''),
    code('''
from stisim.config import load_config
from stisim.coupling.compare import format_table, run_compare, summary, verdicts

cmp_cfg = load_config("compare", [
    "country=kenya", f"portfolio={book}", "replicates=2", "firms.count=1000",
    "institutes.count=4", "time.end_year=2030",
    "strategies=[optimal_sdg,equal_split,greedy,gap_proportional]",
    f"coupling.counterfactual_cache_dir={work / 'cache'}"])
comparison = run_compare(cmp_cfg, log=lambda *args: None)
print(format_table(summary(comparison)))
print("\\n".join(verdicts(comparison)))
'''),
    md('''
Read the first column: discounted SDG-index points × years gained over the no-roadmap path in
the agent model, with a 95% confidence interval across replicates. When the optimal plan does
not beat the equal split, the reason is usually that the expert effects promise gains on
indicators the simulated innovation system does not move (docs/coupling.md shows the
promised-vs-delivered table for Kenya's full portfolio). The command line equivalent is
`stisim compare country=kenya portfolio=kenya_roadmap.xlsx replicates=5`.

## 7. The six-step roadmap report

`stisim report` (or `write_report`) reads every result in a directory. We put the allocation
next to a short agent-model run of Kenya, so the report has the current situation (step 2,
with the peer comparison), targets (3), the detailed roadmap with shadow prices (5) and the
indicator paths (6). Steps that need data the directory does not hold (e.g. alternative
pathways from a sweep) say which command produces it.
'''),
    code('''
from stisim.analysis.report import write_report
from stisim.config import load_config
from stisim.io import write_dataset
from stisim.pipeline import run

report_dir = work / "report"
report_dir.mkdir()
write_dataset(alloc_fixed, report_dir / "allocation.nc")
write_dataset(comparison, report_dir / "compare.nc")
cfg = load_config("run", ["country=kenya", "firms.count=1000", "institutes.count=4",
                          "time.end_year=2030"])
write_dataset(run(cfg), report_dir / "run.nc")
html = write_report(report_dir)
print(html.name, f"{html.stat().st_size / 1e6:.1f} MB")
'''),
    code('''
import re

text = html.read_text(encoding="utf-8")
print("\\n".join(dict.fromkeys(re.findall(r"<h2[^>]*>(.*?)</h2>", text))))
'''),
    md('''
Open `report.html` in a browser (it is self-contained: figures embedded, no external
resources). On the command line the same steps are

```bash
stisim optimise portfolio=kenya_roadmap.xlsx objective=sdg hydra.run.dir=out/kenya
stisim run country=kenya hydra.run.dir=out/kenya
stisim report out/kenya
```
'''),
]

# ---------------------------------------------------------------------------------------------
FORESIGHT = [
    md('''
# Foresight: uncertainties, a Latin-hypercube sweep on Dask, sensitivity and scenario discovery

A foresight team asks which uncertain factors drive Kenya's STI-related SDG outcomes and in
which futures the digital goals are missed. This tutorial defines uncertainties, runs a Latin
hypercube sweep with replicates on a Dask `LocalCluster`, resumes it with more replicates,
computes sensitivity indices (SALib) and searches for the futures where an outcome is poor
(PRIM and CART).

Sizes are tiny (30 points x 2-3 replicates, 1,000 firms, 2022-2030) to run in a minute; the real
sweeps in `configs/sweep/` use 64-1024 points.
'''),
    WORKDIR,
    md('''
## 1. Uncertainties

Each uncertainty is a config path with a distribution (SALib's problem definition: uniform,
loguniform, triangular, normal (truncated), lognormal, integer, or a list of choices). The
sweep is validated with the rest of the config: ranges must stay inside each parameter's
allowed range.
'''),
    code('''
uncertainties = {
    "diffusion.p": "{dist: loguniform, low: 0.005, high: 0.08}",
    "diffusion.q": "{dist: normal, mean: 0.38, sd: 0.1, low: 0.1, high: 0.7}",
    "firms.skill_mean": "{dist: triangular, low: 0.06, mode: 0.12, high: 0.25}",
    "ministries.efficiency": "{low: 0.5, high: 0.95}",
}
spec = "{" + ", ".join(f"{k}: {v}" for k, v in uncertainties.items()) + "}"
overrides = [
    "country=kenya", "firms.count=1000", "institutes.count=4", "time.end_year=2030",
    "sweep.name=tutorial", "sweep.design=lhs", "sweep.samples=30", "sweep.replicates=2",
    "sweep.progress=false", f"+sweep.uncertainties={spec}",
]
print(overrides[-1])
'''),
    code('''
from stisim.config import load_config
from stisim.errors import ConfigError

try:  # an out-of-range uncertainty is refused before anything runs
    bad = "+sweep.uncertainties.diffusion.skill_effect={low: -1, high: 1.5}"
    load_config("sweep", [*overrides, bad])
except ConfigError as err:
    print(err)
'''),
    md('''
## 2. Plan, then run on a Dask LocalCluster

`plan_sweep` shows the design and the tasks without running anything. `run_sweep` runs them;
`executor="dask"` starts a `LocalCluster` of single-threaded worker processes. Each finished
run is written atomically and recorded in `manifest.jsonl`, so no work is lost.
'''),
    code('''
from stisim.sweep import plan_sweep, run_sweep

cfg = load_config("sweep", overrides)
plan = plan_sweep(cfg, overrides)
print(len(plan.tasks), "tasks")
'''),
    code('''
sweep_dir = work / "sweep"
result = run_sweep(cfg, overrides=overrides, directory=sweep_dir, executor="dask", workers=2)
print(result.summary())
'''),
    md('''
## 3. Resume

Running the same sweep again finds every task done. Asking for a third replicate computes only
the new tasks (tasks are addressed by a digest of config, swept values, seed and version).
'''),
    code('''
again = run_sweep(cfg, overrides=overrides, directory=sweep_dir, executor="serial")
print(again.summary())
'''),
    code('''
more = [*overrides[:-3], "sweep.replicates=3", *overrides[-2:]]
assert "sweep.replicates=3" in more and "sweep.replicates=2" not in more
result = run_sweep(load_config("sweep", more), overrides=more, directory=sweep_dir,
                   executor="dask", workers=2)
print(result.summary())
ds = result.open()
print(dict(ds.sizes))
'''),
    md('''
## 4. Outcomes across futures

Outcomes are expressions over the sweep Dataset, e.g. `goal_score(goal=9, time=2030)`. A fan
of trajectories shows the spread the uncertainties produce.
'''),
    code('''
import matplotlib.pyplot as plt

internet = ds["indicator_value"].sel(indicator="17.8.1")
fig, ax = plt.subplots(figsize=(6, 3.5))
for r in internet["run"].values:
    for k in internet["replicate"].values:
        internet.sel(run=r, replicate=k).plot(ax=ax, color="tab:blue", alpha=0.3, lw=0.8)
ax.set_title("17.8.1 Internet use (%) across futures")
print("SDG 9 score in 2030: mean", round(float(ds.goal_score.sel(goal=9, time=2030).mean()), 2),
      "range", round(float(ds.goal_score.sel(goal=9, time=2030).min()), 2), "-",
      round(float(ds.goal_score.sel(goal=9, time=2030).max()), 2))
'''),
    md('''
## 5. Sensitivity

For a Latin hypercube, `sensitivity` uses SALib's moment-independent delta measure (Sobol and
Morris designs get their own methods); replicates are averaged per run. With 30 points the
confidence intervals are wide: this shows the workflow, not a finding.
'''),
    code('''
from stisim.analysis.sensitivity import ranking, sensitivity

s = sensitivity(ds, "indicator_value(indicator='17.8.1', time=2030)", num_resamples=10)
print("most influential first:", ranking(s))
s[["delta", "delta_conf", "delta_s1"]].to_dataframe().round(3)
'''),
    md('''
## 6. Scenario discovery

Which futures miss? The condition picks the worst third of internet use in 2030; PRIM looks for
a box of parameter ranges where the condition holds for most runs (density) and that holds
most such runs (coverage); CART grows a classification tree whose leaves are boxes.
'''),
    code('''
from stisim.analysis.discovery import cart, prim

threshold = float(internet.sel(time=2030).quantile(1 / 3))
condition = f"indicator_value(indicator='17.8.1', time=2030) < {threshold:.3f}"
boxes = prim(ds, condition, threshold=0.6, significance=None)
print(condition, f"({boxes.attrs['n_of_interest']} of {boxes.attrs['n_cases']} runs)")
boxes[["box_coverage", "box_density", "box_rule"]].to_dataframe()
'''),
    code('''
tree = cart(ds, condition, max_depth=2)
print("tree accuracy", round(tree.attrs["tree_accuracy"], 2))
tree[["box_coverage", "box_density", "box_rule"]].to_dataframe()
'''),
    md('''
The command-line equivalents:

```bash
stisim sweep sweep=lhs_budgets country=kenya sweep.executor.kind=dask
stisim sensitivity outputs/sweeps/lhs_budgets "goal_score(goal=9, time=2030)"
stisim discover outputs/sweeps/lhs_budgets "goal_score(goal=9, time=2030) < 50" --method prim
stisim report outputs/sweeps/lhs_budgets --condition "goal_score(goal=9, time=2030) < 50"
```
'''),
]

# ---------------------------------------------------------------------------------------------
RESEARCHER = [
    md('''
# Researcher: a new agent type and a new firm rule

The agent model is extended without editing its core modules: an agent type (a Mesa agent
class) and a firm rule (a vectorised function over all firms) are registered with
`stisim.agents.registry` and switched on in the config's `extensions` section, with validated
parameters like any config section. This tutorial adds

* a **technology extension service** (agent type): each year it visits a number of small
  firms in one region and raises their skills (absorptive capacity);
* a **digital procurement** rule (firm rule): firms that have adopted digital technology win a
  share of public contracts, which raises their productivity;

then tests them and compares results with and without. The shipped worked example is
`stisim/agents/examples/incubator.py` (see `docs/model.md`, "Extending the model").
'''),
    md('''
## 1. The agent type

An agent type is a `mesa.Agent` subclass with a `create(model, params)` class method (create
the agents, add per-firm arrays), a `step()` and an `observe()` whose values are summed into
the Dataset each step. Its outputs are documented (units, long name, description) like every
variable.
'''),
    code('''
from dataclasses import dataclass

import mesa
import numpy as np

from stisim.agents.firms import F32
from stisim.agents.registry import agent_type, firm_rule
from stisim.config.fields import param


@dataclass
class ExtensionParams:
    offices: int = param(2, "Number of extension offices", unit="agents", ge=1, le=100)
    region: str = param("rural", "Region the offices serve")
    visits: float = param(500.0, "Firms visited per office per year", unit="firms/year", ge=0)
    max_workers: float = param(20.0, "Only firms up to this size are visited", unit="workers",
                               gt=0)
    skill_gain: float = param(0.05, "Skilled share added per visit", unit="fraction",
                              ge=0, le=1)


@agent_type("extension_office", params=ExtensionParams, order=46.0, outputs={
    "extension_visits": {"units": "firms per year", "long_name": "Extension visits",
                         "description": "Real firms visited by technology extension offices."},
})
class ExtensionOffice(mesa.Agent):
    """A technology extension office that coaches small firms of one region."""

    def __init__(self, model, region: int, params: ExtensionParams):
        super().__init__(model)
        self.region, self.params, self.visited = region, params, 0.0

    @classmethod
    def create(cls, model, params: ExtensionParams) -> None:
        region = model.regions.index(params.region)
        for _ in range(params.offices):
            cls(model, region, params)

    def step(self) -> None:
        m, f, p = self.model, self.model.firms, self.params
        small = np.flatnonzero(f.alive & (f.region == self.region) & (f.emp <= p.max_workers))
        n = min(small.size, int(np.floor(p.visits * m.dt / f.weight + m.rng.random())))
        chosen = m.rng.choice(small, size=n, replace=False)
        f.skill[chosen] = np.minimum(f.skill[chosen] + F32(p.skill_gain), F32(0.95))
        self.visited = n * f.weight / m.dt

    def observe(self) -> dict[str, float]:
        return {"extension_visits": self.visited}
'''),
    md('''
## 2. The firm rule

A firm rule receives the firm population (struct of arrays: `firms.theta` log productivity,
`firms.adopted[technology]`, `firms.alive`, ...), the step's environment (`env.dt`) and its
parameters; `after` places it after a core rule.
'''),
    code('''
from stisim.agents.catalog import TECHNOLOGIES


@dataclass
class ProcurementParams:
    share: float = param(0.2, "Share of digital adopters winning public contracts each year",
                         unit="1/year", ge=0, le=1)
    gain: float = param(0.03, "Log productivity gain of a contract", unit="log", ge=0, le=1)


@firm_rule("digital_procurement", params=ProcurementParams, after="adoption")
def digital_procurement(firms, env, params: ProcurementParams) -> None:
    """Public contracts go to firms that can bid online; winners become more productive."""
    digital = firms.adopted[TECHNOLOGIES.index("digital")] & firms.alive
    # the model's one generator keeps runs reproducible (same config and seed, same result)
    wins = digital & (firms.model.rng.random(firms.size) < params.share * env.dt)
    firms.theta[wins] += F32(params.gain)
'''),
    md('''
What the step's environment offers a rule (signals computed once per step for all firms):
'''),
    code('''
from dataclasses import fields

from stisim.agents.firms import FirmEnv

print(", ".join(f.name for f in fields(FirmEnv)))
'''),
    md('''
## 3. Switch them on

Extensions are enabled in the `extensions` section (in a scenario file or as `+extensions...`
overrides). Parameters are validated like any config key; unknown names list the registered
ones.
'''),
    code('''
from stisim.config import load_config
from stisim.errors import ConfigError

SMALL = ["country=kenya", "firms.count=2000", "institutes.count=6", "time.end_year=2032",
         "seed=3"]
ON = ["+extensions.agents.extension_office={offices: 3, region: rural, visits: 4000}",
      "+extensions.firm_rules.digital_procurement={share: 0.3, gain: 0.05}"]

try:
    load_config("run", [*SMALL, "+extensions.agents.extension_office={offices: 0}",
                        "+extensions.agents.extension_ofice={}"])
except ConfigError as err:
    print(err)
'''),
    code('''
from stisim.pipeline import build, finalize, simulate


def run_with(overrides):
    inputs = build(load_config("run", overrides))
    return finalize(simulate(inputs), inputs)


base = run_with(SMALL)
ext = run_with([*SMALL, *ON])
print("agent types:", [str(a) for a in ext["agent_type"].values])
print("visits per year (2025):", round(float(ext["extension_visits"].sel(time=2025))))
'''),
    md('''
## 4. Test it

Tests make the claims checkable: the first step is still the real baseline; the extension
changes skills and productivity in the expected direction; the same seed gives the same
result. In a package these go to `tests/agents/` (see `tests/agents/test_extensions.py`).
'''),
    code('''
def test_first_step_is_the_baseline():
    np.testing.assert_allclose(ext["indicator_value"].isel(time=0),
                               base["indicator_value"].isel(time=0))


def test_visits_recorded_and_documented():
    from stisim.dataset import variable_table

    assert float(ext["extension_visits"].isel(time=-1)) > 0
    assert "extension_visits" in variable_table()


def test_reproducible():
    again = run_with([*SMALL, *ON])
    np.testing.assert_array_equal(again["gdp"].values, ext["gdp"].values)


def test_changes_the_economy():
    assert not np.allclose(base["gdp"].values[1:], ext["gdp"].values[1:])


for test in (test_first_step_is_the_baseline, test_visits_recorded_and_documented,
             test_reproducible, test_changes_the_economy):
    test()
    print("passed", test.__name__)
'''),
    md('''
## 5. Compare with and without

One seed is one draw; compare over a few replicates (seeds) before concluding anything.
'''),
    code('''
import pandas as pd

rows = []
for seed in (1, 2, 3):
    for label, extra in (("without", []), ("with", ON)):
        ds = run_with([*SMALL[:-1], f"seed={seed}", *extra])
        rows.append({"seed": seed, "case": label,
                     "GDP per capita growth 2032 (8.1.1)":
                         float(ds["indicator_value"].sel(indicator="8.1.1", time=2032)),
                     "labour productivity growth 2032 (8.2.1)":
                         float(ds["indicator_value"].sel(indicator="8.2.1", time=2032)),
                     "SDG index 2032": float(ds["sdg_index"].sel(time=2032))})
table = pd.DataFrame(rows)
table.groupby("case").agg(["mean", "std"]).drop(columns="seed").round(3)
'''),
    code('''
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(6, 3.5))
(100 * (ext["gdp"] / base["gdp"] - 1)).plot(ax=ax)
ax.set_ylabel("GDP, % difference (seed 3)")
ax.set_title("With the extension office and digital procurement")
'''),
    md('''
To ship the extension, put the two definitions in a module of a package (e.g.
`stisim_extension/extension.py`) and name it in `extensions.modules` (modules outside `stisim`
must be registered as a plugin through the `stisim.plugins` entry point):

```yaml
# @package _global_
extensions:
  modules: [stisim_extension.extension]
  agents: {extension_office: {offices: 3, region: rural, visits: 4000}}
  firm_rules: {digital_procurement: {share: 0.3, gain: 0.05}}
```
'''),
]

# ---------------------------------------------------------------------------------------------
CALIBRATION = [
    md('''
# Calibration: back-cast a pilot country from 2010 and judge the fit

`stisim calibrate` starts the agent model in 2010 from the country's real data, runs it to
2022 and fits a few parameters (here the Bass innovation and imitation terms of technology
diffusion and the share of firms performing R&D) to the observed 2011-2022 series. Here:
Kenya, 1,000 firms and a budget of 12 model runs, so it finishes in well under a minute; a
real calibration uses the default 50,000 firms and 200 runs (`stisim calibrate country=kenya`
with the same `calibrate.parameters`).
'''),
    WORKDIR,
    code('''
from stisim.config import load_config

# the fitted parameters and their intervals are configuration (calibrate.parameters)
parameters = ("calibrate.parameters=[{path: diffusion.p, lower: 0.001, upper: 0.1},"
              "{path: diffusion.q, lower: 0.05, upper: 0.9},"
              "{path: firms.rd_performer_share, lower: 0.02, upper: 0.3}]")
cfg = load_config("calibrate", ["country=kenya", "firms.count=1000", "institutes.count=4",
                                "calibrate.max_evals=12", "calibrate.save=false", parameters])
c = cfg.calibrate
print("years", cfg.time.base_year, "-", cfg.time.end_year, "| simulator", c.simulator,
      "| method", c.method)
print("indicators:", list(c.indicators))
for p in c.parameters:
    print("parameter:", p)
'''),
    md('''
## 1. What is observed

The loss only uses years with observations; sparse series (R&D expenditure) weigh little.
'''),
    code('''
from stisim.baseline import load_baseline

b = load_baseline(cfg.country.m49, cfg.time.base_year)
obs = b.observed.loc[2010:2022, list(c.indicators)]
obs.notna().sum().rename("observed years 2010-2022").to_frame().T
'''),
    md('''
## 2. Fit

The loss is the mean squared normalised RMSE (RMSE over the observed years divided by the
indicator's SDR span, in score points). Nelder-Mead on a logit scale keeps the parameters
inside their intervals; every evaluation uses the same seeds (common random numbers).
'''),
    code('''
from stisim.calibrate import fit_table, run_calibration

done = run_calibration(cfg, work / "calibration", progress=False)
result = done.result
print(fit_table(result))
'''),
    md('''
## 3. Judge the fit

Compare the fitted parameters with their starting values, the error before and after, and look
at the simulated paths against the observations. A fit is credible when the errors are small
relative to the indicator's range *and* the paths follow the observed shape, not just the
average level; an indicator with few observations is weak evidence.
'''),
    code('''
from stisim.io import open_dataset

cal = open_dataset(done.dataset_path)
print([v for v in cal.data_vars])
cal[["fit_n_obs", "fit_rmse", "fit_nrmse", "initial_nrmse", "fit_bias"]].to_dataframe().round(3)
'''),
    code('''
cal[["parameter_value"]].to_dataframe().round(4)
'''),
    code('''
import matplotlib.pyplot as plt

codes = list(cal["indicator"].values)
fig, axes = plt.subplots(2, 3, figsize=(13, 6))
for ax, code_ in zip(axes.flat, codes):
    cal["calibrated_value"].sel(indicator=code_).plot(ax=ax, label="back-cast")
    cal["observed_value"].sel(indicator=code_).plot(ax=ax, marker="o", ls="", label="observed")
    ax.set_title(code_)
    ax.set_xlabel("")
    ax.set_ylabel("")
axes.flat[0].legend()
fig.tight_layout()
'''),
    md('''
Read the panels with the fit table: indicators with no observation after the base year (here
R&D expenditure and researchers, each observed once, in 2010) are not fitted at all (n = 0);
4G coverage (9.c.1) is first observed in 2014, so its 2010 starting value is imputed (flagged
in the baseline) and its early years cannot fit; the renewable share and labour productivity
growth move for reasons the model does not represent year by year (hydro-power years, the
2020 recession).
'''),
    code('''
loss = cal["calibration_loss"].to_series()
print(f"loss: first run {loss.iloc[0]:.2f}, best {loss.min():.2f} after {loss.size} runs")
'''),
    md('''
With 12 runs the search has barely started; the default budget (200 runs, 50,000 firms) and
`calibrate.replicates` > 1 are what a roadmap team should use before relying on the
parameters. With `calibrate.save=true` (the default) the fitted parameters are written as a
scenario file, selected with `stisim run country=kenya scenario=calibrated/kenya`.
'''),
]

TUTORIALS: dict[str, list[Cell]] = {
    "first_run": FIRST_RUN,
    "roadmap_author": ROADMAP_AUTHOR,
    "foresight": FORESIGHT,
    "researcher": RESEARCHER,
    "calibration": CALIBRATION,
}


def notebook(cells: list[Cell]) -> nbformat.NotebookNode:
    nb = new_notebook()
    nb.cells = [new_markdown_cell(src) if kind == "markdown" else new_code_cell(src)
                for kind, src in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i:02d}"  # stable ids keep the files diff-friendly
    return nb


def render(cells: list[Cell]) -> str:
    return nbformat.writes(notebook(cells)) + "\n"


def main(argv: list[str]) -> int:
    stale = []
    OUT.mkdir(parents=True, exist_ok=True)
    for name, cells in TUTORIALS.items():
        path = OUT / f"{name}.ipynb"
        text = render(cells)
        if "--check" in argv:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(path.name)
        else:
            path.write_text(text, encoding="utf-8")
    if stale:
        print(f"stale notebooks: {stale}; run python tools/build_tutorials.py")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
