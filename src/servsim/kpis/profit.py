"""Money: revenue, gross margin and profit over the measured window.

Profit is the gross margin less every cost the firm pays in the window. Three cost terms stay
out of it: ``cost_purchase`` (the goods bought are in the cost of goods sold when sold),
``cost_lost_margin`` (a sale never made brings no revenue to begin with) and ``cost_goodwill``
(future margin, not this window's).
"""

from __future__ import annotations

from collections.abc import Mapping

from servsim.core.kpi_columns import COST_TERMS
from servsim.kpis.sales import Sales

NOT_PAID_IN_THE_WINDOW = ("cost_purchase", "cost_lost_margin", "cost_goodwill")


def profit_kpis(sold: Sales, costs: Mapping[str, float], orders: int) -> dict[str, float]:
    """Revenue, gross margin, profit and profit per order."""
    paid = sum(  # a network's cost terms only where there is one
        costs.get(term, 0.0) for term in COST_TERMS if term not in NOT_PAID_IN_THE_WINDOW
    )
    profit = sold.gross_margin - paid
    return {
        "revenue": sold.revenue,
        "gross_margin": sold.gross_margin,
        "profit": profit,
        "profit_per_order": profit / orders if orders else float("nan"),
    }
