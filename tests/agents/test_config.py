"""Bad input: a clear error naming the key and the allowed values; nothing written."""

from __future__ import annotations

import pytest

from stisim.config import load_config
from stisim.errors import ConfigError


def problems(*overrides: str) -> list:
    with pytest.raises(ConfigError) as info:
        load_config("run", list(overrides))
    return info.value.problems


def only(problems_: list, path: str):
    match = [p for p in problems_ if p.path == path]
    assert match, f"no problem at {path}: {problems_}"
    return match[0]


def test_agent_sections_are_registered():
    cfg = load_config("run", [])
    for name in ("firms", "diffusion", "institutes", "ministries", "local_governments",
                 "partners", "macro", "shocks", "mechanisms", "extensions", "policy",
                 "regions", "infrastructure"):
        assert hasattr(cfg, name)
    assert cfg.firms.count > 0 and cfg.diffusion.p > 0


@pytest.mark.parametrize(("override", "path", "allowed"), [
    ("diffusion.p=-0.1", "diffusion.p", ">= 0.0"),
    ("firms.count=10", "firms.count", ">= 100"),
    ("institutes.brain_drain_rate=2", "institutes.brain_drain_rate", "<= 1.0"),
    ("diffusion.mixing=global", "diffusion.mixing", "economy"),
])
def test_out_of_range(override, path, allowed):
    p = only(problems(override), path)
    assert allowed in p.allowed


def test_unknown_sector_lists_allowed():
    p = only(problems("+macro.income_elasticity.mining=1.0"), "macro.income_elasticity.mining")
    assert "agriculture" in p.allowed and "services" in p.allowed


def test_unknown_technology_lists_allowed():
    p = only(problems("+diffusion.p_scale.robots=1.0"), "diffusion.p_scale.robots")
    assert "digital" in p.allowed and "health_tech" in p.allowed
    p = only(problems("diffusion.eligible.digital=[agriculture,farming]"),
             "diffusion.eligible.digital[1]")
    assert "agriculture" in p.allowed


def test_shock_outside_horizon_names_key_and_range():
    p = only(problems("shocks.events=[{kind: pandemic, year: 2050, size: 0.1}]"),
             "shocks.events[0].year")
    assert "2022" in p.allowed and "2040" in p.allowed
    assert "horizon" in p.message


def test_bad_shock_kind_and_region():
    ps = problems("shocks.events=[{kind: volcano, year: 2030, size: 0.1, region: moon}]")
    assert "pandemic" in only(ps, "shocks.events[0].kind").allowed


def test_bad_budget_lines():
    ps = problems("policy.budgets=[{instrument: subsidies, year: 2031, amount: 1}]")
    assert "adoption_subsidy" in only(ps, "policy.budgets[0].instrument").allowed
    # Cross-field checks run once every field is valid.
    ps = problems("policy.budgets=[{instrument: rd_grants, year: 2030, amount: 1e6, "
                  "region: rural}, {instrument: skills, year: 2045, amount: 1}]")
    assert "national instrument" in only(ps, "policy.budgets[0].region").message
    assert "2040" in only(ps, "policy.budgets[1].year").allowed


def test_region_lists_must_match():
    p = only(problems("regions.capacity=[0.5,0.5]"), "regions.capacity")
    assert "one value per region" in p.message


def test_cli_bad_shock_exits_nonzero_and_writes_nothing(tmp_path, capsys, monkeypatch):
    from stisim.cli import main

    monkeypatch.chdir(tmp_path)
    code = main(["run", "country=kenya", "shocks.events=[{kind: pandemic, year: 1999, "
                 "size: 0.1}]", f"hydra.run.dir={tmp_path / 'out'}"])
    assert code != 0
    err = capsys.readouterr().err
    assert "shocks.events[0].year" in err
    assert not (tmp_path / "out").exists()


def test_cli_run_writes_dataset(tmp_path, capsys):
    from stisim.cli import main
    from stisim.io import open_dataset

    out = tmp_path / "run"
    code = main(["run", "country=serbia", "firms.count=2000", "time.end_year=2026",
                 "scenario=shocks/pandemic", f"hydra.run.dir={out}"])
    assert code == 0
    ds = open_dataset(out / "run.nc")
    assert ds.attrs["scenario"] == "pandemic"
    assert float(ds["shock_intensity"].sel(shock="pandemic").max()) > 0
    assert "Serbia" in capsys.readouterr().out
