"""Demand: customer segments, each with its arrival process and order profile.

A file may give one segment's keys directly under ``demand:`` (arrivals, mix, lines,
quantity, tier); that is one segment named ``all``.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, ClassVar, Literal

import numpy as np
from pydantic import Field, field_validator, model_validator

from servsim.core.units import HOURS_PER_YEAR
from servsim.core.validation import CrossChecks, refuse
from servsim.scenario.customers import CustomerBase, Customers, Payment
from servsim.scenario.distribution_families import Constant, Empirical, Poisson
from servsim.scenario.distributions import DurationDistribution, QuantityDistribution
from servsim.scenario.fields import MOST_SKUS, Factor, Rate
from servsim.scenario.history import History
from servsim.scenario.section import Section

SINGLE_SEGMENT = "all"
"""Name of the one segment of a file that gives no ``segments:``."""

HOURS_PER_WEEK = 168.0
HOURS_PER_MONTH = HOURS_PER_YEAR / 12


def _multipliers(values: list[float] | None, count: int, name: str) -> list[float] | None:
    if values is None:
        return None
    if len(values) != count:
        refuse(f"{name} needs {count} multipliers, got {len(values)}")
    if any(value < 0 for value in values) or not any(value > 0 for value in values):
        refuse(f"{name} multipliers must be >= 0 and not all 0")
    return values


class DemandProfile(Section):
    """Multipliers on the arrival rate: hour of day, day of week, month of year, and a trend.

    Time 0 is Monday 00:00 of January; months are twelfths of a 365-day year. The rate at
    time t is rate x hour x day x month x (1 + trend x years since the start).
    """

    hour_of_day: list[Factor] | None = Field(
        default=None, description="24 multipliers, 0h first (each at most 1,000)"
    )
    day_of_week: list[Factor] | None = Field(
        default=None, description="7 multipliers, Monday first (each at most 1,000)"
    )
    month_of_year: list[Factor] | None = Field(
        default=None, description="12 multipliers (each at most 1,000)"
    )
    trend: float = Field(
        default=0.0, ge=-0.99, le=100, description="growth of the rate per year, -0.99 to 100"
    )

    @field_validator("hour_of_day")
    @classmethod
    def _hours(cls, values: list[float] | None) -> list[float] | None:
        return _multipliers(values, 24, "hour_of_day")

    @field_validator("day_of_week")
    @classmethod
    def _days(cls, values: list[float] | None) -> list[float] | None:
        return _multipliers(values, 7, "day_of_week")

    @field_validator("month_of_year")
    @classmethod
    def _months(cls, values: list[float] | None) -> list[float] | None:
        return _multipliers(values, 12, "month_of_year")

    def multiplier(self, hours: np.ndarray) -> np.ndarray:
        """The rate multiplier at each time (given in hours since the start)."""
        factor = np.ones_like(hours)
        if self.hour_of_day is not None:
            factor *= np.asarray(self.hour_of_day)[(hours % 24).astype(int)]
        if self.day_of_week is not None:
            factor *= np.asarray(self.day_of_week)[((hours % HOURS_PER_WEEK) // 24).astype(int)]
        if self.month_of_year is not None:
            month = ((hours % HOURS_PER_YEAR) // HOURS_PER_MONTH).astype(int)
            factor *= np.asarray(self.month_of_year)[np.minimum(month, 11)]
        if self.trend:
            factor *= 1 + self.trend * hours / HOURS_PER_YEAR
        return factor

    def peak(self, horizon_hours: float) -> float:
        """The largest multiplier over [0, horizon]: the rate to thin from."""
        factor = 1.0
        for values in (self.hour_of_day, self.day_of_week, self.month_of_year):
            if values is not None:
                factor *= max(values)
        growth = 1 + self.trend * horizon_hours / HOURS_PER_YEAR
        return factor * max(1.0, growth)


class PoissonArrivals(Section):
    """Orders arrive one at a time, independently; at a constant rate or a profiled one."""

    process: Literal["poisson"]
    rate: Rate = Field(
        gt=0, description="orders per time unit (before the profile), at most 1,000,000 an hour"
    )
    profile: DemandProfile | None = None


class RenewalArrivals(Section):
    """Orders arrive one at a time, the times between them independent draws of
    ``interarrival`` (gamma, lognormal, Weibull, empirical, ...): more regular than Poisson
    when the spread is below the mean, burstier above it. With a profile the draws are in
    the profile's operational time (time run faster where the rate is higher), so the mean
    rate at time t is profile(t) / mean interarrival. The first order comes one draw after
    the start (an ordinary renewal process)."""

    process: Literal["renewal"]
    interarrival: DurationDistribution = Field(
        description="the time between one order and the next (at profile multiplier 1)"
    )
    profile: DemandProfile | None = None

    @model_validator(mode="after")
    def _orders_come(self) -> RenewalArrivals:
        if not self.interarrival.mean > 0:
            checks = CrossChecks("arrivals")
            checks.add(("interarrival",), "the mean time between orders must be above 0")
            checks.raise_any(self)
        return self

    @property
    def rate(self) -> float:
        """Orders per time unit before the profile: 1 / the mean interarrival time."""
        return 1.0 / self.interarrival.mean


class BatchArrivals(Section):
    """Orders arrive in batches of several at once (a buying group, a catalogue drop): the
    batches are a Poisson stream (profiled or not), each ``size`` orders placed together."""

    process: Literal["batch"]
    rate: Rate = Field(
        gt=0,
        description="orders per time unit (before the profile), counting every order of a "
        "batch; batches come at rate / mean size",
    )
    size: QuantityDistribution = Field(description="orders per batch (whole numbers >= 1)")
    profile: DemandProfile | None = None


class NegativeBinomialArrivals(Section):
    """Overdispersed daily counts: each day's rate is the mean rate times a gamma factor of
    mean 1 and coefficient of variation ``daily_cv``, the same for the whole day; within it
    orders are Poisson (profiled or not). A day's count is then negative binomial with
    variance mean + (daily_cv x mean)^2."""

    process: Literal["negative_binomial"]
    rate: Rate = Field(gt=0, description="orders per time unit on average (before the profile)")
    daily_cv: float = Field(
        gt=0,
        le=10,
        description="day-to-day coefficient of variation of the rate, 0 to 10 (0.3: a day "
        "is often 30% above or below the average)",
    )
    profile: DemandProfile | None = None


Arrivals = Annotated[
    PoissonArrivals | RenewalArrivals | BatchArrivals | NegativeBinomialArrivals,
    Field(discriminator="process"),
]
"""The arrival process of a segment's orders: poisson, renewal, batch or negative_binomial."""


def _largest(distribution: Any) -> float:
    if isinstance(distribution, Constant):
        return distribution.value
    if isinstance(distribution, Empirical):
        return max(distribution.values)
    if isinstance(distribution, Poisson):
        return math.inf if distribution.max is None else distribution.max
    return math.inf


class SeesStock(Section):
    """Access: the segment's customers see what is in stock before they order; for an item
    out of stock a customer orders it anyway (a backorder it knows of) with ``buys_anyway``,
    else leaves it out, which is a sale lost but no disappointment."""

    buys_anyway: float = Field(
        default=0.5, ge=0, le=1, description="chance of ordering an item shown out of stock"
    )


class Urgent(Section):
    """A share of a segment's orders ask for urgent delivery: they are served under ``tier``."""

    share: float = Field(ge=0, le=1, description="share of the segment's orders that are urgent")
    tier: str = Field(description="the tier urgent orders get: priority, promise, mode")


class Segment(Section):
    """Customers who order alike: their arrivals, what an order holds, and their tier."""

    arrivals: Arrivals | None = Field(
        default=None, description="how orders arrive (or history: replay them from a file)"
    )
    history: History | None = Field(
        default=None,
        description="replay this segment's orders from an order history (a CSV or Parquet "
        "file, or {file: .., columns: .., timezone: .., start: .., resample: .., repeat: ..}); "
        "it gives the arrivals, mix, lines and quantities",
    )
    mix: dict[str, float] | None = Field(
        default=None,
        min_length=1,
        max_length=MOST_SKUS,
        description="sku -> weight of being on a line (required unless history: gives it)",
    )
    lines: QuantityDistribution = Field(
        default=1, validate_default=True, description="lines per order (distinct skus)"
    )
    quantity: QuantityDistribution = Field(
        default=1, validate_default=True, description="units per order line"
    )
    tier: str = Field(default="basic", description="service tier: priority, promise, mode")
    channels: dict[str, float] | None = Field(
        default=None, description="order entry channel -> share of this segment's orders"
    )
    urgent: Urgent | None = Field(default=None, description="orders that ask for urgent delivery")
    sees_stock: SeesStock | None = Field(
        default=None, description="customers see stock before ordering (access)"
    )
    stockout: Literal["backorder", "partial", "lost", "postpone"] | None = Field(
        default=None, description="this segment's stock-out rule (default: the sku's)"
    )
    customers: Customers = Field(
        default={},
        validate_default=True,
        description="the segment's customers, who remember the service (or none: a fixed "
        "stream of demand)",
    )
    payment: Payment = Field(
        default_factory=Payment, description="trade credit: days to pay, bad debt"
    )

    @model_validator(mode="before")
    @classmethod
    def _history_is_a_fixed_stream(cls, data: Any) -> Any:
        """A replayed history is a fixed stream of demand: customers none unless given."""
        if isinstance(data, dict) and "history" in data and "customers" not in data:
            return {**data, "customers": "none"}
        return data

    @model_validator(mode="after")
    def _arrivals_or_history(self) -> Segment:
        checks = CrossChecks("segment")
        if self.history is None:
            if self.arrivals is None:
                checks.add(("arrivals",), "required key is missing (or give history:)")
            if self.mix is None:
                checks.add(("mix",), "required key is missing (or give history:)")
        else:
            for key in ("arrivals", "mix", "lines", "quantity"):
                if key in self.model_fields_set:
                    checks.add((key,), "the history gives it: leave it out, or drop history:")
            if customer_base(self) is not None:
                checks.add(
                    ("customers",),
                    "a replayed history is a fixed stream of demand; allowed: customers: none",
                )
        checks.raise_any(self)
        return self

    @property
    def weights(self) -> dict[str, float]:
        """sku -> weight of being on a line: the mix, or the history's share of lines."""
        if self.history is not None:
            return self.history.trace.mix() if self.history._trace is not None else {}
        return self.mix or {}

    @property
    def order_rate(self) -> float:
        """Orders per time unit before the profile (the history's mean rate)."""
        if self.history is not None:
            return self.history.trace.rate if self.history._trace is not None else 0.0
        assert self.arrivals is not None  # checked at validation
        return self.arrivals.rate

    @model_validator(mode="after")
    def _customers_followed_one_by_one(self) -> Segment:
        base = customer_base(self)
        problem = None if base is None else base.too_many(self.order_rate)
        if problem is not None:
            checks = CrossChecks("segment")
            checks.add(("customers",), problem)
            checks.raise_any(self)
        return self

    @field_validator("mix")
    @classmethod
    def _weights_sum_to_one(cls, mix: dict[str, float] | None) -> dict[str, float] | None:
        if mix is None:
            return mix
        negative = [sku for sku, weight in mix.items() if weight < 0]
        if negative:
            refuse(f"weights must be >= 0; negative for {', '.join(negative)}")
        total = sum(mix.values())
        if not math.isclose(total, 1.0, abs_tol=1e-9):
            refuse(f"weights must sum to 1, they sum to {total:g}")
        return mix

    @field_validator("channels")
    @classmethod
    def _shares_sum_to_one(cls, shares: dict[str, float] | None) -> dict[str, float] | None:
        if shares is not None:
            if any(share < 0 for share in shares.values()) or not shares:
                refuse("channel shares must be >= 0")
            if not math.isclose(sum(shares.values()), 1.0, abs_tol=1e-9):
                refuse(f"channel shares must sum to 1, they sum to {sum(shares.values()):g}")
        return shares

    @model_validator(mode="after")
    def _lines_fit_the_mix(self) -> Segment:
        if self.history is not None:
            return self
        orderable = sum(1 for weight in self.weights.values() if weight > 0)
        if _largest(self.lines) > orderable:
            checks = CrossChecks("segment")
            checks.add(
                ("lines",),
                f"an order's lines are distinct skus, and the mix offers {orderable}; bound "
                f"lines by that (e.g. {{dist: poisson, mean: .., min: 1, max: {orderable}}})",
            )
            checks.raise_any(self)
        return self

    @property
    def credit_pull(self) -> float:
        """How much more often the segment orders for its credit terms (1: not at all)."""
        return 1.0 + self.payment.frequency_per_day * self.payment.days

    @property
    def single_line(self) -> bool:
        if self.history is not None:
            return self.history.trace.single_line
        return isinstance(self.lines, Constant) and self.lines.value == 1


_SEGMENT_KEYS = (
    "arrivals",
    "history",
    "mix",
    "lines",
    "quantity",
    "tier",
    "stockout",
    "channels",
    "urgent",
    "sees_stock",
    "customers",
    "payment",
)


class Demand(Section):
    """All customer segments; ``demand: {arrivals: .., mix: ..}`` is one segment named 'all'."""

    segments: dict[str, Segment] = Field(min_length=1)
    shorthand: ClassVar[type[Section]] = Segment
    """One segment's keys may stand directly under demand: (read by error messages)."""

    @model_validator(mode="before")
    @classmethod
    def _one_segment_form(cls, data: Any) -> Any:
        if isinstance(data, dict) and "segments" not in data:
            if any(key in data for key in _SEGMENT_KEYS):
                return {"segments": {SINGLE_SEGMENT: data}}
            raise ValueError(
                "demand needs arrivals and mix (or history), or segments: {name: {...}}"
            )
        if isinstance(data, dict) and any(key in data for key in _SEGMENT_KEYS):
            stray = ", ".join(key for key in _SEGMENT_KEYS if key in data)
            raise ValueError(f"give {stray} inside each segment, not beside segments:")
        return data

    def skus_ordered(self) -> list[str]:
        """Every sku some segment orders, in first-mentioned order."""
        seen: dict[str, None] = {}
        for segment in self.segments.values():
            seen.update(dict.fromkeys(sku for sku, weight in segment.weights.items() if weight > 0))
        return list(seen)


class Channel(Section):
    """An order entry channel (EDI, web, phone): how long entry takes, how often it errs."""

    entry_time: DurationDistribution = Field(
        default=0, validate_default=True, description="added to the order's processing time"
    )
    wrong_item: float = Field(default=0.0, ge=0, le=1, description="probability of a wrong item")
    wrong_invoice: float = Field(
        default=0.0, ge=0, le=1, description="probability of a wrong invoice"
    )


def customer_base(segment: Segment) -> CustomerBase | None:
    """The segment's customer base, or None when its demand is a fixed stream."""
    return segment.customers if isinstance(segment.customers, CustomerBase) else None
