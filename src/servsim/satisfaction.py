"""Per-order satisfaction: what the customer experienced against what was promised.

First model (foundation): a weighted score on [0, 1] of being on time, being in full, and
how late the order was against the promise (1 when on time, falling linearly to 0 at the
tolerance). Orders whose outcome is not yet known at the horizon get no score.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from servsim.scenario.schema import Satisfaction


def order_satisfaction(orders: pd.DataFrame, model: Satisfaction, horizon: float) -> np.ndarray:
    """Score per order (NaN where the outcome is unknown); ``orders`` from classify_orders.

    An order still open past its promise is scored as late by the time elapsed so far; an
    order whose units were all lost scores 0.
    """
    weights = model.weights
    finished = orders["delivered"].fillna(horizon).to_numpy()
    lateness = np.clip(finished - orders["promised"].to_numpy(), 0.0, None)
    lateness_score = np.clip(1.0 - lateness / model.tolerance, 0.0, 1.0)
    lost_all = (orders["outcome"] == "lost").to_numpy()
    lateness_score[lost_all] = 0.0
    score = (
        weights.on_time * orders["on_time"].to_numpy()
        + weights.in_full * orders["in_full"].to_numpy()
        + weights.lateness * lateness_score
    ) / (weights.on_time + weights.in_full + weights.lateness)
    return np.where(orders["known"].to_numpy(), score, np.nan)
