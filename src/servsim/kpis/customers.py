"""What the customers did: who stayed, who left, how often and how much they ordered, how they
feel about the firm at the end, and what a customer is worth.

Segments without a customer base (``customers: none``) have no customers to keep or lose; with
none at all, these KPIs are NaN.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from servsim.core.catalogue import CUSTOMER_KPIS
from servsim.core.units import HOURS_PER_TIME_UNIT, HOURS_PER_YEAR
from servsim.kpis.sales import Sales
from servsim.kpis.timeavg import overlap
from servsim.model.customers import DETRACTOR, PROMOTER
from servsim.model.runlog import RunLog
from servsim.scenario.customers import CustomerBase
from servsim.scenario.demand import Segment, customer_base
from servsim.scenario.schema import Scenario


def _ratio(numerator: float, denominator: float) -> float:
    return float(numerator / denominator) if denominator else float("nan")


def order_rates(log: RunLog, scenario: Scenario) -> pd.Series:
    """Each customer's order rate when the run ended (or when it left), by row of
    ``log.customers``: its segment's rate per customer at the start x its trust's factor."""
    customers = log.customers
    rates = pd.Series(np.nan, index=customers.index)
    for name, segment in scenario.demand.segments.items():
        base = customer_base(segment)
        if base is None:
            continue
        mine = customers["segment"] == name
        per_customer = _rate_per_customer(segment, base)
        relationship = base.relationship
        factor = np.exp(
            relationship.frequency * (customers.loc[mine, "trust"] - relationship.start)
        )
        rates[mine] = per_customer * factor
    return rates


def _rate_per_customer(segment: Segment, base: CustomerBase) -> float:
    """A customer's order rate at the start: its segment's rate (pulled by credit terms) over
    the customers at the start."""
    rate = segment.order_rate
    return rate * segment.credit_pull / base.customers_at_start(rate)


def customer_kpis(
    log: RunLog, counted: pd.DataFrame, scenario: Scenario, sold: Sales
) -> dict[str, float]:
    """Retention, churn, repeat orders, spend, the promoter balance and lifetime value."""
    customers = log.customers
    if customers.empty:
        return _replayed_customer_kpis(counted, sold)
    start, end = log.warmup, log.horizon
    left = customers["left"].fillna(np.inf).to_numpy()
    joined = customers["joined"].to_numpy()
    at_warmup = (joined <= start) & (left > start)
    at_end = left > end
    heard = at_end & (customers["experiences"].to_numpy() > 0)  # who has judged the service
    churned = (left >= start) & (left <= end)
    rates = order_rates(log, scenario).to_numpy()
    trust = customers["trust"].to_numpy()
    threshold = (
        customers["segment"]
        .map(
            {
                name: scenario.satisfaction.for_segment(name).threshold
                for name in scenario.demand.segments
            }
        )
        .to_numpy(dtype=float)
    )
    ordering = counted[counted["customer"] >= 0]
    keys = [ordering["segment"].astype(str).to_numpy(), ordering["customer"].to_numpy()]
    per_customer = pd.Series(1, index=pd.MultiIndex.from_arrays(keys)).groupby(level=[0, 1]).sum()
    buyers = len(per_customer)
    gaps = _gaps(ordering)
    spend = float(sold.revenue_by_order.reindex(ordering.index).fillna(0.0).sum())
    return {
        "retention_rate": _ratio((at_warmup & at_end).sum(), at_warmup.sum()),
        "customer_base_growth": _ratio(at_end.sum(), at_warmup.sum()) - 1.0,
        "churned_customers": float(churned.sum()),
        "demand_lost_to_churn": float(np.sum((end - left[churned]) * rates[churned])),
        "repeat_order_rate": _ratio((per_customer >= 2).sum(), buyers),
        "inter_order_time_mean": float(gaps.mean()) if gaps.size else float("nan"),
        "orders_per_customer": _ratio(len(ordering), buyers),
        "spend_per_customer": _ratio(spend, buyers),
        "net_promoter_score": _ratio(
            (trust[heard] >= PROMOTER).sum() - (trust[heard] < DETRACTOR).sum(), heard.sum()
        ),
        "satisfied_customers": _ratio((trust[heard] >= threshold[heard]).sum(), heard.sum()),
        "trust_mean": float(trust[heard].mean()) if heard.any() else float("nan"),
        "customer_lifetime_value": _lifetime_value(log, scenario, sold, joined, left, churned),
    }


def _replayed_customer_kpis(counted: pd.DataFrame, sold: Sales) -> dict[str, float]:
    """Without a customer base: the KPIs of who ordered how often, from orders that carry a
    customer (a replayed history's customer column); the base's KPIs (retention, churn,
    trust, lifetime value) stay NaN, as does everything when no order has a customer."""
    kpis = dict.fromkeys(CUSTOMER_KPIS, float("nan"))
    ordering = counted[counted["customer"] >= 0]
    if ordering.empty:
        return kpis
    keys = [ordering["segment"].astype(str).to_numpy(), ordering["customer"].to_numpy()]
    per_customer = pd.Series(1, index=pd.MultiIndex.from_arrays(keys)).groupby(level=[0, 1]).sum()
    buyers = len(per_customer)
    gaps = _gaps(ordering)
    spend = float(sold.revenue_by_order.reindex(ordering.index).fillna(0.0).sum())
    kpis.update(
        repeat_order_rate=_ratio((per_customer >= 2).sum(), buyers),
        inter_order_time_mean=float(gaps.mean()) if gaps.size else float("nan"),
        orders_per_customer=_ratio(len(ordering), buyers),
        spend_per_customer=_ratio(spend, buyers),
    )
    return kpis


def _gaps(ordering: pd.DataFrame) -> np.ndarray:
    """Times between consecutive counted orders of the same customer."""
    ordered = ordering.sort_values(["segment", "customer", "placed"], kind="stable")
    same = (ordered["customer"].to_numpy()[1:] == ordered["customer"].to_numpy()[:-1]) & (
        ordered["segment"].to_numpy()[1:] == ordered["segment"].to_numpy()[:-1]
    )
    return np.diff(ordered["placed"].to_numpy())[same]


def _lifetime_value(
    log: RunLog,
    scenario: Scenario,
    sold: Sales,
    joined: np.ndarray,
    left: np.ndarray,
    churned: np.ndarray,
) -> float:
    """A customer's margin per year / (its chance of leaving per year + the cost of capital):
    the present value of a customer who earns today's margin and leaves at today's rate."""
    years_per_unit = HOURS_PER_TIME_UNIT[scenario.time_unit] / HOURS_PER_YEAR
    customer_years = overlap(joined, np.minimum(left, log.horizon), log.warmup, log.horizon)
    customer_years *= years_per_unit
    if customer_years <= 0:
        return float("nan")
    margin = sold.gross_margin * _share_with_customers(sold, log)
    margin_per_year = margin / customer_years
    leaving_per_year = churned.sum() / customer_years
    return float(margin_per_year / (leaving_per_year + scenario.costs.cost_of_capital))


def _share_with_customers(sold: Sales, log: RunLog) -> float:
    """The share of revenue that came from orders of a customer base."""
    by_order = sold.revenue_by_order
    if not by_order.sum():
        return 0.0
    with_customer = log.orders["customer"].reindex(by_order.index).to_numpy() >= 0
    return float(by_order[with_customer].sum() / by_order.sum())


def future_margin_lost(
    log: RunLog, counted: pd.DataFrame, scenario: Scenario, sold: Sales
) -> float:
    """The margin the run's service cost the future: orders churned customers would have
    placed, and orders customers now place less often than at the start, over each segment's
    value horizon, at the run's margin per order (``cost_goodwill``)."""
    customers = log.customers
    if customers.empty or counted.empty:
        return 0.0
    margin_per_order = sold.gross_margin / len(counted)
    rates = order_rates(log, scenario)
    lost_orders = 0.0
    start, end = log.warmup, log.horizon
    for name, segment in scenario.demand.segments.items():
        base = customer_base(segment)
        if base is None:
            continue
        mine = (customers["segment"] == name).to_numpy()
        left = customers["left"].to_numpy()
        churned = mine & (left >= start) & (left <= end)
        active = mine & np.isnan(left)
        per_customer = _rate_per_customer(segment, base)
        slower = np.clip(per_customer - rates.to_numpy()[active], 0.0, None)
        lost_orders += base.value_horizon * (rates.to_numpy()[churned].sum() + slower.sum())
    return float(max(lost_orders * margin_per_order, 0.0))
