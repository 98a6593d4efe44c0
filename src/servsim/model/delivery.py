"""Delivery: carrier transit from dispatch to the customer."""

from __future__ import annotations

from collections.abc import Iterator


class Carrier:
    """One carrier mode: its transit times, drawn in order of dispatch."""

    def __init__(self, index: int, transit_times: Iterator[float]) -> None:
        self.index = index
        self.transit_times = transit_times

    def deliver(self, ready: float) -> float:
        """Delivery time of a shipment dispatched at ``ready``."""
        return ready + next(self.transit_times)
