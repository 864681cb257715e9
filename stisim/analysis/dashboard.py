"""An offline web dashboard (Panel) to click through stisim results.

Pick a result file (run, comparison, sweep or allocation), the cases to compare (strategies,
scenarios or sweep lever settings), an indicator or goal and a year; the tabs show indicator
paths with uncertainty bands, goal scores, strategies compared with confidence intervals,
allocations by action/year/source with shadow prices, and a download of the six-step report.

The server listens on 127.0.0.1 only and serves Panel's and Bokeh's JavaScript from its own
``/static`` route, so nothing is fetched from the internet.
"""

from __future__ import annotations

import html
import io
import os
import re
import socket
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from stisim.analysis import plots
from stisim.analysis.datasets import (
    case_labels,
    kind_of,
    levers,
    members,
    result_files,
    target_year,
)
from stisim.errors import DataError, StisimError

ADDRESS = "127.0.0.1"
MAX_FILES = 200
VARIABLES = {
    "SDG index": "sdg_index",
    "goal score": "goal_score",
    "indicator value": "indicator_value",
    "indicator score": "indicator_score",
}


# Per-run files of a sweep (``run-000012.nc``, ``000012.nc``): not offered one by one.
RUN_FILE = re.compile(r"^(run[-_]?)?\d+\.nc$")


def find_results(root: str | os.PathLike, limit: int = MAX_FILES) -> list[Path]:
    """Result files under ``root``, newest first. A directory holding a sweep manifest is a
    sweep directory: its per-run files and subdirectories are skipped so that the sweep
    shows as its assembled dataset."""
    root = Path(root)
    if not root.exists():
        return []
    if root.is_file() or root.suffix == ".zarr":
        return [root]
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        stores = [d for d in dirnames if d.endswith(".zarr")]
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".")
                             and not d.endswith(".zarr"))
        sweep_dir = any(f.startswith("manifest") for f in filenames)
        if sweep_dir:
            dirnames[:] = []
        found += [here / f for f in filenames if f.endswith(".nc") and not f.startswith(".")
                  and not (sweep_dir and RUN_FILE.match(f))]
        found += [here / d for d in stores]
    found = sorted(set(found), key=lambda p: p.stat().st_mtime, reverse=True)
    return found[:limit]


@lru_cache(maxsize=16)
def _load(path: str, mtime: float) -> xr.Dataset:
    from stisim.io import open_dataset

    ds = open_dataset(path)
    kind_of(ds)  # raises DataError for files that are not stisim results
    return ds


def load(path: str | os.PathLike) -> xr.Dataset:
    """Open a result once per modification time (datasets are shared by sessions)."""
    p = Path(path)
    return _load(str(p), p.stat().st_mtime)


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind((ADDRESS, 0))
        return int(s.getsockname()[1])



_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


def md_text(value: object, keep_code: bool = False) -> str:
    """``value`` as literal text inside a Markdown pane: HTML escaped (no tags from result
    files, scenario or action names run in the browser) and Markdown punctuation escaped.
    ``keep_code`` leaves backquoted spans of stisim's own messages as code."""
    text = html.escape(str(value), quote=False)
    if keep_code:
        return text
    return _MARKDOWN.sub(r"\\\1", text)


class Dashboard:
    """One browser session's widgets and panes over a set of result files."""

    def __init__(self, files: list[Path]):
        import panel as pn

        self.pn = pn
        self.files = {self._label(f): f for f in files}
        self.dataset = pn.widgets.Select(label="Result", options=list(self.files),
                                         css_classes=["stisim-dataset"], width=360)
        self.cases = pn.widgets.MultiChoice(label="Strategies / scenarios", options=[],
                                            css_classes=["stisim-cases"], width=360)
        self.group = pn.widgets.Select(label="Group sweep runs by", options=[],
                                       css_classes=["stisim-group"], width=360, visible=False)
        self.variable = pn.widgets.RadioButtonGroup(label="Variable", options=list(VARIABLES),
                                                    value="indicator value",
                                                    css_classes=["stisim-variable"])
        self.indicator = pn.widgets.Select(label="Indicator", options=[],
                                           css_classes=["stisim-indicator"], width=360)
        self.goal = pn.widgets.Select(label="Goal", options=[], css_classes=["stisim-goal"],
                                      width=360)
        self.year = pn.widgets.DiscreteSlider(label="Year", options=[0.0], value=0.0,
                                              css_classes=["stisim-year"], width=340)
        self.message = pn.pane.Alert("", alert_type="warning", visible=False)
        self.paths = self._pane("stisim-paths")
        self.goals = self._pane("stisim-goals")
        self.compare = self._pane("stisim-compare")
        self.compare_table = pn.pane.DataFrame(None, index=False, sizing_mode="stretch_width",
                                               float_format="{:,.3f}".format)
        self.allocation = self._pane("stisim-allocation")
        self.shadow = self._pane("stisim-shadow")
        self.front_pane = self._pane("stisim-front")
        self.alloc_note = pn.pane.Markdown("")
        self.alloc_case = pn.widgets.Select(label="Allocation of", options=[], width=360,
                                            css_classes=["stisim-alloc-case"], visible=False)
        self.info = pn.pane.Markdown("", css_classes=["stisim-info"])
        self.download = pn.widgets.FileDownload(callback=self._report, filename="report.html",
                                                label="Download the six-step report (HTML)",
                                                color="primary", width=360)
        self.tabs = pn.Tabs(
            ("Indicator paths", pn.Column(self.paths)),
            ("Goal scores", pn.Column(self.goals)),
            ("Compare", pn.Column(self.compare, self.compare_table)),
            ("Allocation", pn.Column(self.alloc_case, self.alloc_note, self.allocation,
                                     self.shadow, self.front_pane)),
            dynamic=False, sizing_mode="stretch_width", css_classes=["stisim-tabs"])
        self._quiet = False  # set while widgets are reset, so watchers do not redraw
        self._stale: set[int] = set()
        self.dataset.param.watch(lambda e: self._on_dataset(), "value")
        for w in (self.cases, self.variable, self.indicator, self.goal, self.year):
            w.param.watch(lambda e: self.refresh(), "value")
        self.group.param.watch(lambda e: self._on_dataset(keep_group=True), "value")
        self.tabs.param.watch(lambda e: self._render_tab(), "active")
        self.alloc_case.param.watch(lambda e: self._redraw_allocation(), "value")
        self.ds: xr.Dataset | None = None
        self.alloc: xr.Dataset | None = None
        self.front: xr.Dataset | None = None
        if self.files:
            self.dataset.value = self._default()
            self._on_dataset()
        else:
            self._say("No stisim results found. Run `stisim run`, `stisim compare` or "
                      "`stisim sweep`, then `stisim dashboard PATH`.")

    def _default(self) -> str:
        """The newest simulated result among the first files (allocations alone show less)."""
        for label, path in list(self.files.items())[:10]:
            try:
                if kind_of(load(path)) in ("comparison", "sweep", "run"):
                    return label
            except (StisimError, OSError, ValueError):
                continue
        return next(iter(self.files))

    def _pane(self, css: str):
        return self.pn.pane.Matplotlib(None, dpi=96, tight=False, format="png",
                                       css_classes=[css], sizing_mode="scale_width",
                                       max_width=980)

    @staticmethod
    def _label(path: Path) -> str:
        from stisim.io import shown

        return shown(path)

    def _say(self, text: str) -> None:
        self.message.object = md_text(text, keep_code=True)
        self.message.visible = bool(text)

    # -- state changes

    def _on_dataset(self, keep_group: bool = False) -> None:
        path = self.files.get(self.dataset.value)
        if path is None:
            return
        try:
            ds = load(path)
        except (StisimError, OSError, ValueError) as exc:
            self._say(f"Cannot open {path}: {exc}")
            return
        self._say("")
        kind = kind_of(ds)
        self.alloc = ds if kind == "allocation" else self._sibling(path, "allocation")
        self.front = ds if kind == "pareto" else self._sibling(path, "pareto")
        self.ds = ds if kind in ("comparison", "sweep", "run") else None
        self._quiet = True
        try:
            self._set_widgets(kind, keep_group)
        finally:
            self._quiet = False
        self.refresh()
        if self.ds is None:
            self.tabs.active = 3

    def _sibling(self, path: Path, kind: str) -> xr.Dataset | None:
        """A result of ``kind`` in the same directory (e.g. the optimiser's allocation.nc
        and pareto.nc beside a comparison)."""
        for other in self.files.values():
            if other.parent == path.parent and other != path:
                try:
                    ds = load(other)
                except (StisimError, OSError, ValueError):
                    continue
                if kind_of(ds) == kind:
                    return ds
        return None

    def _set_widgets(self, kind: str, keep_group: bool) -> None:
        ds = self.ds
        if ds is None:
            for w in (self.cases, self.indicator, self.goal, self.year, self.variable):
                w.disabled = True
            what = self.alloc if self.alloc is not None else self.front
            self.info.object = (f"**{kind}** · {md_text(what.attrs.get('country', ''))} "
                                "(see the Allocation tab)")
            return
        for w in (self.cases, self.indicator, self.goal, self.year, self.variable):
            w.disabled = False
        if kind == "sweep":
            options = levers(ds)
            self.group.visible = bool(options)
            if not keep_group or self.group.value not in options:
                self.group.options = options
                self.group.value = options[0] if options else None
        else:
            self.group.visible = False
        labels = case_labels(ds) if kind != "sweep" else [
            str(c) for c in members(ds, "sdg_index", by=self.group.value)["case"].values]
        self.cases.options = labels
        self.cases.value = labels[: min(len(labels), 5)]
        per_case = "spend" in ds and "strategy" in ds["spend"].dims
        self.alloc_case.visible = per_case
        if per_case:
            self.alloc_case.options = [str(s) for s in ds["strategy"].values]
            self.alloc_case.value = self.alloc_case.options[0]
        names = ds["indicator_name"].values if "indicator_name" in ds else ds["indicator"].values
        ind = {f"{c} {str(n)[:60]}": str(c) for c, n in zip(ds["indicator"].values, names)}
        self.indicator.options = ind
        if self.indicator.value not in ind.values():
            self.indicator.value = "9.5.1" if "9.5.1" in ind.values() else next(iter(ind.values()))
        gs = ds["goal_score"].isel(time=0)
        valid = [int(g) for g in ds["goal"].values
                 if np.isfinite(gs.sel(goal=g).values).any()]
        self.goal.options = {f"SDG {g} {plots.GOAL_NAMES[g]}": g for g in valid}
        if self.goal.value not in valid:
            self.goal.value = 9 if 9 in valid else valid[0]
        years = [float(t) for t in ds["time"].values]
        self.year.options = {f"{t:.0f}" if t == int(t) else f"{t:.2f}": t for t in years}
        self.year.value = target_year(ds)
        country = ds.attrs.get("country", "")
        self.info.object = (f"**{kind}** · {md_text(country)} · scenario "
                            f"{md_text(ds.attrs.get('scenario', '?'))}"
                            f" · {years[0]:.0f}–{years[-1]:.0f}"
                            + (f" · {ds.sizes['replicate']} replicates"
                               if "replicate" in ds.dims else "")
                            + (f" · {ds.sizes['run']} runs" if "run" in ds.dims else ""))

    # -- rendering

    def refresh(self) -> None:
        """Mark every tab stale and redraw the one on screen (others redraw when opened)."""
        if self._quiet:
            return
        self._stale = set(range(len(self.tabs)))
        self._render_tab()

    def _render_tab(self) -> None:
        tab = self.tabs.active
        if tab not in self._stale:
            return
        self._stale.discard(tab)
        try:
            [self._render_paths, self._render_goals, self._render_compare,
             self._render_allocation][tab]()
            self._say("")
        except (StisimError, ValueError, KeyError) as exc:
            self._say(f"Cannot draw this selection: {exc}")

    def _metric(self) -> tuple[str, dict[str, Any]]:
        var = VARIABLES[self.variable.value]
        if var in ("indicator_value", "indicator_score"):
            return var, {"indicator": self.indicator.value}
        if var == "goal_score":
            return var, {"goal": self.goal.value}
        return var, {}

    @property
    def _by(self) -> str | None:
        return self.group.value if self.group.visible else None

    def _render_paths(self) -> None:
        if self.ds is None or not self.cases.value:
            self.paths.object = None
            return
        var, kw = self._metric()
        if var == "indicator_value":
            from stisim.data.indicators import registry

            kw["target"] = float(registry().loc[self.indicator.value, "optimum"])
        self.paths.object = plots.fan_chart(self.ds, var, cases=self.cases.value, by=self._by,
                                            **kw)

    def _render_goals(self) -> None:
        if self.ds is None or not self.cases.value:
            self.goals.object = None
            return
        self.goals.object = plots.goal_bars(self._subset(self.ds, self._by), self.year.value)

    def _render_compare(self) -> None:
        if self.ds is None or not self.cases.value:
            self.compare.object = self.compare_table.object = None
            return
        from stisim.analysis.summaries import comparison_table

        sub = self._subset(self.ds, self._by)
        var, kw = self._metric()
        self.compare.object = plots.strategy_comparison(sub, var, self.year.value, **kw)
        self.compare_table.object = comparison_table(sub, self.year.value)

    def _subset(self, ds: xr.Dataset, by: str | None) -> xr.Dataset:
        """The dataset restricted to the chosen cases (comparisons: strategies)."""
        if "strategy" in ds.dims:
            keep = [s for s in ds["strategy"].values if str(s) in self.cases.value]
            return ds.sel(strategy=keep)
        if "run" in ds.dims and by:
            chosen = {c.split("=", 1)[1] for c in self.cases.value}
            keep = np.isin(ds[by].values.astype(str), list(chosen))
            return ds.isel(run=np.flatnonzero(keep))
        return ds

    def _render_allocation(self) -> None:
        ds = self.ds
        if ds is not None and "spend" in ds and "strategy" in ds["spend"].dims:
            case = self.alloc_case.value or str(ds["strategy"].values[0])
            spend = ds["spend"].sel(strategy=case)
            if "replicate" in spend.dims:
                spend = spend.mean("replicate")
            spend.attrs.update(ds["spend"].attrs)
            self.allocation.object = plots.allocation_chart(spend, f"Allocation under {case}")
            total = float(spend.sum())
            self.alloc_note.object = (f"Total {total:,.0f} {md_text(spend.attrs.get('units', ''))} "
                                      f"over {spend.sizes.get('year', 0)} years.")
        elif self.alloc is not None:
            from stisim.analysis.report import spend_units

            spend = self.alloc["spend"].copy()
            spend.attrs["units"] = spend_units(self.alloc)
            self.allocation.object = plots.allocation_chart(spend, "Optimised allocation")
            self.alloc_note.object = (
                f"Objective {md_text(self.alloc.attrs.get('objective', '?'))}, "
                f"status {md_text(self.alloc.attrs.get('status', '?'))}.")
        else:
            self.allocation.object = None
            self.alloc_note.object = ("No allocation in this result: run `stisim optimise` or "
                                      "`stisim compare`.")
        self.shadow.object = (plots.shadow_price_chart(self.alloc)
                              if self.alloc is not None else None)
        self.front_pane.object = (plots.optimiser_pareto(self.front)
                                  if self.front is not None else None)

    def _redraw_allocation(self) -> None:
        if self._quiet:
            return
        if self.tabs.active == 3:
            self._render_allocation()
        else:
            self._stale.add(3)

    def _report(self) -> io.BytesIO:
        from stisim.analysis.report import build_report

        path = self.files[self.dataset.value]
        # Results of one command share a directory: report them together.
        together = sum(x is not None for x in (self.ds, self.alloc, self.front)) > 1
        return io.BytesIO(build_report(path.parent if together else path).encode("utf-8"))

    def view(self):
        pn = self.pn
        sidebar = pn.Column(
            pn.pane.Markdown("## stisim\nSTI investment vs SDG outcomes"),
            self.dataset, self.info, self.group, self.cases, self.variable, self.indicator,
            self.goal, self.year, self.download, width=390)
        return pn.Row(sidebar, pn.Column(self.message, self.tabs,
                                         sizing_mode="stretch_width"),
                      sizing_mode="stretch_width")


def make_app(source: str | os.PathLike | None = None) -> Any:
    """The dashboard for the results at ``source`` (a file or a directory; default:
    ``outputs/``)."""
    files = find_results(source if source is not None else "outputs")
    if source is not None and not files:
        raise DataError(f"{source}: no .nc or .zarr result files found")
    return Dashboard(files).view()


def serve(source: str | os.PathLike | None = None, port: int = 0, show: bool = False,
          threaded: bool = False):
    """Serve the dashboard on 127.0.0.1 (``port`` 0 picks a free one).

    With ``threaded`` the server runs in a background thread and the returned object has
    ``stop()`` and the chosen ``port``. Otherwise this blocks until SIGINT (Ctrl-C) or
    SIGTERM, closes the server and returns the number of the signal that stopped it.
    """
    import panel as pn

    if source is not None:
        files = find_results(source)
        if not files:
            raise DataError(f"{source}: no .nc or .zarr result files found")
        result_files(source)  # same error messages as the report for bad paths
    port = port or free_port()
    options = dict(port=port, address=ADDRESS, show=show, title="stisim dashboard",
                   websocket_origin=[f"{ADDRESS}:{port}", f"localhost:{port}"])
    apps = {"/": lambda: make_app(source)}
    if threaded:
        thread = pn.serve(apps, start=True, threaded=True, **options)
        thread.port = port
        _wait_listening(port)
        return thread
    return _serve_until_signal(pn.serve(apps, start=False, threaded=False, **options))


def _serve_until_signal(server) -> int:
    """Run a Bokeh/Panel server on this thread until SIGINT or SIGTERM; the signal's number.

    Panel's own SIGINT handler stops the loop but leaves the sockets open and cannot tell the
    caller which signal arrived; these handlers do both and are removed afterwards."""
    import signal

    received: list[int] = []

    def stop(signum: int, frame: Any) -> None:
        received.append(signum)
        server.io_loop.asyncio_loop.call_soon_threadsafe(server.io_loop.stop)

    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        server.start()
        server.io_loop.start()
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        server.stop()
    return received[0] if received else 0


def _wait_listening(port: int, timeout: float = 20.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex((ADDRESS, port)) == 0:
                return
        time.sleep(0.05)
    raise DataError(f"the dashboard server did not start listening on {ADDRESS}:{port}")
