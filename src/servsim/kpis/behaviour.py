"""Customer behaviour measured from an order log, the way field studies measure it.

Each function takes ``Results.orders`` (or a run's classified orders): one row per order with
its ``replication``, ``segment``, ``customer``, ``placed`` and outcome columns. A customer is
identified by (replication, segment, customer); orders of no customer base (customer -1) are
left out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

CUSTOMER_KEYS = ["replication", "segment", "customer"]


def _by_customer(orders: pd.DataFrame) -> pd.DataFrame:
    """Orders of a customer base, sorted by customer then time, with a customer number."""
    mine = orders[orders["customer"] >= 0].copy()
    if "replication" not in mine.columns:
        mine["replication"] = 0
    mine["segment"] = mine["segment"].astype(str)
    mine = mine.sort_values([*CUSTOMER_KEYS, "placed"], kind="stable")
    mine["who"] = mine.groupby(CUSTOMER_KEYS, sort=False).ngroup()
    return mine


def next_orders(orders: pd.DataFrame) -> pd.DataFrame:
    """Each order followed by another of the same customer: the time to that next order
    (``gap``) and its size (``next_quantity``), beside the order's own columns."""
    mine = _by_customer(orders)
    who = mine["who"].to_numpy()
    followed = np.r_[who[1:] == who[:-1], False]
    placed = mine["placed"].to_numpy()
    quantity = mine["quantity"].to_numpy()
    result = mine[followed].copy()
    result["gap"] = placed[1:][followed[:-1]] - placed[:-1][followed[:-1]]
    result["next_quantity"] = quantity[1:][followed[:-1]]
    return result.drop(columns="who")


def orders_within(orders: pd.DataFrame, window: float) -> pd.Series:
    """Per order, how many orders its customer placed in the ``window`` after it (the order
    itself not counted); indexed like ``orders`` (customer -1 left out)."""
    mine = _by_customer(orders)
    who = mine["who"].to_numpy()
    placed = mine["placed"].to_numpy()
    span = placed.max() - placed.min() + 2 * window + 1 if len(placed) else 1.0
    key = who * span + placed  # increasing: customers apart by more than any window
    after = np.searchsorted(key, key + window, side="right")
    return pd.Series(after - np.arange(len(key)) - 1, index=mine.index)
