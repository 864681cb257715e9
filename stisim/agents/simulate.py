"""Run the agent model for the pipeline: ``simulate_agents(inputs) -> xarray.Dataset``."""

from __future__ import annotations

from pathlib import Path

import xarray as xr
import yaml

from stisim.agents.model import InnovationSystem
from stisim.agents.policy import Budgets
from stisim.dataset import register_variables

with (Path(__file__).with_name("variables.yml")).open(encoding="utf-8") as _fh:
    register_variables(yaml.safe_load(_fh))


def build_model(inputs, budgets: Budgets | None = None) -> InnovationSystem:
    """The model at the base year (recorded once), ready to ``step()`` or ``run()``.

    ``budgets`` adds exogenous budget lines (e.g. roadmap allocations) to those of the
    config (``policy.budgets``); see :class:`stisim.agents.policy.Budgets`.
    """
    return InnovationSystem(inputs, budgets)


def simulate_agents(inputs, budgets: Budgets | None = None) -> xr.Dataset:
    """Simulate from the base year to ``time.end_year``.

    Returns ``indicator_value(time, indicator)`` over all registry indicators (agent-driven
    ones from the model state, network-driven ones at their baseline), adoption shares and
    aggregates by sector, region and agent type; the first time equals the baseline.
    """
    return build_model(inputs, budgets).run().recorder.dataset()
