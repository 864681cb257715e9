"""stisim: simulate and optimise STI investment for the Sustainable Development Goals."""

from stisim._version import __version__
from stisim.config import load_config
from stisim.io import open_dataset, write_dataset
from stisim.pipeline import build, finalize, run, simulate

__all__ = ["__version__", "build", "finalize", "load_config", "open_dataset", "run",
           "simulate", "write_dataset"]
