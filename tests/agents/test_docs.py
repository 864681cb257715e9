"""docs/model.md: the generated parameter tables are up to date, and every agent-model
parameter appears in them."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from stisim.agents.docs import _sections, block, parameter_tables

DOC = Path(__file__).resolve().parents[2] / "docs" / "model.md"


def test_parameter_tables_are_current():
    assert block(DOC) == parameter_tables(), (
        "regenerate with: PYTHONPATH=. python -m stisim.agents.docs docs/model.md")


def test_every_parameter_documented_with_a_source():
    text = parameter_tables()
    for key, cls in _sections():
        for f in dataclasses.fields(cls):
            assert f"`{f.name}`" in text
            assert f.metadata.get("doc"), f"{key}.{f.name} has no doc"
    from stisim.agents import params

    numeric = [f for cls in (params.FirmsConfig, params.DiffusionConfig,
                             params.InstitutesConfig, params.MinistriesConfig,
                             params.PartnersConfig, params.MacroConfig,
                             params.InfrastructureConfig)
               for f in dataclasses.fields(cls)]
    missing = [f.name for f in numeric if not f.metadata.get("source")]
    assert not missing, f"parameters without a source: {missing}"


def test_every_firm_attribute_is_listed():
    """docs/model.md §11.1 names every per-firm array a rule can read (FirmPopulation.ARRAYS
    and the adoption flags)."""
    import re

    from stisim.agents.firms import FirmPopulation

    text = DOC.read_text(encoding="utf-8")
    section = text.split("### 11.1 Firm attributes", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"^\| `(\w+)` \|", section, re.M))
    assert set(FirmPopulation.ARRAYS) | {"adopted"} == listed
