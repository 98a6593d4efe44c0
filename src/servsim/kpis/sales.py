"""What the counted orders sold: revenue and the cost of the goods sold, whole and per segment.

Revenue is the price of every unit an order got (substitutes at the price of what was ordered:
the concession is ``cost_substitution``); refunds of returns are in ``cost_returns_claims``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from servsim.kpis.ratios import sum_by_order
from servsim.model.table import Table
from servsim.scenario.schema import Scenario


@dataclass(frozen=True)
class Sales:
    revenue: float
    cost_of_goods: float
    revenue_by_segment: dict[str, float]
    selling_orders: np.ndarray
    """The counted orders that sold something (by order number, ascending)."""
    revenue_by_order: np.ndarray
    """Revenue of each of ``selling_orders``."""

    @property
    def gross_margin(self) -> float:
        return self.revenue - self.cost_of_goods

    def revenue_of(self, orders: np.ndarray, count: int) -> np.ndarray:
        """Revenue of each of ``orders`` (order numbers of a log of ``count`` orders; 0 for an
        order that sold nothing)."""
        revenue = np.zeros(count)
        revenue[self.selling_orders] = self.revenue_by_order
        return revenue[orders]


def sales(orders: Table, lines: Table, scenario: Scenario) -> Sales:
    """Revenue and cost of goods of ``orders`` (counted ones) from their ``lines``."""
    products = {product.sku: product for product in scenario.products}
    skus = lines.categories["sku"]  # the run's skus: index by code, not by name
    price = np.asarray([products[sku].price for sku in skus], dtype=float)
    unit_cost = np.asarray([products[sku].unit_cost for sku in skus], dtype=float)
    codes = lines["sku"]
    sold = lines["quantity"] - lines["lost"]
    cost_of_goods = float(np.sum(sold * unit_cost[codes]))
    revenue_of_line = sold * price[codes]
    del sold  # a long run's line columns one or two at a time
    revenue = float(np.sum(revenue_of_line))
    by_order = sum_by_order(revenue_of_line, lines["order"])
    del revenue_of_line
    selling = by_order.index.to_numpy()
    segment_codes = orders["segment"][np.searchsorted(orders.index, selling)]
    by_segment = by_order.groupby(segment_codes).sum()
    segments = orders.categories["segment"]
    return Sales(
        revenue=revenue,
        cost_of_goods=cost_of_goods,
        revenue_by_segment={segments[code]: float(value) for code, value in by_segment.items()},
        selling_orders=selling,
        revenue_by_order=by_order.to_numpy(),
    )
