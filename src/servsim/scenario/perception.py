"""How customers judge the service (satisfaction model) and whether they stay (retention).

The satisfaction model follows expectation-disconfirmation: each order is scored on the gap
between what was promised and what was experienced, over the dimensions of service quality
(reliability, responsiveness, information, tangibles), with zones of tolerance within which a
shortfall does not yet hurt. See README "Satisfaction and retention".
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, PrivateAttr, ValidationError, ValidationInfo, model_validator

from servsim.core.validation import relocated
from servsim.scenario.fields import Count, Customers, Duration, Factor, Rate
from servsim.scenario.section import Section


class Weights(Section):
    """Weight of each dimension in an order's score (they need not sum to 1)."""

    reliability: Factor = Field(default=0.4, ge=0, description="on time, in full, correct")
    responsiveness: Factor = Field(
        default=0.3, ge=0, description="how late against the promise; complaint resolution"
    )
    information: Factor = Field(default=0.1, ge=0, description="told of a delay in time")
    tangibles: Factor = Field(default=0.2, ge=0, description="arrived undamaged")

    @model_validator(mode="after")
    def _positive_total(self) -> Weights:
        if self.total <= 0:
            raise ValueError("at least one weight must be positive")
        return self

    @property
    def total(self) -> float:
        return self.reliability + self.responsiveness + self.information + self.tangibles


class Tolerance(Section):
    """A zone of tolerance: no loss up to ``grace``, full loss from ``intolerable`` on."""

    grace: Duration = Field(default=0.0, ge=0, description="shortfall that does not hurt yet")
    intolerable: Duration = Field(gt=0, description="shortfall at which the score is gone")

    @model_validator(mode="after")
    def _ordered(self) -> Tolerance:
        if self.intolerable <= self.grace:
            raise ValueError(
                f"intolerable ({self.intolerable:g}) must be more than grace ({self.grace:g})"
            )
        return self


class SatisfactionModel(Section):
    """The parameters of one segment's judgement."""

    weights: Weights = Weights()
    lateness: Tolerance = Field(
        default={"grace": "0h", "intolerable": "48h"},
        validate_default=True,
        description="lateness against the promise (default: no grace, 48h intolerable)",
    )
    resolution: Tolerance = Field(
        default={"grace": "24h", "intolerable": "7d"},
        validate_default=True,
        description="complaint resolution time (default: 24h grace, 7d intolerable)",
    )
    threshold: float = Field(default=0.7, ge=0, le=1, description="score counted as satisfied")


class Satisfaction(SatisfactionModel):
    """The satisfaction model, with per-segment changes (``segments: {trade: {...}}``)."""

    segments: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="segment -> the keys it judges differently"
    )

    _models: dict[str, SatisfactionModel] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _segment_models_are_valid(self, info: ValidationInfo) -> Satisfaction:
        base = self.model_dump(exclude={"segments"})
        for name, own in self.segments.items():
            merged = dict(base)
            for key, value in own.items():
                if isinstance(value, dict) and isinstance(merged.get(key), dict):
                    merged[key] = {**merged[key], **value}
                else:
                    merged[key] = value
            try:
                self._models[name] = SatisfactionModel.model_validate(merged, context=info.context)
            except ValidationError as error:
                raise relocated(error, ("segments", name)) from None
        return self

    def for_segment(self, segment: str) -> SatisfactionModel:
        """The model for ``segment``: the scenario's, with the segment's own keys over it."""
        return self._models.get(segment, self)


class Defection(Section):
    """Chance a customer stops ordering after an order, from its satisfaction score: a logistic
    curve through ``dissatisfied`` (at score 0) and ``satisfied`` (at score 1)."""

    dissatisfied: float = Field(gt=0, lt=1, description="chance of leaving after a score of 0")
    satisfied: float = Field(gt=0, lt=1, description="chance of leaving after a score of 1")


class Acquisition(Section):
    """New customers: ``rate`` per time unit, scaled by word of mouth from recent scores:
    rate x max(0, 1 + word_of_mouth x (recent mean score - reference))."""

    rate: Rate = Field(
        default=0.0, ge=0, description="new customers per time unit (at most 1,000,000 an hour)"
    )
    word_of_mouth: Factor = Field(default=0.0, ge=0, description="how much recent scores count")
    reference: float = Field(default=0.8, ge=0, le=1, description="score that neither helps")
    recent: Count = Field(
        default=100, ge=1, le=100_000, description="how many recent orders are heard of (<= 1e5)"
    )


class CustomerBase(Section):
    """A segment's finite customer base. ``arrivals.rate`` is the base's total rate at the start,
    so each customer orders at rate / base; defection and acquisition move it during the run."""

    base: Customers = Field(ge=1, description="customers at the start (at most 1,000,000)")
    market: Customers | None = Field(
        default=None,
        ge=1,
        description="most customers there can be (default: twice base; at most 1,000,000)",
    )
    defection: Defection
    acquisition: Acquisition = Acquisition()
    value_horizon: Duration = Field(
        default="365d",
        validate_default=True,
        gt=0,
        description="future of a churned customer valued in cost_goodwill (default 365d)",
    )

    @model_validator(mode="after")
    def _market_holds_the_base(self) -> CustomerBase:
        if self.market is not None and self.market < self.base:
            raise ValueError(f"market ({self.market}) must be at least base ({self.base})")
        return self

    @property
    def most(self) -> int:
        return self.market if self.market is not None else 2 * self.base
