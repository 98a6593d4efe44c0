"""Each order's experience from placement until its last episode ends, then its customer's
judgement: the score is recorded, and the customer's trust moves.

An order's episodes are its delivery, then whatever follows it: a complaint until resolved, a
return until refunded or replaced, an installation until its last visit. The order settles when
the last of them ends, or when a wait outlasts its zone of tolerance: a customer whose order is
two weeks late, or whose installation never comes, judges it then (tolerance ran out), and what
comes later does not change that judgement. A warranty failure months later is judged on its
own when its repair is done: it moves the customer's trust, not the order's settled score.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

import simpy

from servsim.model.customers import SegmentCustomers
from servsim.model.experience import Scorer, failure_score
from servsim.model.runlog import Recorder
from servsim.scenario.schema import Scenario

SWEEPS_PER_ZONE = 20
"""Deadlines are checked this many times within the shortest zone of tolerance: a customer
judges an order at most a twentieth of that zone after its tolerance ran out."""


@dataclass(slots=True)
class Failure:
    """A warranty failure of an order's product, from the moment it happened."""

    order: int
    at: float
    settled: bool = False


class TrackedOrder:
    """What is known of an order's experience so far, and how many episodes are still open."""

    __slots__ = (
        "order",
        "first_line",
        "lines",
        "quantity",
        "lost",
        "value",
        "left",
        "delivered",
        "damaged",
        "pending",
        "resolution_time",
        "compensation",
        "install_wait",
        "snag",
        "refund_delay",
        "replacement_delay",
        "settled",
        "promise",
        "due",
    )

    def __init__(
        self,
        order: int,
        first_line: int,
        lines: int,
        quantity: int,
        lost: int,
        value: float,
        due: float,
    ) -> None:
        self.order = order
        self.first_line = first_line
        self.lines = lines
        self.quantity = quantity
        self.lost = lost
        self.value = value
        self.left = quantity - lost
        """Units still to be delivered."""
        self.delivered = -math.inf
        self.damaged = False
        self.pending = 1
        """Episodes still open: the delivery, then what follows it."""
        self.resolution_time = math.nan
        self.compensation = 0.0
        self.install_wait = math.nan
        self.snag = False
        self.refund_delay = math.nan
        self.replacement_delay = math.nan
        self.settled = False
        self.promise = math.nan
        """When the order was first promised (set by ``Judgements.watch_delivery``)."""
        self.due = due
        """When the order is due: its promise, moved by any delay agreed while it was placed
        (fixed from then on)."""


class Judgements:
    """Settles orders once their last episode ends, records the score, tells the customer."""

    def __init__(
        self,
        env: simpy.Environment,
        scenario: Scenario,
        record: Recorder,
        first_promise: Callable[[int], float],
        customers: dict[int, SegmentCustomers],
    ) -> None:
        self.env = env
        self.record = record
        self._first_promise = first_promise
        self.customers = customers
        self._relief = scenario.notices.lateness_relief
        self._guarantee = scenario.delivery.guarantee
        satisfaction = scenario.satisfaction
        self._model = [satisfaction.for_segment(name) for name in scenario.demand.segments]
        """segment -> its satisfaction model"""
        self._scorer = [Scorer(model, self._relief) for model in self._model]
        """segment -> its model's scorer of one order"""
        self._deadlines: list[tuple[float, int, Any, Callable[[Any], None]]] = []
        self._undelivered: dict[int, TrackedOrder] = {}
        """Orders not yet all carried: judged by the sweep once their lateness runs out."""
        self._lateness = [model.lateness.intolerable for model in self._model]
        """segment -> how late an order may be before its customer's tolerance runs out"""
        self._count = 0
        shortest = min(
            getattr(model, zone).intolerable
            for model in self._model
            for zone in ("lateness", "resolution", "installation", "refund", "replacement")
        )
        env.process(self._sweep(shortest / SWEEPS_PER_ZONE))

    def episode_ended(self, tracked: TrackedOrder) -> None:
        """One of the order's episodes is over; the order settles after its last."""
        tracked.pending -= 1
        if tracked.pending == 0:
            self.settle(tracked)

    def tolerance(self, tracked: TrackedOrder, zone: str) -> float:
        """How long a wait of ``zone`` (``lateness``, ``installation``, ...) may last before
        the customer's tolerance runs out."""
        model = self._model[self.record.segment[tracked.order]]
        return getattr(model, zone).intolerable  # type: ignore[no-any-return]

    def watch_delivery(self, tracked: TrackedOrder, promise: float) -> None:
        """An order its customer judges when delivered, or when its lateness ran out the
        customer's tolerance (counted from when it was first ``promise``-d), whichever comes
        first. Until its last unit is carried the order is among the undelivered the sweep
        looks at (few: no deadline to keep per order)."""
        tracked.promise = promise
        self._undelivered[tracked.order] = tracked

    def carried(self, tracked: TrackedOrder) -> None:
        """The order's last unit is on its way: if it arrives after the customer's tolerance
        ran out, the customer judges it when that happens."""
        if self._undelivered.pop(tracked.order, None) is None:
            return
        due = tracked.promise + self._lateness[self.record.segment[tracked.order]]
        if tracked.delivered > due:
            self.judge_by(tracked, due, _nothing_to_add)

    def judge_by(
        self, tracked: TrackedOrder, at: float, expire: Callable[[TrackedOrder], None]
    ) -> None:
        """If the order is not settled by ``at``, its customer judges it then (give or take
        a sweep of the deadlines), with the wait that ran out set by ``expire``."""
        self._count += 1
        heapq.heappush(self._deadlines, (at, self._count, tracked, expire))

    def _sweep(self, period: float) -> Generator[simpy.Event, None, None]:
        """Every ``period``, judge the orders whose tolerance ran out since the last sweep:
        one event per period instead of one per order."""
        deadlines = self._deadlines
        lateness = self._lateness
        segment = self.record.segment
        while True:
            yield self.env.timeout(period)
            now = self.env.now
            late = [
                tracked
                for order, tracked in self._undelivered.items()
                if tracked.promise + lateness[segment[order]] <= now
            ]
            for tracked in late:
                del self._undelivered[tracked.order]
                self.settle(tracked)
            while deadlines and deadlines[0][0] <= now:
                _, _, episode, expire = heapq.heappop(deadlines)
                if episode.settled:
                    continue
                if isinstance(episode, Failure):
                    self.repaired(episode)
                else:
                    expire(episode)
                    self.settle(episode)

    def settle(self, tracked: TrackedOrder, got_nothing: bool = False) -> None:
        """The order's experience is complete: score it, record it, tell its customer."""
        if tracked.settled:
            return
        tracked.settled = True
        record = self.record
        order = tracked.order
        segment = record.segment[order]
        first, end = tracked.first_line, tracked.first_line + tracked.lines
        now = self.env.now
        delivered = tracked.delivered
        arrived = delivered if -math.inf < delivered <= now else now  # not yet: as late as now
        promise = (
            tracked.promise if tracked.promise == tracked.promise else self._first_promise(order)
        )
        late_by = 0.0 if got_nothing else arrived - promise
        compensation = tracked.compensation
        guarantee = self._guarantee
        if guarantee is not None and late_by > guarantee.after:  # paid back at once, unasked
            compensation += guarantee.refund * tracked.value
        score, reliability, responsiveness, information, tangibles = self._scorer[segment].scores(
            late_by,
            tracked.lost / tracked.quantity if tracked.quantity else 0.0,
            bool(record.substituted)
            and any(line in record.substituted for line in range(first, end)),
            order in record.wrong_item,
            order in record.wrong_invoice,
            tracked.damaged,
            order in record.informed,
            tracked.resolution_time,
            compensation / tracked.value if tracked.value else 0.0,
            tracked.install_wait,
            tracked.snag,
            tracked.refund_delay,
            tracked.replacement_delay,
            got_nothing,
        )
        record.judged.add(order, now, score, reliability, responsiveness, information, tangibles)
        self._tell_customer(order, segment, score)

    def failed(self, order: int) -> Failure:
        """A product of the order failed under warranty: judged when repaired, or when the
        repair outlasts the customer's tolerance."""
        failure = Failure(order, self.env.now)
        model = self._model[self.record.segment[order]]
        self._count += 1
        heapq.heappush(
            self._deadlines,
            (failure.at + model.repair.intolerable, self._count, failure, _nothing_to_add),
        )
        return failure

    def repaired(self, failure: Failure) -> None:
        """The failure is repaired: its customer judges the episode on its own."""
        if failure.settled:
            return
        failure.settled = True
        segment = self.record.segment[failure.order]
        score = failure_score(self._model[segment], self.env.now - failure.at)
        self._tell_customer(failure.order, segment, score)

    def _tell_customer(self, order: int, segment: int, score: float) -> None:
        customers = self.customers.get(segment)
        customer = self.record.customer.get(order, -1)
        if customers is not None and customer >= 0:
            customers.judge(customer, score)


def _nothing_to_add(tracked: TrackedOrder) -> None:
    """A late delivery's wait is the time so far, which ``settle`` measures itself."""
