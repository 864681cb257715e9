"""Docs are tests: every command and snippet of README.md and docs/ runs, or says why not.

See tests/docs/doc_commands.py for the rules. ``stisim`` commands run in this process (the
same ``main`` as the console script, without paying the imports once per command); other
commands run in bash. Everything runs at small sizes (``STISIM_SMALL=1``) in a working
directory per documentation file.
"""

from __future__ import annotations

import contextlib
import doctest
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from doc_commands import (
    PYTHON,
    ROOT,
    SHELL,
    Block,
    counts,
    doc_files,
    missing_lines,
    parse,
    problems,
    split_command,
)


def _parse_all() -> tuple[list, list[str]]:
    parsed, errors = [], []
    for path in doc_files():
        try:
            parsed.append(parse(path))
        except ValueError as exc:
            errors.append(str(exc))
    return parsed, errors


def _runnable(path: Path) -> bool:
    try:
        return any(b.runnable for b in parse(path))
    except ValueError:
        return True  # its test reports the problem


FILES = [p for p in doc_files() if _runnable(p)]


def test_every_block_is_classified_and_every_marker_has_a_reason():
    parsed, found = _parse_all()
    found += [p for blocks in parsed for p in problems(blocks)]
    assert found == [], "\n".join(found)


def test_the_journeys_a_newcomer_takes_are_run():
    """The README's report example, the sweep quick start and the workshop's commands."""
    readme = parse(ROOT / "README.md")
    ran = [c.text for b in readme if b.skip is None for c in b.commands if c.skip is None]
    assert any(c.startswith("stisim report outputs/sweeps/") and "--condition" in c for c in ran)
    sweeps = parse(ROOT / "docs" / "sweeps.md")
    assert any(c.text == "stisim sweep sweep=pilot_baselines" and c.skip is None
               for b in sweeps if b.skip is None for c in b.commands)
    workshop = parse(ROOT / "docs" / "workshop.md")
    run, not_run = counts(workshop)
    assert run >= 10 and not_run <= 1, (run, not_run)


class Session:
    """One documentation file's working directory, environment and Python namespace."""

    def __init__(self, work: Path, monkeypatch):
        self.work = work
        self.code = 0
        self.namespace: dict = {"__name__": "__doc__"}
        shutil.copytree(ROOT / "scenarios", work / "scenarios")
        for name in ("tools", "benchmarks"):  # copies: a tool that rewrites a page of its
            shutil.copytree(ROOT / name, work / name)  # repository writes into the copy
        (work / ".venv").symlink_to(Path(sys.prefix))
        monkeypatch.chdir(work)
        monkeypatch.setenv("STISIM_SMALL", "1")
        monkeypatch.setenv("STISIM_SCENARIO_PATH", str(work / "scenarios"))
        monkeypatch.setenv("MPLBACKEND", "Agg")
        monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}"
                                   f"{os.environ.get('PATH', '')}")

    def resolve(self, token: str) -> str:
        """``outputs/runs/GHA/baseline/<stamp>``: the newest existing match."""
        if "/" not in token or not re.search(r"<[A-Za-z][\w -]*>", token):
            return token
        pattern = re.sub(r"<[A-Za-z][\w -]*>", "*", token)
        matches = sorted(self.work.glob(pattern), key=lambda p: p.stat().st_mtime)
        if not matches:
            raise AssertionError(f"nothing matches {token!r} (as {pattern!r}) in {self.work}")
        return str(matches[-1].relative_to(self.work))

    def stisim(self, argv: list[str]) -> tuple[int, str]:
        from stisim.cli import main
        from stisim.config.compose import rescan

        rescan()  # scenario files written by an earlier command (calibrate)
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            try:
                code = main(argv)
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        return int(code or 0), out.getvalue()

    def bash(self, text: str) -> tuple[int, str]:
        done = subprocess.run(["bash", "-c", text], cwd=self.work, capture_output=True,
                              text=True, timeout=600)
        return done.returncode, done.stdout + done.stderr

    def command(self, text: str) -> tuple[int, str, bool]:
        """Run one command line: (exit status, output, whether failing is documented)."""
        parts = split_command(text)
        simple = parts and all(argv and (argv[0] == "stisim" or argv == ["echo", "$?"])
                               for _, argv in parts)
        expects_failure = any(argv == ["echo", "$?"] for _, argv in parts)
        if not simple:
            code, out = self.bash(text)
            return code, out, expects_failure
        output = []
        for op, argv in parts:
            if op == "&&" and self.code != 0:
                break
            if argv == ["echo", "$?"]:
                output.append(f"{self.code}\n")
                continue
            self.code, out = self.stisim([self.resolve(t) for t in argv[1:]])
            output.append(out)
        return self.code, "".join(output), expects_failure

    def shell_block(self, block: Block) -> list[str]:
        failures = []
        for command in block.commands:
            if command.skip is not None:
                continue
            code, out, may_fail = self.command(command.text)
            self.code = code
            documented_error = any(ln.startswith("stisim: error") for ln in command.output)
            where = f"{block.path.relative_to(ROOT)}:{command.line} $ {command.text}"
            if code != 0 and not (may_fail or documented_error):
                failures.append(f"{where}\nexit status {code}\n{out[-3000:]}")
                continue
            missing = missing_lines(command.output, out)
            if missing:
                failures.append(f"{where}\nexpected lines not printed:\n  "
                                + "\n  ".join(missing) + f"\n--- output:\n{out[-3000:]}")
        return failures

    def python_block(self, block: Block) -> list[str]:
        where = block.where
        # "outputs/atlas/KEN/<time>/atlas.nc" in a string: the newest existing match
        body = re.sub(r"([\"'])([^\"'\n]*/[^\"'\n]*<[A-Za-z][\w -]*>[^\"'\n]*)\1",
                      lambda m: m.group(1) + self.resolve(m.group(2)) + m.group(1), block.body)
        out = io.StringIO()
        expected = list(block.expected)
        try:
            with contextlib.redirect_stdout(out):
                if body.lstrip().startswith(">>>"):
                    for example in doctest.DocTestParser().get_examples(body):
                        code = compile(example.source, where, "single")
                        before = len(out.getvalue())
                        exec(code, self.namespace)
                        got = out.getvalue()[before:]
                        missing = missing_lines(example.want.splitlines(), got)
                        if missing:
                            return [f"{where}: {example.source.strip()}\nexpected lines not "
                                    "printed:\n  " + "\n  ".join(missing) + f"\n--- got:\n{got}"]
                else:
                    exec(compile(body, where, "exec"), self.namespace)
        except Exception as exc:
            import traceback

            return [f"{where}: {type(exc).__name__}: {exc}\n"
                    + "".join(traceback.format_exc(limit=-4))]
        missing = missing_lines(expected, out.getvalue())
        if missing:
            return [f"{where}: expected lines not printed:\n  " + "\n  ".join(missing)]
        return []

    def before(self, block: Block) -> list[str]:
        failures = []
        for text in block.before:
            code, out = self.bash(text)
            if code != 0:
                failures.append(f"{block.where}: preparation {text!r} failed ({code}):\n{out}")
        return failures


@pytest.mark.slow
@pytest.mark.docs
@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(ROOT)) for p in FILES])
def test_documented_commands_run(path, tmp_path, monkeypatch):
    session = Session(tmp_path, monkeypatch)
    failures: list[str] = []
    for block in parse(path):
        if not block.runnable or block.skip is not None:
            continue
        failures += session.before(block)
        if block.lang in SHELL:
            failures += session.shell_block(block)
        elif block.lang in PYTHON:
            failures += session.python_block(block)
    assert not failures, f"{len(failures)} documented command(s) failed:\n\n" + \
        "\n\n".join(failures)
