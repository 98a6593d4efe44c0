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
    whose summation every figure computed from it has always carried to the last bit."""
    return pd.Series(values).groupby(orders).sum()
