"""Durations with units (``36h``, ``2d``) and cost rates converted to a scenario's time unit."""

from __future__ import annotations

import math
import re
from typing import Literal

TimeUnit = Literal["hours", "days"]

HOURS_PER = {"min": 1 / 60, "h": 1.0, "d": 24.0, "w": 168.0}
"""Hours in one of each duration suffix."""

HOURS_PER_TIME_UNIT = {"hours": 1.0, "days": 24.0}
HOURS_PER_YEAR = 8760.0
HOURS_PER_DAY = 24.0

_DURATION = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*(min|h|d|w)\s*$")

DURATION_HELP = "a number in the scenario's time unit, or a number with a unit: 30min, 36h, 2d, 1w"


def parse_duration(value: object, time_unit: TimeUnit) -> float:
    """Return ``value`` in ``time_unit``: numbers pass through, ``'36h'``-style strings convert.

    Raises ValueError with the allowed forms when the value is neither.
    """
    if isinstance(value, bool):
        raise ValueError(f"expected a duration ({DURATION_HELP}), got {value!r}")
    if isinstance(value, int | float):
        return _finite(value, value)
    if isinstance(value, str):
        match = _DURATION.match(value)
        if match:
            hours = float(match.group(1)) * HOURS_PER[match.group(2)]
            return _finite(hours / HOURS_PER_TIME_UNIT[time_unit], value)
    raise ValueError(f"expected a duration ({DURATION_HELP}), got {str(value)[:60]!r}")


def _finite(number: float, written: object) -> float:
    """``number`` as a float, or ValueError when it is not finite (``.inf``, ``1e400h``)."""
    try:
        converted = float(number)
    except OverflowError:
        converted = math.inf
    if not math.isfinite(converted):
        shown = written if isinstance(written, str | float) else "a number too large"
        raise ValueError(f"expected a finite duration ({DURATION_HELP}), got {shown}")
    return converted


def per_hour_to_per_time_unit(rate_per_hour: float, time_unit: TimeUnit) -> float:
    """Convert a rate quoted per hour (a wage) to one per time unit."""
    return rate_per_hour * HOURS_PER_TIME_UNIT[time_unit]


def per_day_to_per_time_unit(rate_per_day: float, time_unit: TimeUnit) -> float:
    """Convert a rate quoted per day (a backorder penalty) to one per time unit."""
    return rate_per_day * HOURS_PER_TIME_UNIT[time_unit] / HOURS_PER_DAY


def per_year_to_per_time_unit(rate_per_year: float, time_unit: TimeUnit) -> float:
    """Convert a rate quoted per year (a holding rate) to one per time unit."""
    return rate_per_year * HOURS_PER_TIME_UNIT[time_unit] / HOURS_PER_YEAR
