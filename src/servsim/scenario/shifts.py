"""Working hours: a weekly calendar of shifts for a staff pool, and overtime rules.

Time 0 is Monday 00:00. Overlapping shifts add their staff. Outside the calendar nobody
starts work; overtime lets clerks on a shift keep starting waiting work for up to its limit
after the shift ends, paid at the overtime wage.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field, ValidationInfo, model_validator
from pydantic.functional_validators import BeforeValidator

from servsim.core.units import HOURS_PER_TIME_UNIT, TimeUnit, parse_duration
from servsim.core.validation import refuse
from servsim.scenario.fields import Money, Staff
from servsim.scenario.section import Section

HOURS_PER_WEEK = 168.0
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def _clock_time(value: Any, info: ValidationInfo) -> Any:
    """A time of day in hours: ``8h``, ``17:30``, or a number of hours."""
    if isinstance(value, str) and ":" in value:
        hours, _, minutes = value.partition(":")
        if hours.isdigit() and minutes.isdigit() and int(minutes) < 60:
            return int(hours) + int(minutes) / 60
        raise ValueError(f"expected a time of day like 8:30 or 8.5h, got {value!r}")
    if isinstance(value, str):
        return parse_duration(value, "hours")
    return value


ClockTime = Annotated[float, BeforeValidator(_clock_time)]
"""Hours after midnight: 8h, 8:30, or 8.5."""


class Shift(Section):
    days: list[Weekday] = Field(min_length=1, description="mon, tue, ... sun")
    start: ClockTime = Field(ge=0, le=24, description="time of day the shift starts (8:00)")
    end: ClockTime = Field(ge=0, le=24, description="time of day it ends (17:00, at most 24:00)")
    staff: Staff = Field(ge=1, description="clerks on this shift (at most 100,000)")

    @model_validator(mode="after")
    def _ends_after_it_starts(self) -> Shift:
        if self.end <= self.start:
            refuse(
                f"the shift ends ({self.end:g}h) before it starts ({self.start:g}h); "
                "a night shift is two shifts: until 24:00 and from 0:00"
            )
        return self


class Overtime(Section):
    limit: Annotated[float, BeforeValidator(lambda v: parse_duration(v, "hours"))] = Field(
        ge=0, le=24, description="how long after a shift ends its clerks may start work (<= 24h)"
    )
    wage: Money = Field(
        ge=0, description="per clerk per hour worked beyond the schedule (at most 1e9)"
    )


class StaffCalendar(Section):
    """A pool of people: ``staff`` always on duty, or ``shifts`` (a weekly calendar)."""

    staff: Staff | None = Field(default=None, ge=1, description="always on duty (at most 100,000)")
    shifts: list[Shift] | None = Field(default=None, min_length=1, description="weekly calendar")

    @model_validator(mode="after")
    def _staff_or_shifts(self) -> StaffCalendar:
        if (self.staff is None) == (self.shifts is None):
            refuse("give either staff (always on duty) or shifts (a weekly calendar)")
        return self

    def on_duty(self, horizon: float, time_unit: TimeUnit) -> tuple[np.ndarray, np.ndarray]:
        """People scheduled as a step function over [0, horizon]: (times, staff)."""
        if self.shifts is None:
            return np.zeros(1), np.full(1, self.staff)
        return staff_over_horizon(self.shifts, horizon, time_unit)


def weekly_staff(shifts: list[Shift], overtime_hours: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Step function of clerks on duty over one week: (times in hours, staff from then on).

    With ``overtime_hours`` each shift's clerks stay on duty that much longer.
    """
    changes: dict[float, int] = {0.0: 0, HOURS_PER_WEEK: 0}
    for shift in shifts:
        for day in shift.days:
            start = WEEKDAYS.index(day) * 24 + shift.start
            end = min(WEEKDAYS.index(day) * 24 + shift.end + overtime_hours, HOURS_PER_WEEK)
            changes[start] = changes.get(start, 0) + shift.staff
            changes[end] = changes.get(end, 0) - shift.staff
            if WEEKDAYS.index(day) * 24 + shift.end + overtime_hours > HOURS_PER_WEEK:
                wrapped = WEEKDAYS.index(day) * 24 + shift.end + overtime_hours - HOURS_PER_WEEK
                changes[0.0] += shift.staff
                changes[wrapped] = changes.get(wrapped, 0) - shift.staff
    times = np.asarray(sorted(changes))
    staff = np.cumsum([changes[time] for time in times])
    return times[:-1], staff[:-1]


def staff_over_horizon(
    shifts: list[Shift], horizon: float, time_unit: str, overtime_hours: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """Clerks on duty as a step function over [0, horizon], in the scenario's time unit."""
    week_times, week_staff = weekly_staff(shifts, overtime_hours)
    hours_per_unit = HOURS_PER_TIME_UNIT[time_unit]  # type: ignore[index]
    weeks = int(np.ceil(horizon * hours_per_unit / HOURS_PER_WEEK)) + 1
    times = (np.arange(weeks)[:, None] * HOURS_PER_WEEK + week_times[None, :]).ravel()
    staff = np.tile(week_staff, weeks)
    inside = times / hours_per_unit <= horizon
    return times[inside] / hours_per_unit, staff[inside]
