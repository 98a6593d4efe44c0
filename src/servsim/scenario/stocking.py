"""Stocking: each sku's replenishment policy (an item) and what becomes of units not on hand.

An item names its policy (``base_stock``, ``sS``, ``rQ``, ``RS``, ``forecast``) and builds the
policy object the kernel calls; :class:`Stocking` holds the items and the stock-out rules, and
builds the stock-out policy a rule names. A network's locations hold items of the same kinds.
"""

from __future__ import annotations

from statistics import NormalDist
from typing import Annotated, Any, Literal

from pydantic import Field, PrivateAttr, ValidationInfo, model_validator
from pydantic.functional_validators import BeforeValidator

from servsim.core.units import parse_duration
from servsim.core.validation import refuse
from servsim.policies import (
    Backorder,
    BaseStock,
    ForecastOrderUpTo,
    LoseSale,
    MinMax,
    PartialShipment,
    PeriodicReview,
    Postpone,
    ReorderPointQuantity,
    ReplenishmentPolicy,
    StockoutPolicy,
)
from servsim.policies.replenishment import ForecastMethod, SeasonKind
from servsim.scenario.distributions import DurationDistribution
from servsim.scenario.fields import MOST_SKUS, Count, Duration, Money
from servsim.scenario.section import Section

LineRule = Literal["backorder", "lost", "postpone"]
"""What may happen to a sku's short units (per sku)."""
StockoutRule = Literal["backorder", "partial", "lost", "postpone"]
"""The same, plus how an order ships: partial ships what is there at once."""


class Emergency(Section):
    """An emergency order from a faster source when net stock falls below ``trigger``."""

    trigger: Count = Field(
        ge=-1000000, description="order when on hand - backorders < trigger (|trigger| <= 1e9)"
    )
    quantity: Count = Field(ge=1, description="units per emergency order")
    lead_time: DurationDistribution = Field(description="lead time of the emergency source")
    order_cost: Money = Field(default=0.0, ge=0, description="per emergency order, at most 1e9")
    unit_premium: Money = Field(default=0.0, ge=0, description="per unit above unit_cost, <= 1e9")


class Reserve(Section):
    """Critical-level rationing: the last ``units`` on hand serve only ``for_tier`` and above."""

    units: Count = Field(ge=1, description="stock kept back for the better tiers")
    for_tier: str = Field(description="the lowest tier that may take reserved stock")


class _Item(Section):
    lead_time: DurationDistribution = Field(description="supplier lead time of each replenishment")
    reserve: Reserve | None = Field(default=None, description="stock kept for better tiers")
    emergency: Emergency | None = Field(default=None, description="a faster, dearer source")
    stockout: LineRule | None = Field(
        default=None, description="this sku's shortages (default: stocking.stockout)"
    )

    def build(self) -> ReplenishmentPolicy:
        raise NotImplementedError


class BaseStockItem(_Item):
    policy: Literal["base_stock"]
    order_up_to: Count = Field(alias="S", ge=0)

    def build(self) -> ReplenishmentPolicy:
        return BaseStock(self.order_up_to)


class MinMaxItem(_Item):
    policy: Literal["sS"]
    reorder_point: Count = Field(alias="s", ge=-1)
    order_up_to: Count = Field(alias="S", ge=0)

    @model_validator(mode="after")
    def _up_to_above_reorder_point(self) -> MinMaxItem:
        if self.order_up_to <= self.reorder_point:
            refuse(f"S ({self.order_up_to}) must be greater than s ({self.reorder_point})")
        return self

    def build(self) -> ReplenishmentPolicy:
        return MinMax(self.reorder_point, self.order_up_to)


class ReorderPointItem(_Item):
    policy: Literal["rQ"]
    reorder_point: Count = Field(alias="r", ge=-1)
    batch_size: Count = Field(alias="Q", ge=1)

    def build(self) -> ReplenishmentPolicy:
        return ReorderPointQuantity(self.reorder_point, self.batch_size)


class PeriodicReviewItem(_Item):
    policy: Literal["RS"]
    review: Duration = Field(gt=0, description="time between reviews (R)")
    order_up_to: Count = Field(alias="S", ge=0)

    def build(self) -> ReplenishmentPolicy:
        return PeriodicReview(self.review, self.order_up_to)


class ForecastItem(_Item):
    """(R,S) driven by a rolling forecast: every review the order-up-to level S is recomputed
    from the demand seen per review period and a target service level, so stock follows a
    seasonal or trending demand instead of staying where it was set."""

    policy: Literal["forecast"]
    review: Duration = Field(gt=0, description="time between reviews (R): the forecast's period")
    initial: Count = Field(
        alias="S", ge=0, description="the order-up-to level until two periods are seen"
    )
    service_level: float = Field(
        ge=0.5,
        le=0.9999,
        description="target chance of no stock-out in a review cycle, 0.5 to 0.9999 (sets z)",
    )
    method: ForecastMethod = Field(
        default="moving_average",
        description="moving_average (of window periods), exponential (smoothing, alpha), "
        "holt (level and trend: alpha, beta) or holt_winters (level, trend and a season of "
        "`season` periods: alpha, beta, gamma; statsmodels)",
    )
    window: int = Field(default=4, ge=2, le=520, description="periods in the moving average")
    alpha: float = Field(default=0.3, gt=0, le=1, description="smoothing of the level, 0 to 1")
    beta: float = Field(default=0.1, gt=0, le=1, description="smoothing of the trend (holt)")
    gamma: float = Field(
        default=0.1, gt=0, le=1, description="smoothing of the season (holt_winters)"
    )
    season: int | str | None = Field(
        default=None,
        description="holt_winters: the season's length, a number of reviews (52) or a "
        "duration (365d), a whole number of reviews from 2 to 520",
    )
    seasonality: SeasonKind = Field(
        default="multiplicative",
        description="holt_winters: additive or multiplicative (a season that scales demand)",
    )
    optimize: bool = Field(
        default=False,
        description="holt_winters: fit alpha, beta and gamma by statsmodels once a season "
        "(they are the starting values until then) instead of keeping them fixed",
    )

    _season_periods: int = PrivateAttr(default=0)

    @model_validator(mode="after")
    def _season_for_holt_winters(self, info: ValidationInfo) -> ForecastItem:
        if self.method != "holt_winters":
            if self.season is not None:
                refuse("season: only the holt_winters method has a season")
            return self
        if self.season is None:
            refuse("season: holt_winters needs a season (a number of reviews, or a duration)")
        if isinstance(self.season, int):
            periods = float(self.season)
        else:
            unit = (info.context or {}).get("time_unit", "hours")
            try:
                periods = parse_duration(self.season, unit) / self.review
            except ValueError as error:
                refuse(f"season: {error}")
            if abs(periods - round(periods)) > 1e-6 * max(periods, 1.0):
                refuse(f"season: {self.season} is not a whole number of reviews ({self.review:g})")
        if not 2 <= round(periods) <= 520:
            refuse(f"season: a season is 2 to 520 reviews, got {periods:g}")
        self._season_periods = round(periods)
        return self

    def build(self) -> ReplenishmentPolicy:
        z = NormalDist().inv_cdf(self.service_level)
        return ForecastOrderUpTo(  # type: ignore[return-value]
            self.review,
            self.initial,
            self.lead_time.mean,
            z,
            self.method,
            self.window,
            self.alpha,
            self.beta,
            self.gamma,
            self._season_periods,
            self.seasonality,
            self.optimize,
        )


POLICY_NAMES = ("base_stock", "sS", "rQ", "RS", "forecast")


def _policy_must_be_known(value: Any) -> Any:
    if isinstance(value, dict):
        name = value.get("policy")
        if name is None:
            raise ValueError("an item needs 'policy:' (one of " + ", ".join(POLICY_NAMES) + ")")
        if name not in POLICY_NAMES:
            raise ValueError(f"unknown policy {name!r}; allowed: " + ", ".join(POLICY_NAMES))
    return value


Item = Annotated[
    Annotated[
        BaseStockItem | MinMaxItem | ReorderPointItem | PeriodicReviewItem | ForecastItem,
        Field(discriminator="policy"),
    ],
    BeforeValidator(_policy_must_be_known),
]


class Postponement(Section):
    """Offered when stock is short: a later date, which the customer may accept."""

    acceptance: float = Field(ge=0, le=1, description="probability the customer accepts")
    delay: Duration = Field(gt=0, description="how much later than promised the order may come")


class Substitute(Section):
    sku: str
    acceptance: float = Field(ge=0, le=1, description="probability the customer accepts it")
    price_difference: Money = Field(
        default=0.0, description="per unit: what the customer pays less (a cost to us), |.| <= 1e9"
    )


class Stocking(Section):
    stockout: StockoutRule = Field(
        description="fate of units not on hand: backorder (ship complete), partial, lost, "
        "postpone (offer a later date)"
    )
    postponement: Postponement | None = Field(default=None, description="with postpone")
    substitutes: dict[str, list[Substitute]] = Field(
        default_factory=dict, description="sku -> substitutes to offer, best first"
    )
    items: dict[str, Item] = Field(
        default_factory=dict,
        max_length=MOST_SKUS,
        description="sku -> replenishment policy (<= 10,000); none with a network, whose "
        "locations hold the skus",
    )

    def policy(self, rule: str) -> StockoutPolicy:
        """The stock-out policy object a rule names."""
        if rule == "postpone":
            if self.postponement is None:
                raise ValueError("postpone needs stocking.postponement: {acceptance:, delay:}")
            return Postpone(self.postponement.acceptance, self.postponement.delay)
        plain: dict[str, StockoutPolicy] = {
            "backorder": Backorder(),
            "partial": PartialShipment(),
            "lost": LoseSale(),
        }
        return plain[rule]
