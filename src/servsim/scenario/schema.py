"""The typed scenario: the top level of a scenario file as a frozen pydantic model.

Validation happens once, at load time; the model never re-checks its inputs. Each section is a
model of its own module (stocking, network, processing, costs, ...); this one holds them, with
the checks across them (:mod:`servsim.scenario.consistency`), and answers the questions the
kernel and the KPIs ask of the whole (a segment's stock-out rule, a tier's promise).
Durations are stored as numbers in the scenario's ``time_unit``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, PrivateAttr, model_validator
from pydantic.functional_validators import BeforeValidator

from servsim.core.stages import STAGES
from servsim.core.units import TimeUnit
from servsim.core.validation import CrossChecks
from servsim.scenario.aftercare import Complaints, Installation, Notices, Programme, Returns
from servsim.scenario.consistency import sections_agree
from servsim.scenario.costs import Costs
from servsim.scenario.delivery import Delivery
from servsim.scenario.demand import Channel, Demand
from servsim.scenario.fields import MOST_REPLICATIONS, MOST_SKUS, Count, Duration, Seed
from servsim.scenario.network import Network
from servsim.scenario.overrides import apply_overrides
from servsim.scenario.perception import Satisfaction
from servsim.scenario.processing import Processing
from servsim.scenario.products import Product
from servsim.scenario.section import Section
from servsim.scenario.standards import ServiceStandards
from servsim.scenario.stocking import Stocking
from servsim.scenario.tiers import TIER_PRESETS, Tier


def _none_word_is_none(value: Any) -> Any:
    return None if value in ("none", "off", False) else value


class Scenario(Section):
    """A complete, validated scenario. Build one with :func:`servsim.load_scenario`."""

    name: str
    description: str = ""
    time_unit: TimeUnit
    horizon: Duration = Field(
        gt=0, description="simulated time of one replication (at most 100 years)"
    )
    warmup: Duration = Field(default=0.0, ge=0, description="time before KPIs start counting")
    replications: Count = Field(
        default=10, ge=1, le=MOST_REPLICATIONS, description="at most 100,000"
    )
    seed: Seed = Field(default=0, description="random seed: 0 to 2^63 - 1")
    products: list[Product] = Field(
        min_length=1, max_length=MOST_SKUS, description="at most 10,000 products"
    )
    demand: Demand
    stocking: Annotated[Stocking | None, BeforeValidator(_none_word_is_none)]
    processing: Annotated[Processing | None, BeforeValidator(_none_word_is_none)]
    delivery: Delivery
    channels: dict[str, Channel] = Field(
        default_factory=dict, description="order entry channels: entry time and error rates"
    )
    tiers: dict[str, Tier] = Field(
        default_factory=dict, description="service tiers beyond (or replacing) the presets"
    )
    costs: Costs = Costs()
    programs: dict[str, Programme] = Field(
        default_factory=dict, description="customer education and training programmes"
    )
    notices: Notices = Notices()
    complaints: Complaints | None = None
    returns: Returns | None = None
    installation: Installation | None = None
    satisfaction: Satisfaction = Field(
        default={}, validate_default=True, description="how customers judge an order"
    )
    standards: ServiceStandards = Field(
        default_factory=ServiceStandards, description="the written service policy: KPI targets"
    )
    network: Network | None = Field(
        default=None,
        description="stock locations, their suppliers and the regions they serve (needs "
        "stocking: for the stock-out rules; stocking.items then stay empty)",
    )

    _source: dict[str, Any] | None = PrivateAttr(default=None)
    _source_path: Path | None = PrivateAttr(default=None)
    _lines: dict[tuple[str | int, ...], int] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _parts_agree(self) -> Scenario:
        """Checks across sections, each problem at its own place, all reported at once."""
        checks = CrossChecks("scenario")
        sections_agree(self, checks)
        checks.raise_any(self)
        return self

    @property
    def stockout_rules(self) -> tuple[str | None, ...]:
        """Every stock-out rule written: the stocking's, each item's and each segment's."""
        if self.stocking is None:
            return ()
        located = (
            [
                item
                for location in self.network.locations.values()
                for item in location.items.values()
            ]
            if self.network is not None
            else []
        )
        return (
            self.stocking.stockout,
            *(item.stockout for item in [*self.stocking.items.values(), *located]),
            *(segment.stockout for segment in self.demand.segments.values()),
        )

    @property
    def modelled_stages(self) -> frozenset[str]:
        """The parts of the business (``servsim.core.stages.STAGES``) this scenario models;
        the KPIs of the others are NaN."""
        stocking = self.stocking
        modelled = {
            "complaints": self.complaints is not None,
            "returns": self.returns is not None,
            "installation": self.installation is not None
            and any(product.install for product in self.products),
            "repairs": self.installation is not None
            and any(product.warranty is not None for product in self.products),
            "notices": self.notices.policy != "none",
            "substitution": stocking is not None and bool(stocking.substitutes),
            "postponement": "postpone" in self.stockout_rules,
            "expediting": self.delivery.expedite is not None,
            "network": self.network is not None,
        }
        assert set(modelled) == set(STAGES), "every stage of the catalogue is decided here"
        return frozenset(stage for stage, present in modelled.items() if present)

    @property
    def has_aftercare(self) -> bool:
        """Whether anything follows an order's delivery: notices, complaints, returns,
        installation."""
        return (
            self.notices.policy != "none"
            or self.complaints is not None
            or self.returns is not None
            or self.installation is not None
        )

    def programme_factor(self, effect: str) -> float:
        """The product of every programme's factor on ``effect`` (1 without programmes)."""
        factor = 1.0
        for programme in self.programs.values():
            factor *= getattr(programme, effect)
        return factor

    def stockout_rule(self, segment: str, sku: str) -> str:
        """The rule for a segment's short line of a sku: the segment's, the sku's (in a network:
        at the segment's primary location, the one that answers for its region), the default."""
        assert self.stocking is not None
        item = self.stocking.items.get(sku)
        if self.network is not None:
            _, region = self.network.region_of(segment)
            primary = self.network.locations.get(region.locations[0])
            item = primary.items.get(sku) if primary is not None else None
        own = self.demand.segments[segment].stockout
        return own or (item.stockout if item else None) or self.stocking.stockout

    def reserved_against(self, segment: str, sku: str) -> int:
        """Units of a sku that a segment's orders may not take (kept for better tiers)."""
        item = self.stocking.items.get(sku) if self.stocking else None
        if item is None or item.reserve is None:
            return 0
        tiers = self.all_tiers
        own = tiers[self.demand.segments[segment].tier].priority
        return item.reserve.units if own < tiers[item.reserve.for_tier].priority else 0

    def shipping_rule(self, segment: str) -> str:
        """The stock-out rule that decides whether a segment's orders ship in parts."""
        assert self.stocking is not None
        return self.demand.segments[segment].stockout or self.stocking.stockout

    def __eq__(self, other: object) -> bool:
        """Equal when the validated contents are; how the file spelled them does not matter."""
        if not isinstance(other, Scenario):
            return NotImplemented
        return self.__dict__ == other.__dict__

    @property
    def source_path(self) -> Path | None:
        """The file this scenario was loaded from, if any (overrides keep it)."""
        return self._source_path

    def with_overrides(self, overrides: Mapping[str, Any]) -> Scenario:
        """A new scenario with values replaced by dotted path (``"stocking.items.A.S": 50``)."""
        return apply_overrides(self, overrides)

    def product(self, sku: str) -> Product:
        return next(product for product in self.products if product.sku == sku)

    @property
    def all_tiers(self) -> dict[str, Tier]:
        """The presets (basic, enhanced, exceptional) with the scenario's own tiers over them."""
        return TIER_PRESETS | self.tiers

    def promise_of(self, tier: str) -> float:
        """Promised order-to-delivery time of a tier (the delivery promise unless it says)."""
        promise = self.all_tiers[tier].promise
        return self.delivery.promise if promise is None else promise

    def mode_of(self, tier: str) -> str:
        """Carrier mode of a tier (the default mode unless it says)."""
        return self.all_tiers[tier].mode or self.delivery.default

    @property
    def skus(self) -> list[str]:
        """Products in the order they were listed."""
        return [product.sku for product in self.products]
