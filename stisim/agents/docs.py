"""Parameter tables of the agent model, generated from the config metadata (``docs.py`` is
each package's generator of its documentation tables, cf. :mod:`stisim.roadmap.docs`).

``docs/model.md`` holds the output between the markers below; regenerate it with::

    PYTHONPATH=. python -m stisim.agents.docs docs/model.md
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from stisim.config.fields import describe

BEGIN = "<!-- BEGIN GENERATED PARAMETER TABLES (python -m stisim.agents.docs) -->"
END = "<!-- END GENERATED PARAMETER TABLES -->"

# (config key, dataclass) in documentation order.
def _sections() -> list[tuple[str, type]]:
    from stisim.agents import params as p
    from stisim.config.params import CountryConfig

    return [("firms", p.FirmsConfig), ("diffusion", p.DiffusionConfig),
            ("institutes", p.InstitutesConfig), ("ministries", p.MinistriesConfig),
            ("local_governments", p.LocalGovernmentsConfig), ("partners", p.PartnersConfig),
            ("matching", p.MatchingConfig),
            ("regions", p.RegionsConfig), ("infrastructure", p.InfrastructureConfig),
            ("macro", p.MacroConfig), ("shocks", p.ShocksConfig),
            ("shocks.events[i]", p.ShockEvent), ("mechanisms", p.MechanismsConfig),
            ("policy", p.PolicyConfig), ("policy.budgets[i]", p.BudgetEntry),
            ("extensions", p.ExtensionsConfig), ("country", CountryConfig)]


def _fmt(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_fmt(v)}" for k, v in value.items()) or "{}"
    if isinstance(value, list):
        return "[" + ", ".join(_fmt(v) for v in value) + "]" if len(value) < 7 else \
            f"[{len(value)} items]"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def parameter_tables() -> str:
    """Markdown tables: parameter, default, unit, allowed range, description, source."""
    out = []
    for key, cls in _sections():
        out.append(f"### `{key}`\n")
        doc = (cls.__doc__ or "").strip().splitlines()[0]
        out.append(f"{doc}\n")
        out.append("| parameter | default | unit | allowed | description | source |")
        out.append("|---|---|---|---|---|---|")
        for row in describe(cls):
            out.append("| " + " | ".join(_cell(x) for x in (
                f"`{row['name']}`", _fmt(row["default"]), row["unit"], row["range"],
                row["doc"], row["source"])) + " |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def update(path: str | Path) -> bool:
    """Rewrite the generated block of ``path``; True when it changed."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    new = text[:start] + "\n\n" + parameter_tables() + "\n" + text[end:]
    if new != text:
        path.write_text(new, encoding="utf-8")
        return True
    return False


def block(path: str | Path) -> str:
    text = Path(path).read_text(encoding="utf-8")
    return text[text.index(BEGIN) + len(BEGIN): text.index(END)].strip() + "\n"


if __name__ == "__main__":
    for arg in sys.argv[1:] or ["docs/model.md"]:
        print(f"{arg}: {'updated' if update(arg) else 'up to date'}")
