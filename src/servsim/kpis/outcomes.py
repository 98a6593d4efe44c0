"""Each order's outcome at the horizon, and whether it counts (placed after the warm-up).

Shared by metrics, satisfaction and costs so that they agree on what an order became.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from servsim.model.runlog import RunLog

OUTCOMES = ("delivered", "in_pipeline", "backordered", "lost", "cancelled")
"""Every order ends a run in exactly one of these states."""


def classify_orders(log: RunLog) -> pd.DataFrame:
    """The order log with outcome, cycle_time, on_time, in_full, known and counted columns.

    ``known``: the order's OTIF outcome is settled at the horizon (delivered, units lost, or
    still open past its promise). ``counted``: placed at or after the warm-up.
    """
    orders = log.orders.copy(deep=False)  # new columns only: copy-on-write keeps the log's
    delivered = orders["delivered"].notna().to_numpy()
    lost_all = (orders["lost"] == orders["quantity"]).to_numpy()
    waiting = orders["allocated"].isna().to_numpy()
    cancelled = orders["cancelled"].to_numpy()
    withdrawn = orders["withdrawn"].to_numpy()
    outcome = np.select(  # codes into OUTCOMES: no strings per order
        [(lost_all & cancelled) | withdrawn, lost_all, delivered, waiting],
        [OUTCOMES.index(name) for name in ("cancelled", "lost", "delivered", "backordered")],
        OUTCOMES.index("in_pipeline"),
    )
    orders["outcome"] = pd.Categorical.from_codes(outcome, categories=OUTCOMES)
    orders["cycle_time"] = orders["delivered"] - orders["placed"]
    orders["on_time"] = delivered & (orders["delivered"] <= orders["promised"]).to_numpy()
    orders["in_full"] = (orders["lost"] == 0).to_numpy()
    orders["known"] = (
        delivered | (orders["lost"] > 0).to_numpy() | (orders["promised"] < log.horizon).to_numpy()
    )
    orders["counted"] = (orders["placed"] >= log.warmup).to_numpy() & (
        orders["replaces"] < 0
    ).to_numpy()
    orders["resolution_time"] = resolution_times(log)
    return orders


def resolution_times(log: RunLog) -> np.ndarray:
    """Per order, its complaint's resolution time so far (NaN: no complaint by the horizon)."""
    complaints = log.complaints[log.complaints["opened"].notna()]
    times = np.full(len(log.orders), np.nan)
    taken = complaints["resolved"].fillna(log.horizon) - complaints["opened"]
    times[complaints["order"].to_numpy()] = taken.to_numpy()
    return times
