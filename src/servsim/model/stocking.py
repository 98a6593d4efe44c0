"""A stock point per SKU: allocation first come first served, a backorder queue served by
priority (the tier's) and first come first served within one, and replenishment by the item's
policy with a lead time drawn per replenishment order (so orders may overtake one another). It
deals in order lines; what happens to the order is not its job."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator

import simpy

from servsim.model.array_stock import REVIEWED_BY_DEMAND
from servsim.model.runlog import NOT_YET, Recorder
from servsim.model.streams import RandomStreams
from servsim.policies import ReplenishmentPolicy
from servsim.scenario.schema import Scenario
from servsim.scenario.stocking import Emergency

LineComplete = Callable[[int], None]
"""Told when a backordered line has all its units allocated."""


class StockPoint:
    """On-hand stock, outstanding replenishments and the backorder queue of one SKU."""

    def __init__(
        self,
        env: simpy.Environment,
        sku_index: int,
        policy: ReplenishmentPolicy,
        lead_times: Iterator[float],
        record: Recorder,
        line_complete: LineComplete,
        emergency: Emergency | None = None,
        emergency_lead_times: Iterator[float] | None = None,
        lead_time_mean: float | None = None,
        level: Callable[[float, int, float, int], None] | None = None,
    ) -> None:
        """``lead_time_mean``: given when orders are promised from stock, so the stock point
        keeps its replenishments due and can say when a waiting line's units will come;
        ``level``: where its stock levels are recorded (default: the run's stock levels)."""
        self.env = env
        self.sku_index = sku_index
        self.policy = policy
        self.lead_times = lead_times
        self.record = record
        self.line_complete = line_complete
        self.emergency = emergency
        self._emergency_lead_times = emergency_lead_times
        self._emergency_due = False
        """One emergency order at a time: none is placed while one is on its way."""
        self.on_hand = policy.initial_stock
        self.on_order = 0
        self.backorders = 0
        self.lost_units = 0
        self._lead_time_mean = lead_time_mean
        self._due: dict[int, tuple[float, int]] | None = {} if lead_time_mean is not None else None
        """replenishment -> (arrival, quantity), while on its way (only to promise from stock)"""
        self.waiting: list[list[int]] = []
        """Backordered lines, a heap of [-priority, line, units still to allocate]: the
        highest priority first, then the earliest (lines are numbered as they arrive)."""
        self._observe = getattr(policy, "observe", None)
        """A forecasting policy sees every line's demand."""
        self._continuous = policy.review_period is None
        self._after_demand = (
            self._replenish if emergency is not None else self._review if self._continuous else None
        )
        """What a demand triggers: the emergency check, the policy's review, or nothing."""
        self._level = record.levels.add if level is None else level
        self._replenishment = record.replenishments.add
        """Record the stock level from now on (bound once: it runs on every demand)."""
        self._level(env.now, sku_index, self.on_hand, 0)
        if not self._continuous:
            env.process(self._periodic_reviews(policy.review_period))  # type: ignore[arg-type]

    @property
    def reviews_by_demand(self) -> bool:
        """Whether when it orders depends on the demand alone: continuous review of base
        stock, (s,S) or (r,Q), no emergency orders, no promise from its stock."""
        return (
            type(self.policy) in REVIEWED_BY_DEMAND
            and self._continuous
            and self.emergency is None
            and self._due is None
        )

    def demand(
        self, line: int, quantity: int, lose_shortage: bool, reserved: int = 0, priority: int = 0
    ) -> int:
        """A line arrives: take what is on hand (above what is ``reserved`` against it); the
        rest is lost or backordered (returned), waiting with the order's ``priority``."""
        record = self.record
        now = self.env.now
        on_hand = self.on_hand
        available = on_hand - reserved if on_hand > reserved else 0
        short = 0
        if quantity <= available:
            self.on_hand = on_hand - quantity
            record.filled.append(quantity)
            record.lost.append(0)
            record.allocated.append(now)
        else:
            short = self._shortage(line, quantity, available, lose_shortage, priority)
        self._level(now, self.sku_index, self.on_hand, self.backorders)
        if self._observe is not None:
            self._observe(quantity)
        if self._after_demand is not None:
            self._after_demand()
        return short

    def _shortage(
        self, line: int, quantity: int, filled: int, lose_shortage: bool, priority: int
    ) -> int:
        record = self.record
        short = quantity - filled
        self.on_hand -= filled
        record.filled.append(filled)
        if lose_shortage:
            self.lost_units += short
            record.lost.append(short)
            record.allocated.append(self.env.now)
            return 0
        self.backorders += short
        heapq.heappush(self.waiting, [-priority, line, short])
        record.lost.append(0)
        record.allocated.append(NOT_YET)
        record.backorder_wait[line] = 0.0
        return short

    def take_substitute(self, units: int) -> int:
        """Units taken from on hand for another sku's short line (at most what is there)."""
        taken = units if units <= self.on_hand else self.on_hand
        self.on_hand -= taken
        self._level(self.env.now, self.sku_index, self.on_hand, self.backorders)
        if self._after_demand is not None:
            self._after_demand()
        return taken

    def _replenish(self) -> None:
        """After a demand: the emergency check, then (continuous review) the policy's order."""
        emergency = self.emergency
        if (
            emergency is not None
            and not self._emergency_due
            and self.on_hand - self.backorders < emergency.trigger
        ):
            self._emergency_due = True
            self._order(emergency.quantity, next(self._emergency_lead_times), 1)  # type: ignore[arg-type]
        if self._continuous:
            self._review()

    def _review(self) -> None:
        quantity = self.policy.order_quantity(self.on_hand + self.on_order - self.backorders)
        if quantity > 0:
            self._order(quantity, next(self.lead_times), 0)

    def _order(self, quantity: int, lead_time: float, emergency: int) -> None:
        """Place a replenishment order; it counts in the inventory position until it arrives."""
        self.on_order += quantity
        now = self.env.now
        replenishment = self._replenishment(
            self.sku_index, now, now + lead_time, quantity, emergency
        )
        arrival = self.env.timeout(lead_time, value=(replenishment, quantity, emergency))
        arrival.callbacks.append(self._receive)
        if self._due is not None:
            self._due[replenishment] = (now + lead_time, quantity)

    def _receive(self, event: simpy.Event) -> None:
        """A replenishment arrives: fill the backorder queue first, the rest goes on hand."""
        replenishment, quantity, emergency = event.value  # type: ignore[misc]
        if emergency:
            self._emergency_due = False
        if self._due is not None:
            del self._due[replenishment]
        record = self.record
        record.receipts[replenishment] = (self.on_hand - self.backorders, self.lost_units)
        self.on_order -= quantity
        self._put_away(quantity)

    def when_due(self, line: int) -> float:
        """When a waiting line's units are expected: the arrival of the replenishment on its
        way that covers them, in the order the queue is served, else a mean lead time from
        now (the replenishment that covers them is not ordered yet)."""
        assert self._due is not None and self._lead_time_mean is not None
        ahead = 0
        for entry in sorted(self.waiting):
            ahead += entry[2]
            if entry[1] == line:
                break
        ahead -= self.on_hand
        coming = 0
        for arrives, quantity in sorted(self._due.values()):
            coming += quantity
            if coming >= ahead:
                return arrives
        return self.env.now + self._lead_time_mean

    def withdraw(self, line: int) -> int:
        """A waiting line is cancelled: it leaves the backorder queue; the units it still
        waited for (returned) are no longer owed."""
        for index, entry in enumerate(self.waiting):
            if entry[1] == line:
                missing = entry[2]
                self.waiting[index] = self.waiting[-1]
                self.waiting.pop()
                heapq.heapify(self.waiting)
                self.backorders -= missing
                self._level(self.env.now, self.sku_index, self.on_hand, self.backorders)
                return missing
        return 0

    def restock(self, units: int) -> None:
        """Units back on the shelf: returned goods that passed inspection, or goods set aside
        for an order its customer cancelled."""
        self.record.restocks.add(self.env.now, self.sku_index, units)
        self._put_away(units)
        if self._after_demand is not None:
            self._after_demand()

    def _put_away(self, quantity: int) -> None:
        """Units come in: fill the backorder queue first (by priority, then arrival), the rest
        goes on hand."""
        self._fill_waiting(quantity)
        self._level(self.env.now, self.sku_index, self.on_hand, self.backorders)

    def _fill_waiting(self, quantity: int) -> None:
        """Put ``quantity`` on hand and serve the backorder queue from it."""
        record = self.record
        now = self.env.now
        self.on_hand += quantity
        waiting = self.waiting
        while waiting and self.on_hand:
            head = waiting[0]
            line, missing = head[1], head[2]
            given = missing if missing <= self.on_hand else self.on_hand
            self.on_hand -= given
            self.backorders -= given
            placed = record.placed[record.line_order[line]]
            record.backorder_wait[line] += given * (now - placed)
            if given < missing:
                head[2] = missing - given
                break
            heapq.heappop(waiting)
            record.allocated[line] = now
            self.line_complete(line)

    def _periodic_reviews(self, period: float):  # type: ignore[no-untyped-def]
        while True:
            yield self.env.timeout(period)
            self._review()


class UnlimitedStock:
    """No stocking stage (``stocking: none``): every line is filled at once."""

    on_hand = float("inf")

    def __init__(self, record: Recorder, now: Callable[[], float]) -> None:
        self.record = record
        self.now = now

    def demand(
        self, line: int, quantity: int, lose_shortage: bool, reserved: int = 0, priority: int = 0
    ) -> int:
        record = self.record
        record.filled.append(quantity)
        record.lost.append(0)
        record.allocated.append(self.now())
        return 0

    def withdraw(self, line: int) -> int:
        """Nothing waits without a stocking stage."""
        return 0

    def when_due(self, line: int) -> float:
        """Nothing waits without a stocking stage: its units are there now."""
        return self.now()

    def restock(self, units: int) -> None:
        """Returned units: without a stocking stage there is no shelf to count them on."""


def stock_points(
    scenario: Scenario,
    env: simpy.Environment,
    streams: RandomStreams,
    record: Recorder,
    line_complete: LineComplete,
) -> list[StockPoint | UnlimitedStock]:
    """Each sku's stock point under its item's policy (one location; a sku nobody stocks, or a
    scenario without stocking, is served from unlimited stock)."""
    stocking = scenario.stocking
    unlimited = UnlimitedStock(record, lambda: env.now)
    if stocking is None:
        return [unlimited] * len(scenario.skus)
    stock: list[StockPoint | UnlimitedStock] = []
    for index, sku in enumerate(scenario.skus):
        item = stocking.items.get(sku)
        if item is None:  # a product nobody orders needs no stock point
            stock.append(unlimited)
            continue
        stock.append(
            StockPoint(
                env,
                index,
                item.build(),
                streams.draws(f"lead_time/{sku}", item.lead_time),
                record,
                line_complete,
                item.emergency,
                streams.draws(f"emergency lead time/{sku}", item.emergency.lead_time)
                if item.emergency
                else None,
                item.lead_time.mean if scenario.delivery.quote_from_stock else None,
            )
        )
    return stock
