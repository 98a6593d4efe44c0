"""Field types shared by scenario and experiment files: counts, numbers, money, durations, rates.

YAML reads ``yes``, ``no``, ``true`` and ``false`` as booleans, which Python would take as 1
and 0; these types refuse them. A duration is a number in the scenario's time unit or text
with a unit (``36h``, ``2d``), converted with the time unit the validation context gives.

Every type is finite and bounded by what a real business could reach (a billion units, a
hundred thousand clerks, a hundred years), checked besides the field's own bounds, so a value
that validates never overflows an array, a clock or a sum later: the simulation, not the
loader, would otherwise be the first to notice, with a traceback or a wrong figure.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from pydantic import ValidationInfo
from pydantic.functional_validators import AfterValidator, BeforeValidator

from servsim.core.limits import MOST_REPLICATIONS as MOST_REPLICATIONS  # defined in core
from servsim.core.limits import MOST_SEED as MOST_SEED  # for the CLI's options
from servsim.core.units import HOURS_PER_TIME_UNIT, parse_duration
from servsim.core.validation import refuse

MOST_COUNT = 1_000_000_000
"""Units, orders, stock levels: a billion of anything is more than any warehouse holds."""


MOST_SKUS = 10_000
"""Products of one scenario (and policies in its stocking section)."""

MOST_STAFF = 100_000
"""People in one pool (clerks, agents, technicians)."""

MOST_CUSTOMERS = 1_000_000
"""Customers of one segment's base (each is followed one by one)."""

MOST_MONEY = 1_000_000_000.0
"""A price, cost, wage or penalty: a billion per unit, order, hour or day."""

MOST_FACTOR = 1_000.0
"""A multiplier or weight (profiles, programme factors, satisfaction weights)."""

MOST_NUMBER = 1e12
"""A number of an experiment (range ends, steps): the scenario bounds the values further."""

MOST_YEARS = 100
MOST_HOURS = MOST_YEARS * 8760.0
"""The longest duration: a hundred years."""

LEAST_HOURS = 1 / 3_600_000
"""The shortest duration other than 0: a millisecond."""

MOST_RATE_PER_HOUR = 1_000_000.0
"""Orders (or new customers) per hour: more than the largest web shops take."""


def _said(number: float) -> str:
    """A bound as a planner reads it: 1,000,000,000 or 0.001."""
    if float(number).is_integer() and abs(number) < 1e16:
        return f"{int(number):,}"
    return f"{number:g}"


def shown(value: Any) -> str:
    """A value in a message, however large (a 400-digit integer has no float)."""
    try:
        return f"{value:.6g}"
    except (OverflowError, TypeError, ValueError):
        if isinstance(value, int):
            return f"a number of about 10^{int(value.bit_length() * math.log10(2))}"
        return repr(value)[:60]


def _whole_number(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError(f"expected a whole number, got {str(value).lower()}")
    return value


def _number(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got {str(value).lower()}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"expected a finite number, got {value}")
    return value


def at_most(most: float, what: str) -> AfterValidator:
    """A check that ``abs(value) <= most``; ``what`` says why that is enough."""

    def check(value: Any) -> Any:
        if value is not None and abs(value) > most:  # a guard of magnitudes: never waived
            raise ValueError(f"must be at most {_said(most)} ({what}), got {shown(value)}")
        return value

    return AfterValidator(check)


Count = Annotated[
    int, BeforeValidator(_whole_number), at_most(MOST_COUNT, "more than any business counts")
]
"""A whole number of at most a billion; YAML's yes/no/true/false are refused, not read as 1/0."""

Staff = Annotated[
    int, BeforeValidator(_whole_number), at_most(MOST_STAFF, "people in one pool at most")
]
"""A number of people on duty: at most 100,000."""

CustomerCount = Annotated[
    int, BeforeValidator(_whole_number), at_most(MOST_CUSTOMERS, "customers per segment at most")
]
"""Customers of a segment, each followed one by one: at most a million."""

Number = Annotated[
    int | float, BeforeValidator(_number), at_most(MOST_NUMBER, "the largest number here")
]
"""A finite number, whole or not, of at most 10^12; booleans are refused."""

Money = Annotated[
    float, BeforeValidator(_number), at_most(MOST_MONEY, "a billion per unit, order or hour")
]
"""A finite amount of money (price, cost, wage, penalty) of at most a billion."""

Factor = Annotated[
    float, BeforeValidator(_number), at_most(MOST_FACTOR, "the largest multiplier or weight")
]
"""A finite multiplier or weight of at most 1,000."""


def _seed(value: Any) -> Any:
    if value is not None and not 0 <= value <= MOST_SEED:
        refuse(f"a seed is a whole number from 0 to {MOST_SEED:,} (2^63 - 1), got {shown(value)}")
    return value


Seed = Annotated[int, BeforeValidator(_whole_number), AfterValidator(_seed)]
"""A random seed: 0 to 2^63 - 1, so results tables store it exactly as a 64-bit integer."""


def _time_unit_hours(info: ValidationInfo) -> float:
    return HOURS_PER_TIME_UNIT[(info.context or {}).get("time_unit", "hours")]


def bounded_duration(value: float, info: ValidationInfo) -> float:
    """``value`` (in the time unit) if it is 0 or between a millisecond and a hundred years."""
    hours = abs(value) * _time_unit_hours(info)
    if not math.isfinite(value) or hours > MOST_HOURS:
        raise ValueError(
            f"a duration is at most {MOST_YEARS} years ({_said(MOST_HOURS)}h), got {value:g}"
        )
    if 0 < hours < LEAST_HOURS:
        raise ValueError(f"a duration is 0 or at least a millisecond, got {value:g}")
    return value


def _duration(value: Any, info: ValidationInfo) -> Any:
    unit = (info.context or {}).get("time_unit", "hours")
    return bounded_duration(parse_duration(value, unit), info)


def _optional_duration(value: Any, info: ValidationInfo) -> Any:
    return None if value is None else _duration(value, info)


Duration = Annotated[float, BeforeValidator(_duration)]
"""A duration: a number in the scenario's time unit, or ``36h``/``2d``-style text; 0 or from a
millisecond to a hundred years."""

OptionalDuration = Annotated[float | None, BeforeValidator(_optional_duration)]
"""A duration, or nothing (a default applies)."""


def _rate(value: float, info: ValidationInfo) -> float:
    most = MOST_RATE_PER_HOUR * _time_unit_hours(info)
    if value > most:
        unit = (info.context or {}).get("time_unit", "hours")
        raise ValueError(  # a guard of magnitudes: never waived
            f"must be at most {_said(most)} per {unit[:-1]} ({_said(MOST_RATE_PER_HOUR)} an "
            f"hour: more than the largest web shops take), got {shown(value)}"
        )
    return value


Rate = Annotated[float, BeforeValidator(_number), AfterValidator(_rate)]
"""Events per time unit (orders, new customers): at most a million an hour."""
