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

import numpy as np
import simpy
from simpy.events import Timeout

Processed = Callable[[int, float, float], None]
"""A shipment is ready to ship: (shipment, start of processing, ready)."""
Started = Callable[[int, float], None]
"""A clerk starts on a shipment: (shipment, start)."""


class Clerks(Protocol):
    staff: int
    immediate: bool
    """True: ``times`` gives a shipment's start and ready at once (no events needed)."""

    def times(self, duration: float) -> tuple[float, float]:
        """Start and ready time of a shipment released now (immediate pools only)."""
        ...

    def submit(self, shipment: int, duration: float, priority: int) -> None:
        """A shipment is released for processing now (event-driven pools)."""
        ...


class FifoClerkPool:
    """``staff`` identical clerks, first come first served, computed by recursion."""

    immediate = True

    def __init__(self, env: simpy.Environment, staff: int) -> None:
        self.env = env
        self.staff = staff
        self._free_at = [0.0] * staff

    def times(self, duration: float) -> tuple[float, float]:
        now = self.env.now
        free_at = self._free_at
        start = free_at[0] if free_at[0] > now else now
        ready = start + duration
        heapq.heapreplace(free_at, ready)
        return start, ready

    def submit(self, shipment: int, duration: float, priority: int) -> None:
        raise TypeError("a FIFO pool computes times at once: call times()")


CHUNK = 65536
"""Shipments the clerks' recursion takes as Python floats at a time (a few MB at most)."""


def fifo_times(
    released: np.ndarray, duration: np.ndarray, staff: int
) -> tuple[np.ndarray, np.ndarray]:
    """Start and end of processing of shipments released in this order (a flow computed in
    arrays): ``FifoClerkPool.times`` over all of them at once, each starting when it is
    released or when the first of ``staff`` clerks is free, whichever is later."""
    if staff == 0:
        return released, released
    free_at = [0.0] * staff
    start = np.empty(released.size)
    ready = np.empty(released.size)
    replace = heapq.heapreplace
    for first in range(0, released.size, CHUNK):
        part = slice(first, first + CHUNK)
        starts: list[float] = []
        readies: list[float] = []
        start_of, ready_of = starts.append, readies.append
        for now, work in zip(released[part].tolist(), duration[part].tolist(), strict=True):
            free = free_at[0]
            begin = free if free > now else now
            done = begin + work
            replace(free_at, done)
            start_of(begin)
            ready_of(done)
        start[part] = starts
        ready[part] = readies
    return start, ready


class PriorityClerkPool:
    """Clerks on duty serve the waiting shipment of highest priority next (FIFO within one).

    The number on duty may change (shifts): a clerk going off duty finishes the job in hand.
    """

    immediate = False

    def __init__(
        self, env: simpy.Environment, staff: int, processed: Processed, started: Started
    ) -> None:
        self.env = env
        self.staff = staff
        self.processed = processed
        self.started = started
        self._on_duty = staff
        self._busy = 0
        self._waiting: list[tuple[int, int, int, float]] = []
        """(-priority, arrival number, shipment, duration): a heap"""
        self._arrivals = 0

    def times(self, duration: float) -> tuple[float, float]:
        raise TypeError("a priority pool decides with events: call submit()")

    def submit(self, shipment: int, duration: float, priority: int) -> None:
        if self._busy < self._on_duty:
            self._start(shipment, duration)
        else:
            self._arrivals += 1
            heapq.heappush(self._waiting, (-priority, self._arrivals, shipment, duration))

    def set_on_duty(self, clerks: int) -> None:
        """A shift starts or ends: waiting work starts if clerks came on duty."""
        self._on_duty = clerks
        while self._waiting and self._busy < self._on_duty:
            self._start(*heapq.heappop(self._waiting)[2:])

    def _start(self, shipment: int, duration: float) -> None:
        self._busy += 1
        now = self.env.now
        self.started(shipment, now)
        Timeout(self.env, duration, (shipment, now)).callbacks.append(self._finish)

    def _finish(self, event: simpy.Event) -> None:
        shipment, start = event.value  # type: ignore[misc]
        self._busy -= 1
        if self._waiting and self._busy < self._on_duty:
            self._start(*heapq.heappop(self._waiting)[2:])
        self.processed(shipment, start, self.env.now)


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
    immediate = True

    def __init__(self, env: simpy.Environment) -> None:
        self.env = env

    def times(self, duration: float) -> tuple[float, float]:
        return self.env.now, self.env.now

    def submit(self, shipment: int, duration: float, priority: int) -> None:
        raise TypeError("no processing computes times at once: call times()")
