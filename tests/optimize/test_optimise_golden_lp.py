"""Golden LP file: the LP that Pyomo writes for a small model must match the stored file.

Regenerate after an intended model change with ``STISIM_REGEN_GOLDEN=1 pytest
tests/optimize/test_optimise_golden_lp.py`` and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

from optimise_cases import action, portfolio

from stisim.optimize.model import create_model
from stisim.optimize.params import OptimiseConfig

GOLDEN = Path(__file__).parent / "data" / "golden_small.lp"


def small_model():
    sources = [{"id": "pub", "kind": "public", "budget": [10, 8]},
               {"id": "don", "kind": "donor", "budget": [4, 4], "carry_over": True},
               {"id": "biz", "kind": "private"}]
    acts = [
        action("A", [4, 4], 6, sources={"pub": 1.0, "don": 0.5, "biz": 0.5}, leverage=1.0,
               region="north", lead="ag1",
               effects=[{"indicator": "9.5.1", "change": 0.02, "lag": 0,
                         "response": "concave"}]),
        action("B", [6, 0], 5, sources=["pub", "don"], indivisible=True, region="south",
               lead="ag1", exclusive_group="alt",
               effects=[{"indicator": "7.1.1", "change": 2.0, "lag": 1}]),
        action("C", [3, 3], 4, sources=["pub"], depends_on=["A"], min_scale=0.5,
               exclusive_group="alt", region="south", lead="ag2",
               effects=[{"indicator": "7.1.1", "change": 1.0, "lag": 0}]),
    ]
    p = portfolio(acts, sources, horizon=(2025, 2026), country="kenya", discount_rate=0.05,
                  agencies=[{"id": "ag1", "capacity": 9}, {"id": "ag2"}],
                  regions=[{"id": "north"}, {"id": "south", "min_share": 0.2}],
                  floors=[{"indicator": "7.1.1", "target": 77, "year": 2026},
                          {"goal": 9, "target": 30, "year": 2026}])
    # The optimiser alone, planned against the flat base-year counterfactual the file was made with.
    return create_model(p, OptimiseConfig(objective="sdg", counterfactual="flat"))


def _body(path: Path) -> str:
    lines = path.read_text().splitlines()
    return "\n".join(line for line in lines if not line.startswith("\\*"))


def test_golden_lp(tmp_path):
    model = small_model()
    out = tmp_path / "small.lp"
    model.write_lp(out)
    if os.environ.get("STISIM_REGEN_GOLDEN"):
        GOLDEN.write_text(out.read_text())
    assert _body(out) == _body(GOLDEN)


def test_golden_lp_solves_like_the_direct_interface(tmp_path):
    """HiGHS reading the Pyomo-written LP file reaches the objective of stisim's direct
    matrix interface: the Pyomo model and the matrix are the same problem."""
    import highspy

    model = small_model()
    direct = model.solver.solve()
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.readModel(str(GOLDEN))
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    assert abs(h.getInfo().objective_function_value - direct.objective) < 1e-7
