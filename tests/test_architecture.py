"""The package's shape: import contracts, module sizes, module names (docs/extending.md)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "stisim"
MAX_LINES = 600

# Modules allowed over MAX_LINES, each with its reason.
LONG_MODULES = {
    "analysis/report.py": "the six-step HTML report: one builder per roadmap step plus the "
                          "page frame; to be split into one module per step",
    "optimize/container.py": "the linear-model container (variables, constraints, the standard "
                             "form HiGHS reads); to be split into container and standard form",
}

# Module names used in several packages for the same concept in each.
SHARED_NAMES = {
    "__init__.py": "package initialisation",
    "params.py": "the config sections a package declares (stisim.config.sections)",
    "model.py": "an engine's model object: the Mesa model (agents), the Pyomo model "
                "(optimize)",
    "docs.py": "a package's generated documentation tables (python -m stisim.<package>.docs)",
}


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_no_module_over_the_size_limit():
    long = {str(p.relative_to(PACKAGE)): n for p in _modules()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    unexplained = {k: v for k, v in long.items() if k not in LONG_MODULES}
    assert not unexplained, (f"modules over {MAX_LINES} lines: {unexplained}; split them or "
                             "add a reason to LONG_MODULES")
    stale = [k for k in LONG_MODULES if k not in long]
    assert not stale, f"allowed long modules that are short now (drop them): {stale}"


def test_module_names_explain_themselves():
    """Two modules share a name only when they hold the same concept in different packages."""
    by_name = defaultdict(list)
    for p in _modules():
        by_name[p.name].append(str(p.relative_to(PACKAGE)))
    clashes = {n: ps for n, ps in by_name.items() if len(ps) > 1 and n not in SHARED_NAMES}
    assert not clashes, f"modules with the same name in several packages: {clashes}"


def test_import_contracts_hold():
    """The layers and acyclicity contracts of pyproject.toml ([tool.importlinter])."""
    exe = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    done = subprocess.run([exe, "--no-cache"], capture_output=True, text=True, cwd=ROOT,
                          timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
