"""Configuration: sections (dataclasses), Hydra composition and validation."""

from stisim.config.compose import compose, load_config
from stisim.config.fields import param
from stisim.config.sections import check, section
from stisim.config.validate import StisimConfig, validate

__all__ = ["StisimConfig", "check", "compose", "load_config", "param", "section", "validate"]
