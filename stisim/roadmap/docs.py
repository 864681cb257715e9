"""Reference tables of docs/roadmap.md, generated from attributes.yml and instruments.csv
(``docs.py`` is each package's generator of its documentation tables, cf.
:mod:`stisim.agents.docs`).

``python -m stisim.roadmap.docs`` rewrites the generated block of docs/roadmap.md; a test
checks that the file is in sync with the tables.
"""

from __future__ import annotations

import sys
from pathlib import Path

from stisim.roadmap.instruments import instruments
from stisim.roadmap.schema import attribute_rows, attributes

DOC = Path(__file__).resolve().parents[2] / "docs" / "roadmap.md"
START, END = "<!-- generated: schema -->", "<!-- end generated -->"


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def schema_markdown() -> str:
    parts = []
    for component in attributes():
        parts.append(f"### `{component}`\n")
        parts.append("| attribute | type | unit | default | allowed | description |")
        parts.append("|---|---|---|---|---|---|")
        for row in attribute_rows(component):
            parts.append("| " + " | ".join(_cell(row[k]) for k in (
                "attribute", "type", "unit", "default", "allowed", "description")) + " |")
        parts.append("")
    parts.append("### Instruments\n")
    parts.append("| id | name | agent-model mechanism | description |")
    parts.append("|---|---|---|---|")
    for row in instruments().itertuples(index=False):
        parts.append(f"| `{row.id}` | {_cell(row.name)} | {row.mechanism} | "
                     f"{_cell(row.description)} |")
    return "\n".join(parts).strip() + "\n"


def render(text: str) -> str:
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    return f"{head}{START}\n{schema_markdown()}{END}{tail}"


def main() -> int:
    DOC.write_text(render(DOC.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"updated {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
