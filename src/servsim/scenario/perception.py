"""How customers judge an order: the satisfaction model (expectation-disconfirmation).

Each order is scored on the gap between what was promised and what was experienced, over the
dimensions of service quality (reliability, responsiveness, information, tangibles), with zones
of tolerance within which a wait does not yet hurt. Every episode of the order counts: the
delivery, the installation and its snags, a complaint and how it was handled, a return and its
refund or replacement. A complaint handled fast and with compensation restores part of what the
order lost (service recovery). The model's sources are in the docs' background pages.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, PrivateAttr, ValidationError, ValidationInfo, model_validator

from servsim.core.validation import refuse, relocated
from servsim.scenario.fields import Duration, Factor
from servsim.scenario.section import Section


class Weights(Section):
    """Weight of each dimension in an order's score (they need not sum to 1)."""

    reliability: Factor = Field(
        default=0.4, ge=0, description="on time, in full, as ordered, working first time"
    )
    responsiveness: Factor = Field(
        default=0.3, ge=0, description="how long each wait lasted against its zone of tolerance"
    )
    information: Factor = Field(default=0.1, ge=0, description="told of a delay in time")
    tangibles: Factor = Field(default=0.2, ge=0, description="arrived undamaged")

    @model_validator(mode="after")
    def _positive_total(self) -> Weights:
        if self.total <= 0:
            refuse("at least one weight must be positive")
        return self

    @property
    def total(self) -> float:
        return self.reliability + self.responsiveness + self.information + self.tangibles


class Tolerance(Section):
    """A zone of tolerance: no loss up to ``grace``, full loss from ``intolerable`` on."""

    grace: Duration = Field(default=0.0, ge=0, description="a wait that does not hurt yet")
    intolerable: Duration = Field(gt=0, description="a wait at which the dimension is lost")

    @model_validator(mode="after")
    def _ordered(self) -> Tolerance:
        if self.intolerable <= self.grace:
            refuse(f"intolerable ({self.intolerable:g}) must be more than grace ({self.grace:g})")
        return self


class Losses(Section):
    """How much of the reliability dimension each kind of failure costs (1: all of it).

    Lateness costs ``late`` x the share of the lateness zone it used up; a wrong item all of it.
    """

    late: float = Field(
        default=0.3, ge=0, le=1, description="an order late by the whole lateness zone"
    )
    incomplete: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="an order missing units, however few (rising to 1 when all are missing)",
    )
    substitution: float = Field(
        default=0.3, ge=0, le=1, description="an order with a substitute for what was ordered"
    )
    wrong_invoice: float = Field(default=0.5, ge=0, le=1, description="a wrong invoice")
    snag: float = Field(
        default=0.5, ge=0, le=1, description="an installation that needed another visit"
    )
    failure: float = Field(
        default=1.0, ge=0, le=1, description="a product that failed under warranty"
    )


class Recovery(Section):
    """Service recovery: the share of an order's loss a complaint's handling restores.

    Fast handling restores up to ``by_speed`` (all of it when resolved within the resolution
    zone's grace, none at ``intolerable``); compensation up to ``by_compensation`` (in
    proportion to its share of the order's value, full at the whole value).
    """

    by_speed: float = Field(default=0.3, ge=0, le=1, description="restored by fast handling")
    by_compensation: float = Field(
        default=0.3, ge=0, le=1, description="restored by compensation worth the order"
    )

    @model_validator(mode="after")
    def _at_most_all(self) -> Recovery:
        if self.by_speed + self.by_compensation > 1:
            refuse(
                f"by_speed + by_compensation can restore at most the whole loss (1), got "
                f"{self.by_speed + self.by_compensation:g}"
            )
        return self


class SatisfactionModel(Section):
    """The parameters of one segment's judgement of an order."""

    weights: Weights = Weights()
    lateness: Tolerance = Field(
        default={"grace": "0h", "intolerable": "14d"},
        validate_default=True,
        description="lateness against the promise (default: no grace, 14 days intolerable)",
    )
    resolution: Tolerance = Field(
        default={"grace": "24h", "intolerable": "7d"},
        validate_default=True,
        description="complaint to resolution (default: 24h grace, 7d intolerable)",
    )
    installation: Tolerance = Field(
        default={"grace": "48h", "intolerable": "14d"},
        validate_default=True,
        description="delivery to the last technician's visit (default: 48h grace, 14d)",
    )
    refund: Tolerance = Field(
        default={"grace": "7d", "intolerable": "30d"},
        validate_default=True,
        description="return request to refund (default: 7d grace, 30d intolerable)",
    )
    replacement: Tolerance = Field(
        default={"grace": "3d", "intolerable": "14d"},
        validate_default=True,
        description="return request to the replacement's delivery (default: 3d grace, 14d)",
    )
    repair: Tolerance = Field(
        default={"grace": "3d", "intolerable": "21d"},
        validate_default=True,
        description="warranty failure to its repair (default: 3d grace, 21d intolerable)",
    )
    losses: Losses = Losses()
    recovery: Recovery = Recovery()
    threshold: float = Field(
        default=0.9,
        ge=0,
        le=1,
        description="score (or customer trust) counted as satisfied: expectations met",
    )


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
