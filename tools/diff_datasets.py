"""Compare two stisim result files variable by variable (e.g. the same run made with two
Python or library versions):

    python tools/diff_datasets.py A.nc B.nc

Prints how many variables are bit-identical, and for the others the largest absolute and
relative difference; then the attributes that differ (``created`` is ignored). Exit status 0
when every variable is identical, 1 otherwise.
"""

from __future__ import annotations

import sys

import numpy as np
import xarray as xr

IGNORED_ATTRS = ("created",)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    a, b = (xr.open_dataset(p) for p in argv)
    names = sorted(set(a.data_vars) | set(b.data_vars))
    same, rows = 0, []
    for name in names:
        if name not in a or name not in b:
            rows.append(f"{name}: only in {'B' if name not in a else 'A'}")
            continue
        x, y = a[name].values, b[name].values
        if x.shape != y.shape:
            rows.append(f"{name}: shapes {x.shape} and {y.shape}")
        elif x.dtype.kind in "fc":
            if np.array_equal(x, y, equal_nan=True):
                same += 1
                continue
            d = np.abs(x - y)
            rel = d / np.maximum(np.abs(x), np.finfo(float).tiny)
            rows.append(f"{name}: max |diff| {np.nanmax(d):.3g}, max relative {np.nanmax(rel):.3g}")
        elif np.array_equal(x, y):
            same += 1
        else:
            rows.append(f"{name}: values differ")
    print(f"{same} of {len(names)} variables identical")
    print("\n".join(rows))
    for key in sorted(set(a.attrs) | set(b.attrs)):
        if key not in IGNORED_ATTRS and a.attrs.get(key) != b.attrs.get(key):
            print(f"attribute {key} differs")
    return 0 if same == len(names) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
