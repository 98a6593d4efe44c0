"""Policies: small strategy objects, one per decision, chosen once when a scenario is built."""

from servsim.policies.replenishment import (
    BaseStock,
    MinMax,
    PeriodicReview,
    ReorderPointQuantity,
    ReplenishmentPolicy,
)
from servsim.policies.stockout import Backorder, LoseSale, PartialShipment, StockoutPolicy

__all__ = [
    "Backorder",
    "BaseStock",
    "LoseSale",
    "MinMax",
    "PartialShipment",
    "PeriodicReview",
    "ReorderPointQuantity",
    "ReplenishmentPolicy",
    "StockoutPolicy",
]
