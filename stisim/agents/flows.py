"""Money moving through the innovation system during one step (rates in USD per year).

Executors (ministries, local governments, partners) *disburse* budget lines; a share
(their execution efficiency) is *delivered* to beneficiaries, where mechanisms turn it into
grants, subsidies, coverage, trained workers and so on; the rest is lost in execution. All
three are recorded per instrument and executor, and national money for regional instruments
handed to local governments is recorded when they execute it, so that every unit disbursed
is delivered, lost or left unexecuted exactly once (:mod:`stisim.agents.accounts` checks it).
"""

from __future__ import annotations

import numpy as np

from stisim.agents.catalog import (
    EXECUTORS,
    INSTRUMENTS,
    REGIONAL_INSTRUMENTS,
    TECHNOLOGIES,
    TECHNOLOGY_INSTRUMENTS,
)

EXECUTOR_TYPES = {"ministry": "ministries", "local_government": "local_governments",
                  "partner": "partners"}


def cell_shape(instrument: str, n_regions: int) -> tuple[int, int]:
    """Shape (technology, region) of an instrument's money: (1, 1) for national ones."""
    n_t = len(TECHNOLOGIES) if instrument in TECHNOLOGY_INSTRUMENTS else 1
    n_r = n_regions if instrument in REGIONAL_INSTRUMENTS else 1
    return n_t, n_r


class Flows:
    """Disbursed and delivered money of the current step."""

    def __init__(self, n_regions: int):
        self.n_regions = n_regions
        self.reset()

    def reset(self) -> None:
        r = self.n_regions
        self.delivered = {i: np.zeros(cell_shape(i, r)) for i in INSTRUMENTS}
        # Disbursed by each executor type (before efficiency), per instrument; delivered and
        # lost in execution by the executor that executed the money.
        self.disbursed = np.zeros((len(INSTRUMENTS), len(EXECUTORS)))
        self.delivered_by = np.zeros((len(INSTRUMENTS), len(EXECUTORS)))
        self.lost = np.zeros((len(INSTRUMENTS), len(EXECUTORS)))
        # Institutional funding delivered by partners (the institutes' international stream).
        self.international = 0.0
        # National money for regional instruments handed to local governments to execute.
        self.transfers = {i: np.zeros(cell_shape(i, r)) for i in REGIONAL_INSTRUMENTS}
        self.transfers_executed = dict.fromkeys(REGIONAL_INSTRUMENTS, 0.0)
        # Requests for the firm population: collaborations to start (per region) and the
        # matching platform's plan of the step (stisim.agents.matching.PlatformPlan).
        self.collaborations = np.zeros(r)
        self.platform = None

    def disburse(self, instrument: str, executor: str, amount: float) -> None:
        self.disbursed[INSTRUMENTS.index(instrument), EXECUTORS.index(executor)] += amount

    def deliver(self, instrument: str, cells: np.ndarray, executor: str,
                lost: float = 0.0) -> None:
        """Money reaching beneficiaries (``cells``) and lost in execution (``lost``)."""
        self.delivered[instrument] += cells
        i, e = INSTRUMENTS.index(instrument), EXECUTORS.index(executor)
        self.delivered_by[i, e] += float(cells.sum())
        self.lost[i, e] += lost

    def deliver_international(self, amount: float, lost: float) -> None:
        """Institutional funding from partners (the institutes' international stream)."""
        self.international += amount
        i, e = INSTRUMENTS.index("institutional_funding"), EXECUTORS.index("partner")
        self.delivered_by[i, e] += amount
        self.lost[i, e] += lost

    def national(self, instrument: str) -> float:
        return float(self.delivered[instrument].sum())
