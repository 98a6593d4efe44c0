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
    price = {product.sku: product.price for product in scenario.products}
    unit_cost = {product.sku: product.unit_cost for product in scenario.products}
    sold = (lines["quantity"] - lines["lost"]).to_numpy()
    skus = lines["sku"].astype(str)
    revenue_of_line = sold * skus.map(price).to_numpy(dtype=float)
    cost_of_line = sold * skus.map(unit_cost).to_numpy(dtype=float)
    by_order = pd.Series(revenue_of_line, index=lines["order"].to_numpy()).groupby(level=0).sum()
    segment_of = orders["segment"].astype(str)
    by_segment = by_order.groupby(segment_of.reindex(by_order.index).to_numpy()).sum()
    return Sales(
        revenue=float(np.sum(revenue_of_line)),
        cost_of_goods=float(np.sum(cost_of_line)),
        revenue_by_segment={str(name): float(value) for name, value in by_segment.items()},
        revenue_by_order=by_order,
    )
