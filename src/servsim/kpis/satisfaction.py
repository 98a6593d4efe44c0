"""Each order's satisfaction score and the shortfall per dimension, from a run's log.

The score itself is :func:`servsim.model.experience.experience_scores`, the function the model
uses to let a customer judge an order, so the KPIs and the customers' behaviour agree.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from servsim.kpis.outcomes import classify_orders
from servsim.model.experience import DIMENSIONS, experience_scores
from servsim.model.runlog import RunLog
from servsim.scenario.schema import Scenario


def scored_orders(log: RunLog, scenario: Scenario) -> pd.DataFrame:
    """The classified order log (outcomes.classify_orders) with each order's score."""
    orders = classify_orders(log)
    return orders.join(order_satisfaction(orders, scenario, log.horizon))


def order_satisfaction(orders: pd.DataFrame, scenario: Scenario, horizon: float) -> pd.DataFrame:
    """``satisfaction``, ``satisfied`` and ``shortfall_*`` per order; NaN where the outcome is
    unknown. ``orders`` from classify_orders; open orders past their promise count as late
    by the time elapsed so far."""
    finished = orders["delivered"].fillna(horizon).to_numpy()
    late_by = finished - orders["promised"].to_numpy()
    quantity = orders["quantity"].to_numpy()
    got_nothing = orders["outcome"].isin(("lost", "cancelled")).to_numpy()
    score = np.full(len(orders), np.nan)
    satisfied = np.zeros(len(orders), dtype=bool)
    shortfalls = {name: np.full(len(orders), np.nan) for name in DIMENSIONS}
    segments = orders["segment"].to_numpy()
    for segment in pd.unique(segments):
        rows = segments == segment
        model = scenario.satisfaction.for_segment(str(segment))
        mine, lost_share = orders[rows], orders["lost"].to_numpy()[rows] / quantity[rows]
        score[rows], parts = experience_scores(
            model,
            scenario.notices.lateness_relief,
            late_by=late_by[rows],
            delivered_share=1.0 - lost_share,
            wrong_item=mine["wrong_item"].to_numpy(),
            wrong_invoice=mine["wrong_invoice"].to_numpy(),
            damaged=mine["damaged"].to_numpy(),
            informed=mine["informed"].to_numpy(),
            resolution_time=mine["resolution_time"].to_numpy(),
            got_nothing=got_nothing[rows],
        )
        satisfied[rows] = score[rows] >= model.threshold
        for name in DIMENSIONS:
            shortfalls[name][rows] = parts[name]
    known = orders["known"].to_numpy()
    table = pd.DataFrame(
        {
            "satisfaction": np.where(known, score, np.nan),
            "satisfied": satisfied & known,
            **{
                f"shortfall_{name}": np.where(known, shortfalls[name], np.nan)
                for name in DIMENSIONS
            },
        },
        index=orders.index,
    )
    return table
