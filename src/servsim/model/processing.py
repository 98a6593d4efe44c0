"""Order processing: a pool of clerks serving shipments.

Without priorities, shipments are served first come first served, and since they are released
in time order the c-server queue is computed exactly by the Kiefer-Wolfowitz recursion
(start = max(release, earliest free clerk)) without scheduling events. With priorities (service
tiers) a clerk who frees up takes the waiting shipment of highest priority, first come first
served within a priority (non-preemptive): that needs one SimPy event per shipment.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from typing import Protocol

import simpy

Dispatch = Callable[[int, int, float, float, float, int], None]
"""Hand a processed shipment to delivery: (order, units, released, start, ready, mode)."""


class Clerks(Protocol):
    staff: int

    def submit(self, order: int, units: int, duration: float, priority: int, mode: int) -> None:
        """A shipment is released for processing now."""
        ...


class FifoClerkPool:
    """``staff`` identical clerks, first come first served, computed by recursion."""

    def __init__(self, env: simpy.Environment, staff: int, dispatch: Dispatch) -> None:
        self.env = env
        self.staff = staff
        self.dispatch = dispatch
        self._free_at = [0.0] * staff

    def submit(self, order: int, units: int, duration: float, priority: int, mode: int) -> None:
        now = self.env.now
        free_at = self._free_at
        start = free_at[0] if free_at[0] > now else now
        ready = start + duration
        heapq.heapreplace(free_at, ready)
        self.dispatch(order, units, now, start, ready, mode)


class PriorityClerkPool:
    """Clerks on duty serve the waiting shipment of highest priority next (FIFO within one).

    The number on duty may change (shifts): a clerk going off duty finishes the job in hand.
    """

    def __init__(self, env: simpy.Environment, staff: int, dispatch: Dispatch) -> None:
        self.env = env
        self.staff = staff
        self.dispatch = dispatch
        self._on_duty = staff
        self._busy = 0
        self._waiting: list[tuple[int, int, tuple[int, int, float, float, int]]] = []
        self._arrivals = 0

    def submit(self, order: int, units: int, duration: float, priority: int, mode: int) -> None:
        job = (order, units, self.env.now, duration, mode)
        if self._busy < self._on_duty:
            self._start(job)
        else:
            self._arrivals += 1
            heapq.heappush(self._waiting, (-priority, self._arrivals, job))

    def set_on_duty(self, clerks: int) -> None:
        """A shift starts or ends: waiting work starts if clerks came on duty."""
        self._on_duty = clerks
        while self._waiting and self._busy < self._on_duty:
            self._start(heapq.heappop(self._waiting)[2])

    def _start(self, job: tuple[int, int, float, float, int]) -> None:
        self._busy += 1
        done = self.env.timeout(job[3], value=(job, self.env.now))
        done.callbacks.append(self._finish)

    def _finish(self, event: simpy.Event) -> None:
        (order, units, released, _, mode), start = event.value  # type: ignore[misc]
        self._busy -= 1
        if self._waiting and self._busy < self._on_duty:
            self._start(heapq.heappop(self._waiting)[2])
        self.dispatch(order, units, released, start, self.env.now, mode)


def follow_calendar(
    env: simpy.Environment, pool: PriorityClerkPool, times: list[float], staff: list[int]
):  # type: ignore[no-untyped-def]
    """A SimPy process that puts ``staff[i]`` clerks on duty from ``times[i]``."""
    for time, clerks in zip(times, staff, strict=True):
        if time > env.now:
            yield env.timeout(time - env.now)
        pool.set_on_duty(clerks)


class NoProcessing:
    """``processing: none``: shipments are ready the moment they are released."""

    staff = 0

    def __init__(self, env: simpy.Environment, dispatch: Dispatch) -> None:
        self.env = env
        self.dispatch = dispatch

    def submit(self, order: int, units: int, duration: float, priority: int, mode: int) -> None:
        now = self.env.now
        self.dispatch(order, units, now, now, now, mode)
