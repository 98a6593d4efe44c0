"""Delivery: carriers take processed shipments to the customer.

Per mode: transit time, an on-time reliability (the other shipments are late by an extra
time), damage in transit, and a daily capacity (a shipment over it waits for the next day
with room). An expediting rule upgrades a shipment whose promise is too close at dispatch.
Each source of randomness has its own stream, per mode.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

from servsim.model.streams import RandomStreams
from servsim.scenario.delivery import Delivery
from servsim.scenario.distribution_families import Uniform


class Carried(NamedTuple):
    """How a carrier took a shipment."""

    dispatched: float
    delivered: float
    mode: int
    expedited: int
    damaged: int


class Carriers:
    """All carrier modes of a scenario."""

    def __init__(
        self,
        delivery: Delivery,
        streams: RandomStreams,
        day_length: float,
        promised: Callable[[int], float],
    ) -> None:
        """``promised``: when an order is due (asked only to decide whether to expedite)."""
        specs = list(delivery.modes.values())
        names = list(delivery.modes)
        self.names = names
        self._specs = specs
        self.plain = all(spec.plain for spec in specs) and delivery.expedite is None
        """No mode has late deliveries, damage or a capacity, and nothing is expedited."""
        self.transit_draws = [
            streams.draws(f"transit/{n}", s.transit) for n, s in delivery.modes.items()
        ]
        unit = Uniform(dist="uniform", low=0, high=1)
        self._on_time = [streams.draws(f"on time/{name}", unit) for name in names]
        self._late_by = [
            streams.draws(f"late by/{n}", s.late_by) for n, s in delivery.modes.items()
        ]
        self._damage = [streams.draws(f"damage/{name}", unit) for name in names]
        self._booked: list[dict[int, int]] = [{} for _ in names]
        self._day_length = day_length
        rule = delivery.expedite
        self._expedite_to = names.index(rule.to) if rule else -1
        self._expedite_when = rule.when_left if rule else -math.inf
        self._promised = promised

    def transit(self, mode: int) -> float:
        """A transit time of ``mode`` (the whole story when the carriers are plain)."""
        return next(self.transit_draws[mode])

    def carry(self, order: int, mode: int, ready: float, transits: list | None = None) -> Carried:
        """Dispatch, mode and delivery of the order's shipment ready at ``ready``
        (``transits``: the transit draws of each mode on this shipment's leg, else the
        modes' own)."""
        expedited = 0
        if (
            self._expedite_to >= 0
            and mode != self._expedite_to
            and self._promised(order) - ready < self._expedite_when
        ):
            mode, expedited = self._expedite_to, 1
        spec = self._specs[mode]
        dispatched = ready if spec.capacity is None else self._book(mode, ready, spec.capacity)
        transit = next((self.transit_draws if transits is None else transits)[mode])
        if spec.reliability < 1.0 and next(self._on_time[mode]) >= spec.reliability:
            transit += next(self._late_by[mode])
        damaged = int(spec.damage > 0.0 and next(self._damage[mode]) < spec.damage)
        return Carried(dispatched, dispatched + transit, mode, expedited, damaged)

    def _book(self, mode: int, ready: float, capacity: int) -> float:
        """Dispatch: at once if today has room, else at the start of the next day with room."""
        booked = self._booked[mode]
        day = int(ready // self._day_length)
        first = day
        while booked.get(day, 0) >= capacity:
            day += 1
        booked[day] = booked.get(day, 0) + 1
        return ready if day == first else day * self._day_length
