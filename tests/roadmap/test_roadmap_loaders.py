"""YAML, CSV and XLSX portfolios hold the same schema; errors point at file, sheet and row."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from stisim.errors import ConfigError
from stisim.roadmap import load_portfolio, write_portfolio
from stisim.roadmap.portfolio import SCENARIO_DIR


def _same(a, b):
    assert a.action_ids == b.action_ids and a.source_ids == b.source_ids
    assert np.array_equal(a.cost.values, b.cost.values)
    assert np.array_equal(a.budget.values, b.budget.values)
    assert np.array_equal(a.max_share.values, b.max_share.values)
    assert a.dependencies == b.dependencies
    assert a.effects[["action", "indicator", "change", "lag"]].equals(
        b.effects[["action", "indicator", "change", "lag"]])
    assert [list(r) for r in a.effects["response"]] == [list(r) for r in b.effects["response"]]
    assert a.floors.equals(b.floors)
    assert a.country_m49 == b.country_m49 and a.discount_rate == b.discount_rate


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_round_trip_of_a_country_portfolio(tmp_path, fmt):
    source = SCENARIO_DIR / "ghana.yaml"
    raw = yaml.safe_load(source.read_text())
    target = tmp_path / ("ghana.xlsx" if fmt == "xlsx" else "ghana_tables")
    written = write_portfolio(raw, target)
    _same(load_portfolio(source), load_portfolio(written))


def test_xlsx_errors_name_sheet_and_row(tmp_path):
    raw = yaml.safe_load((SCENARIO_DIR / "kenya.yaml").read_text())
    raw["actions"][2]["instrument"] = "magic"
    raw["actions"][4]["sources"] = {"treasury": 1.5}
    path = write_portfolio(raw, tmp_path / "kenya.xlsx")
    with pytest.raises(ConfigError) as err:
        load_portfolio(path)
    text = str(err.value)
    assert f"{path}, sheet 'actions' row 4" in text and "actions[KE03].instrument" in text
    assert "sheet 'actions' row 6" in text and "max share must be in (0, 1]" in text


def test_csv_errors_name_file_and_row(tmp_path):
    raw = yaml.safe_load((SCENARIO_DIR / "kenya.yaml").read_text())
    directory = write_portfolio(raw, tmp_path / "kenya_csv")
    effects = (directory / "effects.csv").read_text().replace("9.5.1", "9.5.x", 1)
    (directory / "effects.csv").write_text(effects)
    with pytest.raises(ConfigError) as err:
        load_portfolio(directory / "actions.csv")
    assert "actions[KE01].effects[0].indicator" in str(err.value)
    assert "actions.csv, row 2" in str(err.value)


def test_yaml_errors_name_the_line(tmp_path):
    text = (SCENARIO_DIR / "kenya.yaml").read_text().replace("lead: MoEP\n", "lead: MoEPX\n", 1)
    path = tmp_path / "kenya.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_portfolio(path)
    message = str(err.value)
    assert "actions[KE10].lead" in message and "not one of the portfolio's agencies" in message
    assert "(did you mean 'MoEP'?)" in message and f"{path}:" in message


def test_scenario_files_are_not_portfolios(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("# @package _global_\nscenario: {name: x}\n")
    with pytest.raises(ConfigError, match="scenario file, not a portfolio"):
        load_portfolio(path)
    with pytest.raises(ConfigError, match="no such file or shipped portfolio"):
        load_portfolio("atlantis")
