"""Clerk time: scheduled (paid), busy within the schedule, and overtime (busy beyond it).

A person busy when a shift ends finishes the job in hand (nobody drops a parcel half packed),
and that time beyond the schedule is paid as overtime: at the overtime wage where the scenario
gives one, else at the ordinary wage. So utilisation counts only scheduled time (it is at most
1) and every busy hour is paid exactly once: scheduled hours at the wage, the rest as overtime.
"""

from __future__ import annotations

import numpy as np

from servsim.kpis.timeavg import integral_of_excess, overlap, time_average
from servsim.model.runlog import RunLog


def scheduled_clerk_time(log: RunLog) -> float:
    """Clerk-time on the schedule within the measurement window."""
    on_duty = log.tables.staff_on_duty
    window = log.horizon - log.warmup
    return window * time_average(on_duty["time"], on_duty["staff"], log.warmup, log.horizon)


def busy_clerk_time(log: RunLog) -> float:
    """Clerk-time spent processing within the measurement window, overtime included."""
    start, end = log.processing_intervals()
    return overlap(start, end, log.warmup, log.horizon)


def overtime_clerk_time(log: RunLog) -> float:
    """Clerk-time worked while more clerks were busy than scheduled (finishing, overtime)."""
    on_duty = log.tables.staff_on_duty
    if np.unique(on_duty["staff"]).size <= 1:
        return 0.0  # round the clock: nobody goes off duty, so nobody works beyond the schedule
    return integral_of_excess(
        log.busy_staff(), (on_duty["time"], on_duty["staff"]), log.warmup, log.horizon
    )


def scheduled_busy_time(log: RunLog) -> float:
    """Clerk-time busy within the schedule: the busy time that is not overtime, which is at
    most the scheduled time (utilisation at most 1)."""
    within = busy_clerk_time(log) - overtime_clerk_time(log)
    return float(min(max(within, 0.0), scheduled_clerk_time(log)))


def utilisation(log: RunLog) -> float:
    """Busy share of the scheduled clerk time (NaN with nobody scheduled)."""
    scheduled = scheduled_clerk_time(log)
    return scheduled_busy_time(log) / scheduled if scheduled else float("nan")


def time_beyond_schedule(
    starts: np.ndarray,
    ends: np.ndarray,
    schedule: tuple[np.ndarray, np.ndarray],
    window: tuple[float, float],
) -> float:
    """Person-time of the jobs [starts, ends] worked while more people were busy than the
    schedule (times, people) has on duty, within the window: a pool's overtime."""
    busy = (ends > starts) & np.isfinite(starts)
    times = np.concatenate([starts[busy], ends[busy]])
    steps = np.concatenate([np.ones(busy.sum()), -np.ones(busy.sum())])
    order = np.lexsort((steps, times))
    level = np.cumsum(steps[order])
    return integral_of_excess(
        (np.r_[0.0, times[order]], np.r_[0.0, level]), schedule, window[0], window[1]
    )
