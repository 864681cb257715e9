"""``stisim collect DIR``: merge the outputs of a Hydra ``-m`` multirun into one Dataset.

Each job directory of a multirun holds ``.hydra/overrides.yaml`` (the job's overrides),
``.hydra/config.yaml`` (its resolved config) and its output (``run.nc`` by default). The
collected Dataset follows the sweep contract (docs/sweeps.md): one ``run`` per job (or per
combination of the non-seed overrides, see below), a coordinate on ``run`` for every override
key whose value differs between jobs (named by the key: ``country``, ``diffusion.p``), the
constant overrides in the ``collect_constant_overrides`` attribute, ``seed(run, replicate)``
and ``run_status(run, replicate)`` (a job without output is "failed").

When ``seed`` is among the swept overrides and every other combination was run with the same
seeds (``stisim run -m country=ghana,kenya seed=1,2,3``), the seeds become the ``replicate``
dimension; otherwise every job is a run with one replicate.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stisim.errors import DataError
from stisim.io import shown
from stisim.sweep.assemble import STATUS_FAILED, STATUS_OK, Cell, assemble, read_run
from stisim.sweep.batch import RESERVED_DIMS, describe


@dataclass
class Job:
    directory: Path
    num: int
    overrides: dict[str, Any]
    config: dict[str, Any]
    choices: dict[str, Any]
    output: Path | None


@dataclass
class CollectResult:
    output: Path
    jobs: int
    runs: int
    replicates: int
    failed: int
    coords: list[str]

    def summary(self) -> str:
        text = (f"collected {self.jobs} jobs: {self.runs} runs x {self.replicates} "
                f"replicate(s), {self.failed} without output; coordinates on run: "
                f"{', '.join(self.coords) or '(none)'}\nwrote {shown(self.output)}")
        return text


def _parse_overrides(lines: list[str]) -> dict[str, Any]:
    from hydra.core.override_parser.overrides_parser import OverridesParser

    out: dict[str, Any] = {}
    for ov in OverridesParser.create().parse_overrides(lines):
        if ov.is_delete():
            continue
        out[ov.key_or_group] = ov.value()
    return out


def _select(config: dict[str, Any], key: str) -> Any:
    node: Any = config
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _output_of(job_dir: Path, config: dict[str, Any]) -> Path | None:
    names = []
    filename = _select(config, "output.filename")
    if isinstance(filename, str):
        names.append(filename)
    names += ["run.nc", "run.zarr"]
    for name in names:
        if (job_dir / name).exists():
            return job_dir / name
    return None


def find_jobs(directory: Path) -> list[Job]:
    """The jobs of a multirun directory, in job-number order."""
    from stisim.io import load_yaml_limited

    jobs = []
    for ov_file in sorted(directory.rglob(".hydra/overrides.yaml")):
        hydra_dir = ov_file.parent
        job_dir = hydra_dir.parent
        overrides = load_yaml_limited(ov_file.read_text(encoding="utf-8"), str(ov_file)) or []
        cfg_file = hydra_dir / "config.yaml"
        config = load_yaml_limited(cfg_file.read_text(encoding="utf-8"), str(cfg_file)) \
            if cfg_file.exists() else {}
        num, choices = len(jobs), {}
        hydra_file = hydra_dir / "hydra.yaml"
        if hydra_file.exists():
            hydra = (load_yaml_limited(hydra_file.read_text(encoding="utf-8"),
                                       str(hydra_file)) or {}).get(
                "hydra", {})
            num = hydra.get("job", {}).get("num", num)
            choices = hydra.get("runtime", {}).get("choices", {}) or {}
        jobs.append(Job(job_dir, int(num), _parse_overrides(overrides), config or {}, choices,
                        _output_of(job_dir, config or {})))
    if not jobs:
        raise DataError(f"{directory}: no multirun jobs found (no */.hydra/overrides.yaml); "
                        "give the directory a `stisim run -m ...` wrote")
    return sorted(jobs, key=lambda j: (j.num, str(j.directory)))


def _value(job: Job, key: str) -> Any:
    if key in job.overrides:
        return job.overrides[key]
    if key in job.choices:
        return job.choices[key]
    return _select(job.config, key)


def _coord(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    return "" if value is None else value


def collect(directory: str | Path, out: str | Path | None = None, fmt: str = "netcdf",
            seed_as_replicate: bool = True, memory_mb: int = 256) -> CollectResult:
    """Merge a multirun's job outputs into one Dataset written to ``out``."""
    from stisim._version import __version__

    directory = Path(directory)
    if not directory.is_dir():
        raise DataError(f"{directory}: not a directory")
    jobs = find_jobs(directory)
    keys = list(dict.fromkeys(k for j in jobs for k in j.overrides))
    varying = [k for k in keys if len({json.dumps(_coord(_value(j, k)), default=str)
                                       for j in jobs}) > 1]
    constant = {k: _coord(_value(jobs[0], k)) for k in keys if k not in varying}

    seed_rep = False
    if seed_as_replicate and "seed" in varying:
        groups: dict[str, list[Job]] = {}
        for j in jobs:
            gk = json.dumps([_coord(_value(j, k)) for k in varying if k != "seed"],
                            default=str)
            groups.setdefault(gk, []).append(j)
        seed_sets = {tuple(sorted(int(_value(j, "seed")) for j in g)) for g in groups.values()}
        seed_rep = len(seed_sets) == 1 and all(
            len(g) == len(set(int(_value(j, "seed")) for j in g)) for g in groups.values())
    run_keys = [k for k in varying if k != "seed"]
    if seed_rep:
        seeds = sorted({int(_value(j, "seed")) for j in jobs})
        rep_of = {s: i for i, s in enumerate(seeds)}
        run_of: dict[str, int] = {}
        for j in jobs:
            gk = json.dumps([_coord(_value(j, k)) for k in run_keys], default=str)
            run_of.setdefault(gk, len(run_of))
        placement = [(run_of[json.dumps([_coord(_value(j, k)) for k in run_keys],
                                         default=str)], rep_of[int(_value(j, "seed"))])
                     for j in jobs]
        n_runs, n_reps = len(run_of), len(seeds)
    else:
        placement = [(i, 0) for i in range(len(jobs))]
        n_runs, n_reps = len(jobs), 1

    run_coords: dict[str, list[Any]] = {k: [None] * n_runs for k in run_keys}
    cells: list[Cell] = []
    descriptions = []
    for job, (run, rep) in zip(jobs, placement):
        for k in run_keys:
            run_coords[k][run] = _coord(_value(job, k))
        seed = _value(job, "seed")
        seed = int(seed) if isinstance(seed, int) else 0
        if job.output is None:
            cells.append(Cell(run, rep, STATUS_FAILED, seed, None,
                              f"no output in {job.directory} (the job failed?)"))
            continue
        try:
            ds = read_run(job.output)
        except Exception as exc:  # noqa: BLE001 - an unreadable output counts as failed
            cells.append(Cell(run, rep, STATUS_FAILED, seed, None,
                              f"cannot read {job.output}: {exc}"))
            continue
        clash = [d for d in RESERVED_DIMS if d in ds.dims or d in ds.variables]
        if clash:
            raise DataError(f"{job.output} already has {clash}: collect merges single-run "
                            "outputs (a sweep's dataset is complete as it is)")
        descriptions.append((describe(ds), job.output))
        cells.append(Cell(run, rep, STATUS_OK, seed, job.output))
    run_coords.pop("seed", None)
    out = Path(out) if out else directory / ("collected.zarr" if fmt == "zarr"
                                             else "collected.nc")
    failed = sum(c.status != STATUS_OK for c in cells)
    from stisim.sweep.runner import variable_docs

    attrs = {"title": "stisim collected multirun", "stisim_version": __version__,
             "collected_from": str(directory.resolve()),
             "collect_varying_overrides": json.dumps(varying),
             "collect_constant_overrides": json.dumps(constant, sort_keys=True, default=str),
             "collect_jobs": json.dumps([str(j.directory.relative_to(directory))
                                         for j in jobs]),
             "collect_failed": failed}
    from datetime import UTC, datetime

    attrs["created"] = datetime.now(UTC).isoformat(timespec="seconds")
    assemble(cells, descriptions, n_runs, n_reps, out, fmt=fmt, run_coords=run_coords,
             attrs=attrs, memory=memory_mb << 20, variable_docs=variable_docs())
    return CollectResult(out, len(jobs), n_runs, n_reps, failed, run_keys)
