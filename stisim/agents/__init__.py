"""The agent-based model of the national innovation system (Mesa).

* :mod:`~stisim.agents.model` — :class:`InnovationSystem`, the Mesa model (staged activation
  in the order of :data:`stisim.agents.registry.ACTIVATION`), :func:`build_model`,
  :func:`simulate_agents`;
* one module per agent type, each registering itself: :mod:`~stisim.agents.firms` (a
  struct-of-arrays population; its vectorised rules in :mod:`~stisim.agents.firm_rules`),
  :mod:`~stisim.agents.institutes`, :mod:`~stisim.agents.ministries`,
  :mod:`~stisim.agents.local_governments`, :mod:`~stisim.agents.partners`;
* their config sections, one module per agent type: ``firm_params``, ``institute_params``,
  ``ministry_params``, ``local_government_params``, ``partner_params`` and ``system_params``
  (regions, infrastructure, macro, shocks, mechanisms, policy, extensions), gathered by
  :mod:`~stisim.agents.params`;
* :mod:`~stisim.agents.policy` — budgets per instrument (the input a roadmap drives);
* :mod:`~stisim.agents.registry` — extension registry (agent types, firm rules) and the
  activation table;
* :mod:`~stisim.agents.base_year` — calibration of the agents to the real baseline.

Importing the package documents the run dataset's variables (``variables.yml``) and loads
nothing heavy: the Mesa model and the core agent types and firm rules (which register
themselves) are imported with :mod:`stisim.agents.model`, on first use of
``InnovationSystem``, ``build_model`` or ``simulate_agents``. Documentation in the ODD
protocol: docs/model.md.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from stisim.dataset import register_variables

if TYPE_CHECKING:
    from stisim.agents.model import InnovationSystem, build_model, simulate_agents

__all__ = ["InnovationSystem", "build_model", "simulate_agents"]

with (Path(__file__).with_name("variables.yml")).open(encoding="utf-8") as _fh:
    register_variables(yaml.safe_load(_fh))


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module 'stisim.agents' has no attribute {name!r}")
    return getattr(importlib.import_module("stisim.agents.model"), name)
