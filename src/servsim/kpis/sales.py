"""What the counted orders sold: revenue and the cost of the goods sold, whole and per segment.

Revenue is the price of every unit an order got (substitutes at the price of what was ordered:
the concession is ``cost_substitution``); refunds of returns are in ``cost_returns_claims``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from servsim.scenario.schema import Scenario


@dataclass(frozen=True)
class Sales:
    revenue: float
    cost_of_goods: float
    revenue_by_segment: dict[str, float]
    revenue_by_order: pd.Series
    """Revenue of each counted order (by order number)."""

    @property
    def gross_margin(self) -> float:
        return self.revenue - self.cost_of_goods


def sales(orders: pd.DataFrame, lines: pd.DataFrame, scenario: Scenario) -> Sales:
    """Revenue and cost of goods of ``orders`` (counted ones) from their ``lines``."""
    products = {product.sku: product for product in scenario.products}
    skus = list(lines["sku"].cat.categories)  # the run's skus: index by code, not by name
    price = np.asarray([products[sku].price for sku in skus], dtype=float)
    unit_cost = np.asarray([products[sku].unit_cost for sku in skus], dtype=float)
    codes = lines["sku"].cat.codes.to_numpy()
    sold = (lines["quantity"] - lines["lost"]).to_numpy()
    revenue_of_line = sold * price[codes]
    cost_of_line = sold * unit_cost[codes]
    by_order = pd.Series(revenue_of_line, index=lines["order"].to_numpy()).groupby(level=0).sum()
    segments = orders["segment"].cat.categories
    segment_codes = orders["segment"].cat.codes.reindex(by_order.index).to_numpy()
    by_segment = pd.Series(by_order.to_numpy()).groupby(segment_codes).sum()
    by_segment.index = [str(segments[code]) for code in by_segment.index]
    return Sales(
        revenue=float(np.sum(revenue_of_line)),
        cost_of_goods=float(np.sum(cost_of_line)),
        revenue_by_segment={str(name): float(value) for name, value in by_segment.items()},
        revenue_by_order=by_order,
    )
