"""The KPIs of ``servsim.core.catalogue`` as pure functions of a run's log.

Orders placed before the warm-up are simulated but not counted; time-averages start at the
warm-up. A KPI with nothing to measure (no late orders, no backorders) is NaN, not 0, and so
is a KPI of a part of the business the scenario does not model (complaints, returns...).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from servsim.core.catalogue import STAGE_KPIS
from servsim.kpis.aftersales import after_sale_kpis
from servsim.kpis.costs import cost_kpis
from servsim.kpis.customers import customer_kpis
from servsim.kpis.labour import utilisation
from servsim.kpis.network import network_costs, network_kpis
from servsim.kpis.profit import profit_kpis
from servsim.kpis.sales import sales
from servsim.kpis.satisfaction import scored_orders
from servsim.kpis.stock_levels import all_sku_levels
from servsim.model.runlog import RunLog
from servsim.scenario.schema import Scenario

CYCLE_PERCENTILES = (5, 50, 90, 95, 99)


def compute_kpis(
    log: RunLog, scenario: Scenario, orders: pd.DataFrame | None = None
) -> dict[str, float]:
    """One row of KPIs for one replication; ``orders`` are its ``scored_orders``, when the
    caller already has them."""
    orders = scored_orders(log, scenario) if orders is None else orders
    counted = orders[orders["counted"]]
    lines = log.lines[log.lines["order"].isin(counted.index)]
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
        "cost_per_order": _ratio(costs["cost_total"] + sum(extra.values()), len(counted)),
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


def only_modelled(figures: Mapping[str, float], scenario: Scenario) -> dict[str, float]:
    """The figures with those of every part of the business the scenario does not model
    (``servsim.core.catalogue.STAGES``) set to NaN: 0 would say it was measured and found
    none. Decided from the scenario, never from the run."""
    modelled = scenario.modelled_stages
    absent = {kpi for stage, kpis in STAGE_KPIS.items() if stage not in modelled for kpi in kpis}
    return {name: float("nan") if name in absent else value for name, value in figures.items()}


def _ratio(numerator: float, denominator: float) -> float:
    return float(numerator / denominator) if denominator else float("nan")


def _mean(values: np.ndarray | pd.Series) -> float:
    return float(np.mean(values)) if len(values) else float("nan")


def availability(
    log: RunLog,
    orders: pd.DataFrame,
    lines: pd.DataFrame,
    scenario: Scenario,
    levels: dict[str, dict[str, float]],
) -> dict[str, float]:
    """Fill rates, ready rate, cycle service level, stock and backorder levels, lost sales."""
    demanded = lines["quantity"].sum()
    line_share = lines["sku"].value_counts(normalize=True)
    ready = sum(share * levels[str(sku)]["ready_rate"] for sku, share in line_share.items())
    on_hand = sum(level["avg_on_hand"] for level in levels.values())
    backorders = sum(level["avg_backorders"] for level in levels.values())
    allocated = orders["allocated"].notna()
    return {
        "unit_fill_rate": _ratio(lines["filled"].sum(), demanded),
        "line_fill_rate": _ratio((lines["filled"] == lines["quantity"]).sum(), len(lines)),
        "order_fill_rate": _ratio((orders["filled"] == orders["quantity"]).sum(), len(orders)),
        "ready_rate": ready if scenario.stocking is not None else 1.0,
        "cycle_service_level": cycle_service_level(log),
        "avg_on_hand": on_hand,
        "avg_backorders": backorders,
        "lost_sales_rate": _ratio(lines["lost"].sum(), demanded),
        "substitution_rate": _ratio(lines["substituted"].sum(), demanded),
        "substituted_order_rate": _ratio((orders["substituted"] > 0).sum(), len(orders)),
        "postponed_rate": _ratio(orders["postponed"].sum(), len(orders)),
        "cancelled_rate": _ratio(orders["cancelled"].sum(), len(orders)),
        "stock_wait_mean": _mean((orders["allocated"] - orders["placed"])[allocated]),
        "avg_backorder_delay": _ratio(
            orders.loc[allocated, "backorder_wait"].sum(),
            orders.loc[allocated, "backordered"].sum(),
        )
        if orders["backordered"].sum()
        else float("nan"),
    }


def cycle_service_level(log: RunLog, sku: str | None = None) -> float:
    """Share of replenishment cycles (arrival to arrival, per sku) without a stock-out.

    A cycle ending at an arrival had no stock-out if net inventory just before the arrival
    was >= 0 and no unit was lost since the previous arrival of that sku.
    """
    received = log.replenishments.dropna(subset=["net_before"]).sort_values("arrives")
    if sku is not None:
        received = received[received["sku"] == sku]
    if received.empty:
        return float("nan")
    lost_in_cycle = received.groupby("sku", observed=True)["lost_before"].diff()
    first_cycle = lost_in_cycle.isna()
    lost_in_cycle[first_cycle] = received.loc[first_cycle, "lost_before"]
    no_stockout = (received["net_before"] >= 0) & (lost_in_cycle == 0)
    counted = received["arrives"] >= log.warmup
    return _ratio(no_stockout[counted].sum(), counted.sum())


def time_and_reliability(log: RunLog, orders: pd.DataFrame) -> dict[str, float]:
    """Order cycle time and its spread, on-time and OTIF rates, processing and staff use."""
    delivered = orders[orders["outcome"] == "delivered"]
    cycle = delivered["cycle_time"].to_numpy()
    if cycle.size:
        p5, p50, p90, p95, p99 = np.percentile(cycle, CYCLE_PERCENTILES)
    else:
        p5 = p50 = p90 = p95 = p99 = float("nan")
    known = orders[orders["known"]]
    otif = known["on_time"] & known["in_full"]
    figures = {
        "cycle_mean": _mean(cycle),
        "cycle_p50": p50,
        "cycle_p90": p90,
        "cycle_p95": p95,
        "cycle_p99": p99,
        "cycle_sd": float(np.std(cycle, ddof=1)) if cycle.size > 1 else float("nan"),
        "cycle_spread": p95 - p5,
        "on_time_rate": _ratio(delivered["on_time"].sum(), len(delivered)),
        "otif": _ratio(otif.sum(), len(known)),
        "perfect_order_rate": _ratio(
            (otif & ~known["damaged"] & ~known["wrong_item"] & ~known["wrong_invoice"]).sum(),
            len(known),
        ),
        "wrong_item_rate": _ratio(orders["wrong_item"].sum(), len(orders)),
        "invoice_error_rate": _ratio(orders["wrong_invoice"].sum(), len(orders)),
        "expedited_rate": _ratio(orders["expedited"].sum(), len(orders)),
        "damage_rate": _ratio(delivered["damaged"].sum(), len(delivered)),
    }
    return figures | processing_kpis(log, orders)


def processing_kpis(log: RunLog, orders: pd.DataFrame) -> dict[str, float]:
    """Time from release to ready-to-ship, time queued for a clerk, and staff utilisation
    (busy share of the scheduled time: work finished after a shift's end is overtime)."""
    shipments = log.shipments
    counted = np.isin(shipments["order"].to_numpy(), orders.index.to_numpy())
    done = counted & (shipments["ready"] <= log.horizon).to_numpy()
    released = shipments["released"].to_numpy()[done]
    ready = shipments["ready"].to_numpy()[done]
    start = shipments["start"].to_numpy()[done]
    return {
        "processing_time": _mean(ready - start),
        "processing_wait": _mean(start - released),
        "processing_lead_time": _mean(ready - released),
        "staff_utilisation": utilisation(log),
    }


def satisfaction_kpis(orders: pd.DataFrame) -> dict[str, float]:
    """Mean per-order satisfaction and the share of orders at or above their threshold."""
    scored = orders["satisfaction"].notna()
    return {
        "satisfaction_mean": _mean(orders["satisfaction"][scored].to_numpy()),
        "satisfied_share": _ratio(orders["satisfied"][scored].sum(), scored.sum()),
    }
