"""KPIs per customer segment and per sku: where in the business the service is won or lost.

Per segment: the order-based figures (fill rates of its lines, times, reliability,
satisfaction). Per sku: the stock-based figures. Pool-wide figures (staff utilisation, costs)
stay in the overall KPIs.
"""

from __future__ import annotations

import pandas as pd

from servsim.core.limits import GROUPINGS as GROUPINGS  # defined in core for the CLI
from servsim.kpis.aftersales import after_sale_kpis
from servsim.kpis.metrics import (
    _ratio,
    cycle_service_level,
    only_modelled,
    satisfaction_kpis,
    time_and_reliability,
)
from servsim.kpis.satisfaction import scored_orders
from servsim.kpis.stock_levels import sku_levels
from servsim.model.runlog import RunLog
from servsim.scenario.schema import Scenario


def kpis_by_segment(
    log: RunLog, scenario: Scenario, orders: pd.DataFrame | None = None
) -> list[dict[str, object]]:
    """One KPI row per segment for one replication (``orders``: its ``scored_orders``, when
    already computed)."""
    return kpis_by_order_group(log, scenario, "segment", orders)


def kpis_by_channel(log: RunLog, scenario: Scenario) -> list[dict[str, object]]:
    """One KPI row per order entry channel for one replication."""
    return kpis_by_order_group(log, scenario, "channel")


def kpis_by_order_group(
    log: RunLog, scenario: Scenario, by: str, orders: pd.DataFrame | None = None
) -> list[dict[str, object]]:
    """One KPI row per value of an order column (segment, channel) for one replication."""
    orders = scored_orders(log, scenario) if orders is None else orders
    counted = orders[orders["counted"]]
    rows = []
    for group in log.orders[by].cat.categories:
        mine = counted[counted[by] == group]
        lines = log.lines[log.lines["order"].isin(mine.index)]
        timing = time_and_reliability(log, mine)
        timing.pop("staff_utilisation")
        figures = only_modelled(
            {
                "orders": float(len(mine)),
                "unit_fill_rate": _ratio(lines["filled"].sum(), lines["quantity"].sum()),
                "line_fill_rate": _ratio((lines["filled"] == lines["quantity"]).sum(), len(lines)),
                "order_fill_rate": _ratio((mine["filled"] == mine["quantity"]).sum(), len(mine)),
                "lost_sales_rate": _ratio(lines["lost"].sum(), lines["quantity"].sum()),
                **timing,
                **after_sale_kpis(log, mine),
                **satisfaction_kpis(mine),
            },
            scenario,
        )
        rows.append({by: group, **figures})
    return rows


def kpis_by_sku(log: RunLog, scenario: Scenario) -> list[dict[str, object]]:
    """One KPI row per sku for one replication."""
    counted = log.orders.index[log.orders["placed"] >= log.warmup]
    lines = log.lines[log.lines["order"].isin(counted)]
    rows = []
    for sku in log.skus:
        mine = lines[lines["sku"] == sku]
        backordered = mine["backordered"].sum()
        complete = mine["allocated"].notna()
        rows.append(
            {
                "sku": sku,
                "lines": float(len(mine)),
                "units": float(mine["quantity"].sum()),
                "unit_fill_rate": _ratio(mine["filled"].sum(), mine["quantity"].sum()),
                "line_fill_rate": _ratio((mine["filled"] == mine["quantity"]).sum(), len(mine)),
                "lost_sales_rate": _ratio(mine["lost"].sum(), mine["quantity"].sum()),
                **sku_levels(log, sku),
                "cycle_service_level": cycle_service_level(log, sku),
                "avg_backorder_delay": _ratio(
                    mine.loc[complete, "backorder_wait"].sum(),
                    mine.loc[complete, "backordered"].sum(),
                )
                if backordered
                else float("nan"),
            }
        )
    return rows


def breakdown(logs: list[RunLog], scenario: Scenario, by: str) -> pd.DataFrame:
    """KPI rows per replication and group (``by`` is 'segment', 'channel' or 'sku')."""
    if by not in GROUPINGS:
        raise ValueError(f"by must be one of {', '.join(GROUPINGS)}, got {by!r}")
    compute = {"segment": kpis_by_segment, "channel": kpis_by_channel, "sku": kpis_by_sku}[by]
    rows = [
        {"replication": replication, **row}
        for replication, log in enumerate(logs)
        for row in compute(log, scenario)
    ]
    return pd.DataFrame(rows)
