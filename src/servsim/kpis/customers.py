"""What the customers did: who stayed, who left, how often and how much they ordered, how they
feel about the firm at the end, and what a customer is worth.

Segments without a customer base (``customers: none``) have no customers to keep or lose; with
none at all, these KPIs are NaN.
"""

from __future__ import annotations

import numpy as np

from servsim.core.kpi_columns import CUSTOMER_KPIS
from servsim.core.units import HOURS_PER_TIME_UNIT, HOURS_PER_YEAR
from servsim.kpis.ratios import count, ratio
from servsim.kpis.sales import Sales
from servsim.kpis.satisfaction import thresholds
from servsim.kpis.timeavg import overlap
from servsim.model.customers import DETRACTOR, PROMOTER
from servsim.model.runlog import RunLog
from servsim.model.table import Table
from servsim.scenario.customers import CustomerBase
from servsim.scenario.demand import Segment, customer_base
from servsim.scenario.schema import Scenario


def order_rates(log: RunLog, scenario: Scenario) -> np.ndarray:
    """Each customer's order rate when the run ended (or when it left), by row of
    ``log.customers``: its segment's rate per customer at the start x its trust's factor."""
    customers = log.tables.customers
    rates = np.full(len(customers), np.nan)
    trust = customers["trust"]
    for name, segment in scenario.demand.segments.items():
        base = customer_base(segment)
        if base is None:
            continue
        mine = customers.is_("segment", name)
        per_customer = _rate_per_customer(segment, base)
        relationship = base.relationship
        factor = np.exp(relationship.frequency * (trust[mine] - relationship.start))
        rates[mine] = per_customer * factor
    return rates


def _rate_per_customer(segment: Segment, base: CustomerBase) -> float:
    """A customer's order rate at the start: its segment's rate (pulled by credit terms) over
    the customers at the start."""
    rate = segment.order_rate
    return rate * segment.credit_pull / base.customers_at_start(rate)


def customer_kpis(log: RunLog, counted: Table, scenario: Scenario, sold: Sales) -> dict[str, float]:
    """Retention, churn, repeat orders, spend, the promoter balance and lifetime value."""
    customers = log.tables.customers
    kpis = dict.fromkeys(CUSTOMER_KPIS, float("nan"))
    kpis.update(_buyer_kpis(log, counted, sold))
    if customers.empty:  # no base: only who ordered how often, from a history's customers
        return kpis
    start, end = log.warmup, log.horizon
    left = np.nan_to_num(customers["left"], nan=np.inf)
    joined = customers["joined"]
    at_warmup = (joined <= start) & (left > start)
    at_end = left > end
    heard = at_end & (customers["experiences"] > 0)  # who has judged the service
    churned = (left >= start) & (left <= end)
    rates = order_rates(log, scenario)
    trust = customers["trust"]
    threshold = customers.mapped("segment", thresholds(scenario))
    listened = trust[heard]
    kpis.update(
        retention_rate=ratio(count(at_warmup & at_end), count(at_warmup)),
        customer_base_growth=ratio(count(at_end), count(at_warmup)) - 1.0,
        churned_customers=float(count(churned)),
        demand_lost_to_churn=float(np.sum((end - left[churned]) * rates[churned])),
        net_promoter_score=ratio(
            count(listened >= PROMOTER) - count(listened < DETRACTOR),
            listened.size,
        ),
        satisfied_customers=ratio(count(listened >= threshold[heard]), listened.size),
        trust_mean=float(listened.mean()) if listened.size else float("nan"),
        customer_lifetime_value=_lifetime_value(log, scenario, sold, joined, left, churned),
    )
    return kpis


def _buyer_kpis(log: RunLog, counted: Table, sold: Sales) -> dict[str, float]:
    """Who ordered how often, from the counted orders that carry a customer (of a base, or a
    replayed history's customer column); nothing when none does."""
    ordering = counted.rows(counted["customer"] >= 0)
    if ordering.empty:
        return {}
    segment, customer = ordering["segment"], ordering["customer"]
    _, per_customer = np.unique(
        segment.astype(np.int64) * (int(customer.max()) + 1) + customer, return_counts=True
    )
    buyers = per_customer.size
    ordered = np.lexsort((ordering["placed"], customer, segment))  # stable, as pandas sorted
    same = (customer[ordered][1:] == customer[ordered][:-1]) & (
        segment[ordered][1:] == segment[ordered][:-1]
    )
    gaps = np.diff(ordering["placed"][ordered])[same]
    spend = float(np.sum(sold.revenue_of(ordering.index, len(log.tables.orders))))
    return {
        "repeat_order_rate": ratio(count(per_customer >= 2), buyers),
        "inter_order_time_mean": float(gaps.mean()) if gaps.size else float("nan"),
        "orders_per_customer": ratio(len(ordering), buyers),
        "spend_per_customer": ratio(spend, buyers),
    }


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
    leaving_per_year = count(churned) / customer_years
    return float(margin_per_year / (leaving_per_year + scenario.costs.cost_of_capital))


def _share_with_customers(sold: Sales, log: RunLog) -> float:
    """The share of revenue that came from orders of a customer base."""
    by_order = sold.revenue_by_order
    total = np.sum(by_order)
    if not total:
        return 0.0
    with_customer = log.tables.orders["customer"][sold.selling_orders] >= 0
    return float(np.sum(by_order[with_customer]) / total)


def future_margin_lost(log: RunLog, counted: Table, scenario: Scenario, sold: Sales) -> float:
    """The margin the run's service cost the future: orders churned customers would have
    placed, and orders customers now place less often than at the start, over each segment's
    value horizon, at the run's margin per order (``cost_goodwill``)."""
    customers = log.tables.customers
    if customers.empty or counted.empty:
        return 0.0
    margin_per_order = sold.gross_margin / len(counted)
    rates = order_rates(log, scenario)
    lost_orders = 0.0
    start, end = log.warmup, log.horizon
    left = customers["left"]
    for name, segment in scenario.demand.segments.items():
        base = customer_base(segment)
        if base is None:
            continue
        mine = customers.is_("segment", name)
        churned = mine & (left >= start) & (left <= end)
        active = mine & np.isnan(left)
        per_customer = _rate_per_customer(segment, base)
        slower = np.clip(per_customer - rates[active], 0.0, None)
        lost_orders += base.value_horizon * (rates[churned].sum() + slower.sum())
    return float(max(lost_orders * margin_per_order, 0.0))
