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

Importing the package registers the core agent types and firm rules (below) and documents
the run dataset's variables (``variables.yml``). Documentation in the ODD protocol:
docs/model.md.
"""

from pathlib import Path

import yaml

from stisim.agents import (  # noqa: F401  (the core agent types and rules register themselves)
    firm_rules,
    firms,
    institutes,
    local_governments,
    ministries,
    partners,
)
from stisim.agents.model import InnovationSystem, build_model, simulate_agents
from stisim.dataset import register_variables

with (Path(__file__).with_name("variables.yml")).open(encoding="utf-8") as _fh:
    register_variables(yaml.safe_load(_fh))

__all__ = ["InnovationSystem", "build_model", "simulate_agents"]
