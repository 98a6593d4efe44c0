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
0, all of it reliability's shortfall. The same function scores one order inside the model (the
customer's judgement) and every order still open after the run (``servsim.kpis``), so they agree.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from servsim.scenario.perception import SatisfactionModel, Tolerance

DIMENSIONS = ("reliability", "responsiveness", "information", "tangibles")


def tolerance_loss(shortfall: Any, zone: Tolerance) -> Any:
    """0 within the grace, 1 from ``intolerable`` on, linear between; NaN (nothing to judge)
    counts as 0: ``fmax`` drops NaN."""
    if isinstance(shortfall, float):  # one order inside the model: no numpy call per order
        if shortfall != shortfall:
            return 0.0
        return min(max((shortfall - zone.grace) / (zone.intolerable - zone.grace), 0.0), 1.0)
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


def _most(values: list[Any], one: bool) -> Any:
    """The largest of numbers (``one`` order), or elementwise of arrays (numbers broadcast)."""
    return max(values) if one else functools.reduce(np.maximum, values)


def experience_scores(
    model: SatisfactionModel, lateness_relief: float, experience: Experience
) -> tuple[Any, dict[str, Any]]:
    """(score, shortfall per dimension) of one order or of many (arrays): see the module.

    Plain arithmetic for one order, so judging an order inside the model costs microseconds.
    """
    e = experience
    one = isinstance(e.late_by, float | int)  # one order inside the model, else arrays
    losses = model.losses
    late = e.late_by > model.lateness.grace
    lateness = tolerance_loss(e.late_by, model.lateness)
    missing = e.lost_share > 0
    reliability = _most(
        [
            losses.late * lateness,
            e.wrong_item * 1.0,
            missing * (losses.incomplete + (1.0 - losses.incomplete) * e.lost_share),
            e.substituted * losses.substitution,
            e.wrong_invoice * losses.wrong_invoice,
            e.snag * losses.snag,
        ],
        one,
    )
    relief = 1.0 - e.informed * (1.0 - lateness_relief)
    resolution_loss = tolerance_loss(e.resolution_time, model.resolution)
    kept = (1.0 - relief * lateness) * (1.0 - resolution_loss)
    for wait, zone in (
        (e.install_wait, model.installation),
        (e.refund_delay, model.refund),
        (e.replacement_delay, model.replacement),
    ):
        if not one or wait == wait:  # one order: most have none of these waits (NaN)
            kept = kept * (1.0 - tolerance_loss(wait, zone))
    lost = {
        "reliability": reliability,
        "responsiveness": 1.0 - kept,
        "information": late * (1.0 - e.informed),
        "tangibles": e.damaged * 1.0,
    }
    recovery = model.recovery
    complained = e.resolution_time == e.resolution_time  # NaN: no complaint
    compensated = min(e.compensation_share, 1.0) if one else np.fmin(e.compensation_share, 1.0)
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
