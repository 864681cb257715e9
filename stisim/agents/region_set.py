"""The sub-national regions a run uses: first-level administrative regions where stisim ships
them, the generic three (capital, other urban, rural) elsewhere.

``regions.source=auto`` (the default) takes the Global Data Lab regions of the latest survey
in or before the base year (:mod:`stisim.data.regions`: Ethiopia, Ghana, India, Kenya,
Serbia, Ukraine) and otherwise the generic three; ``regions.source=generic`` keeps the generic
three everywhere; a config that names its own regions (``regions.names`` with
``regions.population_share``) keeps them. Every run records which (``region_source``).

For real regions (docs/model.md, "Sub-national regions"):

- population shares are the survey's (normalised);
- logit offsets of electricity access (7.1.1) are the survey's household electricity shares;
  internet use (17.8.1) and fixed broadband (17.6.1) take the survey's internet shares where
  the survey has them, else mobile-phone ownership, else electricity; 4G coverage (9.c.1)
  takes mobile-phone ownership, else electricity; clean cooking (7.1.2) takes electricity.
  The national level stays the baseline's: only the spread across regions is the survey's;
- firm density, productivity and local-government capacity interpolate the generic
  values of the capital (urban share 1) and the rural region (urban share 0) by the region's
  urban share, in logs: ``ln x_r = u_r ln x_capital + (1 - u_r) ln x_rural`` (an assumption:
  the same urban-rural gradient as the generic regions, located by the survey's urban share).

The generic names stay valid labels everywhere a region is named (budget lines, shocks,
extensions): ``capital`` is the capital's region, ``other_urban`` the urban population of the
other regions, ``rural`` the rural population of all regions (weights ``p_r u_r`` and
``p_r (1 - u_r)``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import numpy as np

from stisim.data import regions as gdl

GENERIC = ("capital", "other_urban", "rural")
OFFSET_KINDS = ("electricity", "internet", "broadband", "coverage", "cooking")
# Which survey field sets each kind's regional spread, in order of preference.
OFFSET_FIELDS = {"electricity": ("electricity",), "internet": ("internet", "cellphone",
                                                                "electricity"),
                 "broadband": ("internet", "cellphone", "electricity"),
                 "coverage": ("cellphone", "electricity"), "cooking": ("electricity",)}


@dataclass
class RegionSet:
    """Regions of one run: names and per-region arrays (population order as ``names``)."""

    names: list[str]
    population_share: np.ndarray
    firm_density: np.ndarray
    productivity: np.ndarray
    capacity: np.ndarray
    offsets: dict[str, np.ndarray]
    source: str  # "gdl", "generic" or "custom"
    urban_share: np.ndarray | None = None
    codes: list[str] = field(default_factory=list)
    survey_year: int | None = None
    offset_fields: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.names)

    @property
    def labels(self) -> list[str]:
        """Every name a budget line, shock or extension may use for a region."""
        return [*self.names, *(a for a in self.aliases if a not in self.names)]

    def weights(self, label: str) -> np.ndarray:
        """Population weights of a label over the regions (one-hot for a region's name)."""
        if label in self.names:
            out = np.zeros(self.n)
            out[self.names.index(label)] = 1.0
            return out
        if label in self.aliases:
            return self.aliases[label].copy()
        raise KeyError(label)

    def members(self, label: str) -> np.ndarray:
        """Regions a label covers for events that hit whole regions (disasters): the region
        itself, or for an alias the regions where it holds at least half the population."""
        w = self.weights(label)
        if label in self.names:
            return np.flatnonzero(w > 0)
        share = np.divide(w, self.population_share, out=np.zeros(self.n),
                          where=self.population_share > 0)
        hit = np.flatnonzero(share >= 0.5)
        return hit if hit.size else np.array([int(np.argmax(w))])

    def index(self, label: str) -> int:
        """One region for a label (an alias: the region holding most of it)."""
        return int(np.argmax(self.weights(label)))

    def describe(self) -> dict:
        """What the run's attributes record about the regions."""
        out = {"source": self.source, "names": list(self.names),
               "population_share": [round(float(v), 6) for v in self.population_share]}
        if self.source == "gdl":
            out.update({"codes": list(self.codes), "survey_year": self.survey_year,
                        "data": gdl.SOURCE, "offset_fields": dict(self.offset_fields),
                        "urban_share": [round(float(v), 6) for v in self.urban_share]})
        else:
            out["note"] = ("generic regions (capital, other urban, rural) with assumed shares: "
                           "stisim ships no sub-national data for this country"
                           if self.source == "generic" else "regions given in the config")
        return out


def generic_population(cfg, urban_share: float) -> np.ndarray:
    """Population shares of the configured regions: given, or capital/other urban/rural
    from the country's urban share."""
    reg = cfg.regions
    if reg.population_share:
        return np.asarray(reg.population_share, dtype=float)
    cap = reg.capital_share_of_urban * urban_share
    shares = np.array([cap, urban_share - cap, 1.0 - urban_share])
    shares = np.maximum(shares, 1e-3)
    return shares / shares.sum()


def uses_shipped(cfg) -> bool:
    """Whether the run takes shipped first-level regions (see module doc)."""
    reg = cfg.regions
    if reg.source != "auto" or list(reg.names) != list(GENERIC) or reg.population_share:
        return False
    return gdl.country_regions(int(cfg.country.m49), up_to=int(cfg.time.base_year)) is not None


def region_labels(cfg) -> list[str]:
    """The region labels a budget line may name for this config (without building a model)."""
    if not uses_shipped(cfg):
        return list(cfg.regions.names)
    table = gdl.country_regions(int(cfg.country.m49), up_to=int(cfg.time.base_year))
    return [*map(str, table.region), *GENERIC]


def resolve_regions(cfg, urban_share: float) -> RegionSet:
    """The regions of a run (``urban_share``: the country's, for the generic shares)."""
    reg = cfg.regions
    if uses_shipped(cfg):
        return _shipped(cfg)
    off = np.asarray(reg.access_offset, float)
    pop = generic_population(cfg, urban_share)
    source = "generic" if list(reg.names) == list(GENERIC) else "custom"
    return RegionSet(names=list(reg.names), population_share=pop,
                     firm_density=np.asarray(reg.firm_density, float),
                     productivity=np.asarray(reg.productivity, float),
                     capacity=np.asarray(reg.capacity, float),
                     offsets=dict.fromkeys(OFFSET_KINDS, off), source=source,
                     offset_fields=dict.fromkeys(OFFSET_KINDS, "regions.access_offset"))


def _interpolate(values: list[float], urban: np.ndarray) -> np.ndarray:
    """``exp(u ln capital + (1 - u) ln rural)`` of a generic (capital, other, rural) list."""
    hi, lo = float(values[0]), float(values[-1])
    return np.exp(urban * np.log(hi) + (1.0 - urban) * np.log(lo))


def _shipped(cfg) -> RegionSet:
    reg = cfg.regions
    m49, year = int(cfg.country.m49), int(cfg.time.base_year)
    return _shipped_cached(m49, year, tuple(reg.firm_density), tuple(reg.productivity),
                           tuple(reg.capacity))


@cache
def _shipped_cached(m49: int, year: int, density: tuple, productivity: tuple,
                    capacity: tuple) -> RegionSet:
    table = gdl.country_regions(m49, up_to=year)
    pop = table.population_share.to_numpy(float)
    urban = table.urban_share.to_numpy(float)
    offsets, used = {}, {}
    for kind, fields in OFFSET_FIELDS.items():
        for name in fields:
            off = gdl.access_offset(table, name)
            if off is not None:
                offsets[kind], used[kind] = off.to_numpy(float), name
                break
        else:  # no field (not the case for the shipped pilots): no spread
            offsets[kind], used[kind] = np.zeros(len(table)), "none"
    codes = [str(c) for c in table.index]
    capital = np.zeros(len(table))
    cap_code = gdl.CAPITAL_REGION.get(m49)
    capital[codes.index(cap_code) if cap_code in codes else int(np.argmax(urban))] = 1.0
    aliases = {"capital": capital, "other_urban": pop * urban * (1.0 - capital),
               "rural": pop * (1.0 - urban)}
    aliases = {k: v / v.sum() if v.sum() > 0 else capital.copy() for k, v in aliases.items()}
    return RegionSet(names=[str(r) for r in table.region], population_share=pop,
                     firm_density=_interpolate(list(density), urban),
                     productivity=_interpolate(list(productivity), urban),
                     capacity=np.minimum(_interpolate(list(capacity), urban), 1.0),
                     offsets=offsets, source="gdl", urban_share=urban, codes=codes,
                     survey_year=int(table.year.iloc[0]), offset_fields=used,
                     aliases=aliases)
