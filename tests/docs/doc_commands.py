"""The shell commands and Python snippets of README.md and docs/**/*.md, as tests run them.

Every fenced block carries a language. Blocks tagged ``bash``/``sh``/``shell``/``console``
hold commands (``console``: ``$ `` lines are commands, the lines after one are its output);
``python``/``pycon`` blocks hold Python (``>>>`` examples are checked against their output);
every other language (``text``, ``yaml``, ...) is not run. HTML comments right above a block
direct the runner:

    <!-- doc-test: not run: REASON -->            the whole block is not run, and why
    <!-- doc-test: not run "PREFIX": REASON -->   commands starting with PREFIX are not run
    <!-- doc-test: before: COMMAND -->            a shell command run first (a step the text
                                                  describes in words, e.g. editing a file)
    <!-- doc-test: output -->                     (on a text block) the output the runnable
                                                  block above prints

Commands run at small sizes (``STISIM_SMALL=1``, see stisim.config.small), each documentation
file in its own working directory holding copies of ``scenarios/`` and ``configs/``, in the
order of the file. ``PATH/<stamp>``-style placeholders name the newest existing match.
Expected output is compared line by line, in order, with numbers and ``...`` as wildcards and
runs of spaces collapsed (the small sizes change the numbers, not the lines).

``python tests/docs/doc_commands.py`` lists what is run and what is not, per file.
"""

from __future__ import annotations

import re
import shlex
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHELL = {"bash", "sh", "shell", "console"}
PYTHON = {"python", "pycon"}
MARKER = re.compile(r"<!--\s*doc-test:\s*(.*?)\s*-->", re.S)
FENCE = re.compile(r"^(```|~~~)([\w+-]*)[^\n]*\n(.*?)^\1[ \t]*$", re.S | re.M)


def doc_files() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


@dataclass
class Command:
    text: str                      # one command line (continuations joined)
    output: list[str] = field(default_factory=list)   # expected output lines
    skip: str | None = None        # why it is not run
    line: int = 0


@dataclass
class Block:
    path: Path
    line: int                      # line of the opening fence (1-based)
    lang: str
    body: str
    markers: list[str] = field(default_factory=list)
    commands: list[Command] = field(default_factory=list)
    expected: list[str] = field(default_factory=list)  # from a following `output` block
    skip: str | None = None
    before: list[str] = field(default_factory=list)

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"

    @property
    def runnable(self) -> bool:
        return self.lang in SHELL | PYTHON


def _markers_above(text: str, start: int) -> list[str]:
    """The doc-test comments directly above position ``start`` (blank lines allowed)."""
    head = text[:start].rstrip()
    found = []
    while head.endswith("-->"):
        open_at = head.rfind("<!--")
        if open_at < 0:
            break
        match = MARKER.fullmatch(head[open_at:])
        if not match:
            break
        found.insert(0, match.group(1))
        head = head[:open_at].rstrip()
    return found


def _shell_commands(block: Block) -> list[Command]:
    commands: list[Command] = []
    lines = block.body.splitlines()
    i = 0
    console = block.lang == "console"
    while i < len(lines):
        raw = lines[i]
        number = block.line + 1 + i
        i += 1
        if console:
            if not raw.startswith("$ "):
                if not commands:
                    raise ValueError(f"{block.where}: console output before any '$ ' command")
                commands[-1].output.append(raw)
                continue
            raw = raw[2:]
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        while raw.rstrip().endswith("\\") and i < len(lines):
            raw = raw.rstrip()[:-1] + " " + lines[i].strip()
            i += 1
        commands.append(Command(_strip_comment(raw).strip(), line=number))
    return commands


def _strip_comment(line: str) -> str:
    """The line without a trailing ``# comment`` (outside quotes)."""
    quote = None
    for k, ch in enumerate(line):
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (k == 0 or line[k - 1].isspace()):
            return line[:k]
    return line


def parse(path: Path) -> list[Block]:
    text = path.read_text(encoding="utf-8")
    blocks: list[Block] = []
    for match in FENCE.finditer(text):
        fence_line = text[:match.start()].count("\n") + 1
        block = Block(path, fence_line, match.group(2).lower(), match.group(3),
                      _markers_above(text, match.start()))
        for marker in block.markers:
            kind, _, rest = marker.partition(":")
            kind = kind.strip()
            if kind == "not run":
                block.skip = rest.strip()
            elif kind.startswith("not run "):
                prefix = kind[len("not run "):].strip().strip('"')
                block.before.append(f"#skip {prefix}\t{rest.strip()}")
            elif kind == "before":
                block.before.append(rest.strip())
            elif kind == "output":
                if not blocks or not blocks[-1].runnable:
                    raise ValueError(f"{block.where}: an output block follows no runnable block")
                blocks[-1].expected = block.body.splitlines()
            else:
                raise ValueError(f"{block.where}: unknown doc-test marker {marker!r}")
        if block.lang in SHELL:
            block.commands = _shell_commands(block)
            skips = [b[6:].split("\t", 1) for b in block.before if b.startswith("#skip ")]
            block.before = [b for b in block.before if not b.startswith("#skip ")]
            for prefix, reason in skips:
                hit = [c for c in block.commands if c.text.startswith(prefix)]
                if not hit:
                    raise ValueError(f"{block.where}: no command starts with {prefix!r}")
                for c in hit:
                    c.skip = reason
            if block.expected and block.commands:
                block.commands[-1].output = block.expected
        blocks.append(block)
    return blocks


def problems(blocks: list[Block]) -> list[str]:
    """Blocks the runner cannot classify: no language, or a transcript tagged as text."""
    out = []
    for b in blocks:
        if not b.lang:
            out.append(f"{b.where}: a fenced block without a language (text for output and "
                       "diagrams, bash or console for commands, python for code)")
        elif b.lang not in SHELL | PYTHON:
            first = next((ln for ln in b.body.splitlines() if ln.strip()), "")
            if first.startswith(("$ ", ">>> ")):
                out.append(f"{b.where}: a transcript tagged {b.lang!r}: tag it console or "
                           "pycon so that it runs, or mark it not run")
        if b.skip == "":
            out.append(f"{b.where}: 'not run' needs a reason")
        same = re.search(r"the same commands run from (\S+\.md)", b.skip or "")
        if same:  # a claim the runner checks: each command runs there
            there = [c.text for o in parse(ROOT / same.group(1)) if o.skip is None
                     for c in o.commands if c.skip is None]
            out += [f"{b.where}: {c.text!r} is not run from {same.group(1)}"
                    for c in b.commands if c.text not in there]
    return out


def counts(blocks: list[Block]) -> tuple[int, int]:
    """(run, not run): shell commands and Python blocks."""
    run = not_run = 0
    for b in blocks:
        if b.lang in SHELL:
            for c in b.commands:
                if b.skip is not None or c.skip is not None:
                    not_run += 1
                else:
                    run += 1
        elif b.lang in PYTHON:
            if b.skip is not None:
                not_run += 1
            else:
                run += 1
    return run, not_run


# -- output comparison ---------------------------------------------------------------------

_NUMBER = re.compile(r"[-+]?(?:\d[\d,]*(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?%?")
_WILD = "\x00"


def _pattern(line: str) -> re.Pattern:
    text = " ".join(line.replace("…", "...").split())
    if re.fullmatch(r"-{3,}", text):  # a table's rule: its width follows the numbers
        return re.compile(r"-{3,}")
    text = re.sub(r"<[^<>]*>", _WILD, text)          # placeholders
    text = text.replace("...", _WILD)
    text = _NUMBER.sub(_WILD, text)
    parts = [re.escape(p) for p in text.split(_WILD)]
    return re.compile(".*?".join(parts) if len(parts) > 1 else parts[0])


def missing_lines(expected: list[str], actual: str) -> list[str]:
    """Expected lines (in order) that the actual output does not show."""
    got = [" ".join(ln.split()) for ln in actual.splitlines()]
    k = 0
    missing = []
    for line in expected:
        if not line.strip():
            continue
        pattern = _pattern(line)
        j = k
        while j < len(got) and not pattern.fullmatch(got[j]):
            j += 1
        if j == len(got):
            missing.append(line)
        else:
            k = j + 1
    return missing


def split_command(text: str) -> list[tuple[str, list[str]]]:
    """``A && B; C`` as [(op, argv)]: op is how the part joins the one before."""
    lexer = shlex.shlex(text, posix=True, punctuation_chars=";&|")
    lexer.whitespace_split = True
    parts: list[tuple[str, list[str]]] = []
    op, argv = "", []
    for token in lexer:
        if token in (";", "&&", "||"):
            parts.append((op, argv))
            op, argv = token, []
        elif set(token) <= set(";&|<>"):
            return []  # pipes and redirections: left to bash
        else:
            argv.append(token)
    parts.append((op, argv))
    return parts


def main() -> int:
    total_run = total_not = 0
    for path in doc_files():
        blocks = parse(path)
        run, not_run = counts(blocks)
        total_run += run
        total_not += not_run
        if run or not_run:
            print(f"{path.relative_to(ROOT)}: {run} run, {not_run} not run")
        for b in blocks:
            if b.skip is not None:
                print(f"  not run {b.where}: {b.skip}")
            for c in b.commands:
                if c.skip is not None and b.skip is None:
                    print(f"  not run {b.path.relative_to(ROOT)}:{c.line} {c.text!r}: {c.skip}")
        for p in problems(blocks):
            print(f"  PROBLEM {p}")
    print(f"total: {total_run} run, {total_not} not run")
    return 0


if __name__ == "__main__":
    sys.exit(main())
