"""Retention KPIs and the goodwill cost of churned customers.

Only segments with a finite customer base (``customers:``) have customers to keep or lose;
without any, the KPIs are NaN and the goodwill cost is 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from servsim.model.runlog import RunLog
from servsim.scenario.schema import Scenario


def _churned(log: RunLog) -> pd.DataFrame:
    customers = log.customers
    return customers[customers["left"].between(log.warmup, log.horizon)]


def _order_rates(log: RunLog, scenario: Scenario) -> pd.Series:
    """Per churned customer, the rate at which it ordered (its segment's rate / base)."""
    rate = {
        name: segment.arrivals.rate / segment.customers.base
        for name, segment in scenario.demand.segments.items()
        if segment.customers is not None
    }
    return _churned(log)["segment"].astype(str).map(rate).astype(float)


def retention_kpis(log: RunLog, scenario: Scenario) -> dict[str, float]:
    """The customers active at warm-up end who still are at the end (a share: newcomers are not
    counted); churned; orders churn cost in the run."""
    customers = log.customers
    if customers.empty:
        nan = float("nan")
        return {"retention_rate": nan, "churned_customers": nan, "demand_lost_to_churn": nan}
    left = customers["left"].fillna(np.inf)
    active = (customers["joined"] <= log.warmup) & (left > log.warmup)
    at_warmup = active.sum()
    at_end = (active & (left > log.horizon)).sum()  # the same customers: new ones join later
    churned = _churned(log)
    return {
        "retention_rate": float(at_end / at_warmup) if at_warmup else float("nan"),
        "churned_customers": float(len(churned)),
        "demand_lost_to_churn": float(
            np.sum(
                (log.horizon - churned["left"].to_numpy()) * _order_rates(log, scenario).to_numpy()
            )
        ),
    }


def goodwill_cost(log: RunLog, orders: pd.DataFrame, scenario: Scenario) -> float:
    """The margin churned customers would have brought over their segment's value horizon."""
    churned = _churned(log)
    if churned.empty or orders.empty:
        return 0.0
    horizon = {
        name: segment.customers.value_horizon
        for name, segment in scenario.demand.segments.items()
        if segment.customers is not None
    }
    value_horizon = churned["segment"].astype(str).map(horizon).astype(float).to_numpy()
    margin_per_order = _margin_per_order(log, orders, scenario)
    future_orders = _order_rates(log, scenario).to_numpy() * value_horizon
    return float(np.sum(future_orders) * margin_per_order)


def _margin_per_order(log: RunLog, orders: pd.DataFrame, scenario: Scenario) -> float:
    margin = {product.sku: product.price - product.unit_cost for product in scenario.products}
    lines = log.lines[log.lines["order"].isin(orders.index)]
    sold = lines["quantity"] - lines["lost"]
    return float(
        np.sum(sold.to_numpy() * lines["sku"].astype(str).map(margin).to_numpy(float))
    ) / len(orders)
