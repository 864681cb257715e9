"""Subcommands ``report``, ``dashboard``, ``sensitivity`` and ``discover`` (plain argparse)."""

from __future__ import annotations

from pathlib import Path

from stisim.cli.dispatch import command, simple_parser
from stisim.errors import ConfigError, Problem

CONDITION_HELP = ("a condition over the sweep, e.g. \"goal_score(goal=9, time=2030) < 50\" or "
                  "\"sdg_index(time=2030) < quantile(sdg_index(time=2030), 0.25)\" "
                  "(grammar: docs/analysis.md)")


def _indicators(text: str | None) -> tuple[str, ...]:
    if not text:
        return ()
    from stisim.data.indicators import registry

    codes = tuple(c.strip() for c in text.split(",") if c.strip())
    known = set(registry().index)
    bad = [c for c in codes if c not in known]
    if bad:
        raise ConfigError([Problem("--indicators", "unknown indicator code", c,
                                   ", ".join(registry().index)) for c in bad])
    return codes


@command("report", "write a self-contained HTML roadmap report (the guidebook's six steps)")
def report_command(argv: list[str]) -> int:
    from stisim.analysis.report import ReportOptions, write_report
    from stisim.io import shown

    parser = simple_parser("report", "Write a self-contained HTML report in the six steps of "
                           "the STI for SDGs roadmap guidebook for a run, comparison, sweep or "
                           "allocation (or a directory holding several).")
    parser.add_argument("path", help="result file (.nc, .zarr) or a directory of them")
    parser.add_argument("-o", "--output", help="HTML file to write (default: report.html "
                        "beside the input)")
    parser.add_argument("--condition", help="scenario discovery condition for sweeps: "
                        + CONDITION_HELP)
    parser.add_argument("--outcome", help="sensitivity outcome for sweeps, e.g. "
                        "\"goal_score(goal=9, time=2030)\" (default: SDG index in 2030)")
    parser.add_argument("--case", help="strategy or case detailed in steps 5 and 6 "
                        "(default: the optimiser's allocation, optimal_<objective> or "
                        "optimal_sdg; without one, the highest SDG index)")
    parser.add_argument("--indicators", help="comma-separated indicator codes followed in "
                        "step 6 (default: 9.5.1,9.5.2,9.c.1,17.8.1,9.b.1,7.2.1)")
    parser.add_argument("--title", help="report title")
    args = parser.parse_args(argv)
    options = ReportOptions(condition=args.condition, output=args.outcome, case=args.case,
                            indicators=_indicators(args.indicators), title=args.title)
    path = write_report(args.path, args.output, options)
    print(f"wrote {shown(path)}")
    return 0


@command("dashboard", "serve an offline web dashboard of results on 127.0.0.1")
def dashboard_command(argv: list[str]) -> int:
    from stisim.analysis.dashboard import ADDRESS, free_port, serve
    from stisim.errors import StisimError

    parser = simple_parser("dashboard", "Serve a web dashboard (Panel) on 127.0.0.1 to pick "
                           "results, strategies, scenarios and indicators and compare them. "
                           "Works offline. Stop with Ctrl-C.")
    parser.add_argument("path", nargs="?", help="result file or directory (default: outputs/)")
    parser.add_argument("--port", type=int, default=5006, help="port (default 5006; 0: any "
                        "free port)")
    parser.add_argument("--show", action="store_true", help="open a browser tab")
    args = parser.parse_args(argv)
    if not 0 <= args.port <= 65535:
        raise ConfigError([Problem("--port", "not a TCP port", args.port, "0-65535")])
    try:
        import panel  # noqa: F401
    except ImportError:
        raise StisimError("the dashboard needs Panel: pip install 'stisim[dashboard]'") from None
    port = args.port or free_port()
    print(f"stisim dashboard on http://{ADDRESS}:{port}/ (Ctrl-C stops)", flush=True)
    signum = serve(args.path, port=port, show=args.show)
    print("stisim dashboard stopped", flush=True)
    return 128 + signum if signum else 0  # 130 after Ctrl-C, 143 after SIGTERM


@command("sensitivity", "Sobol, Morris or delta sensitivity indices of a sweep outcome")
def sensitivity_command(argv: list[str]) -> int:
    import json
    import sys
    import warnings

    import numpy as np

    from stisim.analysis.datasets import load_results
    from stisim.analysis.sensitivity import METHODS, SampleSizeWarning, ranking, sensitivity
    from stisim.io import shown, write_dataset
    from stisim.summary import table

    parser = simple_parser("sensitivity", "Global sensitivity of a sweep outcome to its "
                           "sampled parameters (SALib), averaged over replicates.")
    parser.add_argument("path", help="sweep dataset (.nc, .zarr) or its directory")
    parser.add_argument("outcome", help="outcome expression, e.g. \"goal_score(goal=9, "
                        "time=2030)\"; unselected dims (e.g. goal) give indices per label")
    parser.add_argument("--method", choices=METHODS, help="default: the sweep's design "
                        "(sobol, morris), else delta")
    parser.add_argument("-o", "--output", help="write the indices as netCDF")
    parser.add_argument("--plot", help="write a tornado plot (.png or .svg)")
    parser.add_argument("--strict", action="store_true", help="fail (exit 2) when the sweep "
                        "is smaller than the method's minimum design or an index cannot be "
                        "computed, instead of warning")
    args = parser.parse_args(argv)
    res = load_results(args.path)
    sweep = res.first("sweep")
    if sweep is None:
        raise ConfigError([Problem("path", "no sweep dataset found", args.path,
                                   f"found kinds: {', '.join(res.kinds)}")])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SampleSizeWarning)
        result = sensitivity(sweep, args.outcome, args.method, strict=args.strict)
    for w in caught:
        if issubclass(w.category, SampleSizeWarning):
            print(f"stisim: warning: {w.message}", file=sys.stderr)
    keys = [k for k in ("sobol_s1", "sobol_st", "morris_mu_star", "morris_sigma", "delta",
                        "delta_s1") if k in result]
    other = [d for d in result[keys[0]].dims if d != "parameter"]
    rows = []
    for p in ranking(result):
        vals = [result[k].sel(parameter=p) for k in keys]
        vals = [float(v.mean(other)) if other else float(v) for v in vals]
        rows.append([p, *[f"{v:.3f}" if np.isfinite(v) else "n/a" for v in vals]])
    scope = f" (mean over {', '.join(other)})" if other else ""
    print(f"{result.attrs['method']} indices of {result.attrs['output']}{scope}")
    print(table(rows, ["parameter", *keys]))
    for p, why in json.loads(result.attrs.get("not_computed", "{}")).items():
        print(f"n/a {p}: not computed: {why}")
    if args.output:
        print(f"wrote {shown(write_dataset(result, args.output))}")
    if args.plot:
        from stisim.analysis import sweep_plots

        Path(args.plot).parent.mkdir(parents=True, exist_ok=True)
        sweep_plots.tornado(result).savefig(args.plot)
        print(f"wrote {shown(args.plot)}")
    return 0


@command("discover", "scenario discovery (PRIM, CART): when does a sweep meet a condition?")
def discover_command(argv: list[str]) -> int:
    from stisim.analysis.datasets import load_results
    from stisim.analysis.discovery import cart, prim
    from stisim.io import shown, write_dataset
    from stisim.summary import table

    parser = simple_parser("discover", "Find the regions of a sweep's parameter space where a "
                           "condition holds (PRIM boxes by peeling and pasting, or CART "
                           "leaves), with coverage and density.")
    parser.add_argument("path", help="sweep dataset (.nc, .zarr) or its directory")
    parser.add_argument("condition", help=CONDITION_HELP)
    parser.add_argument("--method", choices=("prim", "cart"), default="prim")
    parser.add_argument("--threshold", type=float, default=0.8,
                        help="PRIM: least density of a box (default 0.8)")
    parser.add_argument("--min-density", type=float, help="PRIM: report the box of highest "
                        "coverage with at least this density on the trade-off curve")
    parser.add_argument("--mass-min", type=float, default=0.05,
                        help="least share of cases in a box (default 0.05)")
    parser.add_argument("--max-boxes", type=int, default=3, help="PRIM: boxes to search")
    parser.add_argument("-o", "--output", help="write the boxes as netCDF")
    parser.add_argument("--plot", help="write a picture (.png or .svg): PRIM's coverage/"
                        "density trade-off, or the CART tree")
    args = parser.parse_args(argv)
    problems = []
    if not 0 < args.threshold <= 1:
        problems.append(Problem("--threshold", "out of range", args.threshold, "0 < t <= 1"))
    if not 0 < args.mass_min < 1:
        problems.append(Problem("--mass-min", "out of range", args.mass_min, "0 < m < 1"))
    if problems:
        raise ConfigError(problems)
    res = load_results(args.path)
    sweep = res.first("sweep")
    if sweep is None:
        raise ConfigError([Problem("path", "no sweep dataset found", args.path,
                                   f"found kinds: {', '.join(res.kinds)}")])
    if args.method == "prim":
        result = prim(sweep, args.condition, threshold=args.threshold,
                      mass_min=args.mass_min, max_boxes=args.max_boxes,
                      min_density=args.min_density)
    else:
        result = cart(sweep, args.condition, mass_min=args.mass_min)
    a = result.attrs
    print(f"{a['method'].upper()}: {a['condition']} holds in {a['n_of_interest']} of "
          f"{a['n_cases']} cases (base rate {a['base_rate']:.2f})")
    rows = [[str(int(b)), f"{float(result['box_coverage'][i]):.2f}",
             f"{float(result['box_density'][i]):.2f}", f"{float(result['box_mass'][i]):.3f}",
             str(result["box_rule"].values[i])] for i, b in enumerate(result["box"].values)]
    if rows:
        print(table(rows, ["box", "coverage", "density", "mass", "rule"]))
    else:
        print(a.get("note", "no box found"))
    if args.output:
        print(f"wrote {shown(write_dataset(result, args.output))}")
    if args.plot:
        import sys

        from stisim.analysis import sweep_plots

        drawn = "tree_split" if args.method == "cart" else "trajectory_coverage"
        if drawn not in result:  # the condition holds in every case or in none
            print(f"stisim: warning: no picture written: {a.get('note', '')}", file=sys.stderr)
            return 0
        fig = (sweep_plots.cart_tree if args.method == "cart" else
               sweep_plots.prim_tradeoff)(result)
        Path(args.plot).parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(args.plot)
        print(f"wrote {shown(args.plot)}")
    return 0
