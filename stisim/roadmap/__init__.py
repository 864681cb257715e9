"""Roadmap portfolios: schema, loaders (YAML, CSV, XLSX), instruments, response curves."""

from stisim.roadmap.instruments import instrument_ids, instruments
from stisim.roadmap.loaders import write_portfolio
from stisim.roadmap.portfolio import Portfolio, build_portfolio, load_portfolio
from stisim.roadmap.responses import Curve, ResponseCurves

__all__ = ["Curve", "Portfolio", "ResponseCurves", "build_portfolio", "instrument_ids",
           "instruments", "load_portfolio", "write_portfolio"]
