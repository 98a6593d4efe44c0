"""Customers who stop waiting: a backordered order is cancelled when its wait passes its
customer's patience (a duration drawn per order from the segment's ``customers.patience``).

The cancelled units are lost sales; what was already set aside for the order goes back on the
shelf; the customer judges the order as one that brought nothing.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import simpy

from servsim.model.streams import RandomStreams
from servsim.scenario.demand import customer_base

if TYPE_CHECKING:  # the world builds this and hands itself in; no import at run time
    from servsim.model.world import World


class Patience:
    """Watches backordered orders of segments whose customers have a patience."""

    def __init__(self, world: World, streams: RandomStreams) -> None:
        self.world = world
        self._patience = {}
        for index, (name, segment) in enumerate(world.scenario.demand.segments.items()):
            base = customer_base(segment)
            if base is not None and base.patience is not None:
                self._patience[index] = streams.draws(f"patience/{name}", base.patience)

    def watches(self, segment: int) -> bool:
        """Whether orders of this segment may be cancelled for waiting too long."""
        return segment in self._patience

    def watch(self, order: int, first_line: int) -> None:
        """An order was placed: if part of it waits for stock, its customer's patience runs."""
        record = self.world.record
        lines = range(first_line, len(record.line_order))
        if not any(math.isnan(record.allocated[line]) for line in lines):
            return
        wait = next(self._patience[record.segment[order]])
        running_out = self.world.env.timeout(wait, value=(order, lines))
        running_out.callbacks.append(self._run_out)

    def _run_out(self, event: simpy.Event) -> None:
        order, lines = event.value  # type: ignore[misc]
        record = self.world.record
        waiting = [line for line in lines if math.isnan(record.allocated[line])]
        if waiting:
            self.world.withdraw(order, lines, waiting)
