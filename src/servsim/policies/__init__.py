"""Policies: small strategy objects, one per decision, chosen once when a scenario is built."""

from servsim.policies.replenishment import (
    BaseStock,
    ForecastOrderUpTo,
    MinMax,
    PeriodicReview,
    ReorderPointQuantity,
    ReplenishmentPolicy,
)
from servsim.policies.stockout import (
    Backorder,
    Fate,
    LoseSale,
    PartialShipment,
    Postpone,
    StockoutPolicy,
)

__all__ = [
    "Backorder",
    "BaseStock",
    "Fate",
    "ForecastOrderUpTo",
    "LoseSale",
    "MinMax",
    "PartialShipment",
    "PeriodicReview",
    "Postpone",
    "ReorderPointQuantity",
    "ReplenishmentPolicy",
    "StockoutPolicy",
]
