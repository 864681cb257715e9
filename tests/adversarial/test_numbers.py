"""Issue item 8: NaN, infinity and huge numbers in portfolios (YAML, CSV, XLSX) and configs
are refused with one message naming the item, instead of giving wrong plans or crashes."""

from __future__ import annotations

import pytest
import yaml

from stisim.errors import ConfigError
from stisim.roadmap.loaders import write_portfolio
from stisim.roadmap.portfolio import load_portfolio
from tests.adversarial.conftest import cli, tiny_portfolio

INF, NAN = float("inf"), float("nan")


def _set(path, value):
    def change(raw):
        node = raw
        *parents, last = path
        for key in parents:
            node = node[key]
        if value is KeyError:
            node.pop(last)
        else:
            node[last] = value
    return change


CASES = {
    "cost inf": (_set(["actions", 0, "cost"], [5, INF, 5, 5, 5]), "actions[A0].cost[1]"),
    "cost nan text": (_set(["actions", 0, "cost"], "5;nan;5;5;5"), "actions[A0].cost[1]"),
    "value inf": (_set(["actions", 0, "value"], INF), "actions[A0].value"),
    "effect change inf": (_set(["actions", 0, "effects", 0, "change"], INF),
                          "actions[A0].effects[0].change"),
    "floor target missing": (_set(["floors", 0, "target"], KeyError), "floors[0].target"),
    "floor target text": (_set(["floors", 0, "target"], "high"), "floors[0].target"),
    "floor target nan": (_set(["floors", 0, "target"], NAN), "floors[0].target"),
    "floor target inf": (_set(["floors", 0, "target"], INF), "floors[0].target"),
    "cost 1e300": (_set(["actions", 0, "cost"], [1e300] * 5), "actions[A0].cost[0]"),
    "budget inf": (_set(["sources", 0, "budget"], INF), "sources[treasury].budget"),
    # found by test_fuzz.py: a mapping where a number belongs raised KeyError('type')
    "capacity mapping": (_set(["agencies", 0, "capacity"], {"p": []}), "agencies"),
}


@pytest.mark.parametrize("fmt", ["yaml", "csv", "xlsx"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_non_finite_numbers_are_refused(tmp_path, case, fmt):
    change, key = CASES[case]
    raw = tiny_portfolio()
    change(raw)
    path = {"yaml": tmp_path / "p.yaml", "csv": tmp_path / "p", "xlsx": tmp_path / "p.xlsx"}[fmt]
    if fmt == "yaml":
        path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    else:
        write_portfolio(raw, path)
    with pytest.raises(ConfigError) as info:
        load_portfolio(path)
    text = str(info.value)
    assert key in text, text
    assert "allowed" in text or "required" in text


def test_non_finite_portfolio_through_the_command(scratch):
    raw = tiny_portfolio()
    raw["actions"][1]["cost"] = [5, INF, 5, 5, 5]
    path = scratch.root / "p.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    res = cli("optimise", f"optimise.portfolio={path}")
    assert res.one_message(), res.text
    assert "actions[A1].cost[1]" in res.err
    assert not (scratch.root / "outputs").exists()


@pytest.mark.parametrize("override", ["diffusion.p=nan", "diffusion.p=inf",
                                      "diffusion.p=[1,2]", "diffusion.p={a: 1}"])
def test_config_numbers_and_shapes(scratch, override):
    res = cli("run", override)
    assert res.one_message(), res.text
    assert "diffusion.p" in res.err
    assert scratch.outputs() == []
