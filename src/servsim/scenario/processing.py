"""Order processing: the clerks who turn an order into a shipment, and their working hours."""

from __future__ import annotations

from pydantic import Field, model_validator

from servsim.core.validation import refuse
from servsim.scenario.distributions import DurationDistribution
from servsim.scenario.fields import Staff
from servsim.scenario.shifts import Overtime, StaffCalendar


class Processing(StaffCalendar):
    """Order processing: ``staff`` clerks round the clock, or ``shifts`` (a weekly calendar)."""

    staff: Staff | None = Field(
        default=None, ge=1, description="clerks, always on duty (at most 100,000)"
    )
    overtime: Overtime | None = Field(default=None, description="only with shifts")
    time: DurationDistribution = Field(description="processing time of one shipment")

    @model_validator(mode="after")
    def _overtime_needs_shifts(self) -> Processing:
        if self.overtime is not None and self.shifts is None:
            refuse("overtime needs shifts: round-the-clock staff have no end of shift")
        return self
