"""Clerk time: scheduled (paid), busy, and overtime (busy beyond the schedule)."""

from __future__ import annotations

from servsim.kpis.timeavg import integral_of_excess, overlap, time_average
from servsim.model.runlog import RunLog


def scheduled_clerk_time(log: RunLog) -> float:
    """Clerk-time on the schedule within the measurement window."""
    on_duty = log.staff_on_duty
    window = log.horizon - log.warmup
    return window * time_average(
        on_duty["time"].to_numpy(), on_duty["staff"].to_numpy(), log.warmup, log.horizon
    )


def busy_clerk_time(log: RunLog) -> float:
    """Clerk-time spent processing within the measurement window."""
    start, end = log.processing_intervals()
    return overlap(start, end, log.warmup, log.horizon)


def overtime_clerk_time(log: RunLog) -> float:
    """Clerk-time worked while more clerks were busy than scheduled (finishing, overtime)."""
    busy = log.busy_staff()
    on_duty = log.staff_on_duty
    return integral_of_excess(
        (busy["time"].to_numpy(), busy["busy"].to_numpy()),
        (on_duty["time"].to_numpy(), on_duty["staff"].to_numpy()),
        log.warmup,
        log.horizon,
    )
