"""Field types shared by scenario and experiment files: whole numbers, numbers, durations.

YAML reads ``yes``, ``no``, ``true`` and ``false`` as booleans, which Python would take as 1
and 0; these types refuse them. A duration is a number in the scenario's time unit or text
with a unit (``36h``, ``2d``), converted with the time unit the validation context gives.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import ValidationInfo
from pydantic.functional_validators import BeforeValidator

from servsim.core.units import parse_duration


def _whole_number(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError(f"expected a whole number, got {str(value).lower()}")
    return value


def _number(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got {str(value).lower()}")
    return value


Count = Annotated[int, BeforeValidator(_whole_number)]
"""A whole number; YAML's yes/no/true/false are refused rather than read as 1 or 0."""

Number = Annotated[int | float, BeforeValidator(_number)]
"""A number, whole or not; booleans are refused."""


def _duration(value: Any, info: ValidationInfo) -> Any:
    return parse_duration(value, (info.context or {}).get("time_unit", "hours"))


def _optional_duration(value: Any, info: ValidationInfo) -> Any:
    return None if value is None else _duration(value, info)


Duration = Annotated[float, BeforeValidator(_duration)]
"""A duration: a number in the scenario's time unit, or ``36h``/``2d``-style text."""

OptionalDuration = Annotated[float | None, BeforeValidator(_optional_duration)]
"""A duration, or nothing (a default applies)."""
