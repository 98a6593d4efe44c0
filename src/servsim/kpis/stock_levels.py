"""Time-averages of each sku's stock, shared by the availability KPIs and the cost terms."""

from __future__ import annotations

from servsim.kpis.timeavg import step_durations, weighted_average
from servsim.model.runlog import RunLog


def sku_levels(log: RunLog, sku: str) -> dict[str, float]:
    """Time-averages of one sku's stock: on hand, backorders, and the share of time in stock.

    A sku without a stock point (unlimited stock) is always ready and holds nothing.
    """
    levels = log.tables.stock_levels
    rows = levels.rows(levels.is_("sku", sku))
    if rows.empty:
        return {"ready_rate": 1.0, "avg_on_hand": 0.0, "avg_backorders": 0.0}
    start, end = log.warmup, log.horizon
    durations = step_durations(rows["time"], start, end)  # once for the three averages
    on_hand = rows["on_hand"]
    return {
        "ready_rate": weighted_average(on_hand > 0, durations, start, end),
        "avg_on_hand": weighted_average(on_hand, durations, start, end),
        "avg_backorders": weighted_average(rows["backorders"], durations, start, end),
    }


def all_sku_levels(log: RunLog) -> dict[str, dict[str, float]]:
    """``sku_levels`` of every sku, computed once."""
    return {sku: sku_levels(log, sku) for sku in log.skus}
