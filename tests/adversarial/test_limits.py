"""Issue item 7 and the CSV/XLSX parts of item 9: every file stisim reads is parsed within
limits (size, nesting, alias expansion), and a malformed file is one message naming it."""

from __future__ import annotations

import pytest
import yaml

from stisim.errors import ConfigError
from stisim.roadmap.loaders import read_portfolio_file, write_portfolio
from tests.adversarial.conftest import cli, tiny_portfolio

BOMB = "".join(f"{c}: &{c} [{', '.join([f'*{p}'] * 9) if p else ', '.join(['x'] * 9)}]\n"
               for p, c in zip([None, *"abcdefgh"], "abcdefghi"))  # 9**9 nodes, ~400 bytes
DEEP = "x: " + "[" * 300 + "]" * 300 + "\n"


def test_alias_bomb_on_the_scenario_path_harms_only_itself(scratch):
    assert len(BOMB) < 500
    scratch.scenario("bomb", BOMB.replace("a: &a", "scenario: {name: b}\na: &a"))
    scratch.scenario("deep", DEEP)
    from stisim.config import load_config

    # The other scenarios still compose (a bomb was expanded while registering every file).
    assert load_config("run", ["time.end_year=2024"]).time.end_year == 2024
    for name, what in (("bomb", "alias bomb"), ("deep", "nested more than")):
        res = cli("run", f"scenario={name}")
        assert res.one_message(), res.text
        assert what in res.err and f"{name}.yaml" in res.err
    assert scratch.outputs() == []


@pytest.mark.parametrize("text,what", [(BOMB, "alias bomb"), (DEEP, "nested more than")])
def test_portfolio_yaml_limits(tmp_path, text, what):
    raw = yaml.safe_dump(tiny_portfolio())
    path = tmp_path / "p.yaml"
    path.write_text(raw + text.replace("x: ", "notes: ").replace("a: &a", "zz: &a"),
                    encoding="utf-8")
    with pytest.raises(ConfigError, match=what):
        read_portfolio_file(path)


def test_bomb_in_a_portfolio_description_is_refused_by_the_command(scratch):
    path = scratch.root / "p.yaml"
    raw = yaml.safe_dump(tiny_portfolio()).replace("description: adversarial tests",
                                                   "description: *i")
    path.write_text(BOMB + raw, encoding="utf-8")
    res = cli("optimise", f"optimise.portfolio={path}")
    assert res.one_message(), res.text
    assert "alias bomb" in res.err
    assert not (scratch.root / "outputs").exists()


def _csv_dir(tmp_path):
    directory = tmp_path / "csv"
    write_portfolio(tiny_portfolio(), directory)
    return directory


@pytest.mark.parametrize("mangle,what", [
    (lambda t: t.replace("action 1", "acción 1").encode("cp1252"), "not UTF-8 CSV"),
    (lambda t: t.encode("utf-16"), "UTF-16"),
    (lambda t: b"\x00\x01\x02PK\x03\x04" * 50, "binary"),
    (lambda t: t.replace("action 1", '"action 1').encode(), "valid CSV"),
    (lambda t: t.replace("action 1", "action 1,extra,extra").encode(), "valid CSV"),
    (lambda t: t.replace(",", ";").encode(), "separated by ';'"),
])
def test_malformed_csv_is_one_message(tmp_path, mangle, what):
    directory = _csv_dir(tmp_path)
    actions = directory / "actions.csv"
    actions.write_bytes(mangle(actions.read_text(encoding="utf-8")))
    with pytest.raises(ConfigError) as info:
        read_portfolio_file(directory)
    text = str(info.value)
    assert what in text and "actions.csv" in text and "allowed" in text


def test_csv_error_through_the_command(scratch):
    directory = _csv_dir(scratch.root)
    actions = directory / "actions.csv"
    actions.write_bytes(actions.read_text(encoding="utf-8").encode("utf-16"))
    res = cli("optimise", f"optimise.portfolio={directory}")
    assert res.one_message(), res.text
    assert "UTF-16" in res.err and "actions.csv" in res.err


def test_xlsx_formula_cell_without_value_is_named(tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "p.xlsx"
    write_portfolio(tiny_portfolio(), path)
    wb = load_workbook(path)
    ws = wb["actions"]
    header = [c.value for c in ws[1]]
    col = header.index("value") + 1
    ws.cell(row=2, column=col).value = "=2+3"
    wb.save(path)  # openpyxl stores the formula, not its value
    with pytest.raises(ConfigError) as info:
        read_portfolio_file(path)
    text = str(info.value)
    assert "formula without a stored value" in text and "'=2+3'" in text
    assert "is required" not in text


def test_xlsx_zip_bomb_and_garbage_are_refused(tmp_path):
    import zipfile

    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (120 << 20))
    with pytest.raises(ConfigError, match="unpacks to"):
        read_portfolio_file(bomb)
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a zip")
    with pytest.raises(ConfigError, match="not an XLSX workbook"):
        read_portfolio_file(junk)


def test_oversized_yaml_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr("stisim.io.MAX_TEXT_BYTES", 1000)
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(tiny_portfolio()) + "# " + "x" * 2000 + "\n",
                    encoding="utf-8")
    with pytest.raises(ConfigError, match="too large"):
        read_portfolio_file(path)
