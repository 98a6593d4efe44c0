"""Per-order satisfaction: what the customer experienced against what was promised.

Expectation-disconfirmation (Oliver 1980) over the dimensions of service quality
(Parasuraman, Zeithaml and Berry's gap model, 1985/1988). Each dimension loses a share of its
weight:

- reliability: the worst of its failures: late (``losses.late`` x the share of the lateness
  zone used up), a wrong item (all of it), units missing (``losses.incomplete``, rising to all
  when all are missing), a substitute (``losses.substitution``), a wrong invoice, an
  installation that needed another visit (``losses.snag``);
- responsiveness: every wait against its zone of tolerance (Zeithaml, Berry and Parasuraman
  1993): lateness, complaint resolution, installation, refund, replacement; each loss is 0 up
  to ``grace`` and 1 from ``intolerable``, and what the waits leave is multiplied; a customer
  told of a delay in time feels the lateness x ``lateness_relief``;
- information: all of it when the order was late and nobody said so before the promise;
- tangibles: all of it when damaged.

The score is 1 - the weighted share lost; ``shortfall_<dimension>`` is what each dimension
lost (they add up to 1 - score). A complaint restores part of the loss (service recovery:
Smith, Bolton and Wagner 1999): ``recovery.by_speed`` when resolved within the resolution
zone's grace, falling to none at ``intolerable``, plus ``recovery.by_compensation`` in
proportion to the compensation's share of the order's value. An order that got nothing scores
0, all of it reliability's shortfall. The same arithmetic scores one order inside the model (the
customer's judgement, by a ``Scorer``) and every order still open after the run
(``servsim.kpis``, by ``experience_scores`` on arrays), so they agree.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from servsim.scenario.perception import SatisfactionModel, Tolerance

DIMENSIONS = ("reliability", "responsiveness", "information", "tangibles")


def tolerance_loss(shortfall: Any, zone: Tolerance) -> Any:
    """0 within the grace, 1 from ``intolerable`` on, linear between; NaN (nothing to judge)
    counts as 0: ``fmax`` drops NaN."""
    if isinstance(shortfall, float):  # one order inside the model: no numpy call per order
        return _used(shortfall, zone.grace, zone.intolerable - zone.grace)
    return np.fmin(np.fmax((shortfall - zone.grace) / (zone.intolerable - zone.grace), 0.0), 1.0)


@dataclass(slots=True)
class Experience:
    """What happened to one order (numbers and booleans) or to many (arrays of them)."""

    late_by: Any = 0.0
    """Time past the promise the customer was first given (<= 0: on time)."""
    lost_share: Any = 0.0
    """Share of the order's units it never got."""
    substituted: Any = False
    wrong_item: Any = False
    wrong_invoice: Any = False
    damaged: Any = False
    informed: Any = False
    """Told of the delay before the promise passed."""
    resolution_time: Any = math.nan
    """From complaint to resolution; NaN without a complaint."""
    compensation_share: Any = 0.0
    """Compensation paid on the complaint, as a share of the order's value."""
    install_wait: Any = math.nan
    """From delivery to the end of the last installation visit; NaN without installation."""
    snag: Any = False
    """The installation needed another visit."""
    refund_delay: Any = math.nan
    """From a return request to the refund; NaN without a refund."""
    replacement_delay: Any = math.nan
    """From a return request to the replacement's delivery; NaN without one."""
    got_nothing: Any = False


FLAWLESS = (1.0, 0.0, 0.0, 0.0, 0.0)
"""The score and shortfalls of an order that went right: on time, complete, nothing wrong."""


class Scorer:
    """One segment's satisfaction model with its constants read once, scoring one order in
    plain float arithmetic: the model judges every order it settles, so this is hot. The same
    operations in the same order as ``experience_scores`` on arrays, so the two agree to the
    last bit."""

    __slots__ = (
        "_late_grace",
        "_late_span",
        "_resolution_grace",
        "_resolution_span",
        "_waits",
        "_late",
        "_incomplete",
        "_complete",
        "_substitution",
        "_wrong_invoice",
        "_snag",
        "_unrelieved",
        "_by_speed",
        "_by_compensation",
        "_weights",
        "_total",
    )

    def __init__(self, model: SatisfactionModel, lateness_relief: float) -> None:
        self._late_grace, self._late_span = _zone(model.lateness)
        self._resolution_grace, self._resolution_span = _zone(model.resolution)
        self._waits = (_zone(model.installation), _zone(model.refund), _zone(model.replacement))
        """(grace, span) of installation, refund and replacement"""
        losses = model.losses
        self._late = losses.late
        self._incomplete = losses.incomplete
        self._complete = 1.0 - losses.incomplete
        self._substitution = losses.substitution
        self._wrong_invoice = losses.wrong_invoice
        self._snag = losses.snag
        self._unrelieved = 1.0 - lateness_relief
        self._by_speed = model.recovery.by_speed
        self._by_compensation = model.recovery.by_compensation
        weights = model.weights
        self._weights = (
            weights.reliability,
            weights.responsiveness,
            weights.information,
            weights.tangibles,
        )
        self._total = weights.total

    def scores(
        self,
        late_by: float,
        lost_share: float,
        substituted: bool,
        wrong_item: bool,
        wrong_invoice: bool,
        damaged: bool,
        informed: bool,
        resolution_time: float,
        compensation_share: float,
        install_wait: float,
        snag: bool,
        refund_delay: float,
        replacement_delay: float,
        got_nothing: bool,
    ) -> tuple[float, float, float, float, float]:
        """(score, shortfall of reliability, responsiveness, information, tangibles) of one
        order: the fields of an ``Experience``, in its order."""
        if (
            late_by <= self._late_grace
            and not (lost_share > 0 or substituted or wrong_item or wrong_invoice or damaged)
            and not (snag or got_nothing or compensation_share)
            and resolution_time != resolution_time  # NaN: none of these waits
            and install_wait != install_wait
            and refund_delay != refund_delay
            and replacement_delay != replacement_delay
        ):
            return FLAWLESS  # most orders: what the arithmetic below gives them, exactly
        late = late_by > self._late_grace
        lateness = _used(late_by, self._late_grace, self._late_span)
        missing = lost_share > 0
        reliability = max(
            self._late * lateness,
            wrong_item * 1.0,
            missing * (self._incomplete + self._complete * lost_share),
            substituted * self._substitution,
            wrong_invoice * self._wrong_invoice,
            snag * self._snag,
        )
        relief = 1.0 - informed * self._unrelieved
        resolution_loss = _used(resolution_time, self._resolution_grace, self._resolution_span)
        kept = (1.0 - relief * lateness) * (1.0 - resolution_loss)
        for wait, (grace, span) in zip(
            (install_wait, refund_delay, replacement_delay), self._waits, strict=True
        ):
            if wait == wait:  # most orders have none of these waits (NaN)
                kept = kept * (1.0 - _used(wait, grace, span))
        complained = resolution_time == resolution_time  # NaN: no complaint
        restored = complained * self._by_speed * (
            1.0 - resolution_loss
        ) + self._by_compensation * min(compensation_share, 1.0)
        counted = (1.0 - got_nothing) * (1.0 - restored) / self._total
        reliable, responsive, informing, tangible = self._weights
        shortfalls = (
            counted * reliable * reliability + got_nothing * 1.0,
            counted * responsive * (1.0 - kept),
            counted * informing * (late * (1.0 - informed)),
            counted * tangible * (damaged * 1.0),
        )
        return (1.0 - sum(shortfalls), *shortfalls)


def _zone(zone: Tolerance) -> tuple[float, float]:
    """(grace, intolerable - grace) of a zone of tolerance."""
    return zone.grace, zone.intolerable - zone.grace


def _used(wait: float, grace: float, span: float) -> float:
    """``tolerance_loss`` of one wait: the share of its zone used up past the grace, 0 to 1."""
    if wait != wait:
        return 0.0
    used = (wait - grace) / span
    return 0.0 if used < 0.0 else 1.0 if used > 1.0 else used


def experience_scores(
    model: SatisfactionModel, lateness_relief: float, experience: Experience
) -> tuple[Any, dict[str, Any]]:
    """(score, shortfall per dimension) of one order or of many (arrays): see the module.

    One order is scored by a ``Scorer`` in plain float arithmetic; many by numpy.
    """
    e = experience
    if isinstance(e.late_by, float | int):  # one order
        facts = (getattr(e, field.name) for field in fields(e))
        score, *parts = Scorer(model, lateness_relief).scores(*facts)
        return score, dict(zip(DIMENSIONS, parts, strict=True))
    losses = model.losses
    late = e.late_by > model.lateness.grace
    lateness = tolerance_loss(e.late_by, model.lateness)
    missing = e.lost_share > 0
    reliability = functools.reduce(
        np.maximum,
        [
            losses.late * lateness,
            e.wrong_item * 1.0,
            missing * (losses.incomplete + (1.0 - losses.incomplete) * e.lost_share),
            e.substituted * losses.substitution,
            e.wrong_invoice * losses.wrong_invoice,
            e.snag * losses.snag,
        ],
    )
    relief = 1.0 - e.informed * (1.0 - lateness_relief)
    resolution_loss = tolerance_loss(e.resolution_time, model.resolution)
    kept = (1.0 - relief * lateness) * (1.0 - resolution_loss)
    for wait, zone in (
        (e.install_wait, model.installation),
        (e.refund_delay, model.refund),
        (e.replacement_delay, model.replacement),
    ):
        kept = kept * (1.0 - tolerance_loss(wait, zone))
    lost = {
        "reliability": reliability,
        "responsiveness": 1.0 - kept,
        "information": late * (1.0 - e.informed),
        "tangibles": e.damaged * 1.0,
    }
    recovery = model.recovery
    complained = e.resolution_time == e.resolution_time  # NaN: no complaint
    compensated = np.fmin(e.compensation_share, 1.0)
    restored = (
        complained * recovery.by_speed * (1.0 - resolution_loss)
        + recovery.by_compensation * compensated  # a claim's, or a guarantee's, unasked
    )
    weights = model.weights
    counted = (1.0 - e.got_nothing) * (1.0 - restored) / weights.total
    shortfalls = {
        "reliability": counted * weights.reliability * lost["reliability"] + e.got_nothing * 1.0,
        "responsiveness": counted * weights.responsiveness * lost["responsiveness"],
        "information": counted * weights.information * lost["information"],
        "tangibles": counted * weights.tangibles * lost["tangibles"],
    }
    score = 1.0 - sum(shortfalls.values())
    return score, shortfalls


def failure_score(model: SatisfactionModel, repair_time: float) -> float:
    """A warranty failure, judged when its repair is done: the product failed (reliability
    loses ``losses.failure``) and the repair took ``repair_time`` (responsiveness)."""
    weights = model.weights
    lost = weights.reliability * model.losses.failure
    lost += weights.responsiveness * tolerance_loss(repair_time, model.repair)
    return 1.0 - lost / weights.total
