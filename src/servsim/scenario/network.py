"""A network of stock locations: the suppliers, the locations and the regions they serve.

A location holds skus, each under its own replenishment policy, and is replenished from a
supplier or from another location; a region names the locations that may serve its customer
segments, in order of preference, and the sourcing rule. Checks across the network (unknown
sources, cycles, a sku its source does not hold, a region without a location) are made by the
scenario (:mod:`servsim.scenario.consistency`), where the skus and segments are known.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from servsim.scenario.distribution_families import Constant
from servsim.scenario.distributions import Distribution, DurationDistribution
from servsim.scenario.fields import MOST_SKUS, Count, Duration, Money
from servsim.scenario.section import Section
from servsim.scenario.stocking import Item

SourcingRule = Literal["primary", "complete", "split", "transship"]
"""How a region's order finds its stock: see :class:`Region`."""


class Capacity(Section):
    """At most ``units`` shipped per ``period``; what does not fit waits for the next period."""

    units: Count = Field(
        ge=1, description="units the supplier ships per period (all skus and orders together)"
    )
    period: Duration = Field(gt=0, description="length of a capacity period")


class Reliability(Section):
    """Each replenishment order may arrive late, or short of some of its units."""

    late: float = Field(default=0.0, ge=0, le=1, description="chance an order arrives late")
    delay: DurationDistribution = Field(
        default=Constant(dist="constant", value=0.0),
        description="how late a late order arrives, beyond its lead time",
    )
    short: float = Field(default=0.0, ge=0, le=1, description="chance an order arrives short")
    missing: Distribution = Field(
        default=Constant(dist="constant", value=0.0),
        description="share of a short order's units that never come (drawn, cut to [0, 1]); "
        "the order is closed short and the policy reorders",
    )


class Outages(Section):
    """Random disruptions: up for a drawn time to failure, then down for a drawn duration."""

    time_to_failure: DurationDistribution = Field(description="time up between two outages")
    duration: DurationDistribution = Field(description="length of one outage")


class DatedOutage(Section):
    """A disruption known in advance (a strike, a plant shutdown)."""

    start: Duration = Field(ge=0, description="when the supplier stops shipping")
    end: Duration = Field(gt=0, description="when it ships again")

    @model_validator(mode="after")
    def _ends_after_start(self) -> DatedOutage:
        if self.end <= self.start:
            raise ValueError(f"end ({self.end:g}) must be after start ({self.start:g})")
        return self


class Supplier(Section):
    """An outside source; during an outage nothing ships (orders wait for it to come back)."""

    capacity: Capacity | None = Field(default=None, description="units shipped per period")
    reliability: Reliability = Field(
        default_factory=Reliability, description="late and short deliveries"
    )
    outages: Outages | None = Field(default=None, description="random disruptions")
    dated_outages: list[DatedOutage] = Field(
        default_factory=list, description="disruptions on known dates"
    )


class Leg(Section):
    """The carrier leg from a location to a region in one mode."""

    transit: DurationDistribution = Field(description="transit time to the region's customers")
    cost_per_unit: Money = Field(default=0.0, ge=0, description="transport cost per unit")


class Transshipment(Section):
    """Lateral transshipment: units moved from another location of the region's list."""

    time: DurationDistribution = Field(description="time to move the units to the primary")
    cost_per_unit: Money = Field(default=0.0, ge=0, description="per unit transshipped")


class Region(Section):
    """Customers served from an ordered list of locations, the first being the primary.

    Rules: ``primary`` ships from the primary and backorders there; ``complete`` ships the
    whole order from the first location that has all of it on hand, else from the primary;
    ``split`` fills each line from the first location that has it, the rest backordered at the
    primary; ``transship`` fills from the primary and moves short units from the first other
    location that has them (``transshipment``: time and cost), else backorders at the primary.
    """

    segments: list[str] = Field(min_length=1, description="customer segments of the region")
    locations: list[str] = Field(
        min_length=1, description="locations that may serve it, the primary first"
    )
    rule: SourcingRule = Field(default="primary", description="the sourcing rule (see above)")
    rules: dict[str, SourcingRule] = Field(
        default_factory=dict, description="segment -> its own sourcing rule"
    )
    legs: dict[str, dict[str, Leg]] = Field(
        default_factory=dict,
        description="location -> carrier mode -> leg (default: the mode's own transit)",
    )
    transshipment: Transshipment | None = Field(
        default=None, description="with the transship rule: lateral moves' time and cost"
    )


class Location(Section):
    """A stock location: a central DC, a regional warehouse, a store."""

    source: str = Field(
        description="where it is replenished from: a supplier or another location (an echelon); "
        "an upstream shortage delays its replenishments"
    )
    items: dict[str, Item] = Field(
        min_length=1,
        max_length=MOST_SKUS,
        description="sku -> replenishment policy, as stocking.items; lead_time is the time "
        "from the source (the supplier's lead time, or the transit from the upstream location)",
    )
    vendor_managed: bool = Field(
        default=False,
        description="the customer's own stock, which the firm watches and replenishes (VMI): "
        "a unit short there is the customer's lost sale, whatever the stock-out rule, and "
        "counts against the firm's service",
    )


class Network(Section):
    """Suppliers, stock locations and the regions they serve."""

    suppliers: dict[str, Supplier] = Field(
        default_factory=dict, description="outside sources by name"
    )
    locations: dict[str, Location] = Field(min_length=1, description="stock locations by name")
    regions: dict[str, Region] = Field(
        min_length=1, description="regions by name: every segment in exactly one"
    )

    def upstream_first(self) -> list[str]:
        """The locations, each after the location it is replenished from (without cycles)."""
        done: list[str] = []
        pending = list(self.locations)
        while pending:
            ready = [
                name
                for name in pending
                if self.locations[name].source not in self.locations
                or self.locations[name].source in done
            ]
            if not ready:
                return done + pending
            done += ready
            pending = [name for name in pending if name not in ready]
        return done

    def region_of(self, segment: str) -> tuple[str, Region]:
        """The region a segment belongs to."""
        return next((name, r) for name, r in self.regions.items() if segment in r.segments)

    def rule_of(self, segment: str) -> str:
        """The sourcing rule of a segment's orders: its own, else its region's."""
        _, region = self.region_of(segment)
        return region.rules.get(segment, region.rule)
