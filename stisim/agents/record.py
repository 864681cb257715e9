"""Data collection into preallocated arrays, one row per recorded time, and the Dataset.

Stocks (indicators, shares, counts) are the state at ``time``; flows (spending, funding,
matches, entries) are rates in the step that ends at ``time`` (at the first time: the
business-as-usual rates of the base year).
"""

from __future__ import annotations

import json

import numpy as np
import xarray as xr

from stisim.agents.accounts import (
    PERFORMERS,
    RECIPIENTS,
    SOURCES,
    check_accounts,
    gerd_table,
    instrument_use,
    partnership_research,
    unexecuted,
)
from stisim.agents.catalog import (
    EXECUTORS,
    FUNDING_STREAMS,
    INSTRUMENTS,
    SECTORS,
    SHOCK_KINDS,
    SUPPLIER_ORIGINS,
    TECH_SOURCES,
    TECHNOLOGIES,
)
from stisim.agents.energy import ENERGY_USES
from stisim.agents.firms import platform_account
from stisim.agents.readout import (
    business_rd,
    business_researchers,
    indicator_vector,
    institute_rd,
    institute_researchers,
)
from stisim.data.indicators import codes

# Indicators the model defines per region (docs/model.md, "Sub-national regions"), in the
# units of indicator_value.
REGIONAL_INDICATORS = ("7.1.1", "7.1.2", "9.c.1", "17.6.1", "17.8.1")

# Outputs of institute-local government partnerships by region (Partnerships attributes).
PARTNERSHIP_OUTPUTS = {"partnership_money": "money", "partnership_collaborations":
                       "collaborations", "partnership_firms_served": "firms_served",
                       "partnership_adoptions": "adoptions", "partnership_people_reached":
                       "people_reached", "absorptive_capacity": "capacity"}

EXECUTOR_TYPE = {"ministry": "ministries", "local_government": "local_governments",
                 "partner": "partners"}


class Recorder:
    """Arrays of every output variable over the recorded times."""

    def __init__(self, model):
        self.model = model
        n = model.n_steps + 1
        self.n = n
        self.times = np.full(n, np.nan)
        self.regions = list(model.regions.names)
        self.agent_types = [spec.name for spec, _ in model.specs]
        self.indicators = codes()
        r, s, t = len(self.regions), len(SECTORS), len(TECHNOLOGIES)
        a = len(self.agent_types)
        shapes = {
            "indicator_value": (("indicator",), (len(self.indicators),)),
            "adoption_share": (("technology",), (t,)),
            "adopters": (("technology",), (t,)),
            "adoption_share_region": (("technology", "region"), (t, r)),
            "new_adoptions": (("technology",), (t,)),
            "value_added": (("sector", "region"), (s, r)),
            "employment": (("sector", "region"), (s, r)),
            "firm_count": (("sector",), (s,)),
            "labour_productivity": (("sector",), (s,)),
            "emissions": (("sector",), (s,)),
            "final_energy_share": (("energy_use",), (len(ENERGY_USES),)),
            "renewable_contribution": (("energy_use",), (len(ENERGY_USES),)),
            "clean_cooking_access": (("region",), (r,)),
            **{name: (("region",), (r,)) for name in PARTNERSHIP_OUTPUTS},
            "indicator_value_region": (("regional_indicator", "region"),
                                       (len(REGIONAL_INDICATORS), r)),
            "gdp_per_capita_region": (("region",), (r,)),
            "skilled_share": (("region",), (r,)),
            "coverage_4g": (("region",), (r,)),
            "electricity_access": (("region",), (r,)),
            "internet_use": (("region",), (r,)),
            "broadband_subscriptions": (("region",), (r,)),
            "rd_expenditure": (("agent_type",), (a,)),
            "researchers": (("agent_type",), (a,)),
            "funding": (("agent_type",), (a,)),
            "disbursed": (("instrument", "executor"), (len(INSTRUMENTS), len(EXECUTORS))),
            "delivered": (("instrument",), (len(INSTRUMENTS),)),
            "institute_funding": (("stream",), (len(FUNDING_STREAMS),)),
            "institute_unspent": (("stream",), (len(FUNDING_STREAMS),)),
            "frontier_gap": (("tech_source",), (len(TECH_SOURCES),)),
            "gerd": (("performer", "source_of_funds"), (len(PERFORMERS), len(SOURCES))),
            "instrument_use": (("instrument", "recipient"), (len(INSTRUMENTS),
                                                             len(RECIPIENTS))),
            "execution_losses": (("instrument",), (len(INSTRUMENTS),)),
            "unexecuted": (("instrument",), (len(INSTRUMENTS),)),
            "shock_intensity": (("shock",), (len(SHOCK_KINDS),)),
            "matches": (("supplier_origin", "sector"), (len(SUPPLIER_ORIGINS), s)),
            "platform_listings": (("supplier_origin",), (len(SUPPLIER_ORIGINS),)),
            "licensing_payments": (("supplier_origin",), (len(SUPPLIER_ORIGINS),)),
            "matched_adoptions": (("technology",), (t,)),
            "matched_adopters": (("technology",), (t,)),
        }
        for name in ("household_emissions", "gdp", "gdp_per_capita", "population",
                     "labour_force", "publications", "patents", "graduates",
                     "researcher_emigration", "women_share_researchers", "collaborations",
                     "platform_matches", "rd_performer_share", "tax_credit_rate",
                     "grid_renewable_share", "firm_entries", "firm_exits",
                     "contract_demand", "rd_tax_support", "researcher_premium",
                     "researcher_pool", "researcher_entrants", "match_quality",
                     "licence_paid", "follow_on_collaborations", "matched_firms",
                     "institute_capacity"):
            shapes[name] = ((), ())
        self.extension_outputs = []
        for spec, _ in model.specs:
            for out in spec.outputs:
                shapes[out] = ((), ())
                self.extension_outputs.append((spec, out))
        self.dims = {k: v[0] for k, v in shapes.items()}
        self.data = {k: np.full((n, *v[1]), np.nan) for k, v in shapes.items()}
        self.held: list[str] = []

    def record(self) -> None:
        m = self.model
        k = m.k
        d = self.data
        f = m.firms
        c = f.calib
        self.times[k] = m.t
        totals = m.energy.totals()
        berd = business_rd(m)
        d["indicator_value"][k], self.held = indicator_vector(m, totals, berd)

        adopt_r = m.firms_adoption_by_region()
        w = f.weight
        alive = f.alive
        for j in range(len(TECHNOLOGIES)):
            n_e = np.count_nonzero(f.eligible[j])
            n_a = np.count_nonzero(f.eligible[j] & f.adopted[j])
            d["adoption_share"][k, j] = n_a / n_e if n_e else np.nan
            d["adopters"][k, j] = n_a * w
        d["adoption_share_region"][k] = adopt_r
        d["new_adoptions"][k] = f.new_adoptions if k > 0 else 0.0

        mac = m.macro
        d["value_added"][k] = mac.va
        d["employment"][k] = mac.emp
        counts = np.bincount(f.sector, weights=alive, minlength=len(SECTORS)) * w
        d["firm_count"][k] = counts
        emp_s = mac.emp.sum(axis=1)
        d["labour_productivity"][k] = np.divide(mac.va.sum(axis=1), emp_s,
                                                out=np.full(len(SECTORS), np.nan),
                                                where=emp_s > 0)
        d["emissions"][k] = totals["co2_sector"]
        d["household_emissions"][k] = totals["co2_households"]
        d["final_energy_share"][k] = 100.0 * totals["energy_share"]
        d["renewable_contribution"][k] = 100.0 * totals["renewable_contribution"]
        d["clean_cooking_access"][k] = 100.0 * m.energy.cooking.access
        d["gdp"][k] = mac.gdp
        d["gdp_per_capita"][k] = mac.gdp_per_capita
        d["population"][k] = mac.population
        d["labour_force"][k] = mac.labour_force
        pop_r = mac.population * m.structure.region_population
        d["gdp_per_capita_region"][k] = mac.va.sum(axis=0) / pop_r
        emp_r = np.bincount(f.region, weights=f.emp * alive, minlength=len(self.regions))
        sk_r = np.bincount(f.region, weights=f.skill * f.emp * alive,
                           minlength=len(self.regions))
        d["skilled_share"][k] = np.divide(sk_r, emp_r, out=np.full(len(self.regions), np.nan),
                                          where=emp_r > 0)
        infra = m.infrastructure
        d["coverage_4g"][k] = 100.0 * infra.coverage
        d["electricity_access"][k] = 100.0 * infra.electricity
        d["internet_use"][k] = 100.0 * infra.internet
        d["broadband_subscriptions"][k] = infra.saturation * infra.broadband
        d["indicator_value_region"][k] = [
            d["electricity_access"][k], d["clean_cooking_access"][k], d["coverage_4g"][k],
            d["broadband_subscriptions"][k], d["internet_use"][k]]

        flows = m.flows if k > 0 else m.flows0
        institutes = m.research_institutes
        ird = institute_rd(m) + partnership_research(m, flows)
        ps = m.partnerships
        for name, attr in PARTNERSHIP_OUTPUTS.items():
            d[name][k] = getattr(ps, attr) if k > 0 else (
                np.ones(len(self.regions)) if attr == "capacity" else 0.0)
        support_firms = (flows.national("rd_grants") * m.cfg.ministries.grant_share_firms
                         + flows.national("tax_credits") + flows.national("procurement")
                         + float(flows.delivered["adoption_subsidy"].sum()))
        for i, name in enumerate(self.agent_types):
            rd = res = fund = np.nan
            if name == "firms":
                rd, res, fund = berd, business_researchers(m, berd), support_firms
            elif name == "research_institutes":
                rd, res, fund = ird, institute_researchers(m), ird
            elif name in EXECUTOR_TYPE.values():
                ex = next(e for e, t in EXECUTOR_TYPE.items() if t == name)
                fund = float(flows.disbursed[:, EXECUTORS.index(ex)].sum())
            d["rd_expenditure"][k, i] = rd
            d["researchers"][k, i] = res
            d["funding"][k, i] = fund
        d["disbursed"][k] = flows.disbursed
        d["delivered"][k] = [float(flows.delivered[i].sum()) + (
            flows.international if i == "institutional_funding" else 0.0) for i in INSTRUMENTS]
        d["gerd"][k] = gerd_table(m, flows)
        d["instrument_use"][k] = instrument_use(m, flows)
        d["execution_losses"][k] = flows.lost.sum(axis=1)
        d["unexecuted"][k] = unexecuted(flows)
        d["contract_demand"][k] = sum(inst.contract_demand for inst in institutes)
        d["rd_tax_support"][k] = f.rd_account["tax_credit"]
        market = m.researcher_market
        d["researcher_premium"][k] = market.premium
        d["researcher_pool"][k] = market.pool
        d["researcher_entrants"][k] = market.entrants
        for s_i, stream in enumerate(FUNDING_STREAMS):
            d["institute_funding"][k, s_i] = sum(inst.funding[stream] for inst in institutes)
            d["institute_unspent"][k, s_i] = sum(inst.unspent.get(stream, 0.0)
                                                 for inst in institutes)
        d["institute_capacity"][k] = sum(inst.capacity for inst in institutes)
        d["publications"][k] = sum(inst.publications for inst in institutes)
        d["patents"][k] = sum(inst.patents for inst in institutes)
        d["graduates"][k] = sum(inst.graduates for inst in institutes)
        d["researcher_emigration"][k] = sum(inst.emigrants for inst in institutes) \
            if k > 0 else sum(inst.researchers for inst in institutes) \
            * m.cfg.institutes.brain_drain_rate
        r_total = sum(inst.researchers for inst in institutes)
        d["women_share_researchers"][k] = sum(inst.women for inst in institutes) / r_total \
            if r_total > 0 else np.nan
        d["collaborations"][k] = float((f.collab > 0).sum()) * w
        self.record_platform(k, flows)
        d["rd_performer_share"][k] = float((f.performer & alive).sum()) / max(alive.sum(), 1)
        d["tax_credit_rate"][k] = f.tax_credit_rate
        d["grid_renewable_share"][k] = 100.0 * c.grid_renewable
        d["firm_entries"][k] = f.entries if k > 0 else 0.0
        d["firm_exits"][k] = f.exits if k > 0 else 0.0
        d["frontier_gap"][k] = m.frontier()
        d["shock_intensity"][k] = [m.shocks.intensity[s] if k > 0 else 0.0
                                   for s in SHOCK_KINDS]
        for spec, out in self.extension_outputs:
            total = 0.0
            for agent in m.agents_of(spec.cls):
                total += float(agent.observe().get(out, 0.0))
            d[out][k] = total

    def record_platform(self, k: int, flows) -> None:
        """The matching platform's listings, matches, quality and what matches did."""
        d = self.data
        f = self.model.firms
        pl = flows.platform
        made = pl.made if pl is not None else np.zeros(d["matches"].shape[1:])
        d["matches"][k] = made
        d["platform_matches"][k] = float(made.sum())
        d["platform_listings"][k] = pl.listings if pl is not None else 0.0
        d["match_quality"][k] = pl.quality_sum / pl.n_made if pl is not None and pl.n_made \
            else np.nan
        acc = f.platform_account if k > 0 else platform_account()
        d["matched_adoptions"][k] = acc["adoptions"]
        d["matched_adopters"][k] = (f.shadow & f.alive).sum(axis=1) * f.weight
        d["licence_paid"][k] = acc["licence_paid"]
        d["licensing_payments"][k] = acc["licence_received"]
        d["follow_on_collaborations"][k] = acc["follow_on"]
        d["matched_firms"][k] = float(np.count_nonzero(f.alive & (f.match_left > 0))) \
            * f.weight

    def check(self) -> None:
        """The money accounts of every simulated step balance (:mod:`stisim.agents.accounts`);
        skipped with ``policy.check_money=false``."""
        m = self.model
        if not m.cfg.policy.check_money:
            return
        n = m.k + 1
        check_accounts(self.times[:n], {k: v[:n] for k, v in self.data.items()},
                       institutes_active=m.active("research_institutes"))

    def dataset(self) -> xr.Dataset:
        m = self.model
        self.check()
        coords = {
            "time": self.times,
            "indicator": self.indicators,
            "technology": list(TECHNOLOGIES),
            "sector": list(SECTORS),
            "region": self.regions,
            "regional_indicator": list(REGIONAL_INDICATORS),
            "agent_type": self.agent_types,
            "instrument": list(INSTRUMENTS),
            "executor": list(EXECUTORS),
            "stream": list(FUNDING_STREAMS),
            "tech_source": list(TECH_SOURCES),
            "shock": list(SHOCK_KINDS),
            "performer": list(PERFORMERS),
            "source_of_funds": list(SOURCES),
            "recipient": list(RECIPIENTS),
            "energy_use": list(ENERGY_USES),
            "supplier_origin": list(SUPPLIER_ORIGINS),
        }
        data_vars = {name: (("time", *self.dims[name]), arr) for name, arr in
                     self.data.items()}
        ds = xr.Dataset(data_vars, coords=coords)
        used = {d for dims in self.dims.values() for d in dims} | {"time"}
        ds = ds.drop_vars([c for c in coords if c not in used])
        ds["region_population_share"] = ("region", m.structure.region_population)
        regions = m.regions
        if regions.urban_share is not None:
            ds["region_urban_share"] = ("region", regions.urban_share)
        if regions.codes:
            ds = ds.assign_coords(region_code=("region", regions.codes))
        ds.attrs.update({
            "model": "stisim.agents.InnovationSystem (Mesa)",
            "steps_per_year": m.steps_per_year,
            "firms_simulated": int(m.firms.calib.n0),
            "firm_weight": float(m.firms.weight),
            "region_source": regions.source,
            "regions": json.dumps(regions.describe(), sort_keys=True),
            "country_inputs": json.dumps({
                "population": m.country.population, "gdp_per_capita": m.country.gdp_per_capita,
                "firm_count": m.country.firm_count,
                "agriculture_va_share": m.country.agriculture_va_share,
                "urban_share": m.country.urban_share, "notes": m.country.notes,
                "fallbacks": m.country.flags}, sort_keys=True),
            "calibration": json.dumps({
                "bau_budget_pct_gdp": {f"{e}.{i}": v for (e, i), v in m.calib.bau.items()},
                "gerd0": m.calib.gerd0, "berd0": m.calib.berd0,
                "firm_rd_intensity": m.firms.calib.rd_intensity,
                "publications_per_researcher": m.calib.publications_per_researcher,
                "graduates_per_researcher": m.calib.graduates_per_researcher,
                "grid_renewable_share0": m.energy.grid0,
                "household_energy_share": m.energy.omega,
                "traditional_biomass_share0": m.energy.biomass_share0,
                "notes": {**m.calib.notes, **m.structure.notes, "energy": m.energy.note},
            }, sort_keys=True),
        })
        if self.held:
            ds.attrs["indicators_held_at_baseline"] = ", ".join(self.held)
        return ds
