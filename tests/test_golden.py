"""Regression: the four main commands give bit-identical results to the stored golden files.

The golden files (``tests/data/golden/``) were made by ``tools/make_golden.py`` with fixed
seeds; a difference means a change of results, which must be intended and the files
rewritten in a commit that says why.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("make_golden", ROOT / "tools" / "make_golden.py")
golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(golden)


@pytest.mark.parametrize("case", list(golden.CASES))
def test_command_output_matches_golden(case, tmp_path, monkeypatch):
    from stisim.io import open_dataset

    why = golden.environment_mismatch()
    if why:
        pytest.skip(why)

    rtol = golden.comparison_tolerance()
    monkeypatch.chdir(tmp_path)
    fresh = golden.produce(case, tmp_path / case)
    assert fresh, f"{case} wrote no dataset"
    for name, ds in fresh.items():
        stored = open_dataset(golden.path_of(name))
        where = "to the last bit" if rtol == 0 else f"within rtol {rtol} (another CPU)"
        assert golden.differences(ds, stored, rtol) == [], (
            f"{name} differs from its golden file ({where})")


def test_differences_sees_a_changed_bit():
    """The comparison is to the last bit: one ulp in one value is a difference."""
    import numpy as np

    from stisim.io import open_dataset

    stored = open_dataset(sorted(golden.GOLDEN.parent.glob("py*/run.nc"))[0])
    changed = stored.copy(deep=True)
    v = changed["indicator_value"].values
    v[-1, 0] = np.nextafter(v[-1, 0], np.inf)
    assert golden.differences(changed, stored) == ["indicator_value: values differ"]
    # Across CPUs with other SIMD targets: last-bit noise passes, a real change does not.
    noisy = stored.copy(deep=True)
    noisy["indicator_value"].values[...] *= 1 + 1e-9
    assert golden.differences(noisy, stored, golden.CROSS_CPU_RTOL) == []
    noisy["indicator_value"].values[-1, 0] *= 1.001
    assert golden.differences(noisy, stored, golden.CROSS_CPU_RTOL) == [
        "indicator_value: values differ"]
    changed = stored.copy()
    changed.attrs["seed"] = 7
    assert golden.differences(changed, stored) == ["attribute 'seed' differs"]
    changed = stored.copy()
    changed.attrs["created"] = "another time"
    assert golden.differences(changed, stored) == []


def test_a_new_config_key_is_not_a_difference_but_a_changed_one_is():
    """The stored configuration must be contained in the fresh one, value for value."""
    from stisim.io import open_dataset

    stored = open_dataset(sorted(golden.GOLDEN.parent.glob("py*/run.nc"))[0])
    extended = stored.copy()
    extended.attrs["config"] = stored.attrs["config"] + "new_group:\n  option: 1\n"
    assert golden.differences(extended, stored) == []
    changed = stored.copy()
    changed.attrs["config"] = stored.attrs["config"].replace("seed: 42", "seed: 43", 1)
    assert changed.attrs["config"] != stored.attrs["config"]
    assert golden.differences(changed, stored) == ["attribute 'config' differs"]
    assert golden.differences(stored, extended) == ["attribute 'config' differs"]
