"""Cost accounting over the measurement window, each term a separate column.

Rates are quoted in the units their names state (holding per year, backorder penalty per
unit per day, wages per hour) and converted to the scenario's time unit here.
"""

from __future__ import annotations

import numpy as np

from servsim.core.units import (
    per_day_to_per_time_unit,
    per_hour_to_per_time_unit,
    per_year_to_per_time_unit,
)
from servsim.kpis.aftersales import after_sale_costs
from servsim.kpis.customers import future_margin_lost
from servsim.kpis.labour import overtime_clerk_time, scheduled_clerk_time
from servsim.kpis.ratios import sum_by_order
from servsim.kpis.sales import Sales
from servsim.model.runlog import RunLog
from servsim.model.table import Table
from servsim.scenario.schema import Scenario


def cost_kpis(
    log: RunLog,
    orders: Table,
    lines: Table,
    scenario: Scenario,
    levels: dict[str, dict[str, float]],
    sold: Sales,
) -> dict[str, float]:
    """Every cost term, cost_total and cost_per_order for the window [warmup, horizon];
    ``levels`` are the run's ``stock_levels.all_sku_levels``, ``sold`` what the orders sold."""
    rates = scenario.costs
    processing = scenario.processing
    overtime_wage = (  # work finished after a shift's end is paid: at the overtime wage, if any
        processing.overtime.wage if processing and processing.overtime else rates.staff_wage
    )
    unit = scenario.time_unit
    start, end = log.warmup, log.horizon
    unit_cost = {product.sku: product.unit_cost for product in scenario.products}
    margin = {product.sku: product.price - product.unit_cost for product in scenario.products}

    window = end - start
    holding = window * sum(unit_cost[sku] * level["avg_on_hand"] for sku, level in levels.items())
    backorder_unit_time = window * sum(level["avg_backorders"] for level in levels.values())

    replenishments = log.tables.replenishments
    placed = replenishments.rows(replenishments["ordered"] >= start)
    emergency = placed["emergency"]
    purchase = float(np.sum(placed["quantity"] * placed.mapped("sku", unit_cost)))
    if log.network is not None:  # what a location orders from another is no purchase
        supplies = log.network.supplies
        bought = supplies[supplies["ordered"] >= start]
        purchase = float(
            np.sum(
                np.concatenate(
                    [
                        bought["quantity"].to_numpy()
                        * bought["sku"].map(unit_cost).astype(float).to_numpy(),
                        placed["quantity"][emergency] * placed.mapped("sku", unit_cost)[emergency],
                    ]
                )
            )
        )
    shipments = log.tables.shipments
    shipped = shipments["dispatched"]
    dispatched = shipments.rows((shipped >= start) & (shipped <= end))
    transport, expedite, damage = _carrier_costs(dispatched, log, scenario)
    lost_units = lines["lost"]
    # a plain sum of products: np.dot's last digits depend on the BLAS thread count
    lost_margin = float(np.sum(lost_units * lines.mapped("sku", margin)))

    terms = {
        "cost_holding": per_year_to_per_time_unit(rates.holding_rate, unit) * holding,
        "cost_ordering": rates.order_cost * int(np.count_nonzero(~emergency)),
        "cost_emergency": _emergency_cost(placed, scenario),
        "cost_purchase": purchase,
        "cost_processing_labour": per_hour_to_per_time_unit(rates.staff_wage, unit)
        * scheduled_clerk_time(log),
        "cost_overtime": per_hour_to_per_time_unit(overtime_wage, unit) * overtime_clerk_time(log)
        if overtime_wage
        else 0.0,
        "cost_transport": transport,
        "cost_expedite": expedite,
        "cost_damage": damage,
        "cost_backorder_penalty": per_day_to_per_time_unit(rates.backorder_penalty, unit)
        * backorder_unit_time,
        "cost_lost_margin": lost_margin,
        "cost_lost_sale_penalty": rates.lost_sale_penalty * float(lost_units.sum()),
        "cost_substitution": _substitution_cost(lines, scenario),
        **after_sale_costs(log, orders, scenario),
        "cost_guarantee": _guarantee_cost(orders, lines, scenario),
        "cost_credit": _credit_cost(sold, scenario, end - start),
        "cost_goodwill": future_margin_lost(log, orders, scenario, sold),
    }
    total = float(sum(terms.values()))
    return terms | {
        "cost_total": total,
        "cost_per_order": total / len(orders) if len(orders) else float("nan"),
    }


def _guarantee_cost(orders: Table, lines: Table, scenario: Scenario) -> float:
    """What a delivery guarantee paid back: ``refund`` of the value of each order delivered
    later than its first promise plus ``after``."""
    guarantee = scenario.delivery.guarantee
    if guarantee is None or orders.empty:
        return 0.0
    price = lines.mapped("sku", {p.sku: p.price for p in scenario.products})
    ordered = (lines["quantity"] - lines["declined"]) * price
    value = sum_by_order(ordered, lines["order"])
    late = orders["delivered"] - orders["first_promise"] > guarantee.after
    return float(guarantee.refund * value.reindex(orders.index[late]).fillna(0.0).sum())


def _credit_cost(sold: Sales, scenario: Scenario, window: float) -> float:
    """Trade credit: receivables financed at the cost of capital for the days customers take
    to pay, and the bad debts never paid."""
    capital_per_day = scenario.costs.cost_of_capital / 365.0
    cost = 0.0
    for name, segment in scenario.demand.segments.items():
        terms = segment.payment
        revenue = sold.revenue_by_segment.get(name, 0.0)
        cost += revenue * (terms.days * capital_per_day + terms.bad_debt)
    return cost


def _substitution_cost(lines: Table, scenario: Scenario) -> float:
    """The price differences conceded on substituted units."""
    if scenario.stocking is None or not scenario.stocking.substitutes:
        return 0.0
    concession = {
        (sku, offer.sku): offer.price_difference
        for sku, offers in scenario.stocking.substitutes.items()
        for offer in offers
    }
    served = lines.rows(lines["substituted"] > 0)
    skus = lines.categories["sku"]
    pairs = zip(served["sku"], served["substitute"], strict=True)
    return float(
        sum(
            concession[skus[sku], skus[substitute]] * units
            for (sku, substitute), units in zip(pairs, served["substituted"], strict=True)
        )
    )


def _carrier_costs(
    dispatched: Table, log: RunLog, scenario: Scenario
) -> tuple[float, float, float]:
    """Transport at each shipment's planned mode; the extra of expedited ones; damage."""
    modes = list(scenario.delivery.modes.values())
    names = list(scenario.delivery.modes)
    cost_of = np.asarray([mode.cost_per_shipment for mode in modes])
    damage_of = np.asarray([mode.damage_cost for mode in modes])
    planned_of_segment = np.asarray(
        [names.index(scenario.mode_of(seg.tier)) for seg in scenario.demand.segments.values()]
    )
    segment = log.tables.orders["segment"][dispatched["order"]]
    actual = dispatched["mode"]
    planned_cost = cost_of[planned_of_segment[segment]]
    actual_cost = cost_of[actual]
    expedited = dispatched["expedited"]
    return (
        float(planned_cost.sum()),
        float((actual_cost - planned_cost)[expedited].sum()),
        float(damage_of[actual][dispatched["damaged"]].sum()),
    )


def _emergency_cost(placed: Table, scenario: Scenario) -> float:
    """Emergency orders: their own order cost and the premium per unit over unit_cost."""
    rushed = placed.rows(placed["emergency"])
    if rushed.empty or scenario.stocking is None:
        return 0.0
    terms = {
        sku: item.emergency
        for sku, item in scenario.stocking.items.items()
        if item.emergency is not None
    }
    per_order = rushed.mapped("sku", {s: e.order_cost for s, e in terms.items()})
    per_unit = rushed.mapped("sku", {s: e.unit_premium for s, e in terms.items()})
    return float(np.nansum(per_order) + np.nansum(per_unit * rushed["quantity"]))
