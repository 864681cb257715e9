"""``stisim plan``: the roadmap author's loop in one command
(:mod:`stisim.coupling.author_loop`), then the six-step report, in one output folder with one
summary."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING

from stisim.cli.dispatch import command
from stisim.errors import ConfigError, Problem

if TYPE_CHECKING:  # the config machinery is loaded by the command that runs
    from stisim.config.validate import StisimConfig

STAGES = ("validate", "counterfactual", "responses", "optimise", "compare", "report")
_LOADED: dict[str, object] = {}  # the portfolio read by prepare(), reused by the command
# settings of other commands that stisim plan would ignore: key, the value allowed, command
IGNORED = (("compare.loop", "false", "compare"), ("compare.adaptive", "false", "compare"),
           ("optimise.pareto.against", "null", "optimise"))


def _given(overrides: list[str], *keys: str) -> str | None:
    for ov in reversed(overrides):
        key, sep, value = ov.partition("=")
        if sep and key.lstrip("+~") in keys:
            return value
    return None


def prepare(argv: list[str]) -> list[str]:
    """Validate the portfolio (every problem in one message) and add the country it names,
    before anything is composed or written."""
    from stisim.cli.dispatch import hydra_arguments

    args = hydra_arguments(argv)
    ignored = [Problem(key, "not part of stisim plan", value, f"{key}={allowed} (stisim "
                       f"{command} runs it)")
               for key, allowed, command in IGNORED
               if (value := _given(args.overrides, key)) is not None
               and value.lower() not in ("false", "null", "none")]
    if ignored:
        raise ConfigError(ignored)
    source = _given(args.overrides, "portfolio", "plan.portfolio")
    if source is None and (args.cfg or args.info or args.shell_completion or args.hydra_help):
        return argv
    if source is None:
        raise ConfigError([Problem("portfolio", "no portfolio given", None,
                                   "portfolio=PATH or a shipped portfolio name (ethiopia, "
                                   "ghana, india, kenya, serbia, ukraine)")])
    from stisim.roadmap.portfolio import load_portfolio

    t0 = time.perf_counter()
    portfolio = load_portfolio(source.strip("'\""))
    _LOADED.clear()
    _LOADED.update(source=source, portfolio=portfolio, seconds=time.perf_counter() - t0)
    country = _given(args.overrides, "country")
    if portfolio.country_m49 is None:
        if country is None:
            raise ConfigError([Problem("portfolio.country", "the portfolio names no country",
                                       None, "a country in the portfolio, or country=NAME")])
        return argv
    if country is None:
        return [f"country={int(portfolio.country_m49)}", *argv]  # before any flag
    given = _m49(country)
    if given is not None and given != int(portfolio.country_m49):
        raise ConfigError([Problem("country", f"the portfolio is for "
                                   f"{portfolio.country_name}", country,
                                   f"{portfolio.country_name} (leave country= out: the "
                                   "portfolio's country is used)")])
    return argv


def _m49(choice: str) -> int | None:
    """The M49 code of a ``country=`` choice (a preset, slug or code), None when unknown."""
    from stisim.data import countries

    choice = choice.strip("'\"")
    table = countries()
    if choice.isdigit():
        return int(choice) if int(choice) in table.index else None
    hit = table.index[table["slug"] == choice]
    return int(hit[0]) if len(hit) else None


def _select(cfg, key: str):
    value = cfg
    for part in key.split("."):
        value = getattr(value, part)
    return value


def _stage(name: str) -> None:
    print(f"[{STAGES.index(name) + 1}/{len(STAGES)}] {name}", flush=True)


def _log(text: str) -> None:
    print(f"    {text.strip()}", flush=True)


@command("plan", "the roadmap author's loop: validate, optimise (and a robust plan), test it "
         "in the agent model, write the six-step report, in one folder", config_name="plan",
         multirun=False, prepare=prepare)
def plan_command(cfg: StisimConfig, run_dir: Path) -> int:
    import logging

    from stisim.coupling.author_loop import make_plan
    from stisim.io import write_dataset, write_text

    # Hydra's job logging prints INFO records; matplotlib's are not for the author
    logging.getLogger("matplotlib").setLevel(logging.WARNING)
    t0 = time.perf_counter()
    _stage("validate")
    ignored = [Problem(key, "not part of stisim plan", value, f"{key}={allowed} (stisim "
                       f"{command} runs it)") for key, allowed, command in IGNORED
               if (value := _select(cfg, key)) not in (False, None)]
    if ignored:  # set by a scenario file (overrides are refused before anything is written)
        raise ConfigError(ignored)
    portfolio = _LOADED.get("portfolio")
    if portfolio is None or _LOADED.get("source") != cfg.plan.portfolio:
        from stisim.roadmap.portfolio import load_portfolio

        portfolio = load_portfolio(cfg.plan.portfolio)
    if portfolio.country_m49 is not None and int(cfg.country.m49) != portfolio.country_m49:
        raise ConfigError([Problem("country", f"the portfolio is for {portfolio.country_name}",
                                   str(cfg.country.name), f"{portfolio.country_name} (leave "
                                   "country= out: the portfolio's country is used)")])
    _log(f"{portfolio.name}: {len(portfolio.actions)} actions, {len(portfolio.sources)} "
         f"sources, {len(portfolio.floors)} floors, {len(portfolio.scenarios)} scenarios, "
         f"{int(portfolio.years[0])}-{int(portfolio.years[-1])}; country "
         f"{cfg.country.name}, scenario {cfg.scenario.name}")
    run_dir.mkdir(parents=True, exist_ok=True)
    result = make_plan(cfg, portfolio, log=_log, stage=_stage)
    written = [write_dataset(result.allocation, run_dir / "allocation.nc")]
    if result.robust is not None:
        written.append(write_dataset(result.robust, run_dir / "allocation_robust.nc"))
    written.append(write_dataset(result.comparison, run_dir / "compare.nc"))
    seconds = dict(result.seconds)
    if cfg.plan.report:
        _stage("report")
        t = time.perf_counter()
        from stisim.analysis.report import write_report

        written.append(write_report(run_dir, run_dir / "report.html"))
        seconds["report"] = time.perf_counter() - t
    seconds["total"] = time.perf_counter() - t0 + float(_LOADED.get("seconds", 0.0))
    text = summary(cfg, result, seconds)
    written.append(write_text(run_dir / "summary.txt", text + "\n"))
    print()
    print(text)
    for path in written:
        print(f"wrote {path}")
    return 0


def _seconds(alloc) -> str:
    value = alloc.attrs.get("total_seconds")
    return f"{float(value):.1f} s" if value is not None else "time not recorded"


def summary(cfg, result, seconds: dict[str, float]) -> str:
    """The one summary of a plan: what the plan funds, how it does in the agent model, the
    verdicts, and what the run cost."""
    from stisim.coupling import compare as cmp

    ds, alloc = result.comparison, result.allocation
    objective = str(cfg.plan.objective)
    lines = [f"stisim plan: {result.portfolio.name} ({cfg.country.name}, scenario "
             f"{cfg.scenario.name}, objective {objective})"]
    for label, a in (("plan", alloc), ("robust plan", result.robust)):
        if a is None:
            continue
        scale = a["scale"]
        if "scenario" in scale.dims:
            scale = scale.mean("scenario")
        funded = int((scale > 1e-6).sum())
        spend = a["spend"].mean("scenario") if "scenario" in a["spend"].dims else a["spend"]
        measure = a.attrs.get("robust_measure") or (cfg.plan.robust if label != "plan"
                                                    else "none")
        extra = f", {measure} over {len(result.portfolio.scenarios)} scenarios" \
            if label != "plan" else ""
        lines.append(f"  {label}{extra}: {funded} of {scale.sizes['action']} actions funded, "
                     f"{float(spend.sum()):.1f} {result.portfolio.currency} in all "
                     f"(optimiser {_seconds(a)})"
                     + (f"; floors relaxed: {a.attrs['floors_relaxed']}"
                        if "floors_relaxed" in a.attrs else ""))
    power = json.loads(ds.attrs.get("power", "null") or "null")
    reps = ds.sizes.get("replicate", 1)
    how = (f"{reps} replicates (a pilot batch asked for {power['needed']})" if power
           else f"{reps} replicates")
    lines.append(f"  in the agent model, {how}, common random numbers, 95% CIs:")
    lines += ["    " + row for row in cmp.format_table(cmp.summary(ds)).splitlines()]
    lines += [f"  verdict: {v}" for v in cmp.verdicts(ds)]
    if power and power.get("warning"):
        lines.append(f"  warning: {power['warning']}")
    for name, note in json.loads(ds.attrs.get("strategy_notes", "{}")).items():
        lines.append(f"  note: {name}: {note}")
    runs = result.runs
    lines.append(f"  agent-model runs: {runs.get('runs', 0)} simulated, "
                 f"{runs.get('cached', 0)} read from the run cache "
                 f"({cfg.coupling.run_cache_dir or 'no cache'})")
    lines.append("  time: " + ", ".join(f"{k} {v:.1f} s" for k, v in seconds.items()))
    return "\n".join(lines)
