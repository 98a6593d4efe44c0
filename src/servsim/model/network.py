"""A network of stock locations: each location's stock points, replenished from a supplier or
from the location upstream; an upstream shortage delays the downstream replenishment.

A location's stock point is a :class:`~servsim.model.stocking.StockPoint` that places its
replenishment orders with its source instead of receiving them after a drawn lead time: a
:class:`Supplier` (capacity per period, late and short deliveries, outages) or the stock point
of the same sku upstream (:class:`NetworkStockPoint` serves downstream orders from on hand,
owes the rest first come first served and ships each part after the link's transit time).
Customer backorders at a location are served before the orders of the locations below it.
"""

from __future__ import annotations

import bisect
from collections import deque
from collections.abc import Callable, Iterator
from typing import Protocol

import numpy as np
import simpy

from servsim.model.records import NOT_YET, LocationLevelLog, SupplyLog
from servsim.model.runlog import Recorder
from servsim.model.stocking import LineComplete, StockPoint
from servsim.model.streams import RandomStreams
from servsim.policies import ReplenishmentPolicy
from servsim.scenario.distribution_families import Uniform
from servsim.scenario.network import Supplier as SupplierSpec
from servsim.scenario.stocking import Emergency

Deliver = Callable[[int, int], None]
"""Told that ``units`` of a replenishment arrived and that it settles ``owed`` units of it."""


class Source(Protocol):
    def request(
        self, sku: int, quantity: int, lead_times: Iterator[float], deliver: Deliver
    ) -> None: ...


def _delivered(event: simpy.Event) -> None:
    """A whole shipment of ``units`` arrives: (deliver, units) is the event's value."""
    deliver, units = event.value  # type: ignore[misc]
    deliver(units, units)


def _settled(event: simpy.Event) -> None:
    """A part of ``units`` arrives and settles ``settled``: (deliver, units, settled)."""
    deliver, units, settled = event.value  # type: ignore[misc]
    deliver(units, settled)


class Supplier:
    """An outside source: ships each order after its lead time, within its capacity per
    period, not during an outage, sometimes late or short."""

    def __init__(
        self,
        env: simpy.Environment,
        index: int,
        name: str,
        spec: SupplierSpec,
        streams: RandomStreams,
        horizon: float,
        log: SupplyLog,
    ) -> None:
        self.env = env
        self.index = index
        self.log = log
        self.outages = _outages(spec, streams.generator(f"supplier/{name}/outages"), horizon)
        self._starts = [start for start, _ in self.outages]
        capacity = spec.capacity
        self._capacity = (capacity.units, capacity.period) if capacity else None
        self._booked: dict[int, int] = {}
        """capacity period -> units already shipped in it"""
        reliability = spec.reliability
        self._late = reliability.late
        self._short = reliability.short
        unit = Uniform(dist="uniform", low=0, high=1)
        self._late_chance = streams.draws(f"supplier/{name}/late", unit)
        self._short_chance = streams.draws(f"supplier/{name}/short", unit)
        self._plain = not self.outages and capacity is None and not self._late and not self._short
        """Every order arrives whole after its lead time: the short way"""
        self._one_part = not self.outages and capacity is None
        """Every order leaves in one part when placed (it may still be late or short)"""
        self._delays = streams.draws(f"supplier/{name}/delay", reliability.delay)
        self._missing = streams.draws(f"supplier/{name}/missing", reliability.missing)

    def up_from(self, time: float) -> float:
        """The first moment from ``time`` on at which the supplier is not in an outage."""
        index = bisect.bisect_right(self._starts, time) - 1
        if index >= 0 and time < self.outages[index][1]:
            return self.outages[index][1]  # merged outages never touch: their end is up
        return time

    def request(
        self, sku: int, quantity: int, lead_times: Iterator[float], deliver: Deliver
    ) -> None:
        """Ship ``quantity`` in parts as capacity and outages allow, each after a lead time."""
        now = self.env.now
        if self._plain:
            lead_time = next(lead_times)
            due = now + lead_time
            self.log.add(self.index, sku, now, due, due, quantity, quantity, 1)
            self.env.timeout(lead_time, (deliver, quantity)).callbacks.append(_delivered)
            return
        delay = 0.0
        if self._late and next(self._late_chance) < self._late:
            delay = next(self._delays)
        received = quantity
        if self._short and next(self._short_chance) < self._short:
            share = min(1.0, max(0.0, next(self._missing)))
            received = quantity - int(round(share * quantity))
        lead_time = next(lead_times)
        parts = [(now, received)] if self._one_part else self._parts(now, received)
        due = parts[-1][0] + lead_time + delay
        row = self.log.add(self.index, sku, now, now + lead_time, due, quantity, received, 0)
        for start, units in parts:
            self._arrive(start + lead_time + delay - now, deliver, units, units)
        if received < quantity:  # closed short: the missing units settle with the last part
            self._arrive(due - now, deliver, 0, quantity - received)
        if delay == 0.0 and due <= now + lead_time:
            self.log.on_time(row)

    def _arrive(self, after: float, deliver: Deliver, units: int, settled: int) -> None:
        self.env.timeout(after, (deliver, units, settled)).callbacks.append(_settled)

    def _parts(self, now: float, quantity: int) -> list[tuple[float, int]]:
        """(when it leaves, units) of each part of an order placed ``now``."""
        start = self.up_from(now) if self.outages else now
        if self._capacity is None or quantity == 0:
            return [(start, quantity)]
        units, period = self._capacity
        parts = []
        while quantity > 0:
            bucket = int(start // period)
            room = units - self._booked.get(bucket, 0)
            if room <= 0:
                start = self.up_from((bucket + 1) * period)
                continue
            taken = min(room, quantity)
            self._booked[bucket] = self._booked.get(bucket, 0) + taken
            parts.append((start, taken))
            quantity -= taken
        return parts


def _outages(
    spec: SupplierSpec, rng: np.random.Generator, horizon: float
) -> list[tuple[float, float]]:
    """(start, end) of every outage up to the horizon, random ones drawn ahead, merged."""
    spans = [(outage.start, outage.end) for outage in spec.dated_outages]
    if spec.outages is not None:
        time = 0.0
        while time < horizon:
            up = float(spec.outages.time_to_failure.sample(rng, 1)[0])
            down = float(spec.outages.duration.sample(rng, 1)[0])
            start = time + up
            if start >= horizon:
                break
            spans.append((start, start + down))
            time = start + down
    merged: list[tuple[float, float]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


class NetworkStockPoint(StockPoint):
    """A sku's stock at one location: it serves customers, the locations below it, or both,
    and orders from its source."""

    def __init__(
        self,
        env: simpy.Environment,
        sku_index: int,
        location: int,
        policy: ReplenishmentPolicy,
        lead_times: Iterator[float],
        record: Recorder,
        line_complete: LineComplete,
        source: Source,
        location_levels: LocationLevelLog,
        emergency: Emergency | None = None,
        emergency_lead_times: Iterator[float] | None = None,
    ) -> None:
        self.location = location
        self.source = source
        self._location_level = location_levels.add
        """Add a row to the location levels (bound once: it runs on every change)"""
        self.received_units = 0
        """Units that arrived here (from its source, or moved from another location)"""
        self.sent_units = 0
        """Units that left here for another location"""
        self.owed: deque[list[object]] = deque()
        """Orders of the locations below, waiting: [units still owed, their lead times,
        whom to deliver to]"""
        self.owed_units = 0
        super().__init__(
            env,
            sku_index,
            policy,
            lead_times,
            record,
            line_complete,
            emergency,
            emergency_lead_times,
            level=self._level_here,
        )

    def _level_here(self, time: float, sku: int, on_hand: float, backorders: int) -> None:
        """Record this location's level (the network's totals are added up at the end)."""
        self._location_level(time, self.location, sku, on_hand, backorders, self.owed_units)

    def _review(self) -> None:
        position = self.on_hand + self.on_order - self.backorders - self.owed_units
        quantity = self.policy.order_quantity(position)
        if quantity > 0:
            self._order_from_source(quantity)

    def _order_from_source(self, quantity: int) -> None:
        self.on_order += quantity
        now = self.env.now
        replenishment = self._replenishment(self.sku_index, now, NOT_YET, quantity, 0)
        remaining = [quantity]

        def deliver(units: int, settled: int) -> None:
            self.received_units += units
            remaining[0] -= settled
            self.on_order -= settled
            if remaining[0] == 0:
                self.record.replenishments.arrived(replenishment, self.env.now)
                self.record.receipts[replenishment] = (
                    self.on_hand - self.backorders,
                    self.lost_units,
                )
            if units:
                self._put_away(units)

        self.source.request(self.sku_index, quantity, self.lead_times, deliver)

    def request(
        self, sku: int, quantity: int, lead_times: Iterator[float], deliver: Deliver
    ) -> None:
        """A location below orders ``quantity``: what is on hand (beyond customers waiting)
        leaves now, the rest is owed first come first served."""
        now = self.env.now
        given = min(quantity, self.on_hand) if not self.waiting else 0
        if given:
            self.on_hand -= given
            self._ship(given, lead_times, deliver)
        if given < quantity:
            self.owed.append([quantity - given, lead_times, deliver])
            self.owed_units += quantity - given
        self._level(now, self.sku_index, self.on_hand, self.backorders)
        if self._after_demand is not None:
            self._after_demand()

    def _ship(self, units: int, lead_times: Iterator[float], deliver: Deliver) -> None:
        self.sent_units += units
        self.env.timeout(next(lead_times), (deliver, units)).callbacks.append(_delivered)

    def _put_away(self, quantity: int) -> None:
        """Units come in: customers waiting here first, then the locations below."""
        self._fill_waiting(quantity)
        owed = self.owed
        while owed and self.on_hand:
            head = owed[0]
            missing: int = head[0]  # type: ignore[assignment]
            given = min(missing, int(self.on_hand))
            self.on_hand -= given
            self.owed_units -= given
            self._ship(given, head[1], head[2])  # type: ignore[arg-type]
            if given < missing:
                head[0] = missing - given
                break
            owed.popleft()
        self._level(self.env.now, self.sku_index, self.on_hand, self.backorders)

    def take(self, units: int) -> int:
        """Units taken from on hand for another location's short line."""
        taken = self.take_substitute(units)
        self.sent_units += taken
        return taken

    def restock(self, units: int) -> None:
        """Units back on this shelf (a return, a cancelled order's goods) arrive here too."""
        self.received_units += units
        super().restock(units)

    def receive_moved(self, units: int) -> None:
        """Units moved here from another location's shelf (a transshipment) arrive."""
        self.on_order -= units
        self.received_units += units
        self._put_away(units)

    def _receive(self, event: simpy.Event) -> None:
        """An emergency order arrives (the policy's own orders go to the source)."""
        _, quantity, _ = event.value  # type: ignore[misc]
        self.received_units += quantity
        super()._receive(event)


class NotHeld:
    """A sku a location does not hold: nothing on hand, ever (never picked to serve)."""

    on_hand = 0
