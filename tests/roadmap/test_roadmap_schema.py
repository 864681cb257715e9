"""Portfolio validation: every problem at once, naming file, action id, field and allowed."""

from __future__ import annotations

import copy

import pytest

from stisim.errors import ConfigError
from stisim.roadmap import build_portfolio
from stisim.roadmap.schema import attribute_rows, attributes

BASE = {
    "name": "t", "horizon": [2025, 2027],
    "sources": [{"id": "pub", "kind": "public", "budget": 10},
                {"id": "biz", "kind": "private"}],
    "actions": [
        {"id": "A", "name": "a", "instrument": "research_grants", "lead": "x", "cost": [1, 2],
         "sources": ["pub"], "effects": [{"indicator": "9.5.1", "change": 0.01}]},
        {"id": "B", "name": "b", "instrument": "skills_training", "lead": "x", "cost": 3,
         "sources": {"pub": 1.0, "biz": 0.5}, "leverage": 1.0, "depends_on": ["A"]},
    ],
}


def problems(raw, label="file.yaml"):
    with pytest.raises(ConfigError) as err:
        build_portfolio(raw, label)
    return err.value.problems, str(err.value)


def test_valid_portfolio_arrays():
    p = build_portfolio(copy.deepcopy(BASE))
    assert p.cost.sel(action="A").values.tolist() == [1, 2, 0]
    assert p.cost.sel(action="B").values.tolist() == [3, 0, 0]
    assert p.max_share.sel(action="B", source="biz") == 0.5
    assert p.dependencies == [("B", "A")]
    assert p.budget.sel(source="biz").isnull().sum() == 0 and float(
        p.budget.sel(source="biz", year=2025)) == float("inf")


def test_every_problem_reported_with_action_field_and_allowed():
    raw = copy.deepcopy(BASE)
    a, b = raw["actions"]
    a["instrument"] = "research_grant"          # typo
    a["costs"] = [1]                            # unknown attribute
    b["leverage"] = 0                           # private eligible, no leverage
    b["depends_on"] = ["Z"]                     # unknown action
    a["effects"][0]["indicator"] = "9.5.9"      # unknown indicator
    raw["actions"].append({"id": "A", "name": "dup", "instrument": "governance", "lead": "x",
                           "cost": [1, 1, 1, 1], "sources": ["pub", "gov"]})
    found, text = problems(raw)
    paths = {p.path for p in found}
    assert "actions[A].instrument" in paths and "research_grants" in text
    assert "did you mean 'research_grants'?" in text
    assert "actions[A].costs" in paths and "unknown action attribute" in text
    assert "actions[B].leverage" in paths
    assert "actions[B].depends_on" in paths and "unknown action" in text
    assert "actions[A].effects[0].indicator" in paths
    assert "actions[A].id" in paths  # duplicate
    assert "actions[A].cost" in paths and "after the horizon ends in 2027" in text
    assert "actions[A].sources.gov" in paths and "unknown finance source" in text
    assert all(p.where.startswith("file.yaml") for p in found)


def test_types_ranges_and_responses():
    raw = copy.deepcopy(BASE)
    raw["discount_rate"] = 1.5
    raw["horizon"] = [2030, 2025]
    found, _ = problems(raw)
    paths = {p.path for p in found}
    assert "discount_rate" in paths and "horizon" in paths
    raw = copy.deepcopy(BASE)
    raw["actions"][0]["effects"][0]["response"] = [[0, 0], [0.5, 0.2], [1, 1]]
    raw["actions"][1]["min_scale"] = "half"
    found, text = problems(raw)
    assert "not concave" in text and "must be a number" in text


def test_financing_and_dependency_cycles():
    raw = copy.deepcopy(BASE)
    raw["actions"][1]["sources"] = {"pub": 0.5, "biz": 0.2}
    raw["actions"][0]["depends_on"] = ["B"]
    _found, text = problems(raw)
    assert "can finance at most 70%" in text  # 0.5 official + min(0.2, 1.0 x 0.5) private
    assert "cycle" in text


def test_floors_need_a_country_and_scenario_probabilities():
    raw = copy.deepcopy(BASE)
    raw["floors"] = [{"indicator": "9.5.1", "target": 1, "year": 2026},
                     {"indicator": "9.5.1", "goal": 9, "target": 1, "year": 2040}]
    raw["scenarios"] = [{"id": "a", "probability": 0.5}, {"id": "b", "probability": 0.2}]
    _, text = problems(raw)
    assert "need the portfolio's country" in text
    assert "either indicator or goal" in text
    assert "add up to 1" in text


def test_attribute_table_documents_every_attribute():
    for component, table in attributes().items():
        for name, meta in table.items():
            assert meta.get("description"), f"{component}.{name} has no description"
            assert "type" in meta
        rows = attribute_rows(component)
        assert len(rows) == len(table)


def test_reference_docs_are_in_sync():
    from stisim.roadmap.docs import DOC, render

    text = DOC.read_text(encoding="utf-8")
    assert render(text) == text, "run `python -m stisim.roadmap.docs` to update docs/roadmap.md"
