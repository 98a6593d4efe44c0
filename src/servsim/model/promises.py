"""When each order is due: its tier's promise (or the date its customer asked for), moved by a
delay the customer accepted or by a quote of when the stock will come.

The carriers (expediting), after-sales (lateness) and the customers' judgement (what they
expected) all ask the same two questions of it, so the rules live in one place.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import cached_property

from servsim.model.runlog import Recorder
from servsim.scenario.schema import Scenario


class Promises:
    """Each order's due date, as first promised and as it stands now."""

    def __init__(
        self,
        scenario: Scenario,
        record: Recorder,
        service_of: Callable[[int, int], tuple[int, int]],
        tiers: list[str],
        urgent_tiers: list[str],
    ) -> None:
        """``service_of``: an order's (priority, carrier mode), from its order and segment;
        ``tiers``, ``urgent_tiers``: each segment's tier, and the tier of its urgent orders."""
        self.scenario = scenario
        self.record = record
        self._service_of = service_of
        self.of_segment = [scenario.promise_of(tier) for tier in tiers]
        """segment -> the lead time its tier promises"""
        self.urgent_of_segment = [scenario.promise_of(tier) for tier in urgent_tiers]
        """segment -> the lead time promised to its urgent orders"""
        self.stock: Sequence = []
        """The stock point of each sku (set once built): a quote asks when stock is due"""

    def due(self, order: int) -> float:
        """When the order is due: its tier's promise, moved if the customer accepted a delay."""
        return self.first_and_due(order)[1]

    def first(self, order: int) -> float:
        """When the order was first promised: what its customer expects, whatever came later."""
        return self.first_and_due(order)[0]

    def first_and_due(self, order: int) -> tuple[float, float]:
        """(``first``, ``due``) of the order, at once: asked for both as each order is placed."""
        record = self.record
        if record.requested and order in record.requested:
            first = record.requested[order]
        else:
            promises = self.urgent_of_segment if order in record.urgent else self.of_segment
            first = record.placed[order] + promises[record.segment[order]]
        return first, first + record.postponed.get(order, 0.0) + record.quoted.get(order, 0.0)

    def quote(self, order: int, first_line: int) -> None:
        """Competence: an order that must wait for stock is promised when its stock is due,
        plus the usual processing and transit, and its customer is told so."""
        record = self.record
        waiting = [
            line
            for line in range(first_line, len(record.line_order))
            if math.isnan(record.allocated[line])
        ]
        if not waiting:
            return
        due = max(self.stock[record.sku[line]].when_due(line) for line in waiting)
        _, mode = self._service_of(order, record.segment[order])
        due += self._expected_handling[mode]
        extra = due - self.first(order)
        if extra > 0:
            record.quoted[order] = extra
        record.informed.add(order)

    @cached_property
    def _expected_handling(self) -> list[float]:
        """Per carrier mode, the mean processing plus transit time a quote adds to when the
        stock is due (computed at the first quote: a mean may need scipy.stats)."""
        processing = self.scenario.processing
        processing_mean = processing.time.mean if processing else 0.0
        modes = self.scenario.delivery.modes.values()
        return [processing_mean + mode.transit.mean for mode in modes]
