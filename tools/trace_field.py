"""Which files of the stisim package a config field's value crosses on its way from the
command line to the written Dataset.

    python tools/trace_field.py firms.count [ROOT]

Runs ``stisim run <field>=<its default> time.end_year=<base year + 2>`` in this process and
records the stisim source files on the call stack whenever the field is set or read, and
when the run's Dataset is written; the file declaring the field is counted too. ``ROOT``
(default: this checkout) is the directory holding the ``stisim`` package to trace, so two
versions can be compared with the same measure.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import os
import sys
import tempfile
import traceback
from pathlib import Path


def trace(field: str, root: Path) -> list[str]:
    sys.path.insert(0, str(root))
    package = importlib.import_module("stisim")
    if not Path(package.__file__).resolve().is_relative_to(root.resolve()):
        raise RuntimeError(f"stisim imported from {package.__file__}, not {root}")
    from stisim.config.sections import SECTIONS, load_builtin_sections

    load_builtin_sections()
    section, name = field.split(".", 1)
    cls = SECTIONS[section]
    default = {f.name: f for f in dataclasses.fields(cls)}[name].default
    files: set[str] = {os.path.relpath(inspect.getsourcefile(cls), root)}
    mine = str((root / "stisim").resolve())

    def grab() -> None:
        for frame in traceback.extract_stack()[:-2]:
            path = os.path.realpath(frame.filename)
            if path.startswith(mine):
                files.add(os.path.relpath(path, root))

    get, put = cls.__getattribute__, cls.__setattr__

    def traced_get(self, attr):
        if attr == name:
            grab()
        return get(self, attr)

    def traced_put(self, attr, value):
        if attr == name:
            grab()
        put(self, attr, value)

    cls.__getattribute__, cls.__setattr__ = traced_get, traced_put
    io = importlib.import_module("stisim.io")
    write = io.write_dataset

    def traced_write(*args, **kwargs):
        grab()
        return write(*args, **kwargs)

    io.write_dataset = traced_write
    from stisim.cli import main

    out = tempfile.mkdtemp()
    os.chdir(out)
    code = main(["run", f"{field}={default}", "time.end_year=2024", "output.summary=false",
                 f"hydra.run.dir={out}/run"])
    if code:
        raise RuntimeError(f"stisim run exited with {code}")
    return sorted(files)


if __name__ == "__main__":
    args = sys.argv[1:]
    if not args:
        print(__doc__)
        sys.exit(2)
    where = Path(args[1]) if len(args) > 1 else Path(__file__).resolve().parents[1]
    found = trace(args[0], where.resolve())
    print("\n".join(found))
    print(f"{len(found)} files")
