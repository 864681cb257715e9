"""Config composition and validation through Hydra's compose API."""

from __future__ import annotations

import pytest

from stisim.config import load_config
from stisim.config.compose import REPO_DIR, is_scenario_file
from stisim.errors import ConfigError

PILOTS = {"ethiopia": 231, "ghana": 288, "india": 356, "kenya": 404, "serbia": 688,
          "ukraine": 804}
SCENARIOS = sorted(
    p.relative_to(REPO_DIR / "scenarios").with_suffix("").as_posix()
    for p in (REPO_DIR / "scenarios").rglob("*.yaml") if is_scenario_file(p)
)


def problems_of(overrides):
    with pytest.raises(ConfigError) as info:
        load_config("run", overrides)
    return info.value.problems


@pytest.mark.parametrize("name,m49", sorted(PILOTS.items()))
def test_pilot_presets(name, m49):
    cfg = load_config("run", [f"country={name}"])
    assert cfg.country.m49 == m49


@pytest.mark.parametrize("option", ["404", "kenya"])
def test_pilot_by_code_selects_preset(option):
    assert load_config("run", [f"country={option}"]).country.name == "Kenya"


def test_any_country_by_code_and_name():
    by_code = load_config("run", ["country=710"])
    by_name = load_config("run", ["country=south_africa"])
    assert by_code.country == by_name.country
    assert by_code.country.iso3 == "ZAF"


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_scenario_file_validates(scenario):
    cfg = load_config("run", [f"scenario={scenario}", "country=kenya"])
    assert cfg.scenario.name


def test_defaults_and_overrides():
    cfg = load_config("run", ["seed=3", "time.end_year=2030"])
    assert (cfg.seed, cfg.time.end_year, cfg.time.base_year) == (3, 2030, 2022)
    full = cfg.to_container()
    assert full["time"]["steps_per_year"] == 1 and "output" in full


def test_unknown_country_lists_what_is_allowed():
    (p,) = problems_of(["country=atlantis"])
    assert p.path == "country" and p.value == "atlantis"
    assert "ghana" in p.allowed and "M49" in p.allowed


def test_negative_seed():
    (p,) = problems_of(["seed=-1"])
    assert p.path == "seed" and p.value == -1 and "0 <= seed" in p.allowed


def test_every_problem_reported_together():
    problems = problems_of(["seed=-1", "time.steps_per_year=5", "time.end_year=1990"])
    assert {p.path for p in problems} == {"seed", "time.steps_per_year", "time.end_year"}
    steps = next(p for p in problems if p.path == "time.steps_per_year")
    assert steps.allowed == "1, 4, 12"


def test_unknown_override_key_names_allowed_keys():
    (p,) = problems_of(["time.stpes_per_year=4"])
    assert p.path == "time.stpes_per_year" and "steps_per_year" in p.allowed


def test_scenario_typo_names_key_file_and_allowed(scenario_dir):
    (scenario_dir / "typo.yaml").write_text(
        "# @package _global_\ntime:\n  stpes_per_year: 4\n  end_year: 1990\n")
    problems = problems_of(["scenario=typo"])
    typo = next(p for p in problems if p.path == "time.stpes_per_year")
    assert "steps_per_year" in typo.allowed and typo.where.endswith("typo.yaml")
    assert any(p.path == "time.end_year" for p in problems)  # both reported at once


@pytest.mark.parametrize("content", [
    "foo:\n  _target_: os.system\n  command: touch pwned\n",
    "hydra:\n  callbacks:\n    x:\n      _target_: os.system\n",
    "defaults:\n  - override /hydra/launcher: basic\n",
])
def test_unsafe_scenarios_refused(scenario_dir, content, tmp_path):
    (scenario_dir / "evil.yaml").write_text("# @package _global_\n" + content)
    problems = problems_of(["scenario=evil"])
    assert problems and all(p.where.endswith("evil.yaml") for p in problems)


def test_target_override_refused():
    problems = problems_of(["+extra._target_=os.system"])
    assert any(p.path == "extra._target_" and p.value == "os.system" for p in problems)


def test_stisim_target_allowed_by_target_check():
    from stisim.config.validate import check_targets

    assert check_targets({"x": {"_target_": "stisim.pipeline.run"}}) == []
    assert check_targets({"x": [{"_target_": "subprocess.call"}]})[0].path == "x[0]._target_"


def test_non_scenario_yaml_is_not_a_scenario(scenario_dir):
    (scenario_dir / "portfolio.yaml").write_text("actions: []\n")
    (p,) = problems_of(["scenario=portfolio"])
    assert p.path == "scenario"


def test_validation_kernel_messages():
    """One kernel words every bound and allowed-value problem (config, portfolios, sweeps)."""
    from stisim.config.kernel import allowed_text, interval_violations, out_of_bounds

    assert out_of_bounds(1.5, {"ge": 0.0, "le": 1.0}) == ">= 0.0 and <= 1.0"
    assert out_of_bounds(0.5, {"ge": 0.0, "le": 1.0}) is None
    assert out_of_bounds(0.0, {"gt": 0.0}) == "> 0.0"
    assert interval_violations(-1.0, 0.5, {"ge": 0.0, "lt": 0.5}) == [">= 0.0", "< 0.5"]
    assert allowed_text(["ghana", "kenya"], "kenia") == "ghana, kenya (did you mean 'kenya'?)"
    many = [f"c{i:02d}" for i in range(30)]
    assert allowed_text(many, "c3").startswith("30 values such as c00, c01")
    assert "did you mean" in allowed_text(many, "c3")


def test_small_sizes_are_capped_only_when_asked(monkeypatch, capsys):
    """STISIM_SMALL=1 caps sizes (firms, replicates, samples) and nothing else, says so on
    standard error, and the capped values are the validated config (so outputs record them)."""
    monkeypatch.delenv("STISIM_SMALL", raising=False)
    full = load_config("compare", ["country=kenya"])
    assert full.firms.count == 3000 and full.compare.replicates == 5
    monkeypatch.setenv("STISIM_SMALL", "1")
    small = load_config("compare", ["country=kenya", "time.end_year=2031"])
    assert small.firms.count == 400 and small.compare.replicates == 2
    assert small.time.end_year == 2031 and small.country.iso3 == "KEN"
    assert "firms.count 3000 -> 400" in capsys.readouterr().err
    sweep = load_config("sweep", ["sweep=lhs_budgets", "sweep.samples=256",
                                  "sweep.executor.workers=16"])
    assert sweep.sweep.samples == 8 and sweep.sweep.executor.workers == 2
    assert load_config("run", ["firms.count=100"]).firms.count == 100  # below the cap
    monkeypatch.setenv("STISIM_SMALL", "0")
    assert load_config("run", []).firms.count == 50000
