"""Property-based fuzzing (hypothesis) of command-line overrides, scenario files and
portfolios (YAML, CSV, XLSX).

Whatever the input, a command exits with a documented status (0 ok, 1 failed runs or
solver trouble, 2 refused input), a refusal is one ``stisim: error:`` message without a
traceback, nothing is written outside the output root and no existing file changes. A
portfolio loads or is refused with a :class:`~stisim.errors.StisimError`, never another
exception. Examples are few (``STISIM_FUZZ_EXAMPLES``, default small) so the suite stays
fast in CI; set it higher to fuzz longer.
"""

from __future__ import annotations

import collections
import os
import shutil

import pytest
import yaml
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from stisim.errors import StisimError
from tests.adversarial.conftest import EXIT_STATUSES, cli, snapshot, tiny_portfolio

EXAMPLES = int(os.environ.get("STISIM_FUZZ_EXAMPLES", "12"))
FAST = ["time.end_year=2023", "firms.count=60", "output.summary=false"]
OUTCOMES: collections.Counter = collections.Counter()
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, report_multiple_bugs=True,
                phases=[Phase.explicit, Phase.reuse, Phase.generate],
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

NASTY_TEXT = ["../../../../x", "/tmp/stisim-fuzz-victim", "${oc.env:HOME}", "${hydra:runtime.cwd}",
              "nan", "inf", "-inf", ".inf", "1e300", "-1", "0", "[1,2]", "{a: 1}", "''",
              "<img src=x onerror=alert(1)>", "$\\frac{a}$", "stisim.io:os.system",
              "tcp://203.0.113.9:8786", "\u202e\u0000", "a" * 300, "null", "true", "~",
              "*alias", "&anchor x", "!!python/object/apply:os.system ['true']", ";", ","]
KEYS = ["seed", "diffusion.p", "diffusion.q", "firms.count", "time.end_year",
        "time.base_year", "output.filename", "output.format", "scenario.name",
        "scenario.description", "country", "country.iso3", "sweep.dir", "sweep.run_function",
        "sweep.executor.address", "optimise.portfolio", "sdg.matrix_file", "hydra.run.dir",
        "+extra.key", "~seed", "firms", "nonsense.key"]

scalars = st.one_of(st.sampled_from(NASTY_TEXT), st.integers(-10**20, 10**20),
                    st.floats(allow_nan=True, allow_infinity=True),
                    st.text(max_size=40), st.booleans(), st.none())


def _record(kind: str, rc: int, err: str) -> None:
    line = next((ln for ln in err.splitlines() if ln.startswith("  - ")), "")
    OUTCOMES[(kind, rc)] += 1
    event(f"{kind} exit {rc}")
    if line:
        event(f"{kind} refused: {line.split(':')[0].strip()[2:40]}")


def _check(scratch, res, before_outside, kind) -> None:
    assert res.rc in EXIT_STATUSES, res.text
    assert "Traceback" not in res.text, res.text
    if res.rc != 0:
        assert res.err.count("stisim: error:") == 1, res.text
    after = {k: v for k, v in snapshot(scratch.root.parent).items()
             if not k.startswith("work/outputs/")}
    assert after == before_outside, "a file outside outputs/ was written or changed"
    _record(kind, res.rc, res.err)
    shutil.rmtree(scratch.root / "outputs", ignore_errors=True)


def _outside(scratch) -> dict[str, str]:
    return {k: v for k, v in snapshot(scratch.root.parent).items()
            if not k.startswith("work/outputs/")}


@FUZZ
@given(overrides=st.lists(st.tuples(st.sampled_from(KEYS), scalars), min_size=1, max_size=3))
def test_fuzz_cli_overrides(scratch, overrides):
    args = [f"{k}={v}" if not k.startswith("~") else k for k, v in overrides]
    (scratch.root / "keep.txt").write_text("existing\n", encoding="utf-8")
    before = _outside(scratch)
    res = cli("run", *args, *FAST)
    _check(scratch, res, before, "overrides")


nodes = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3),
    st.dictionaries(st.sampled_from(["name", "p", "q", "dir", "_target_", "filename", "x"]),
                    inner, max_size=3)), max_leaves=8)
scenario_content = st.dictionaries(
    st.sampled_from(["scenario", "diffusion", "output", "sweep", "optimise", "hydra",
                     "defaults", "firms", "country", "shocks", "bogus"]),
    nodes, max_size=3)


@FUZZ
@given(content=scenario_content, raw=st.one_of(st.none(), st.text(max_size=200),
                                                st.binary(max_size=100)))
def test_fuzz_scenario_files(scratch, content, raw):
    path = scratch.scenarios / "fz.yaml"
    if raw is None:
        body = yaml.safe_dump(content, allow_unicode=True)
        path.write_text("# @package _global_\n" + body, encoding="utf-8")
    elif isinstance(raw, bytes):
        path.write_bytes(b"# @package _global_\n" + raw)
    else:
        path.write_text("# @package _global_\n" + raw, encoding="utf-8", errors="replace")
    from stisim.config.compose import rescan

    rescan()
    before = _outside(scratch)
    res = cli("run", "scenario=fz", *FAST)
    _check(scratch, res, before, "scenario")


def _paths(node, prefix=()):
    if isinstance(node, dict):
        for k, v in node.items():
            yield (*prefix, k)
            yield from _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield (*prefix, i)
            yield from _paths(v, (*prefix, i))


PORTFOLIO_PATHS = list(_paths(tiny_portfolio()))


@settings(FUZZ, max_examples=3 * EXAMPLES)
@given(changes=st.lists(st.tuples(st.sampled_from(PORTFOLIO_PATHS), nodes), min_size=1,
                        max_size=3),
       fmt=st.sampled_from(["yaml", "csv", "xlsx"]))
def test_fuzz_portfolios(tmp_path_factory, changes, fmt):
    from stisim.roadmap.loaders import write_portfolio
    from stisim.roadmap.portfolio import load_portfolio

    raw = tiny_portfolio()
    for path, value in changes:
        node = raw
        try:
            for key in path[:-1]:
                node = node[key]
            node[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue
    folder = tmp_path_factory.mktemp("pf")
    target = {"yaml": folder / "p.yaml", "csv": folder / "p", "xlsx": folder / "p.xlsx"}[fmt]
    try:
        if fmt == "yaml":
            target.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
        else:
            write_portfolio(raw, target)
    except Exception:  # the writer's own limits are not what is fuzzed
        event("portfolio not writable in this format")
        return  # the writer refuses shapes a table cannot hold: not what is fuzzed here
    try:
        load_portfolio(target)
    except StisimError as exc:
        assert "Traceback" not in str(exc)
        OUTCOMES[("portfolio " + fmt, "refused")] += 1
        event(f"portfolio {fmt} refused")
    else:
        OUTCOMES[("portfolio " + fmt, "loaded")] += 1
        event(f"portfolio {fmt} loaded")


@pytest.fixture(scope="module", autouse=True)
def _outcome_report():
    yield
    if OUTCOMES and os.environ.get("STISIM_FUZZ_REPORT"):
        with open(os.environ["STISIM_FUZZ_REPORT"], "a", encoding="utf-8") as fh:
            for (kind, outcome), n in sorted(OUTCOMES.items(), key=str):
                fh.write(f"{kind}\t{outcome}\t{n}\n")
