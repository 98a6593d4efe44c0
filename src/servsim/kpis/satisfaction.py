"""Each order's satisfaction score and the shortfall per dimension, from a run's log.

Settled orders carry the score their customer gave them in the run; an order still open at the
horizon is scored on what it has been through so far by the same function
(:func:`servsim.model.experience.experience_scores`), so the KPIs and the customers' behaviour
agree.
"""

from __future__ import annotations

import numpy as np

from servsim.kpis.outcomes import classify_orders
from servsim.model.experience import DIMENSIONS, Experience, experience_scores
from servsim.model.runlog import RunLog
from servsim.model.table import Table
from servsim.scenario.perception import SatisfactionModel
from servsim.scenario.schema import Scenario


def thresholds(scenario: Scenario) -> dict[str, float]:
    """Segment -> the score (or trust) from which its customers count as satisfied."""
    return {
        name: scenario.satisfaction.for_segment(name).threshold for name in scenario.demand.segments
    }


def scored_orders(log: RunLog, scenario: Scenario, shortfalls: bool = True) -> Table:
    """The classified order log (outcomes.classify_orders) with each order's score, and
    what each dimension cost it (``shortfalls``: the KPIs need none, the order table does)."""
    orders = classify_orders(log)
    return orders.with_columns(order_satisfaction(orders, scenario, log, shortfalls))


def order_satisfaction(
    orders: Table, scenario: Scenario, log: RunLog, with_shortfalls: bool = True
) -> dict[str, np.ndarray]:
    """``satisfaction``, ``satisfied`` and (``with_shortfalls``) ``shortfall_*`` per order;
    NaN where the outcome is unknown. A settled order has the score its customer gave it in
    the run; an order still open at the horizon but known (past its promise, or units lost)
    is scored on what it has been through so far, as late by the time elapsed."""
    score = np.full(len(orders), np.nan)
    dimensions = DIMENSIONS if with_shortfalls else ()
    shortfalls = {name: np.full(len(orders), np.nan) for name in dimensions}
    judged = log.tables.judgements
    rows = judged["order"]
    score[rows] = judged["score"]
    for name in dimensions:
        shortfalls[name][rows] = judged[name]
    settled = np.zeros(len(orders), dtype=bool)
    settled[rows] = True
    # an order whose every item its customer saw out of stock and left out was never placed
    known = orders["known"] & (orders["declined"] < orders["quantity"])
    _score_so_far(orders, scenario, log.horizon, ~settled & known, score, shortfalls)
    threshold = orders.mapped("segment", thresholds(scenario))
    satisfied = (score >= threshold) & known
    unknown = ~known
    score[unknown] = np.nan  # in place: a long run's scores are not copied
    for name in dimensions:
        shortfalls[name][unknown] = np.nan
    return {
        "satisfaction": score,
        "satisfied": satisfied,
        **{f"shortfall_{name}": shortfalls[name] for name in dimensions},
    }


def _score_so_far(
    orders: Table,
    scenario: Scenario,
    horizon: float,
    open_orders: np.ndarray,
    score: np.ndarray,
    shortfalls: dict[str, np.ndarray],
) -> None:
    """Score the orders not settled by the horizon on what they have been through so far."""
    segments = orders["segment"]
    labels = orders.categories["segment"]
    for code in np.unique(segments[open_orders]):
        everyone = np.flatnonzero(open_orders & (segments == code))
        model = scenario.satisfaction.for_segment(labels[code])
        for start in range(0, everyone.size, _SCORED_AT_ONCE):
            rows = everyone[start : start + _SCORED_AT_ONCE]
            _score_orders(orders.rows(rows), scenario, model, horizon, rows, score, shortfalls)


_SCORED_AT_ONCE = 1 << 16
"""Orders scored in one go: a long run's open orders in blocks, so the scoring's temporary
arrays stay small (each order's score depends on that order alone)."""


def _score_orders(
    mine: Table,
    scenario: Scenario,
    model: SatisfactionModel,
    horizon: float,
    rows: np.ndarray,
    score: np.ndarray,
    shortfalls: dict[str, np.ndarray],
) -> None:
    """Score orders of one segment (``mine``, at ``rows``) on what they have been through."""
    delivered = mine["delivered"]
    late_by = np.where(np.isnan(delivered), horizon, delivered) - mine["first_promise"]
    guarantee = scenario.delivery.guarantee
    chosen = mine["quantity"] - mine["declined"]
    experience = Experience(
        late_by=late_by,
        lost_share=(mine["lost"] - mine["declined"]) / chosen,
        compensation_share=(late_by > guarantee.after) * guarantee.refund
        if guarantee is not None
        else 0.0,
        substituted=mine["substituted"] > 0,
        wrong_item=mine["wrong_item"],
        wrong_invoice=mine["wrong_invoice"],
        damaged=mine["damaged"],
        informed=mine["informed"],
        resolution_time=mine["resolution_time"],
        got_nothing=mine.isin("outcome", ("lost", "cancelled")),
    )
    score[rows], parts = experience_scores(model, scenario.notices.lateness_relief, experience)
    for name in shortfalls:  # none when only the scores are wanted
        shortfalls[name][rows] = parts[name]
