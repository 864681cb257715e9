"""Known-optimum capital-budgeting instances from the literature: OR-Library mknap1
(Petersen 1967; Weingartner & Ness 1967) written as portfolio files must reach their proven
optima with objective=value."""

from __future__ import annotations

import pandas as pd
import pytest

from stisim.optimize.api import optimise
from stisim.roadmap.portfolio import SCENARIO_DIR

OPTIMA = pd.read_csv(SCENARIO_DIR / "literature" / "optima.csv").set_index("instance")[
    "optimum"]


@pytest.mark.parametrize("instance", list(OPTIMA.index))
def test_mknap1_reaches_proven_optimum(instance):
    ds = optimise(f"literature/{instance}", objective="value", mip_gap=0.0)
    assert ds.attrs["status"] == "optimal"
    assert ds.attrs["objective_value"] == pytest.approx(OPTIMA[instance], abs=1e-6)
    scale = ds["scale"].values
    assert set(scale.round(9)) <= {0.0, 1.0}
    # Every period's resource use stays within its budget.
    used = (ds["action_cost"] * ds["scale"]).sum("action")
    assert (used <= ds["budget"].sel(source="budget") + 1e-9).all()


def test_mknap1_as_xlsx_and_csv(tmp_path):
    """The same instance through the tabular formats gives the same optimum."""
    import yaml

    from stisim.roadmap import write_portfolio

    raw = yaml.safe_load((SCENARIO_DIR / "literature" / "mknap1_2.yaml").read_text())
    xlsx = write_portfolio(raw, tmp_path / "mknap1_2.xlsx")
    csv = write_portfolio(raw, tmp_path / "mknap1_2_csv")
    for path in (xlsx, csv / "actions.csv"):
        ds = optimise(path, objective="value", mip_gap=0.0)
        assert ds.attrs["objective_value"] == pytest.approx(OPTIMA["mknap1_2"])
