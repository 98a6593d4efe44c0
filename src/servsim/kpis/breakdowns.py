"""KPIs per customer segment and per sku: where in the business the service is won or lost.

Per segment: the order-based figures (fill rates of its lines, times, reliability,
satisfaction). Per sku: the stock-based figures. Pool-wide figures (staff utilisation, costs)
stay in the overall KPIs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from servsim.core.limits import GROUPINGS as GROUPINGS  # defined in core for the CLI
from servsim.core.limits import NETWORK_GROUPINGS as NETWORK_GROUPINGS
from servsim.kpis.aftersales import after_sale_kpis
from servsim.kpis.metrics import (
    counted_lines,
    cycle_service_level,
    only_modelled,
    satisfaction_kpis,
    time_and_reliability,
)
from servsim.kpis.network import kpis_by_location, region_column
from servsim.kpis.ratios import count, ratio
from servsim.kpis.satisfaction import scored_orders
from servsim.kpis.stock_levels import sku_levels
from servsim.model.runlog import RunLog
from servsim.model.table import Table
from servsim.scenario.schema import Scenario


def kpis_by_segment(
    log: RunLog, scenario: Scenario, orders: Table | None = None
) -> list[dict[str, object]]:
    """One KPI row per segment for one replication (``orders``: its ``scored_orders``, when
    already computed)."""
    return kpis_by_order_group(log, scenario, "segment", orders)


def kpis_by_channel(log: RunLog, scenario: Scenario) -> list[dict[str, object]]:
    """One KPI row per order entry channel for one replication."""
    return kpis_by_order_group(log, scenario, "channel")


def kpis_by_region(log: RunLog, scenario: Scenario) -> list[dict[str, object]]:
    """One KPI row per region of a network for one replication."""
    return kpis_by_order_group(log, scenario, "region")


def kpis_by_order_group(
    log: RunLog, scenario: Scenario, by: str, orders: Table | None = None
) -> list[dict[str, object]]:
    """One KPI row per value of an order column (segment, channel) for one replication."""
    orders = scored_orders(log, scenario, shortfalls=False) if orders is None else orders
    if by == "region":
        orders = orders.with_columns(*region_column(log, scenario))
    counted = orders.rows(orders["counted"])
    rows = []
    for group in orders.categories[by]:
        which = orders.is_(by, group)
        mine = counted.rows(counted.is_(by, group))
        lines = counted_lines(log, orders, which)
        quantity, filled = lines["quantity"], lines["filled"]
        timing = time_and_reliability(log, mine)
        timing.pop("staff_utilisation")
        figures = only_modelled(
            {
                "orders": float(len(mine)),
                "unit_fill_rate": ratio(filled.sum(), quantity.sum()),
                "line_fill_rate": ratio(count(filled == quantity), len(lines)),
                "order_fill_rate": ratio(count(mine["filled"] == mine["quantity"]), len(mine)),
                "lost_sales_rate": ratio(lines["lost"].sum(), quantity.sum()),
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
    orders = log.tables.orders
    lines = log.tables.lines
    lines = lines.rows((orders["placed"] >= log.warmup)[lines["order"]])
    rows = []
    for sku in log.skus:
        mine = lines.rows(lines.is_("sku", sku))
        quantity, filled, backordered = mine["quantity"], mine["filled"], mine["backordered"]
        complete = ~np.isnan(mine["allocated"])
        rows.append(
            {
                "sku": sku,
                "lines": float(len(mine)),
                "units": float(quantity.sum()),
                "unit_fill_rate": ratio(filled.sum(), quantity.sum()),
                "line_fill_rate": ratio(count(filled == quantity), len(mine)),
                "lost_sales_rate": ratio(mine["lost"].sum(), quantity.sum()),
                **sku_levels(log, sku),
                "cycle_service_level": cycle_service_level(log, sku),
                "avg_backorder_delay": ratio(
                    mine["backorder_wait"][complete].sum(), backordered[complete].sum()
                )
                if backordered.sum()
                else float("nan"),
            }
        )
    return rows


def breakdown(logs: list[RunLog], scenario: Scenario, by: str) -> pd.DataFrame:
    """KPI rows per replication and group (``by`` is 'segment', 'channel', 'sku', or with a
    network 'location' or 'region')."""
    if by not in GROUPINGS:
        raise ValueError(f"by must be one of {', '.join(GROUPINGS)}, got {by!r}")
    if by in NETWORK_GROUPINGS and scenario.network is None:
        raise ValueError(f"by {by} needs a scenario with a network: (locations and regions)")
    compute = {
        "segment": kpis_by_segment,
        "channel": kpis_by_channel,
        "sku": kpis_by_sku,
        "location": kpis_by_location,
        "region": kpis_by_region,
    }[by]
    rows = [
        {"replication": replication, **row}
        for replication, log in enumerate(logs)
        for row in compute(log, scenario)
    ]
    return pd.DataFrame(rows)
