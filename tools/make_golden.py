"""Golden outputs: small results of the four main commands with fixed seeds.

Each case runs a ``stisim`` command in this process (the same entry point as the console
script) into a temporary directory and reads back the files it wrote: ``run`` (run.nc),
``compare`` (compare.nc, loop.nc and adaptive.nc of one invocation), ``sweep`` (sweep.nc)
and ``optimise`` (allocation.nc, stored as optimise.nc). The regression test
(``tests/test_golden.py``) produces them again and compares them with the stored files to
the last bit: values, coordinates, dims, dtypes, variable attributes and Dataset attributes,
ignoring only those that record when, where or how fast a result was made (:data:`VOLATILE`).

Floating-point results depend on the environment (Python 3.12's compensated ``sum()``,
Mesa 3.3 on Python 3.11 and 3.4+ on 3.12+), so each Python version has its own set,
``tests/data/golden/py3XX/``, with a ``manifest.json`` of the versions it was made with; the
test skips (saying why) where no set matches the running environment. The manifest also
records numpy's SIMD targets on the CPU that made the set: on a CPU with other targets the
last bits of reductions differ, so there the comparison uses a relative tolerance of
:data:`CROSS_CPU_RTOL` (far below any change of results) instead of bit identity.

    python tools/make_golden.py            # rewrite every golden file
    python tools/make_golden.py run sweep  # rewrite the files of some commands

Rewrite a golden file only when a change of results is intended, in a commit of its own that
says why.
"""

from __future__ import annotations

import json
import platform
import sys
import tempfile
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

import xarray as xr

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "data" / "golden" / f"py{sys.version_info[0]}{sys.version_info[1]}"
# Packages whose versions decide the last bits of the results.
NUMERIC_PACKAGES = ("numpy", "scipy", "pandas", "xarray", "mesa", "highspy", "pyomo",
                    "netCDF4")

# Dataset attributes that differ between two identical runs: creation time, source commit,
# wall-clock timings and paths of the machine that ran it.
VOLATILE = ("created", "git_commit", "total_seconds", "build_seconds", "solver_seconds",
            "assign_seconds", "solve_seconds", "seconds", "host", "directory", "written",
            "solve_iterations")
# YAML attributes compared as "the fresh mapping extends the stored one": a new option is
# not a change of results unless the values show one.
EXTENSIBLE = ("config",)


def _main(argv: list[str]) -> None:
    from stisim.cli import main

    code = main(argv)
    if code:
        raise RuntimeError(f"stisim {' '.join(argv)} exited with status {code}")


def _run(work: Path) -> dict[str, Path]:
    out = work / "run"
    _main(["run", "country=ghana", "seed=42", "firms.count=2000", "time.end_year=2030",
           "output.summary=false", f"hydra.run.dir={out}"])
    return {"run": out / "run.nc"}


def _compare(work: Path) -> dict[str, Path]:
    out = work / "compare"
    _main(["compare", "country=kenya", "seed=42", "firms.count=300", "time.end_year=2028",
           "replicates=2", "strategies=[optimal_sdg,equal_split]", "compare.plot=false",
           "compare.loop=true", "compare.adaptive=true", "coupling.loop_max_iterations=2",
           "coupling.loop_replicates=1", "coupling.responses=expert", "compare.power=false",
           "coupling.counterfactual_replicates=2",
           f"hydra.run.dir={out}"])
    return {"compare": out / "compare.nc", "loop": out / "loop.nc",
            "adaptive": out / "adaptive.nc"}


def _sweep(work: Path) -> dict[str, Path]:
    out = work / "sweep"
    _main(["sweep", "country=ghana", "seed=42", "firms.count=500", "time.end_year=2026",
           "sweep.design=lhs", "sweep.samples=3", "sweep.replicates=2",
           "sweep.executor.kind=serial", "sweep.progress=false",
           "+sweep.uncertainties={diffusion.q:{low:0.2,high:0.6}}",
           f"sweep.dir={out}"])
    return {"sweep": out / "sweep.nc"}


def _optimise(work: Path) -> dict[str, Path]:
    out = work / "optimise"
    _main(["optimise", "portfolio=kenya", "objective=sdg", "seed=42",
           "optimise.summary=false", f"hydra.run.dir={out}"])
    return {"optimise": out / "allocation.nc"}


# Command -> the golden files its one invocation writes.
CASES: dict[str, Callable[[Path], dict[str, Path]]] = {
    "run": _run, "compare": _compare, "sweep": _sweep, "optimise": _optimise}


def produce(case: str, work: Path) -> dict[str, xr.Dataset]:
    """The Datasets of golden case ``case`` (by golden file name), made now in ``work``."""
    from stisim.io import open_dataset

    return {name: open_dataset(path) for name, path in CASES[case](Path(work)).items()}


def path_of(name: str) -> Path:
    return GOLDEN / f"{name}.nc"


def environment() -> dict[str, str]:
    """The Python and package versions the results depend on, and the CPU's SIMD targets."""
    env = {"python": platform.python_version()}
    env.update({p: metadata.version(p) for p in NUMERIC_PACKAGES})
    env["simd"] = simd_targets()
    return env


def simd_targets() -> str:
    """The SIMD targets numpy dispatches to on this CPU: reductions and transcendental
    functions take other paths (and round differently in the last bits) on another set."""
    try:
        from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__
    except ImportError:  # numpy < 2
        from numpy.core._multiarray_umath import __cpu_dispatch__, __cpu_features__

    return ",".join(t for t in __cpu_dispatch__ if __cpu_features__.get(t))


# Relative tolerance where the golden files were made on a CPU with other SIMD targets:
# last-bit differences grow to about 1e-8 over a run there; a change of results is far larger.
CROSS_CPU_RTOL = 1e-6


def comparison_tolerance() -> float:
    """0 (bit-identical) on a CPU with the golden files' SIMD targets, else CROSS_CPU_RTOL."""
    made = json.loads((GOLDEN / "manifest.json").read_text(encoding="utf-8"))
    return 0.0 if made.get("simd") == simd_targets() else CROSS_CPU_RTOL


def environment_mismatch() -> str | None:
    """Why the stored golden files cannot be compared here (None: they can)."""
    manifest = GOLDEN / "manifest.json"
    if not manifest.exists():
        return (f"no golden files for Python {sys.version_info[0]}.{sys.version_info[1]} "
                f"({GOLDEN}): python tools/make_golden.py makes them")
    made = json.loads(manifest.read_text(encoding="utf-8"))
    here = environment()
    changed = {k: (made.get(k), v) for k, v in here.items()
               if k not in ("python", "simd") and made.get(k) != v}
    if changed:
        return ("golden files made with other package versions (made, here): "
                f"{changed}; python tools/make_golden.py remakes them")
    return None


def stable_attrs(attrs: dict) -> dict:
    """Attributes without the volatile ones, with this checkout's root written ``<root>``
    (portfolio paths), so that a golden file holds wherever the repository lives."""
    root = str(ROOT)
    return {k: v.replace(root, "<root>") if isinstance(v, str) else v
            for k, v in attrs.items() if k not in VOLATILE}


def differences(fresh: xr.Dataset, golden: xr.Dataset, rtol: float = 0.0) -> list[str]:
    """Every way ``fresh`` differs from ``golden`` (empty: bit-identical results, or with
    ``rtol`` > 0 floating-point values equal within that relative tolerance)."""
    out = []
    if dict(fresh.sizes) != dict(golden.sizes):
        out.append(f"dims {dict(fresh.sizes)} != {dict(golden.sizes)}")
    names_f, names_g = set(fresh.variables), set(golden.variables)
    for name in sorted(names_f ^ names_g):
        out.append(f"variable {name!r} only in {'fresh' if name in names_f else 'golden'}")
    for name in sorted(names_f & names_g):
        a, b = fresh.variables[name], golden.variables[name]
        if a.dims != b.dims:
            out.append(f"{name}: dims {a.dims} != {b.dims}")
            continue
        if a.dtype != b.dtype:
            out.append(f"{name}: dtype {a.dtype} != {b.dtype}")
            continue
        if not _same_values(a, b, rtol):
            out.append(f"{name}: values differ")
        if a.attrs != b.attrs:
            out.append(f"{name}: attributes differ")
    fa, ga = stable_attrs(fresh.attrs), stable_attrs(golden.attrs)
    for key in sorted(set(fa) | set(ga)):
        if key in EXTENSIBLE:
            same = _extends(fa.get(key), ga.get(key))
        else:
            same = _same_attr(fa.get(key), ga.get(key), rtol)
        if not same:
            out.append(f"attribute {key!r} differs")
    return out


def _extends(fresh: str | None, golden: str | None) -> bool:
    """Whether the YAML mapping ``fresh`` holds every setting of ``golden`` with the same value.

    A configuration key added since the golden file was made (with a default that leaves
    results unchanged, as the values comparison proves) is not a difference; a removed key
    or a changed value is.
    """
    import yaml

    if fresh is None or golden is None:
        return fresh == golden
    return _contains(yaml.safe_load(fresh), yaml.safe_load(golden))


def _contains(fresh, golden) -> bool:
    if isinstance(golden, dict):
        return isinstance(fresh, dict) and all(
            k in fresh and _contains(fresh[k], v) for k, v in golden.items())
    return fresh == golden


def _same_values(a: xr.Variable, b: xr.Variable, rtol: float) -> bool:
    import numpy as np

    x, y = np.asarray(a.values), np.asarray(b.values)
    if x.shape != y.shape:
        return False
    if x.dtype.kind in "fc":
        if rtol:  # relative to the variable's scale: values near 0 carry the same noise
            scale = float(np.nanmax(np.abs(y))) if np.isfinite(y).any() else 0.0
            return bool(np.allclose(x, y, rtol=rtol, atol=rtol * scale, equal_nan=True))
        return x.tobytes() == y.tobytes()
    if not a.to_base_variable().equals(b.to_base_variable()):
        return False
    return bool((x == y).all()) if x.size else True


def _same_attr(a, b, rtol: float = 0.0) -> bool:
    import numpy as np

    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        x, y = np.asarray(a), np.asarray(b)
        if rtol and x.dtype.kind in "fc" and y.dtype.kind in "fc" and x.shape == y.shape:
            return bool(np.allclose(x, y, rtol=rtol, atol=0.0, equal_nan=True))
        return np.array_equal(x, y)
    if rtol and isinstance(a, float) and isinstance(b, float):
        return bool(np.isclose(a, b, rtol=rtol, atol=0.0, equal_nan=True))
    return a == b


def write(name: str, ds: xr.Dataset) -> Path:
    """Store a golden Dataset, paths under this checkout written ``<root>``."""
    from stisim.io import write_dataset

    GOLDEN.mkdir(parents=True, exist_ok=True)
    ds = ds.copy()
    ds.attrs = {k: v.replace(str(ROOT), "<root>") if isinstance(v, str) else v
                for k, v in ds.attrs.items()}
    return write_dataset(ds, path_of(name))


def main(argv: list[str]) -> int:
    cases = argv or list(CASES)
    unknown = [n for n in cases if n not in CASES]
    if unknown:
        print(f"unknown case(s) {unknown}; allowed: {', '.join(CASES)}", file=sys.stderr)
        return 2
    sizes = {}
    with tempfile.TemporaryDirectory() as tmp:
        for case in cases:
            for name, ds in produce(case, Path(tmp) / case).items():
                sizes[name] = write(name, ds).stat().st_size
    (GOLDEN / "manifest.json").write_text(json.dumps(environment(), indent=1) + "\n",
                                          encoding="utf-8")
    print(json.dumps({n: f"{s / 1024:.0f} kB" for n, s in sizes.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
