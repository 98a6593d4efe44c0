"""The KPIs of ``servsim.core.catalogue`` as pure functions of a run's log.

Orders placed before the warm-up are simulated but not counted; time-averages start at the
warm-up. A KPI with nothing to measure (no late orders, no backorders) is NaN, not 0, and so
is a KPI of a part of the business the scenario does not model (complaints, returns...).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from servsim.core.kpi_columns import STAGE_KPIS
from servsim.kpis.aftersales import after_sale_kpis
from servsim.kpis.costs import cost_kpis
from servsim.kpis.customers import customer_kpis
from servsim.kpis.labour import utilisation
from servsim.kpis.network import network_costs, network_kpis
from servsim.kpis.outcomes import order_flags
from servsim.kpis.profit import profit_kpis
from servsim.kpis.ratios import count, mean, ratio
from servsim.kpis.sales import sales
from servsim.kpis.satisfaction import scored_orders
from servsim.kpis.stock_levels import all_sku_levels
from servsim.model.runlog import RunLog
from servsim.model.table import Table
from servsim.scenario.schema import Scenario

CYCLE_PERCENTILES = (5, 50, 90, 95, 99)


def compute_kpis(log: RunLog, scenario: Scenario, orders: Table | None = None) -> dict[str, float]:
    """One row of KPIs for one replication; ``orders`` are its ``scored_orders``, when the
    caller already has them."""
    orders = scored_orders(log, scenario, shortfalls=False) if orders is None else orders
    counted = orders.rows(orders["counted"])
    lines = counted_lines(log, orders)
    levels = all_sku_levels(log)  # time-averages of stock: for availability and for costs
    sold = sales(counted, lines, scenario)  # for costs, profit and the customers' spend
    costs = cost_kpis(log, counted, lines, scenario, levels, sold)
    # without a network its figures are NaN (only_modelled) and its cost terms 0
    network = dict.fromkeys(STAGE_KPIS["network"], 0.0)
    extra = {"cost_legs": 0.0, "cost_transshipment": 0.0}
    if log.network is not None:
        network = network_kpis(log, lines, scenario)
        extra = network_costs(log, lines, scenario)
    costs = {
        **{k: v for k, v in costs.items() if k not in ("cost_total", "cost_per_order")},
        **extra,
        "cost_total": costs["cost_total"] + sum(extra.values()),
        "cost_per_order": ratio(costs["cost_total"] + sum(extra.values()), len(counted)),
    }
    figures = {
        "orders": float(len(counted)),
        **availability(log, counted, lines, scenario, levels),
        **time_and_reliability(log, counted),
        **after_sale_kpis(log, counted),
        **satisfaction_kpis(counted),
        **customer_kpis(log, counted, scenario, sold),
        **network,
        **costs,
        **profit_kpis(sold, costs, len(counted)),
    }
    return only_modelled(figures, scenario)


def counted_lines(log: RunLog, orders: Table, which: np.ndarray | None = None) -> Table:
    """The lines of the orders that count (``which``: of those among them, by order)."""
    lines = log.tables.lines
    chosen = orders["counted"] if which is None else orders["counted"] & which
    return lines.rows(chosen[lines["order"]])


def only_modelled(figures: Mapping[str, float], scenario: Scenario) -> dict[str, float]:
    """The figures with those of every part of the business the scenario does not model
    (``servsim.core.stages.STAGES``) set to NaN: 0 would say it was measured and found
    none. Decided from the scenario, never from the run."""
    modelled = scenario.modelled_stages
    absent = {kpi for stage, kpis in STAGE_KPIS.items() if stage not in modelled for kpi in kpis}
    return {name: float("nan") if name in absent else value for name, value in figures.items()}


def availability(
    log: RunLog,
    orders: Table,
    lines: Table,
    scenario: Scenario,
    levels: dict[str, dict[str, float]],
) -> dict[str, float]:
    """Fill rates, ready rate, cycle service level, stock and backorder levels, lost sales."""
    quantity, filled = lines["quantity"], lines["filled"]
    demanded = quantity.sum()
    ready = sum(share * levels[sku]["ready_rate"] for sku, share in _line_shares(lines))
    on_hand = sum(level["avg_on_hand"] for level in levels.values())
    backorders = sum(level["avg_backorders"] for level in levels.values())
    allocated_at = orders["allocated"]
    allocated = ~np.isnan(allocated_at)
    backordered = orders["backordered"]
    return {
        "unit_fill_rate": ratio(filled.sum(), demanded),
        "line_fill_rate": ratio(count(filled == quantity), len(lines)),
        "order_fill_rate": ratio(count(orders["filled"] == orders["quantity"]), len(orders)),
        "ready_rate": ready if scenario.stocking is not None else 1.0,
        "cycle_service_level": cycle_service_level(log),
        "avg_on_hand": on_hand,
        "avg_backorders": backorders,
        "lost_sales_rate": ratio(lines["lost"].sum(), demanded),
        "substitution_rate": ratio(lines["substituted"].sum(), demanded),
        "substituted_order_rate": ratio(count(orders["substituted"] > 0), len(orders)),
        "postponed_rate": ratio(count(orders["postponed"]), len(orders)),
        "cancelled_rate": ratio(count(orders["cancelled"]), len(orders)),
        "stock_wait_mean": mean((allocated_at - orders["placed"])[allocated]),
        "avg_backorder_delay": ratio(
            orders["backorder_wait"][allocated].sum(), backordered[allocated].sum()
        )
        if backordered.sum()
        else float("nan"),
    }


def _line_shares(lines: Table) -> list[tuple[str, float]]:
    """Each sku's share of the lines, largest first (ties in the skus' order)."""
    skus = lines.categories["sku"]
    counts = np.bincount(lines["sku"], minlength=len(skus))
    with np.errstate(invalid="ignore"):  # no lines: every share NaN
        shares = counts / counts.sum()
    return [(skus[code], shares[code]) for code in np.argsort(-counts, kind="stable")]


def cycle_service_level(log: RunLog, sku: str | None = None) -> float:
    """Share of replenishment cycles (arrival to arrival, per sku) without a stock-out.

    A cycle ending at an arrival had no stock-out if net inventory just before the arrival
    was >= 0 and no unit was lost since the previous arrival of that sku.
    """
    table = log.tables.replenishments
    received = table.rows(~np.isnan(table["net_before"]))
    received = received.rows(np.argsort(received["arrives"]))
    if sku is not None:
        received = received.rows(received.is_("sku", sku))
    if received.empty:
        return float("nan")
    codes, lost = received["sku"], received["lost_before"]
    lost_in_cycle = lost.copy()  # a sku's first cycle: everything lost before it
    for code in np.unique(codes):
        mine = np.flatnonzero(codes == code)
        lost_in_cycle[mine[1:]] = np.diff(lost[mine])
    no_stockout = (received["net_before"] >= 0) & (lost_in_cycle == 0)
    counted = received["arrives"] >= log.warmup
    return ratio(count(no_stockout[counted]), count(counted))


def time_and_reliability(log: RunLog, orders: Table) -> dict[str, float]:
    """Order cycle time and its spread, on-time and OTIF rates, processing and staff use."""
    delivered = orders.is_("outcome", "delivered")
    cycle = orders["cycle_time"][delivered]
    if cycle.size:
        p5, p50, p90, p95, p99 = np.percentile(cycle, CYCLE_PERCENTILES)
    else:
        p5 = p50 = p90 = p95 = p99 = float("nan")
    known = orders["known"]
    on_time, damaged = orders["on_time"], orders["damaged"]
    wrong_item, wrong_invoice = orders["wrong_item"], orders["wrong_invoice"]
    otif = (on_time & orders["in_full"])[known]
    perfect = otif & ~(damaged | wrong_item | wrong_invoice)[known]
    figures = {
        "cycle_mean": mean(cycle),
        "cycle_p50": p50,
        "cycle_p90": p90,
        "cycle_p95": p95,
        "cycle_p99": p99,
        "cycle_sd": float(np.std(cycle, ddof=1)) if cycle.size > 1 else float("nan"),
        "cycle_spread": p95 - p5,
        "on_time_rate": ratio(count(on_time[delivered]), cycle.size),
        "otif": ratio(count(otif), otif.size),
        "perfect_order_rate": ratio(count(perfect), otif.size),
        "wrong_item_rate": ratio(count(wrong_item), len(orders)),
        "invoice_error_rate": ratio(count(wrong_invoice), len(orders)),
        "expedited_rate": ratio(count(orders["expedited"]), len(orders)),
        "damage_rate": ratio(count(damaged[delivered]), cycle.size),
    }
    return figures | processing_kpis(log, orders)


def processing_kpis(log: RunLog, orders: Table) -> dict[str, float]:
    """Time from release to ready-to-ship, time queued for a clerk, and staff utilisation
    (busy share of the scheduled time: work finished after a shift's end is overtime)."""
    shipments = log.tables.shipments
    ready = shipments["ready"]
    done = order_flags(log, orders)[shipments["order"]] & (ready <= log.horizon)
    released = shipments["released"][done]
    start = shipments["start"][done]
    processing_wait = mean(start - released)
    ready = ready[done]
    processing_lead_time = mean(ready - released)
    del released  # a long run's columns one or two at a time
    ready -= start  # in place: the same differences as ready - start
    return {
        "processing_time": mean(ready),
        "processing_wait": processing_wait,
        "processing_lead_time": processing_lead_time,
        "staff_utilisation": utilisation(log),
    }


def satisfaction_kpis(orders: Table) -> dict[str, float]:
    """Mean per-order satisfaction and the share of orders at or above their threshold."""
    satisfaction = orders["satisfaction"]
    scored = ~np.isnan(satisfaction)
    return {
        "satisfaction_mean": mean(satisfaction[scored]),
        "satisfied_share": ratio(count(orders["satisfied"][scored]), count(scored)),
    }
