"""A stock point per SKU: allocation first come first served, a FIFO backorder queue, and
replenishment by the item's policy with a lead time drawn per replenishment order (so orders
may overtake one another)."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator

import simpy

from servsim.model.runlog import NOT_YET, Recorder
from servsim.policies import ReplenishmentPolicy, StockoutPolicy

Release = Callable[[int, int, bool], None]
"""Hand ``units`` of order ``order`` to processing: (order, units, first_shipment)."""


class StockPoint:
    """On-hand stock, outstanding replenishments and the backorder queue of one SKU."""

    def __init__(
        self,
        env: simpy.Environment,
        sku_index: int,
        policy: ReplenishmentPolicy,
        stockout: StockoutPolicy,
        lead_times: Iterator[float],
        record: Recorder,
        release: Release,
    ) -> None:
        self.env = env
        self.sku_index = sku_index
        self.policy = policy
        self.stockout = stockout
        self.lead_times = lead_times
        self.record = record
        self.release = release
        self.on_hand = policy.initial_stock
        self.on_order = 0
        self.backorders = 0
        self.lost_units = 0
        self.waiting: deque[list[int]] = deque()
        """Backordered orders in arrival order: [order, units still to allocate]."""
        self._continuous = policy.review_period is None
        record.levels.extend((env.now, sku_index, self.on_hand, 0))
        if not self._continuous:
            env.process(self._periodic_reviews(policy.review_period))  # type: ignore[arg-type]

    def demand(self, order: int, quantity: int) -> None:
        """An order line arrives: take what is on hand, then the stock-out policy decides."""
        record = self.record
        on_hand = self.on_hand
        if quantity <= on_hand:
            self.on_hand = on_hand - quantity
            record.filled.append(quantity)
            record.lost.append(0)
            record.allocated.append(self.env.now)
            self.release(order, quantity, True)
        else:
            self._shortage(order, quantity, on_hand)
        record.levels.extend((self.env.now, self.sku_index, self.on_hand, self.backorders))
        if self._continuous:
            self._replenish()

    def _shortage(self, order: int, quantity: int, filled: int) -> None:
        record = self.record
        short = quantity - filled
        self.on_hand = 0
        record.filled.append(filled)
        if self.stockout.loses_shortage:
            self.lost_units += short
            record.lost.append(short)
            record.allocated.append(self.env.now)
            if filled:
                self.release(order, filled, True)
            return
        self.backorders += short
        self.waiting.append([order, short])
        record.lost.append(0)
        record.allocated.append(NOT_YET)
        record.backorder_wait[order] = 0.0
        if filled and self.stockout.ships_available_now:
            self.release(order, filled, True)

    def _replenish(self) -> None:
        quantity = self.policy.order_quantity(self.on_hand + self.on_order - self.backorders)
        if quantity <= 0:
            return
        self.on_order += quantity
        lead_time = next(self.lead_times)
        now = self.env.now
        record = self.record
        replenishment = record.replenishment_count
        record.replenishment_count = replenishment + 1
        record.replenishments.extend((self.sku_index, now, now + lead_time, quantity))
        arrival = self.env.timeout(lead_time, value=(replenishment, quantity))
        arrival.callbacks.append(self._receive)

    def _receive(self, event: simpy.Event) -> None:
        """A replenishment arrives: fill the backorder queue first, the rest goes on hand."""
        replenishment, quantity = event.value  # type: ignore[misc]
        record = self.record
        now = self.env.now
        record.receipts[replenishment] = (self.on_hand - self.backorders, self.lost_units)
        self.on_order -= quantity
        self.on_hand += quantity
        waiting = self.waiting
        while waiting and self.on_hand:
            head = waiting[0]
            order, missing = head
            given = missing if missing <= self.on_hand else self.on_hand
            self.on_hand -= given
            self.backorders -= given
            record.backorder_wait[order] += given * (now - record.placed[order])
            if given < missing:
                head[1] = missing - given
                break
            waiting.popleft()
            record.allocated[order] = now
            filled = record.filled[order]
            if filled and self.stockout.ships_available_now:
                self.release(order, record.quantity[order] - filled, False)
            else:
                self.release(order, record.quantity[order], True)
        record.levels.extend((now, self.sku_index, self.on_hand, self.backorders))

    def _periodic_reviews(self, period: float):  # type: ignore[no-untyped-def]
        while True:
            yield self.env.timeout(period)
            self._replenish()


class UnlimitedStock:
    """No stocking stage (``stocking: none``): every line is filled at once."""

    def __init__(self, record: Recorder, release: Release, now: Callable[[], float]) -> None:
        self.record = record
        self.release = release
        self.now = now

    def demand(self, order: int, quantity: int) -> None:
        record = self.record
        record.filled.append(quantity)
        record.lost.append(0)
        record.allocated.append(self.now())
        self.release(order, quantity, True)
