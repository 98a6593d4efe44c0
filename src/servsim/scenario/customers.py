"""A segment's customers: how many, how they remember the service, and how that moves them.

Every segment has a customer base unless it says ``customers: none`` (demand then arrives as a
fixed stream, whatever the service). Each customer carries a relationship state, its trust in
the firm (0..1), which every settled experience moves: toward a good experience a little,
away after a bad one by more (loss aversion), and by more again after several glitches in a row
(tolerance runs out). Trust sets how often the customer orders and how much, whether it leaves,
and whether it recommends the firm. The defaults reproduce published field studies (see the
docs' background pages and tests/test_customer_response.py).
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator
from pydantic.functional_validators import BeforeValidator

from servsim.core.validation import refuse
from servsim.scenario.distributions import DurationDistribution
from servsim.scenario.fields import MOST_CUSTOMERS, Count, CustomerCount, Duration, Factor, Rate
from servsim.scenario.section import Section


class Relationship(Section):
    """How a customer's trust moves with each experience, and what trust does.

    After an experience scored ``s``: trust rises by ``learning`` x (s - trust) when s is
    above it, and falls by ``learning`` x ``loss_aversion`` x (trust - s) x (1 + ``strain`` x
    recent glitches) when below; a glitch is an experience below the satisfaction threshold,
    and recent glitches fade by ``glitch_memory`` per experience. The customer orders at its
    segment's rate per customer x exp(``frequency`` x (trust - ``start``)), with lines of
    exp(``size`` x (trust - ``start``)) times the usual quantity.
    """

    start: float = Field(
        default=0.9, ge=0, le=1, description="trust of every customer at the start"
    )
    learning: float = Field(
        default=0.25, gt=0, le=1, description="how far a good experience moves trust toward it"
    )
    loss_aversion: float = Field(
        default=2.0, ge=1, le=10, description="a bad experience moves trust this many times as far"
    )
    strain: float = Field(
        default=0.5, ge=0, le=10, description="extra weight of a glitch per recent glitch"
    )
    glitch_memory: float = Field(
        default=0.6, ge=0, lt=1, description="share of the recent glitches remembered next time"
    )
    frequency: float = Field(
        default=0.8, ge=0, le=20, description="how strongly trust sets how often a customer orders"
    )
    size: float = Field(
        default=0.4, ge=0, le=20, description="how strongly trust sets how much a customer orders"
    )

    def rate_factor(self, trust: float) -> float:
        """The customer's order rate relative to its rate at the start."""
        return math.exp(self.frequency * (trust - self.start))

    def size_factor(self, trust: float) -> float:
        """The customer's order size relative to its size at the start."""
        return math.exp(self.size * (trust - self.start))


class Defection(Section):
    """Chance a customer stops ordering after an experience, from its trust after it: a
    logistic curve through ``dissatisfied`` (at trust 0) and ``satisfied`` (at trust 1)."""

    dissatisfied: float = Field(default=0.3, gt=0, lt=1, description="at trust 0")
    satisfied: float = Field(default=0.01, gt=0, lt=1, description="at trust 1")

    def chance(self, trust: float) -> float:
        """The chance of leaving after an experience that left the customer at ``trust``."""
        low_logit, slope = self.logits()
        return 1.0 / (1.0 + math.exp(-(low_logit + slope * trust)))

    def logits(self) -> tuple[float, float]:
        """The curve's log-odds at trust 0, and their rise to trust 1 (``chance`` of trust
        t is the logistic of the first plus t times the second)."""
        low, high = self.dissatisfied, self.satisfied
        low_logit, high_logit = math.log(low / (1 - low)), math.log(high / (1 - high))
        return low_logit, high_logit - low_logit


def _rate_word(value: Any) -> Any:
    return None if value in ("balanced", None) else value


class Acquisition(Section):
    """New customers: ``rate`` per time unit (default ``balanced``: as many as leave when
    trust stays at its start), scaled by word of mouth from recent scores:
    rate x max(0, 1 + word_of_mouth x (recent mean score - reference))."""

    rate: Annotated[Rate | None, BeforeValidator(_rate_word)] = Field(
        default=None,
        ge=0,
        description="new customers per time unit, or 'balanced' (the default); at most "
        "1,000,000 an hour",
    )
    word_of_mouth: Factor = Field(default=0.0, ge=0, description="how much recent scores count")
    reference: float = Field(default=0.8, ge=0, le=1, description="score that neither helps")
    recent: Count = Field(
        default=100, ge=1, le=100_000, description="how many recent orders are heard of (<= 1e5)"
    )


def _patience_word(value: Any) -> Any:
    return None if value == "none" else value


class CustomerBase(Section):
    """A segment's customers. ``arrivals.rate`` is the base's total rate at the start, so each
    customer orders at rate / base then; trust, defection and acquisition move it."""

    base: CustomerCount | None = Field(
        default=None,
        ge=1,
        description="customers at the start (default: the arrival rate x order_interval); "
        "at most 1,000,000",
    )
    order_interval: Duration = Field(
        default="30d",
        validate_default=True,
        gt=0,
        description="mean time between one customer's orders at the start (default 30d)",
    )
    market: CustomerCount | None = Field(
        default=None,
        ge=1,
        description="most customers there can be (default: twice base; at most 1,000,000)",
    )
    relationship: Relationship = Relationship()
    defection: Defection = Defection()
    acquisition: Acquisition = Acquisition()
    patience: Annotated[DurationDistribution | None, BeforeValidator(_patience_word)] = Field(
        default=None,
        description="how long a backordered order may wait before its customer cancels it "
        "(a distribution; default none: customers wait)",
    )
    value_horizon: Duration = Field(
        default="365d",
        validate_default=True,
        gt=0,
        description="future over which margin lost to churn and slower ordering is valued",
    )

    @model_validator(mode="after")
    def _market_holds_the_base(self) -> CustomerBase:
        if self.market is not None and self.base is not None and self.market < self.base:
            refuse(f"market ({self.market}) must be at least base ({self.base})")
        return self

    def customers_at_start(self, rate: float) -> int:
        """The base: as given, else the number ordering at ``rate`` every ``order_interval``."""
        if self.base is not None:
            return self.base
        return max(1, round(rate * self.order_interval))

    def most(self, rate: float) -> int:
        """Most customers there can be: the market, else twice the base."""
        return self.market if self.market is not None else 2 * self.customers_at_start(rate)

    def too_many(self, rate: float) -> str | None:
        """Why a base of ``rate`` (orders per time unit at the start) is more customers than
        servsim follows one by one, or None."""
        count = self.customers_at_start(rate)
        if count > MOST_CUSTOMERS:
            return (
                f"{count:,} customers at the start (the arrival rate x order_interval); at "
                f"most {MOST_CUSTOMERS:,}: give base: (or customers: none for a fixed stream)"
            )
        return None


def _none_word(value: Any) -> Any:
    return "none" if value in ("none", False) else value


NoCustomers = Literal["none"]

Customers = Annotated[CustomerBase | NoCustomers, BeforeValidator(_none_word)]
"""A segment's customer base, or ``none``: a fixed stream of demand that ignores the service."""


class Payment(Section):
    """Trade credit the segment's customers get: invoices paid ``days`` after delivery
    (receivables financed at the scenario's cost of capital), ``bad_debt`` of revenue never
    paid, and longer terms making customers order more (``frequency_per_day`` per day of
    credit; 0 by default, as no published figure is built in)."""

    days: float = Field(default=0.0, ge=0, le=365, description="days to pay after delivery")
    bad_debt: float = Field(default=0.0, ge=0, le=1, description="share of revenue never paid")
    frequency_per_day: float = Field(
        default=0.0, ge=0, le=0.1, description="order rate raised by this per day of credit"
    )
