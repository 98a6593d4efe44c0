"""A customer base's candidate orders, woken only when an active customer may place one.

A segment with a customer base draws candidate orders at the rate of its whole market
(``customers``): candidate i is placed by active customer ``index_i = int(u_i * market)`` when
that index is below the number active at its time, and thinned away otherwise. About half the
candidates fall past the active customers, and each would be an event that decides nothing.

The number active only grows when a customer joins, so a candidate whose index is at or past
it now stays thinned until a join: the stream sleeps through such candidates to the next one
that may be placed, and a join re-plans the sleep. Every candidate draws its index in turn and
is decided, on waking, with the state of its own time; the times are the same sums of gaps as
one event per candidate gives (each gap added to the last candidate's time), and a block of
candidates is fetched at its last candidate, as it would be: every result is the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from heapq import heappush
from itertools import accumulate
from typing import Any

import simpy
from simpy.events import NORMAL

from servsim.model.customers import SegmentCustomers
from servsim.model.demand import OrderBlock
from servsim.model.plain_arrivals import at_start

Place = Callable[[int, int, int], None]
"""Place a block's order: (its index in the block, its first line's position, its customer)."""


class Candidates:
    """The candidate orders of one segment with a customer base."""

    def __init__(
        self,
        env: simpy.Environment,
        customers: SegmentCustomers,
        blocks: Iterator[OrderBlock],
        orders_of: Callable[[OrderBlock], Place],
        every: bool = False,
    ) -> None:
        """``orders_of``: a block's way of placing its orders, asked as the block arrives;
        ``every``: wake at every candidate (one event each, for comparison)."""
        self.env = env
        self.customers = customers
        self._blocks = blocks
        self._orders_of = orders_of
        self._every = every
        self._gaps: list[float] = []
        self._indices: list[int] = []
        """each candidate's index among the customers (past the active ones: thinned)"""
        self._starts: list[int] = []
        """each candidate's first line in the block"""
        self._place: Place | None = None
        self._next = 0
        """the block's first candidate not yet decided"""
        self._last = 0.0
        """the time of the last candidate decided: the next one's is this plus gaps"""
        self._waking: simpy.Event | None = None
        self._woken = 0
        """the candidate the pending wake is for"""
        customers.on_join = self._joined
        at_start(env, self._next_block)

    def _next_block(self, _: object = None) -> None:
        block = next(self._blocks, None)
        while block is not None and not block[0]:
            block = next(self._blocks, None)
        if block is None:  # the stream has ended
            self._waking = None
            return
        self._gaps = block[0]
        self._starts = list(accumulate(block[1], initial=0))
        self._place = self._orders_of(block)
        self._indices = self.customers.candidate_indices(len(self._gaps))
        self._next = 0
        self._last = self.env.now
        self._sleep()

    def _sleep(self) -> None:
        """Wake at the next candidate an active customer may place, or at the block's last."""
        gaps = self._gaps
        at, candidate = self._last, self._next
        if not self._every:
            indices, active, last = self._indices, len(self.customers.active), len(gaps) - 1
            while candidate < last and indices[candidate] >= active:
                at += gaps[candidate]
                candidate += 1
        self._wake(candidate, at + gaps[candidate])

    def _wake(self, candidate: int, at: float) -> None:
        """A wake at candidate ``candidate``'s time ``at``."""
        self._waking, self._woken = _event_at(self.env, at, self._decide), candidate

    def _decide(self, event: simpy.Event) -> None:
        if event is not self._waking:  # a wake planned before a join moved it earlier
            return
        candidate = self._woken
        customer = self.customers.accept(self._indices[candidate])
        if customer >= 0:
            self._place(candidate, self._starts[candidate], customer)  # type: ignore[misc]
        self._next, self._last = candidate + 1, self.env.now
        if self._next == len(self._gaps):
            self._next_block()
        else:
            self._sleep()

    def _joined(self) -> None:
        """A customer joined: a candidate slept through may now be theirs to place."""
        if self._waking is None:
            return
        active, now = len(self.customers.active), self.env.now
        gaps, indices = self._gaps, self._indices
        at = self._last
        for candidate in range(self._next, self._woken):
            at += gaps[candidate]
            if at > now and indices[candidate] < active:
                self._wake(candidate, at)
                return


def _event_at(
    env: simpy.Environment, at: float, callback: Callable[[simpy.Event], None]
) -> simpy.Event:
    """An event at time ``at`` exactly, queued as ``Environment.schedule`` queues one (normal
    priority, the environment's next event number). ``schedule`` takes a delay and adds it to
    now, and floating point cannot always make that sum equal a time summed otherwise (now +
    (at - now) may round past ``at``); the candidate's time is the sum one event per candidate
    gives, so it is queued as it is."""
    event = simpy.Event(env)
    event._ok = True  # triggered, with no value, as a Timeout is
    event._value = None
    event.callbacks.append(callback)
    queue: list[Any] = env._queue  # type: ignore[attr-defined]
    heappush(queue, (at, NORMAL, next(env._eid), event))  # type: ignore[attr-defined]
    return event
