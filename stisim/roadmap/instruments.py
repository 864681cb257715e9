"""Policy instruments of roadmap actions (``instruments.csv``): the finance channels.

Each instrument names the mechanism of the agent model it feeds (``firm_rd``, ``adoption``,
``coverage``, ``absorptive_capacity``, ``researchers``, ``finance``, ``entry``, ``demand``,
``governance``), the agent instrument whose budget lines carry its money
(``agent_instrument``, a name of :data:`stisim.agents.catalog.INSTRUMENTS`; empty: no agent
mechanism) and how the agents execute it (``execution``), so an allocation can be executed
by the agents (:mod:`stisim.coupling.execute`).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd

INSTRUMENTS_FILE = Path(__file__).with_name("instruments.csv")


@cache
def instruments() -> pd.DataFrame:
    """The instrument table indexed by id: name, mechanism, description, agent_instrument,
    execution."""
    return pd.read_csv(INSTRUMENTS_FILE, keep_default_na=False).set_index("id", drop=False)


def instrument_ids() -> list[str]:
    return list(instruments().index)
