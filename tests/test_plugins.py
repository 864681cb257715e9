"""The example plugin package (examples/stisim-venture) as a user installs it: found through
its ``stisim.plugins`` entry point, its agent type and firm rule run, and the scenario file
it ships is selectable by name.

The package is made visible as a path-based distribution (a ``.dist-info`` directory with
the entry points read from the example's own pyproject.toml, next to the package on
``PYTHONPATH``), which is what ``pip install`` leaves behind, in a fresh interpreter so that
its registrations do not leak into other tests.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "stisim-venture"

JOURNEY = textwrap.dedent("""
    import sys
    from stisim.cli import main
    from stisim.io import open_dataset
    from stisim.plugins import allowed_prefixes, scenario_dirs

    # 2,000 simulated firms stand for ~10^6 Kenyan ones: at the scenario's 100 deals a year a
    # simulated firm is financed only now and then, so the test asks for many more deals.
    code = main(["run", "scenario=venture/boom", "country=kenya", "firms.count=2000",
                 "time.end_year=2027", "extensions.agents.venture_fund.deals=50000",
                 "output.summary=false", "hydra.run.dir=out"])
    assert code == 0, code
    assert "stisim_venture." in allowed_prefixes(), allowed_prefixes()
    assert any(d.name == "scenarios" and d.parent.name == "stisim_venture"
               for d in scenario_dirs())
    ds = open_dataset("out/run.nc")
    backed = ds["venture_backed_firms"]
    print("BACKED", float(backed.max()), ds.attrs["scenario"])
    # A module outside stisim and the plugins is still refused, and the message says how
    # to allow one.
    code = main(["run", "+extensions.modules=[os]", "output.summary=false"])
    assert code == 2, code
""")


def _installed(tmp_path: Path) -> dict[str, str]:
    meta = tomllib.loads((EXAMPLE / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    dist = tmp_path / "site" / f"{meta['name'].replace('-', '_')}-{meta['version']}.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {meta['name']}\n"
                                   f"Version: {meta['version']}\n", encoding="utf-8")
    lines = []
    for group, eps in meta["entry-points"].items():
        lines.append(f"[{group}]")
        lines += [f"{name} = {value}" for name, value in eps.items()]
    (dist / "entry_points.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    import os

    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path / "site"), str(EXAMPLE),
                                         env.get("PYTHONPATH", "")])
    env.pop("STISIM_SMALL", None)
    return env


def test_example_plugin_package_declares_its_entry_point():
    meta = tomllib.loads((EXAMPLE / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert meta["entry-points"]["stisim.plugins"] == {"venture": "stisim_venture"}
    assert (EXAMPLE / "stisim_venture" / "scenarios" / "venture" / "boom.yaml").exists()


def test_example_plugin_runs_its_scenario_agent_and_rule(tmp_path):
    done = subprocess.run([sys.executable, "-c", JOURNEY], cwd=tmp_path,
                          env=_installed(tmp_path), capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    backed = float(done.stdout.split("BACKED ", 1)[1].split()[0])
    assert backed > 0, done.stdout
    assert "venture_boom" in done.stdout
    refusal = done.stderr
    assert "extensions.modules" in refusal and "plugin" in refusal, refusal


def test_without_the_plugin_its_scenario_is_unknown(tmp_path, capsys, monkeypatch):
    from stisim.cli import main

    monkeypatch.chdir(tmp_path)
    assert main(["run", "scenario=venture/boom"]) == 2
    assert "no such scenario option" in capsys.readouterr().err
