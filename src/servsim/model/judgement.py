"""Each order's experience from placement until its last episode ends, then its customer's
judgement: the score is recorded, and the customer's trust moves.

An order's episodes are its delivery, then whatever follows it: a complaint until resolved, a
return until refunded or replaced, an installation until its last visit. The order settles when
the last of them ends. A warranty failure months later is judged on its own when its repair is
done: it moves the customer's trust, not the order's settled score.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import simpy

from servsim.model.customers import SegmentCustomers
from servsim.model.experience import Experience, experience_scores, failure_score
from servsim.model.runlog import Recorder
from servsim.scenario.schema import Scenario


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
    )

    def __init__(
        self, order: int, first_line: int, lines: int, quantity: int, lost: int, value: float
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
        satisfaction = scenario.satisfaction
        self._model = [satisfaction.for_segment(name) for name in scenario.demand.segments]
        """segment -> its satisfaction model"""

    def episode_ended(self, tracked: TrackedOrder) -> None:
        """One of the order's episodes is over; the order settles after its last."""
        tracked.pending -= 1
        if tracked.pending == 0:
            self.settle(tracked)

    def settle(self, tracked: TrackedOrder, got_nothing: bool = False) -> None:
        """The order's experience is complete: score it, record it, tell its customer."""
        record = self.record
        order = tracked.order
        segment = record.segment[order]
        first, end = tracked.first_line, tracked.first_line + tracked.lines
        experience = Experience(
            late_by=0.0 if got_nothing else tracked.delivered - self._first_promise(order),
            lost_share=tracked.lost / tracked.quantity if tracked.quantity else 0.0,
            substituted=any(line in record.substituted for line in range(first, end)),
            wrong_item=order in record.wrong_item,
            wrong_invoice=order in record.wrong_invoice,
            damaged=tracked.damaged,
            informed=order in record.informed,
            resolution_time=tracked.resolution_time,
            compensation_share=tracked.compensation / tracked.value if tracked.value else 0.0,
            install_wait=tracked.install_wait,
            snag=tracked.snag,
            refund_delay=tracked.refund_delay,
            replacement_delay=tracked.replacement_delay,
            got_nothing=got_nothing,
        )
        score, shortfalls = experience_scores(self._model[segment], self._relief, experience)
        record.judged.add(
            order,
            self.env.now,
            score,
            shortfalls["reliability"],
            shortfalls["responsiveness"],
            shortfalls["information"],
            shortfalls["tangibles"],
        )
        self._tell_customer(order, score)

    def failure_repaired(self, order: int, repair_time: float) -> None:
        """A warranty failure of the order's product was repaired ``repair_time`` after it
        happened: the customer judges the episode on its own."""
        segment = self.record.segment[order]
        self._tell_customer(order, failure_score(self._model[segment], repair_time))

    def _tell_customer(self, order: int, score: float) -> None:
        record = self.record
        customers = self.customers.get(record.segment[order])
        customer = record.customer.get(order, -1)
        if customers is not None and customer >= 0:
            customers.judge(customer, float(score))
