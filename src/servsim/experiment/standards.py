"""Service standards (``otif >= 0.95``) and whether a confidence interval meets them.

A standard is "met" when the whole interval is on the right side of the target, "missed" when
the whole interval is on the wrong side and "unclear" otherwise (METRICS.md, across
replications).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

Status = Literal["met", "missed", "unclear"]

_COMPARISON = re.compile(
    r"^\s*(>=|<=|>|<)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(%?)\s*$"
)
_WORDS = {"at_least": ">=", "at_most": "<=", "above": ">", "below": "<"}

STANDARD_FORMS = (
    "a comparison in quotes such as '>= 0.95', '<= 72' or '>= 95%', "
    "or a mapping such as {at_least: 0.95} or {at_most: 72}"
)


@dataclass(frozen=True)
class Standard:
    """A target for one KPI: ``kpi operator target``."""

    kpi: str
    operator: Literal[">=", "<=", ">", "<"]
    target: float

    def __str__(self) -> str:
        return f"{self.kpi} {self.operator} {self.target:g}"

    @property
    def higher_is_better(self) -> bool:
        """Whether values above the target are on the right side."""
        return self.operator in (">=", ">")

    def status(self, lo: float, hi: float) -> Status:
        """Met, missed or unclear for the interval [lo, hi]; unclear when there is none."""
        if math.isnan(lo) or math.isnan(hi):
            return "unclear"
        if self._holds(lo) and self._holds(hi):
            return "met"
        if not self._holds(lo) and not self._holds(hi):
            return "missed"
        return "unclear"

    def _holds(self, value: float) -> bool:
        if self.operator == ">=":
            return value >= self.target
        if self.operator == ">":
            return value > self.target
        if self.operator == "<=":
            return value <= self.target
        return value < self.target


def parse_standard(kpi: str, written: Any) -> Standard:
    """Read a standard as written in a file or a notebook; ValueError says what is allowed."""
    if isinstance(written, Mapping):
        if len(written) == 1:
            ((word, target),) = written.items()
            number = _number(target)
            if word in _WORDS and number is not None:
                return Standard(kpi, _WORDS[word], number)  # type: ignore[arg-type]
        raise ValueError(f"expected {STANDARD_FORMS}, got {dict(written)!r}")
    match = _COMPARISON.match(written) if isinstance(written, str) else None
    if match is None:
        raise ValueError(f"expected {STANDARD_FORMS}, got {written!r}")
    operator, written_target, percent = match.groups()
    target = float(written_target) / 100 if percent else float(written_target)
    return Standard(kpi, operator, target)  # type: ignore[arg-type]


def parse_standards(standards: Mapping[str, Any]) -> list[Standard]:
    """Every standard of a mapping ``{kpi: written}``, in the order given."""
    return [parse_standard(kpi, written) for kpi, written in standards.items()]


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)
