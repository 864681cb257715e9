"""Exceptions that carry every problem found, so users fix them in one pass."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class StisimError(Exception):
    """Base class of errors that stisim reports to users without a traceback."""

    exit_code = 2


@dataclass(frozen=True)
class Problem:
    """One problem in a configuration or input file."""

    path: str
    message: str
    value: Any = None
    allowed: str | None = None
    where: str | None = None

    def __hash__(self) -> int:  # values may be lists or mappings (unhashable)
        return hash(str(self))

    def __str__(self) -> str:
        text = f"{self.path}: {self.message}"
        if self.value is not None:
            text += f" (got {self.value!r})"
        if self.allowed:
            text += f"; allowed: {self.allowed}"
        if self.where:
            text += f" [in {self.where}]"
        return text


class ConfigError(StisimError):
    """The composed configuration (or an input file) has one or more problems."""

    def __init__(self, problems: list[Problem], title: str = "invalid configuration"):
        self.problems = list(problems)
        self.title = title
        lines = [f"{title}: {len(self.problems)} problem(s)"]
        lines += [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))


class DataError(StisimError):
    """Shipped or user data is missing or malformed."""
