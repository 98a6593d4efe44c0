"""The small arithmetic every KPI shares: a ratio that is NaN over nothing, counts and means."""

from __future__ import annotations

import numpy as np


def ratio(numerator: float | np.number, denominator: float | np.number) -> float:
    """numerator / denominator, NaN when there is nothing to divide by (no orders, no lines)."""
    return float(numerator / denominator) if denominator else float("nan")


def count(flags: np.ndarray) -> int:
    """How many of ``flags`` are true."""
    return int(np.count_nonzero(flags))


def mean(values: np.ndarray) -> float:
    """The mean, NaN of nothing."""
    return float(np.mean(values)) if len(values) else float("nan")
