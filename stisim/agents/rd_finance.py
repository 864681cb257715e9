"""How business R&D responds to public money: R&D tax credits and grants (pure functions).

* **Tax credits.** A credit at rate ``tau`` lowers the tax price of R&D to ``1 - tau``; own
  R&D responds with the tax-price elasticity ``-e``: ``O(tau) = O_0 (1 - tau)^-e`` (Bloom,
  Van Reenen & Williams 2019: ``e`` about 1 in the long run). The budget ``B`` pays the credit
  on the own R&D it induces, ``B = tau O(tau)``; the rate is the one the budget pays for, up to
  ``ministries.max_tax_credit_rate`` (money the capped rate cannot use is not claimed).
* **Grants.** A firm's desired R&D is ``O + (1 + phi) g`` (``phi``: crowding-in of own money,
  Dimos & Pugh 2016). It can absorb R&D up to ``psi`` x its value added (absorptive capacity);
  beyond that only a share ``lambda`` of the desired excess is spent on R&D and the firm cuts
  its own money instead (crowding out). The grant itself is always spent: ``R >= g``.

Equations and sources: docs/model.md, "Firms" (R&D).
"""

from __future__ import annotations

import numpy as np


def tax_rate_for_budget(budget: float, base: float, elasticity: float, cap: float) -> float:
    """Rate ``tau`` in [0, cap] with ``tau (1 - tau)^-e base = budget`` (the largest rate the
    budget pays for; ``cap`` when the budget would pay for more)."""
    if budget <= 0 or base <= 0 or cap <= 0:
        return 0.0
    cap = min(cap, 0.999)

    def cost(tau: float) -> float:
        return tau * (1.0 - tau) ** (-elasticity) * base

    if cost(cap) <= budget:
        return float(cap)
    r = budget / base
    if elasticity == 1.0:  # tau / (1 - tau) = r
        return float(r / (1.0 + r))
    if elasticity == 0.0:
        return float(r)
    lo, hi = 0.0, cap
    for _ in range(80):  # cost is increasing in tau
        mid = 0.5 * (lo + hi)
        if cost(mid) < budget:
            lo = mid
        else:
            hi = mid
    return float(0.5 * (lo + hi))


def tax_price_multiplier(tau: float, elasticity: float) -> float:
    """Own R&D relative to no credit: ``(1 - tau)^-e``."""
    return float((1.0 - tau) ** (-elasticity)) if tau > 0 else 1.0


def absorb(own: np.ndarray, grant: np.ndarray, capacity: np.ndarray, crowding: float,
           beyond: float) -> np.ndarray:
    """Total R&D of each firm (float64): ``D = own + (1 + phi) grant``, above the absorptive
    capacity ``C`` only ``C + lambda (D - C)``, and never below the grant."""
    desired = own + (1.0 + crowding) * grant
    excess = np.maximum(desired - capacity, 0.0)
    total = desired - (1.0 - beyond) * excess
    return np.maximum(total, grant)
