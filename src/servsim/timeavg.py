"""Time-averages of step functions over the measurement window."""

from __future__ import annotations

import numpy as np


def time_average(times: np.ndarray, values: np.ndarray, start: float, end: float) -> float:
    """Average over [start, end] of a step function that takes ``values[i]`` from ``times[i]``.

    ``times`` must be sorted; the first entry must be at or before ``start``.
    """
    clipped = np.clip(times, start, end)
    durations = np.diff(np.append(clipped, end))
    return float(np.dot(values, durations) / (end - start))


def overlap(starts: np.ndarray, ends: np.ndarray, window_start: float, window_end: float) -> float:
    """Total length of the intervals [starts, ends] that falls inside the window."""
    inside = np.minimum(ends, window_end) - np.maximum(starts, window_start)
    return float(np.clip(inside, 0.0, None).sum())
