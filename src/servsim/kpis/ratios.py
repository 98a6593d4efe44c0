"""The small arithmetic every KPI shares: a ratio that is NaN over nothing, counts, means and
sums per order."""

from __future__ import annotations

import numpy as np
import pandas as pd


def ratio(numerator: float | np.number, denominator: float | np.number) -> float:
    """numerator / denominator, NaN when there is nothing to divide by (no orders, no lines)."""
    return float(numerator / denominator) if denominator else float("nan")


def count(flags: np.ndarray) -> int:
    """How many of ``flags`` are true."""
    return int(np.count_nonzero(flags))


def mean(values: np.ndarray) -> float:
    """The mean, NaN of nothing."""
    return float(np.mean(values)) if len(values) else float("nan")


def sum_by_order(values: np.ndarray, orders: np.ndarray) -> pd.Series:
    """Each order's sum of ``values`` (per line), indexed by order number: pandas' group sum,
    whose summation every figure computed from it has always carried to the last bit.

    Orders of one line each (order numbers strictly ascending, as a run records them) take
    their line's value as pandas would, NaN as 0 and -0.0 as 0.0, without a group-by's sort
    and codes (a long run of single-line orders: a copy of the column instead of five)."""
    if len(orders) > 1 and bool(np.all(orders[1:] > orders[:-1])):
        sums = np.where(np.isnan(values), 0.0, values)
        sums += 0.0  # -0.0 + 0.0 is 0.0: a sum starts from zero
        return pd.Series(sums, index=pd.Index(orders), copy=False)
    return pd.Series(values).groupby(orders).sum()
