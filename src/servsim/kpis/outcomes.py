"""Each order's outcome at the horizon, and whether it counts (placed after the warm-up).

Shared by metrics, satisfaction and costs so that they agree on what an order became.
"""

from __future__ import annotations

import numpy as np

from servsim.model.runlog import RunLog
from servsim.model.table import Table

OUTCOMES = ("delivered", "in_pipeline", "backordered", "lost", "cancelled")
"""Every order ends a run in exactly one of these states."""


def classify_orders(log: RunLog) -> Table:
    """The order log with outcome, cycle_time, on_time, in_full, known and counted columns.

    ``known``: the order's OTIF outcome is settled at the horizon (delivered, units lost, or
    still open past its promise). ``counted``: placed at or after the warm-up.
    """
    orders = log.tables.orders
    delivered_at = orders["delivered"]
    delivered = ~np.isnan(delivered_at)
    lost = orders["lost"]
    lost_all = lost == orders["quantity"]
    waiting = np.isnan(orders["allocated"])
    cancelled = orders["cancelled"]
    withdrawn = orders["withdrawn"]
    outcome = np.select(  # codes into OUTCOMES: no strings per order
        [(lost_all & cancelled) | withdrawn, lost_all, delivered, waiting],
        [OUTCOMES.index(name) for name in ("cancelled", "lost", "delivered", "backordered")],
        OUTCOMES.index("in_pipeline"),
    ).astype(np.int8)
    placed = orders["placed"]
    return orders.with_columns(
        {
            "outcome": outcome,
            "cycle_time": delivered_at - placed,
            "on_time": delivered & (delivered_at <= orders["promised"]),
            "in_full": lost == 0,
            "known": delivered | (lost > 0) | (orders["promised"] < log.horizon),
            "counted": (placed >= log.warmup) & (orders["replaces"] < 0),
            "resolution_time": resolution_times(log),
        },
        {"outcome": OUTCOMES},
    )


def resolution_times(log: RunLog) -> np.ndarray:
    """Per order, its complaint's resolution time so far (NaN: no complaint by the horizon)."""
    complaints = log.tables.complaints
    opened = complaints["opened"]
    complained = ~np.isnan(opened)
    times = np.full(len(log.tables.orders), np.nan)
    resolved = complaints["resolved"][complained]
    taken = np.where(np.isnan(resolved), log.horizon, resolved) - opened[complained]
    times[complaints["order"][complained]] = taken
    return times


def order_flags(log: RunLog, orders: Table) -> np.ndarray:
    """Per order of the whole log: whether it is one of ``orders``."""
    mine = np.zeros(len(log.tables.orders), dtype=bool)
    mine[orders.index] = True
    return mine
