"""Each order's satisfaction score and the shortfall per dimension, from a run's log.

Settled orders carry the score their customer gave them in the run; an order still open at the
horizon is scored on what it has been through so far by the same function
(:func:`servsim.model.experience.experience_scores`), so the KPIs and the customers' behaviour
agree.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from servsim.kpis.outcomes import classify_orders
from servsim.model.experience import DIMENSIONS, Experience, experience_scores
from servsim.model.runlog import RunLog
from servsim.scenario.schema import Scenario


def thresholds(scenario: Scenario) -> dict[str, float]:
    """Segment -> the score (or trust) from which its customers count as satisfied."""
    return {
        name: scenario.satisfaction.for_segment(name).threshold for name in scenario.demand.segments
    }


def scored_orders(log: RunLog, scenario: Scenario) -> pd.DataFrame:
    """The classified order log (outcomes.classify_orders) with each order's score."""
    orders = classify_orders(log)
    scores = order_satisfaction(orders, scenario, log)
    for name in scores.columns:  # added as columns: no copy of the order log
        orders[name] = scores[name].to_numpy()
    return orders


def order_satisfaction(orders: pd.DataFrame, scenario: Scenario, log: RunLog) -> pd.DataFrame:
    """``satisfaction``, ``satisfied`` and ``shortfall_*`` per order; NaN where the outcome is
    unknown. A settled order has the score its customer gave it in the run; an order still
    open at the horizon but known (past its promise, or units lost) is scored on what it has
    been through so far, as late by the time elapsed."""
    score = np.full(len(orders), np.nan)
    shortfalls = {name: np.full(len(orders), np.nan) for name in DIMENSIONS}
    judged = log.judgements
    rows = judged["order"].to_numpy()
    score[rows] = judged["score"].to_numpy()
    for name in DIMENSIONS:
        shortfalls[name][rows] = judged[name].to_numpy()
    settled = np.zeros(len(orders), dtype=bool)
    settled[rows] = True
    # an order whose every item its customer saw out of stock and left out was never placed
    known = orders["known"].to_numpy() & (orders["declined"] < orders["quantity"]).to_numpy()
    _score_so_far(orders, scenario, log.horizon, ~settled & known, score, shortfalls)
    threshold = (
        orders["segment"]
        .map(
            {
                name: scenario.satisfaction.for_segment(name).threshold
                for name in scenario.demand.segments
            }
        )
        .to_numpy(dtype=float)
    )
    return pd.DataFrame(
        {
            "satisfaction": np.where(known, score, np.nan),
            "satisfied": (score >= threshold) & known,
            **{
                f"shortfall_{name}": np.where(known, shortfalls[name], np.nan)
                for name in DIMENSIONS
            },
        },
        index=orders.index,
    )


_EXPERIENCE_COLUMNS = [
    "delivered",
    "first_promise",
    "quantity",
    "declined",
    "lost",
    "substituted",
    "wrong_item",
    "wrong_invoice",
    "damaged",
    "informed",
    "resolution_time",
    "outcome",
]


def _score_so_far(
    orders: pd.DataFrame,
    scenario: Scenario,
    horizon: float,
    open_orders: np.ndarray,
    score: np.ndarray,
    shortfalls: dict[str, np.ndarray],
) -> None:
    """Score the orders not settled by the horizon on what they have been through so far."""
    segments = orders["segment"].to_numpy()
    for segment in pd.unique(segments[open_orders]):
        rows = open_orders & (segments == segment)
        mine = orders.loc[rows, _EXPERIENCE_COLUMNS]  # only the columns scored: a cheaper take
        late_by = mine["delivered"].fillna(horizon).to_numpy() - mine["first_promise"].to_numpy()
        guarantee = scenario.delivery.guarantee
        chosen = mine["quantity"] - mine["declined"]
        experience = Experience(
            late_by=late_by,
            lost_share=((mine["lost"] - mine["declined"]) / chosen).to_numpy(),
            compensation_share=(late_by > guarantee.after) * guarantee.refund
            if guarantee is not None
            else 0.0,
            substituted=(mine["substituted"] > 0).to_numpy(),
            wrong_item=mine["wrong_item"].to_numpy(),
            wrong_invoice=mine["wrong_invoice"].to_numpy(),
            damaged=mine["damaged"].to_numpy(),
            informed=mine["informed"].to_numpy(),
            resolution_time=mine["resolution_time"].to_numpy(),
            got_nothing=mine["outcome"].isin(("lost", "cancelled")).to_numpy(),
        )
        model = scenario.satisfaction.for_segment(str(segment))
        score[rows], parts = experience_scores(model, scenario.notices.lateness_relief, experience)
        for name in DIMENSIONS:
            shortfalls[name][rows] = parts[name]
