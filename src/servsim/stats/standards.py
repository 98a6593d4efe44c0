"""Service standards (``otif >= 0.95``) and whether a confidence interval meets them.

A standard is "met" when the whole interval is on the right side of the target, "missed" when
the whole interval is on the wrong side and "unclear" otherwise. Scenario files and experiment
files both write standards this way, so this module sits below both and imports neither.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from servsim.core.kpi import PERCENT_KINDS, Kpi
from servsim.core.kpi_columns import (
    BY_NAME,
    DURATIONS,
    KPI_NAMES,
    SEGMENT_KPIS,
    segment_column,
    split_column,
)
from servsim.core.units import HOURS_PER, HOURS_PER_TIME_UNIT, TimeUnit

Status = Literal["met", "missed", "unclear"]
STATUSES: tuple[Status, ...] = ("met", "missed", "unclear")

_COMPARISON = re.compile(
    r"^\s*(>=|<=|>|<)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(%|min|h|d|w)?\s*$"
)
_NUMBER_WITH_UNIT = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(min|h|d|w)\s*$")
_WORDS = {"at_least": ">=", "at_most": "<=", "above": ">", "below": "<"}

STANDARD_FORMS = (
    "a comparison in quotes such as '>= 0.95', '<= 72', '<= 72h' or '>= 95%', "
    "or a mapping such as {at_least: 0.95} or {at_most: 72h}"
)


@dataclass(frozen=True)
class Standard:
    """A target for one KPI, ``kpi operator target``, for the whole business or one segment."""

    kpi: str
    operator: Literal[">=", "<=", ">", "<"]
    target: float
    segment: str | None = None

    def __str__(self) -> str:
        return f"{self.column} {self.operator} {self.target:g}"

    @property
    def column(self) -> str:
        """Where a sweep records the KPI: ``otif``, or ``otif[trade]`` for a segment's."""
        return segment_column(self.kpi, self.segment)

    @property
    def written(self) -> str:
        """The comparison as a file would write it, target exact (``'<= 72.0'``)."""
        return f"{self.operator} {self.target!r}"

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


def read_comparison(written: Any) -> tuple[str, float, str]:
    """The operator, number and suffix ('', '%' or a time unit) of a written standard.

    Checks the form only, so a file's every malformed standard is found before KPIs are known.
    """
    if isinstance(written, Mapping):
        if len(written) == 1:
            ((word, target),) = written.items()
            if word in _WORDS:
                number = _number(target)
                if number is not None:
                    return _WORDS[word], _finite(number, target), ""
                with_unit = _NUMBER_WITH_UNIT.match(target) if isinstance(target, str) else None
                if with_unit is not None:
                    number = _finite(float(with_unit.group(1)), target)
                    return _WORDS[word], number, with_unit.group(2)
        raise ValueError(f"expected {STANDARD_FORMS}, got {dict(written)!r}")
    match = _COMPARISON.match(written) if isinstance(written, str) else None
    if match is None:
        raise ValueError(f"expected {STANDARD_FORMS}, got {written!r}")
    operator, written_number, suffix = match.groups()
    return operator, _finite(float(written_number), written), suffix or ""


def parse_standard(
    kpi: str, written: Any, time_unit: TimeUnit | None = None, segment: str | None = None
) -> Standard:
    """Read a standard as written in a file or a notebook; ValueError says what is allowed.

    A target with a time unit (``'<= 72h'``) is converted to ``time_unit``; it is allowed only on
    a KPI measured in time, and only where the scenario's time unit is known.
    """
    operator, number, suffix = read_comparison(written)
    if suffix == "%":
        number /= 100
    elif suffix:
        durations = DURATIONS
        if kpi not in durations:
            raise ValueError(
                f"{kpi or 'this KPI'} is not measured in time, so its target takes no unit "
                f"({suffix}); units fit: {', '.join(sorted(durations))}"
            )
        if time_unit is None:
            raise ValueError(
                f"a unit ({suffix}) needs the scenario's time unit; write the number in it"
            )
        number *= HOURS_PER[suffix] / HOURS_PER_TIME_UNIT[time_unit]
    if kpi in BY_NAME:
        _possible(BY_NAME[kpi], operator, number, suffix, written)
    return Standard(kpi, operator, number, segment)  # type: ignore[arg-type]


_KIND_WORDS = {
    "rate": "a rate",
    "score": "a score",
    "balance": "a balance of two shares",
    "change": "a relative change",
    "duration": "a time",
    "count": "a count",
    "money": "a cost",
}


def _possible(kpi: Kpi, operator: str, target: float, suffix: str, written: Any) -> None:
    """ValueError when a target lies outside what the KPI can be, or can never be met at
    the edge of it (``otif > 1``): a rate written as a percentage without ``%`` (``>= 95``)
    would otherwise be missed by every run."""
    lowest, highest = kpi.lowest, kpi.highest
    outside = target < lowest or target > highest
    never = (operator == ">" and target >= highest) or (operator == "<" and target <= lowest)
    if not (outside or never):
        return
    span = f"{lowest:g} to {highest:g}" if math.isfinite(highest) else f"{lowest:g} or more"
    if kpi.kind in PERCENT_KINDS and math.isfinite(highest):
        span += f" ({100 * lowest:g}% to {100 * highest:g}%)"
    elif kpi.kind in PERCENT_KINDS:
        span += f" ({100 * lowest:g}% or more)"
    about = f"{kpi.name} is {_KIND_WORDS[kpi.kind]}, {span}"
    if never:
        raise ValueError(f"target {show_written(written)} can never be met; {about}")
    message = f"target {show_written(written)} is outside what {kpi.name} can be; allowed: {span}"
    if kpi.kind in ("rate", "score", "balance") and not suffix and abs(target) <= 100:
        percent = f" {target:g}% or" if kpi.kind != "score" else ""
        message += f"; for {target:g} percent write{percent} {target / 100:g}"
    raise ValueError(message)


def show_written(written: Any) -> str:
    """A target as the file wrote it: ``'>= 95'`` or ``{at_least: 95}``."""
    if isinstance(written, Mapping):
        return "{" + ", ".join(f"{key}: {value}" for key, value in written.items()) + "}"
    return repr(written)


def parse_standards(standards: Mapping[str, Any]) -> list[Standard]:
    """Every standard of a mapping ``{kpi: written}``, in the order given; a key
    ``kpi[segment]`` is a target for one customer segment."""
    parsed = []
    for key, written in standards.items():
        kpi, segment = split_column(key)
        parsed.append(parse_standard(kpi, written, segment=segment))
    return parsed


def by_segment(standards: Sequence[Standard]) -> tuple[tuple[str, str], ...]:
    """The (segment, KPI) pairs the standards ask to measure per segment, each once."""
    pairs = [(s.segment, s.kpi) for s in standards if s.segment is not None]
    return tuple(dict.fromkeys(pairs))


def segment_kpi(name: str) -> str:
    """``name`` if it is measured per customer segment; else ValueError saying what is."""
    known_kpi(name)
    if name not in SEGMENT_KPIS:
        raise ValueError(
            f"{name} is measured for the whole business only, not per segment; "
            f"per-segment targets may name: {', '.join(SEGMENT_KPIS)}"
        )
    return name


def known_kpi(name: str) -> str:
    """``name`` if it is a KPI of the catalogue; else ValueError with the closest name."""
    names = KPI_NAMES
    if name not in names:
        close = difflib.get_close_matches(name, names, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(f"unknown KPI {name!r}{hint}; KPIs are: {', '.join(names)}")
    return name


def _finite(number: float, written: Any) -> float:
    """A target is a finite number: NaN would make every interval "unclear", inf every one met
    or missed."""
    if not math.isfinite(number):
        raise ValueError(f"a target is a finite number, got {written!r}; {STANDARD_FORMS}")
    return number


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if abs(value) < 1e300 else math.inf
