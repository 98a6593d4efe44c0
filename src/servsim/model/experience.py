"""Per-order satisfaction: what the customer experienced against what was promised.

Expectation-disconfirmation (Oliver 1980) over the dimensions of service quality
(Parasuraman, Zeithaml and Berry's gap model, 1985/1988), each scored on [0, 1]:

- reliability: the mean of on time (0/1), in full (share of units delivered) and correct
  (0 for a wrong item, 0.5 for a wrong invoice only, else 1);
- responsiveness: (1 - lateness loss) x (1 - resolution loss), each loss rising linearly from
  0 at the zone of tolerance's ``grace`` to 1 at ``intolerable`` (Zeithaml, Berry and
  Parasuraman 1993); a customer told of the delay in time feels the lateness loss x
  ``lateness_relief``;
- information: 0 when the order was late and nobody said so before the promise, else 1;
- tangibles: 0 when damaged, else 1.

The score is the weighted mean; ``shortfall_<dimension>`` is the weighted share each
dimension lost (they add up to 1 - score). An order that got nothing (all units lost or
cancelled) scores 0, all of it reliability's shortfall. The same function scores one order
inside the model (the customer's judgement) and every order after the run (``servsim.kpis``),
so they agree.
"""

from __future__ import annotations

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


def experience_scores(
    model: SatisfactionModel,
    lateness_relief: float,
    *,
    late_by: Any,
    delivered_share: Any,
    wrong_item: Any,
    wrong_invoice: Any,
    damaged: Any,
    informed: Any,
    resolution_time: Any,
    got_nothing: Any,
) -> tuple[Any, dict[str, Any]]:
    """(score, shortfall per dimension) for one order (numbers and booleans) or many (arrays).

    ``late_by``: time past the promise (<= 0: on time); ``resolution_time``: NaN without a
    complaint. Plain arithmetic only, so one order inside the model costs microseconds.
    """
    late = late_by > 0
    correct = (1 - wrong_item) * (1 - 0.5 * wrong_invoice)
    relief = 1.0 - informed * (1.0 - lateness_relief)
    scores = {
        "reliability": (1.0 - late + delivered_share + correct) / 3,
        "responsiveness": (1 - relief * tolerance_loss(late_by, model.lateness))
        * (1 - tolerance_loss(resolution_time, model.resolution)),
        "information": 1.0 - late * (1 - informed),
        "tangibles": 1.0 - damaged * 1.0,
    }
    weights = model.weights
    counted = (1 - got_nothing) / weights.total
    shortfalls = {
        name: counted * getattr(weights, name) * (1 - scores[name]) for name in DIMENSIONS
    }
    shortfalls["reliability"] = shortfalls["reliability"] + got_nothing * 1.0
    score = 1.0 - sum(shortfalls.values())
    return score, shortfalls
