"""Config sections of the agent model of the national innovation system, one module per
agent type (plus the regions and the system around the agents).

Every parameter carries its documentation, unit, allowed range and source (a paper, a dataset
or "assumption"); ``docs/model.md`` tables are generated from this metadata
(:func:`stisim.agents.docs.parameter_tables`). Values keyed by sector, technology, instrument or
region are checked against the names in :mod:`stisim.agents.catalog` and an unknown name is an
error listing the allowed ones. Every stisim package declares its config sections in a module
named ``params`` (the same concept in each package); importing this one registers the agent
model's sections, in the order below.
"""

from __future__ import annotations

# The import order is the sections' registration order (the reference docs and `--cfg job`
# list them so), hence no sorting here.
# isort: off
from stisim.agents.region_params import RegionsConfig
from stisim.agents.firm_params import DiffusionConfig, FirmsConfig
from stisim.agents.institute_params import InstitutesConfig
from stisim.agents.ministry_params import MinistriesConfig
from stisim.agents.local_government_params import LocalGovernmentsConfig
from stisim.agents.partner_params import PartnersConfig
from stisim.agents.partnership_params import PartnershipsConfig
from stisim.agents.matching_params import MatchingConfig
from stisim.agents.system_params import (
    BudgetEntry,
    ExtensionsConfig,
    InfrastructureConfig,
    MacroConfig,
    MechanismsConfig,
    PolicyConfig,
    ShockEvent,
    ShocksConfig,
)
# isort: on

__all__ = [
    "BudgetEntry", "DiffusionConfig", "ExtensionsConfig", "FirmsConfig", "InfrastructureConfig",
    "InstitutesConfig", "LocalGovernmentsConfig", "MacroConfig", "MatchingConfig",
    "MechanismsConfig", "MinistriesConfig", "PartnersConfig", "PartnershipsConfig",
    "PolicyConfig", "RegionsConfig", "ShockEvent", "ShocksConfig",
]
