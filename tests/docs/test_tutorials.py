"""Every tutorial notebook in docs/tutorials/ runs top to bottom without an error."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "docs" / "tutorials").glob("*.ipynb"))


@pytest.fixture(scope="module")
def kernel_env(tmp_path_factory):
    """A ``python3`` kernel spec for this interpreter, so a fresh venv needs no install step."""
    from ipykernel.kernelspec import write_kernel_spec

    share = tmp_path_factory.mktemp("jupyter")
    write_kernel_spec(share / "kernels" / "python3")
    # MPLBACKEND is dropped so figures render through the notebook's inline backend
    saved = {k: os.environ.get(k) for k in ("JUPYTER_PATH", "PYTHONPATH", "MPLBACKEND")}
    os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(share), saved["JUPYTER_PATH"]]))
    # the kernel imports this checkout's stisim, not another installed copy
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), saved["PYTHONPATH"]]))
    os.environ.pop("MPLBACKEND", None)
    yield
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def test_notebooks_are_built_from_their_sources():
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import build_tutorials
    finally:
        sys.path.pop(0)
    assert [p.stem for p in NOTEBOOKS] == sorted(build_tutorials.TUTORIALS)
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), path.name
        assert path.read_text(encoding="utf-8") == build_tutorials.render(
            build_tutorials.TUTORIALS[path.stem]), f"{path.name} is stale"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_tutorial_runs(path: Path, kernel_env, tmp_path):
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, kernel_name="python3", timeout=300,
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()  # raises CellExecutionError naming the cell and the traceback
    assert not list(tmp_path.glob("outputs")), "a tutorial wrote into its working directory"
