"""KPI tables for people: grouping, labels and number formats shared by the CLI."""

from __future__ import annotations

import math
from typing import TypeVar

import numpy as np

from servsim.aftersales import AFTER_SALE_KPIS
from servsim.costs import COST_TERMS
from servsim.retention import RETENTION_KPIS
from servsim.standards import split_column

KPI_GROUPS: dict[str, tuple[str, ...]] = {
    "Availability": (
        "unit_fill_rate",
        "line_fill_rate",
        "order_fill_rate",
        "ready_rate",
        "cycle_service_level",
        "avg_on_hand",
        "avg_backorders",
        "lost_sales_rate",
        "substitution_rate",
        "substituted_order_rate",
        "postponed_rate",
        "cancelled_rate",
        "stock_wait_mean",
        "avg_backorder_delay",
    ),
    "Time and reliability": (
        "cycle_mean",
        "cycle_p50",
        "cycle_p90",
        "cycle_p95",
        "cycle_p99",
        "cycle_sd",
        "cycle_spread",
        "on_time_rate",
        "otif",
        "perfect_order_rate",
        "expedited_rate",
        "damage_rate",
        "wrong_item_rate",
        "invoice_error_rate",
        "processing_time",
        "processing_wait",
        "staff_utilisation",
    ),
    "After the sale": AFTER_SALE_KPIS,
    "Satisfaction": ("satisfaction_mean", "satisfied_share", *RETENTION_KPIS),
    "Cost": (*COST_TERMS, "cost_total", "cost_per_order"),
    "Volume": ("orders",),
}

SEGMENT_KPIS: tuple[str, ...] = (
    "orders",
    "unit_fill_rate",
    "line_fill_rate",
    "order_fill_rate",
    "lost_sales_rate",
    *(kpi for kpi in KPI_GROUPS["Time and reliability"] if kpi != "staff_utilisation"),
    *AFTER_SALE_KPIS,
    "satisfaction_mean",
    "satisfied_share",
)
"""KPIs measured per customer segment (``servsim.breakdowns``): those of its orders. Stock,
staff, retention and cost figures belong to the whole business."""

RATES = {
    "unit_fill_rate",
    "line_fill_rate",
    "order_fill_rate",
    "ready_rate",
    "cycle_service_level",
    "lost_sales_rate",
    "substitution_rate",
    "substituted_order_rate",
    "postponed_rate",
    "cancelled_rate",
    "on_time_rate",
    "otif",
    "perfect_order_rate",
    "expedited_rate",
    "damage_rate",
    "wrong_item_rate",
    "invoice_error_rate",
    "staff_utilisation",
    "satisfied_share",
    "complaint_rate",
    "claim_rate",
    "return_rate",
    "notified_delay_rate",
    "snag_rate",
    "repair_rate",
    "retention_rate",
}

DURATIONS = {
    "cycle_mean",
    "cycle_p50",
    "cycle_p90",
    "cycle_p95",
    "cycle_p99",
    "cycle_sd",
    "cycle_spread",
    "processing_time",
    "processing_wait",
    "stock_wait_mean",
    "avg_backorder_delay",
    "resolution_time_mean",
    "resolution_time_p90",
    "install_wait_mean",
}
"""KPIs measured in the scenario's time unit (a standard's target on them may carry a unit)."""


WITHIN_ZERO_AND_ONE = {*RATES, "satisfaction_mean"}
"""KPIs that cannot be below 0 or above 1: the rates and the mean satisfaction score."""

Bound = TypeVar("Bound", float, np.ndarray)


def possible_interval(kpi: str, lo: Bound, hi: Bound) -> tuple[Bound, Bound]:
    """A confidence interval cut to what the KPI can be: a rate or a score within 0..1.

    A t interval of a rate near 1 over few replications can reach past 100%; the mean cannot,
    so the cut interval covers it as often and reads sensibly. Summaries keep the t interval.
    """
    if split_column(kpi)[0] in WITHIN_ZERO_AND_ONE:
        return np.maximum(lo, 0.0), np.minimum(hi, 1.0)
    return lo, hi


def format_value(kpi: str, value: float) -> str:
    """Rates as percentages, money and levels with sensible precision; NaN as a dash."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    kpi = split_column(kpi)[0]  # a segment's KPI (``otif[trade]``) reads as the KPI does
    if kpi in RATES:
        return f"{100 * value:.2f}%"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3f}"
