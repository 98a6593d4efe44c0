"""Replenishment policies: each answers "how much to order now, given the inventory position".

Inventory position = on hand + on order - backorders. Continuous-review policies are asked
after every demand; a periodic-review policy only at its reviews.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class ReplenishmentPolicy(Protocol):
    @property
    def review_period(self) -> float | None:
        """None for continuous review; otherwise the time between reviews."""
        ...

    @property
    def initial_stock(self) -> int:
        """On-hand units at the start of a run: the policy's order-up-to level."""
        ...

    def order_quantity(self, position: int) -> int:
        """Units to order now, given the inventory position."""
        ...


@dataclass(frozen=True)
class BaseStock:
    """Order what was demanded: keep the inventory position at ``order_up_to`` (S)."""

    order_up_to: int
    review_period: float | None = None

    @property
    def initial_stock(self) -> int:
        return self.order_up_to

    def order_quantity(self, position: int) -> int:
        return self.order_up_to - position if position < self.order_up_to else 0


@dataclass(frozen=True)
class MinMax:
    """(s,S): when the position falls to ``reorder_point`` (s) or below, order up to S."""

    reorder_point: int
    order_up_to: int
    review_period: float | None = None

    @property
    def initial_stock(self) -> int:
        return self.order_up_to

    def order_quantity(self, position: int) -> int:
        return self.order_up_to - position if position <= self.reorder_point else 0


@dataclass(frozen=True)
class ReorderPointQuantity:
    """(r,Q): when the position falls to ``reorder_point`` (r) or below, order batches of Q
    until it is above r again."""

    reorder_point: int
    batch_size: int
    review_period: float | None = None

    @property
    def initial_stock(self) -> int:
        return self.reorder_point + self.batch_size

    def order_quantity(self, position: int) -> int:
        if position > self.reorder_point:
            return 0
        batches = (self.reorder_point - position) // self.batch_size + 1
        return batches * self.batch_size


@dataclass(frozen=True)
class PeriodicReview:
    """(R,S): every ``review_period`` (R), order up to S."""

    review_period: float
    order_up_to: int

    @property
    def initial_stock(self) -> int:
        return self.order_up_to

    def order_quantity(self, position: int) -> int:
        return self.order_up_to - position if position < self.order_up_to else 0
