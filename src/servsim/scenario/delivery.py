"""Delivery: carrier modes (transit, cost, reliability, damage, capacity) and expediting."""

from __future__ import annotations

from pydantic import Field, model_validator

from servsim.core.validation import CrossChecks
from servsim.scenario.distributions import DurationDistribution
from servsim.scenario.fields import Count, Duration, Money
from servsim.scenario.section import Section


class CarrierMode(Section):
    transit: DurationDistribution = Field(description="time from dispatch to delivery")
    cost_per_shipment: Money = Field(default=0.0, ge=0, description="at most 1e9")
    reliability: float = Field(
        default=1.0, ge=0, le=1, description="share of shipments that arrive in their transit time"
    )
    late_by: DurationDistribution = Field(
        default=0, validate_default=True, description="extra transit of the other shipments"
    )
    damage: float = Field(default=0.0, ge=0, le=1, description="probability of damage in transit")
    damage_cost: Money = Field(default=0.0, ge=0, description="per damaged shipment, <= 1e9")
    capacity: Count | None = Field(
        default=None, ge=1, description="shipments it takes per day; the rest wait a day"
    )

    @property
    def plain(self) -> bool:
        """No late deliveries, damage or capacity limit: transit alone decides delivery."""
        return self.reliability == 1.0 and self.damage == 0.0 and self.capacity is None


class Expedite(Section):
    """Upgrade a shipment's mode when, at dispatch, too little time is left to keep the promise."""

    to: str = Field(description="the faster carrier mode")
    when_left: Duration = Field(gt=0, description="expedite when less than this is left")


class Guarantee(Section):
    """A delivery guarantee (trustworthiness): an order delivered later than its promise plus
    ``after`` gets ``refund`` of its value back, at once and unasked; the customer counts it
    as compensation (service recovery)."""

    refund: float = Field(gt=0, le=1, description="share of the order's value paid back")
    after: Duration = Field(default=0, ge=0, description="lateness the guarantee tolerates")


class Delivery(Section):
    promise: Duration = Field(ge=0, description="promised time from order to delivery")
    modes: dict[str, CarrierMode] = Field(min_length=1)
    default: str
    expedite: Expedite | None = Field(default=None, description="rule to upgrade late shipments")
    guarantee: Guarantee | None = Field(
        default=None, description="pay back part of a late order's value (trustworthiness)"
    )
    quote_from_stock: bool = Field(
        default=False,
        description="competence: an order that must wait for stock is promised when its stock "
        "is due (and its customer told), not the usual promise",
    )

    @model_validator(mode="after")
    def _modes_exist(self) -> Delivery:
        checks = CrossChecks("delivery")
        modes = ", ".join(self.modes)
        if self.default not in self.modes:
            checks.add(("default",), f"default mode {self.default!r} is not among modes: {modes}")
        if self.expedite is not None and self.expedite.to not in self.modes:
            checks.add(("expedite", "to"), f"{self.expedite.to!r} is not among modes: {modes}")
        checks.raise_any(self)
        return self
