"""Interaction matrices, influence scores (Weitz et al. 2018) and the interlinkage dynamics."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from stisim import data
from stisim.baseline import load_baseline
from stisim.config import load_config
from stisim.data.indicators import codes, registry
from stisim.errors import ConfigError, DataError
from stisim.sdg.interlinkages import (
    Interlinkages,
    apply_interlinkages,
    decompose_interlinkages,
    historical_trends,
    interaction_matrix,
    laumann_region_of,
    propagate,
)
from stisim.sdg.matrices import (
    influence_scores,
    laumann_regions,
    laumann_signs,
    load_cross_impact,
    load_laumann,
    to_goal_matrix,
    weitz2018,
)

# Weitz et al. (2018), Sweden: targets ranked by first- plus second-order influence
# (the rank published with the matrix, data_sweden.json "Rank").
WEITZ_TOP7 = ["16.6", "12.1", "8.4", "12.5", "9.5", "4.4", "5.5"]


def test_weitz_influence_reproduces_published_ranking_and_sums():
    scores = influence_scores(weitz2018())
    assert list(scores.index[:7]) == WEITZ_TOP7
    assert list(scores["rank"][:7]) == [1, 2, 3, 4, 5, 6, 7]
    assert scores.index[-1] == "17.11"  # the only net-negative target
    published = pd.read_csv(data.path("interactions", "sei_weitz2018",
                                      "weitz2018_sweden_targets.csv"), dtype={"target": str})
    published = published.set_index("target")
    for target, row in published.iterrows():
        assert scores.at[target, "first_order"] == row.first_order_sum
        assert scores.at[target, "positive"] == row.pos
        assert scores.at[target, "negative"] == row.neg
        assert scores.at[target, "second_order"] == pytest.approx(row.second_order)
        assert scores.at[target, "total"] == pytest.approx(row.sum_plus_second)
    ranked = published.dropna(subset=["rank"]).query("rank != 'None'")
    assert sorted(ranked.index, key=lambda t: int(ranked.at[t, "rank"])) == WEITZ_TOP7
    # The same ranks in the JSON published with the matrix (SEI / IVIS18 data_sweden.json).
    with data.path("interactions", "sei_weitz2018", "data_sweden.json").open() as fh:
        web = json.load(fh)
    web_rank = {t: int(v["Rank"]) for t, v in web.items() if v["Rank"] != "None"}
    assert sorted(web_rank, key=web_rank.get) == WEITZ_TOP7
    for target, v in web.items():
        assert scores.at[target, "first_order"] == v["Sum"]
        assert scores.at[target, "second_order"] == pytest.approx(v["2nd"])


def test_influence_scores_by_hand():
    a = np.array([[0, 2, -1], [1, 0, 3], [0, -2, 0]], float)
    s = influence_scores(a, labels=["a", "b", "c"])
    # rowsums 1, 4, -2; second order 0.5*(2*4 - 1*-2)=5, 0.5*(1*1+3*-2)=-2.5, 0.5*(-2*4)=-4
    assert s.loc["a", ["first_order", "second_order", "total"]].tolist() == [1, 5, 6]
    assert s.loc["b", ["first_order", "second_order", "total"]].tolist() == [4, -2.5, 1.5]
    assert s.loc["c", ["first_order", "second_order", "total"]].tolist() == [-2, -4, -6]
    assert list(s.index) == ["a", "b", "c"]


@pytest.mark.parametrize("text,message", [
    ("x,1.1,1.2\n1.1,0,1\n", "not square: 1 rows x 2 columns"),
    ("x,1.1,1.2\n1.1,0,one\n1.2,1,0\n", "cell (1.1, 1.2): not a number: 'one'"),
    ("x,1.1,1.2\n1.1,0,\n1.2,1,0\n", "cell (1.1, 1.2): missing value"),
    ("x,1.1,1.2\n1.1,0,5\n1.2,1,0\n", "5 outside the scale -3..3"),
    ("x,1.1,1.2\n1.1,0,1\n1.3,1,0\n", "row and column labels differ"),
    ("x,1.1,1.2\n1.1,2,1\n1.2,1,0\n", "non-zero diagonal"),
])
def test_bad_cross_impact_matrix_names_the_file(tmp_path, text, message):
    path = tmp_path / "matrix.csv"
    path.write_text(text)
    with pytest.raises(DataError) as err:
        load_cross_impact(path)
    assert str(path) in str(err.value)
    assert message in str(err.value)


def test_influence_scores_reject_non_square_arrays():
    with pytest.raises(DataError, match="not square"):
        influence_scores(np.zeros((2, 3)))


def test_goal_aggregation_by_hand():
    w = weitz2018()
    g = to_goal_matrix(w)
    block = w.loc[["7.2", "7.3"], ["9.4", "9.5"]].to_numpy()
    assert g.at[7, 9] == pytest.approx(block.mean() / 3)
    assert (np.diag(g) == 0).all()
    assert g.abs().to_numpy().max() <= 1


def test_laumann_network_filters_by_p_value():
    region = "Southern_and_Eastern_Africa"
    raw = pd.read_csv(data.path("interactions", "laumann2022", f"conditions_{region}.csv"))
    m = load_laumann(region, 0.05)
    assert m.shape == (17, 17) and (m.to_numpy() == m.to_numpy().T).all()
    keep = raw[(raw["p-value"] < 0.05) & (raw.pair_1 != "T")]
    assert (m.to_numpy() > 0).sum() == 2 * len(keep)
    for _, r in keep.iterrows():
        assert m.at[int(r.pair_0), int(r.pair_1)] == r.min_dcor
    assert (load_laumann(region, 1.0).to_numpy() > 0).sum() > (m.to_numpy() > 0).sum()
    # 35 groupings plus the World; every country's region has a network.
    assert len(laumann_regions()) == 36 and "World" in laumann_regions()
    assert set(data.countries()["laumann_region"]) <= set(laumann_regions())


def test_laumann_bad_input(tmp_path):
    with pytest.raises(DataError, match=r"no Laumann et al\. \(2022\) network for region "
                                        r"'Atlantis'; available: Africa, "):
        load_laumann("Atlantis")
    path = tmp_path / "conditions_X.csv"
    path.write_text(",pair_0,pair_1,min_dcor,p-value,condition\n0,1,2,high,0.01,()\n"
                    "1,1,19,0.1,0.01,()\n")
    with pytest.raises(DataError) as err:
        load_laumann("X", path=path)
    assert str(path) in str(err.value)
    assert "not numeric" in str(err.value) and "unknown node '19'" in str(err.value)


def test_laumann_edges_get_signs_from_the_region_panel():
    cfg = load_config("run", ["country=kenya"])
    m = interaction_matrix(cfg)
    corr = laumann_signs("Southern_and_Eastern_Africa")
    dcor = load_laumann("Southern_and_Eastern_Africa")
    w = m.weights
    assert ((w != 0) <= (dcor != 0)).all().all()
    for g, h, value in m.edges():
        assert np.sign(value) == np.sign(corr.at[g, h])
        assert abs(value) == dcor.at[g, h]
    positive = interaction_matrix(load_config("run", ["country=kenya",
                                                      "sdg.laumann_sign=positive"]))
    assert (positive.weights.to_numpy() >= 0).all()


# -- dynamics ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def kenya():
    cfg = load_config("run", ["country=kenya"])
    return cfg, load_baseline(cfg.country.m49, cfg.time.base_year)


def _agent_paths(baseline, years, push=None):
    """Agent-driven indicators on their own damped trends (the anomaly baseline), plus a push."""
    reg = registry()
    all_codes = list(reg.index)
    values = np.full((len(years), len(all_codes)), np.nan)
    values[0] = baseline.value[all_codes].to_numpy()
    da = xr.DataArray(values, dims=("time", "indicator"),
                      coords={"time": years.astype(float), "indicator": all_codes})
    return da


def _fill_agents_with_trend(da, baseline, cfg):
    agents = codes("agents")
    slopes, _ = historical_trends(baseline.observed, baseline.base_year, agents,
                                  cfg.sdg.trend_window, cfg.sdg.trend_min_points,
                                  baseline.imputed)
    reg = registry().loc[agents]
    span = (reg.optimum - reg.lower).to_numpy() / 100
    t = da["time"].to_numpy() - da["time"].to_numpy()[0]
    phi = cfg.sdg.trend_damping
    cum = np.concatenate([[0.0], np.cumsum(phi ** t[:-1])])
    path = baseline.value[agents].to_numpy() + np.outer(cum, slopes.to_numpy() * span)
    lo, hi = reg.valid_min.to_numpy(), reg.valid_max.to_numpy()
    da.loc[{"indicator": agents}] = np.clip(path, lo, hi)
    return da


def test_without_interactions_network_indicators_follow_their_damped_trend(kenya):
    cfg, baseline = kenya
    cfg = load_config("run", ["country=kenya", "sdg.interactions=none", "sdg.trend_damping=0.8"])
    years = np.arange(2022, 2031)
    da = _fill_agents_with_trend(_agent_paths(baseline, years), baseline, cfg)
    out = apply_interlinkages(da, baseline, cfg)
    net = codes("network")
    slopes, _ = historical_trends(baseline.observed, 2022, net, 10, 3, baseline.imputed)
    reg = registry().loc[net]
    span = (reg.optimum - reg.lower).to_numpy() / 100
    cum = np.concatenate([[0.0], np.cumsum(0.8 ** np.arange(8))])
    expected = baseline.value[net].to_numpy() + np.outer(cum, slopes.to_numpy() * span)
    expected = np.clip(expected, reg.valid_min.to_numpy(), reg.valid_max.to_numpy())
    np.testing.assert_allclose(out.sel(indicator=net).to_numpy(), expected, rtol=1e-12,
                               atol=1e-12)
    # Agent-driven paths are kept as given.
    agents = codes("agents")
    np.testing.assert_array_equal(out.sel(indicator=agents), da.sel(indicator=agents))


def test_anomaly_basis_passes_nothing_on_when_agents_follow_their_trends(kenya):
    cfg, baseline = kenya
    years = np.arange(2022, 2031)
    da = _fill_agents_with_trend(_agent_paths(baseline, years), baseline, cfg)
    with_net = apply_interlinkages(da, baseline, cfg)
    none = apply_interlinkages(da, baseline, load_config("run", ["country=kenya",
                                                                 "sdg.interactions=none"]))
    np.testing.assert_allclose(with_net.to_numpy(), none.to_numpy(), atol=1e-9)
    change = load_config("run", ["country=kenya", "sdg.basis=change"])
    assert not np.allclose(apply_interlinkages(da, baseline, change).to_numpy(),
                           none.to_numpy())


@pytest.mark.parametrize("sign", [3, -3])
def test_a_push_on_one_goal_moves_linked_goals_by_the_equation(tmp_path, kenya, sign):
    """Custom matrix SDG 9 -> SDG 3 only: pushing 9.5.1 moves SDG 3's network indicators by
    gamma * W_hat * e one step later, in the direction of the link."""
    _, baseline = kenya
    goals = [str(g) for g in range(1, 18)]
    m = pd.DataFrame(0, index=goals, columns=goals)
    m.loc["9", "3"] = sign
    path = tmp_path / "m.csv"
    m.to_csv(path)
    cfg = load_config("run", ["country=kenya", "sdg.interactions=custom",
                              f"sdg.matrix_file={path}", "sdg.strength=0.5"])
    years = np.arange(2022, 2027)
    base = _fill_agents_with_trend(_agent_paths(baseline, years), baseline, cfg)
    pushed = base.copy()
    reg = registry()
    delta_score = 10.0  # score points on 9.5.1 from the first step on
    span = (reg.at["9.5.1", "optimum"] - reg.at["9.5.1", "lower"]) / 100
    pushed.loc[{"indicator": "9.5.1", "time": years[1:].astype(float)}] += delta_score * span
    a = apply_interlinkages(base, baseline, cfg)
    b = apply_interlinkages(pushed, baseline, cfg)
    n9 = int((reg.goal == 9).sum())
    e = delta_score / n9  # SDG 9's score change beyond its trend in the first step
    for code in reg.index[(reg.goal == 3) & (reg.driver == "network")]:
        span3 = (reg.at[code, "optimum"] - reg.at[code, "lower"]) / 100
        diff = (b - a).sel(indicator=code).to_numpy() / span3
        assert diff[1] == pytest.approx(0.0, abs=1e-9)  # one step later
        # Network scores of goal 3 stay inside [0, 100] here, so no clipping interferes.
        assert diff[2] == pytest.approx(0.5 * np.sign(sign) * e, rel=1e-9), code
    untouched = reg.index[(reg.goal != 3) & (reg.driver == "network")]
    np.testing.assert_allclose((b - a).sel(indicator=untouched), 0.0, atol=1e-12)


def test_values_stay_in_the_valid_range_and_attrs_record_the_run(kenya):
    _, baseline = kenya
    cfg = load_config("run", ["country=kenya", "sdg.trend_damping=1", "sdg.strength=5",
                              "sdg.basis=change"])
    years = np.arange(2022, 2101)
    da = _fill_agents_with_trend(_agent_paths(baseline, years), baseline, cfg)
    out = apply_interlinkages(da, baseline, cfg)
    reg = registry()
    net = codes("network")
    lo = reg.loc[net, "valid_min"].to_numpy()
    hi = reg.loc[net, "valid_max"].to_numpy()
    v = out.sel(indicator=net).to_numpy()
    assert (v >= lo - 1e-12).all() and (v <= hi + 1e-12).all()
    info = json.loads(out.attrs["sdg_interlinkages"])
    assert info["interactions"] == "laumann" and info["strength"] == 5
    assert set(info["network_driven"]) == set(net)


def test_incomplete_agent_paths_are_moved_and_flagged(kenya):
    cfg, baseline = kenya
    years = np.arange(2022, 2026)
    da = _fill_agents_with_trend(_agent_paths(baseline, years), baseline, cfg)
    da.loc[{"indicator": "13.2.2", "time": 2024.0}] = np.nan
    da = da.drop_sel(indicator=["1.1.1"])  # absent registry indicators are added
    out = apply_interlinkages(da, baseline, cfg)
    info = json.loads(out.attrs["sdg_interlinkages"])
    assert info["not_simulated_by_agents"] == ["13.2.2"]
    assert np.isfinite(out.sel(indicator=["13.2.2", "1.1.1"])).all()
    assert float(out.sel(indicator="1.1.1", time=2022.0)) == baseline.value["1.1.1"]


def test_bad_values_are_rejected(kenya):
    cfg, baseline = kenya
    da = _agent_paths(baseline, np.arange(2022, 2025))
    with pytest.raises(ConfigError, match="unknown indicator code"):
        apply_interlinkages(da.assign_coords(indicator=["zz", *da.indicator.values[1:]]),
                            baseline, cfg)
    with pytest.raises(DataError, match="start in 2023 but the baseline is for 2022"):
        apply_interlinkages(da.assign_coords(time=da.time + 1), baseline, cfg)
    with pytest.raises(DataError, match="dims"):
        apply_interlinkages(da.rename(time="year"), baseline, cfg)


def test_propagate_is_deterministic_and_decomposes(kenya):
    cfg, baseline = kenya
    years = np.arange(2022, 2032)
    da = _fill_agents_with_trend(_agent_paths(baseline, years), baseline, cfg)
    start = float(da.sel(indicator="17.8.1")[0])
    da.loc[{"indicator": "17.8.1"}] = np.linspace(start, 95, len(years))
    a = decompose_interlinkages(da, baseline, cfg)
    b = decompose_interlinkages(da, baseline, cfg)
    assert a.identical(b)
    net = codes("network")
    total = a["indicator_value"] - a["indicator_value"].isel(time=0)
    parts = a["trend_contribution"] + a["interaction_contribution"]
    # Where no clipping happened the contributions add up to the change.
    reg = registry().loc[net]
    v = a["indicator_value"].sel(indicator=net).to_numpy()
    inside = ((v > reg.valid_min.to_numpy() + 1e-9) & (v < reg.valid_max.to_numpy() - 1e-9)
              ).all(axis=0)
    assert inside.sum() >= 10
    kept = [c for c, ok in zip(net, inside, strict=True) if ok]
    np.testing.assert_allclose(total.sel(indicator=kept), parts.sel(indicator=kept), atol=1e-9)
    assert float(abs(a["interaction_contribution"]).max()) > 0


def test_propagate_core_by_hand():
    # Two groups, one free indicator in group 1 driven by a given indicator in group 0.
    score = np.array([[10.0, 50.0], [20.0, np.nan], [20.0, np.nan], [20.0, np.nan]])
    w = np.array([[0.0, 0.5], [0.0, 0.0]])
    out = propagate(score, np.arange(4.0), np.array([True, False]), np.array([0, 1]),
                    np.array([0.0, 1.0]), w, strength=0.5, damping=0.5, basis="change")
    # trend increments 1, 0.5, 0.25; interaction at step 2: 0.5 * (0.5/0.5) * (20-10) = 5
    np.testing.assert_allclose(out["score"][:, 1], [50, 51, 56.5, 56.75])
    np.testing.assert_allclose(out["trend"][:, 1], [0, 1, 1.5, 1.75])
    np.testing.assert_allclose(out["interaction"][:, 1], [0, 0, 5, 5])


def test_interlinkages_step_by_step_equal_the_whole_path(kenya):
    """The scheme is causal: advancing row by row while a model runs gives, bit for bit, what
    apply_interlinkages gives on the finished path (the basis of stisim.pipeline.simulate)."""
    cfg, baseline = kenya
    years = np.arange(2022, 2027)
    da = _fill_agents_with_trend(_agent_paths(baseline, years), baseline, cfg)
    agents_only = da.sel(indicator=codes("agents"))
    whole = apply_interlinkages(agents_only, baseline, cfg)
    assert set(whole["indicator"].values) == set(registry().index)
    assert np.isfinite(whole).all()
    order = [str(c) for c in whole["indicator"].values]
    rows = agents_only.reindex(indicator=order).to_numpy()
    links = Interlinkages(baseline, cfg.sdg, laumann_region_of(cfg), order, years.astype(float))
    stepped = [links.start(rows[0])] + [links.advance(row) for row in rows[1:]]
    assert np.array_equal(np.array(stepped), whole.to_numpy())
    assert whole.attrs["sdg_interlinkages"] == json.dumps(links.info(), sort_keys=True)
    with pytest.raises(RuntimeError, match="end of their time grid"):
        links.advance(rows[-1])


def test_damped_trend_paths_match_the_hand_computation(kenya):
    from stisim.sdg.interlinkages import damped_trend_paths

    cfg, baseline = kenya
    years = np.arange(2022, 2031)
    hand = _fill_agents_with_trend(_agent_paths(baseline, years), baseline, cfg)
    paths = damped_trend_paths(baseline, cfg, years, codes("agents"))
    np.testing.assert_allclose(paths.to_numpy(), hand.sel(indicator=codes("agents")).to_numpy(),
                               rtol=1e-12, atol=1e-12)
    assert list(damped_trend_paths(baseline, cfg, years)["indicator"].values) == list(
        registry().index)
