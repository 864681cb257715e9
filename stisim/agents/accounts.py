"""Money accounts of one step and the conservation check at the end of a run.

* **GERD in the Frascati layout**: R&D performed, by performing sector (business, government,
  higher education, private non-profit) and source of funds (the same four and the rest of
  the world), USD per year. Business performs firms' R&D: grants are government-funded (or
  funded from abroad for partners' grants) and the rest, tax-credit-financed R&D included
  (OECD Frascati Manual 2015, section 4.2), business-funded. Universities are higher
  education and public research institutions government, funded by block and competitive
  money (government or, for partners' grants, the rest of the world), international
  institutional funding (rest of the world) and contract research for firms (business).
  9.5.1 is 100 x the table's total / GDP.
* **Instrument money by recipient**: what each instrument delivered went to firms, research
  institutes, workers (training), households (devices, data and skills of new internet
  users), infrastructure operators or the matching platform (the listings and brokered
  matches it paid for), or was left unused (grants not awarded, tax credits not claimed,
  platform money no match could use, institutes' funding beyond their
  research capacity, returned to its funder).
* **The check**: for every instrument and simulated year, money disbursed = delivered +
  lost in execution + not executed (national money for regional instruments that no local
  government executed); government- and foreign-funded R&D = R&D money delivered and used;
  contract income <= what firms were willing to pay; firms' own R&D money >= 0; licence fees
  firms paid through the matching platform = fees its suppliers received. Relative
  tolerance 1e-9; a violation raises :class:`MoneyNotConserved` naming instrument and year.
"""

from __future__ import annotations

import numpy as np

from stisim.agents.catalog import EXECUTORS, INSTRUMENTS
from stisim.errors import StisimError

PERFORMERS: tuple[str, ...] = ("business", "government", "higher_education",
                               "private_non_profit")
SOURCES: tuple[str, ...] = ("business", "government", "higher_education",
                            "private_non_profit", "rest_of_world")
RECIPIENTS: tuple[str, ...] = ("firms", "research_institutes", "workers", "households",
                               "infrastructure", "matching_platform", "unused")
# Recipient of the money each non-R&D instrument delivers.
RECIPIENT_OF = {"adoption_subsidy": "firms", "procurement": "firms",
                "infrastructure_broadband": "infrastructure",
                "infrastructure_energy": "infrastructure", "skills": "workers",
                "tto_support": "research_institutes", "matching_platform": "matching_platform",
                "institutional_funding": "research_institutes"}
INSTITUTE_PERFORMER = {"university": "higher_education", "public_research": "government"}
RTOL = 1e-9

_P = {p: k for k, p in enumerate(PERFORMERS)}
_S = {s: k for k, s in enumerate(SOURCES)}
_R = {r: k for k, r in enumerate(RECIPIENTS)}
_I = {i: k for k, i in enumerate(INSTRUMENTS)}
_PARTNER = EXECUTORS.index("partner")


class MoneyNotConserved(StisimError):
    """A money account does not balance."""

    exit_code = 3


def foreign_share(flows, instrument: str) -> float:
    """Share of an instrument's delivered money that partners (abroad) executed."""
    row = flows.delivered_by[_I[instrument]]
    total = float(row.sum())
    return float(row[_PARTNER]) / total if total > 0 else 0.0


def partnership_research(model, flows) -> float:
    """R&D the institutes perform in partnerships with local governments (USD/yr)."""
    delivered = float(flows.delivered_by[_I["regional_partnership"]].sum())
    return model.cfg.partnerships.research_share * delivered


def gerd_table(model, flows) -> np.ndarray:
    """R&D performed in the step (performer, source), USD per year."""
    out = np.zeros((len(PERFORMERS), len(SOURCES)))
    acc = model.firms.rd_account
    row = foreign_share(flows, "rd_grants")
    paid = acc["grants"]
    b = _P["business"]
    out[b, _S["government"]] = paid * (1.0 - row)
    out[b, _S["rest_of_world"]] = paid * row
    out[b, _S["business"]] = acc["total"] - paid
    # Partnerships' problem-driven research: performed by the institutes (split by their
    # researchers), funded as the executors' money is.
    research = partnership_research(model, flows)
    if research > 0:
        row_p = foreign_share(flows, "regional_partnership")
        by_kind = np.zeros(len(PERFORMERS))
        for inst in model.research_institutes:
            by_kind[_P[INSTITUTE_PERFORMER[inst.kind]]] += inst.researchers
        if by_kind.sum() <= 0:
            by_kind[_P["government"]] = 1.0
        by_kind /= by_kind.sum()
        out[:, _S["government"]] += research * (1.0 - row_p) * by_kind
        out[:, _S["rest_of_world"]] += research * row_p * by_kind
    for inst in model.research_institutes:
        p = _P[INSTITUTE_PERFORMER[inst.kind]]
        f = inst.funding
        out[p, _S["government"]] += f["block"] + f["competitive"] * (1.0 - row)
        out[p, _S["rest_of_world"]] += f["international"] + f["competitive"] * row
        out[p, _S["business"]] += f["contracts"]
    return out


def instrument_use(model, flows) -> np.ndarray:
    """Money each instrument delivered in the step, by recipient (instrument, recipient)."""
    out = np.zeros((len(INSTRUMENTS), len(RECIPIENTS)))
    delivered = flows.delivered_by.sum(axis=1)
    acc = model.firms.rd_account
    unspent = institutes_unspent(model)
    for instrument, k in _I.items():
        money = float(delivered[k])
        if instrument == "rd_grants":
            to_firms = money * model.cfg.ministries.grant_share_firms
            out[k, _R["firms"]] = acc["grants"]
            out[k, _R["unused"]] = to_firms - acc["grants"] + unspent["competitive"]
            out[k, _R["research_institutes"]] = money - to_firms - unspent["competitive"]
        elif instrument == "infrastructure_broadband":
            users = money * model.cfg.infrastructure.adoption_share
            out[k, _R["households"]] = users
            out[k, _R["infrastructure"]] = money - users
        elif instrument == "institutional_funding":
            returned = unspent["block"] + unspent["international"]
            out[k, _R["research_institutes"]] = money - returned
            out[k, _R["unused"]] = returned
        elif instrument == "regional_partnership":  # research, extension, hubs
            for recipient, amount in model.partnerships.recipients(money).items():
                out[k, _R[recipient]] = amount
        elif instrument == "tax_credits":
            out[k, _R["firms"]] = acc["tax_credit"]
            out[k, _R["unused"]] = money - acc["tax_credit"]
        elif instrument == "matching_platform":
            spent = flows.platform.spent if flows.platform is not None else 0.0
            out[k, _R["matching_platform"]] = spent
            out[k, _R["unused"]] = money - spent
        else:
            out[k, _R[RECIPIENT_OF[instrument]]] = money
    return out


def institutes_unspent(model) -> dict[str, float]:
    """Money institutes received in the step but did not spend (beyond their research
    capacity), by stream, USD per year."""
    out = {"block": 0.0, "competitive": 0.0, "international": 0.0}
    for inst in model.research_institutes:
        for stream, value in inst.unspent.items():
            out[stream] += value
    return out


def unexecuted(flows) -> np.ndarray:
    """National money for regional instruments that no local government executed."""
    out = np.zeros(len(INSTRUMENTS))
    for instrument, cells in flows.transfers.items():
        out[_I[instrument]] = float(cells.sum()) - flows.transfers_executed[instrument]
    return out


def _gap(a: float, b: float, scale: float) -> bool:
    return abs(a - b) > RTOL * max(abs(a), abs(b), scale, 1e-300)


def check_accounts(years: np.ndarray, rec: dict[str, np.ndarray], *,
                   institutes_active: bool = True) -> None:
    """Raise :class:`MoneyNotConserved` at the first account that does not balance, for every
    simulated step (index >= 1; the first record is the calibrated base year)."""
    problems: list[str] = []
    for t in range(1, len(years)):
        year = int(np.floor(years[t] - 1e-9))
        disbursed = rec["disbursed"][t].sum(axis=1)
        use = rec["instrument_use"][t]
        lost, unexec = rec["execution_losses"][t], rec["unexecuted"][t]
        for instrument, k in _I.items():
            accounted = use[k].sum() + lost[k] + unexec[k]
            scale = disbursed[k] + np.abs(use[k]).sum()
            if _gap(disbursed[k], accounted, scale):
                problems.append(
                    f"{instrument}, {year}: disbursed {disbursed[k]:.6g} USD/yr but "
                    f"delivered {use[k].sum():.6g} + lost {lost[k]:.6g} + not executed "
                    f"{unexec[k]:.6g} = {accounted:.6g}")
            if use[k, _R["unused"]] < -RTOL * max(scale, 1e-300):
                problems.append(f"{instrument}, {year}: recipients used "
                                f"{-use[k, _R['unused']]:.6g} USD/yr more than delivered")
        gerd = rec["gerd"][t]
        rd_money = (use[_I["rd_grants"], _R["firms"]]
                    + use[_I["rd_grants"], _R["research_institutes"]]
                    + use[_I["institutional_funding"], _R["research_institutes"]]
                    + use[_I["regional_partnership"], _R["research_institutes"]])
        public = gerd[:, _S["government"]].sum() + gerd[:, _S["rest_of_world"]].sum()
        if institutes_active and _gap(public, rd_money, rd_money):
            problems.append(f"rd_grants/institutional_funding, {year}: government- and "
                            f"foreign-funded R&D {public:.6g} USD/yr differs from the R&D "
                            f"money delivered and used {rd_money:.6g}")
        contracts = gerd[1:, _S["business"]].sum()
        demand = rec["contract_demand"][t]
        if contracts > demand * (1.0 + RTOL) + 1e-300:
            problems.append(f"contract research, {year}: institutes' contract income "
                            f"{contracts:.6g} USD/yr exceeds what firms were willing to pay "
                            f"{demand:.6g}")
        own = gerd[_P["business"], _S["business"]]
        if own < -RTOL * max(gerd[_P["business"]].sum(), 1e-300):
            problems.append(f"rd_grants, {year}: firms' own R&D money is negative ({own:.6g})")
        paid, received = rec["licence_paid"][t], rec["licensing_payments"][t]
        if _gap(paid, received.sum(), paid):
            problems.append(f"matching_platform licences, {year}: firms paid {paid:.6g} "
                            f"USD/yr but suppliers received {received.sum():.6g}")
        if problems:
            raise MoneyNotConserved("money is not conserved: " + "; ".join(problems))
