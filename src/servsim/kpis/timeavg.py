"""Time-averages of step functions over the measurement window."""

from __future__ import annotations

import numpy as np


def time_average(times: np.ndarray, values: np.ndarray, start: float, end: float) -> float:
    """Average over [start, end] of a step function that takes ``values[i]`` from ``times[i]``.

    ``times`` must be sorted; the first entry must be at or before ``start``.
    """
    return weighted_average(values, step_durations(times, start, end), start, end)


def step_durations(times: np.ndarray, start: float, end: float) -> np.ndarray:
    """How long each step of a step function starting at ``times`` lasts within [start, end]."""
    clipped = np.clip(times, start, end)
    return np.diff(np.append(clipped, end))


def weighted_average(values: np.ndarray, durations: np.ndarray, start: float, end: float) -> float:
    """The average over [start, end] of steps of ``values`` lasting ``durations``."""
    # a sum of products, not np.dot: BLAS splits long dot products over its threads, so the
    # last bits would depend on how many threads the process allows (Dask workers allow one)
    return float(np.sum(values * durations) / (end - start))


def overlap(starts: np.ndarray, ends: np.ndarray, window_start: float, window_end: float) -> float:
    """Total length of the intervals [starts, ends] that falls inside the window."""
    inside = np.minimum(ends, window_end)
    inside -= np.maximum(starts, window_start)  # in place: a long run's intervals
    return float(np.clip(inside, 0.0, None, out=inside).sum())


def value_at(times: np.ndarray, values: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Values of a step function (``values[i]`` from ``times[i]``) at the instants ``at``."""
    index = np.searchsorted(times, at, side="right") - 1
    return np.where(index >= 0, values[np.clip(index, 0, None)], 0)


def integral_of_excess(
    first: tuple[np.ndarray, np.ndarray],
    second: tuple[np.ndarray, np.ndarray],
    start: float,
    end: float,
) -> float:
    """Integral over [start, end] of max(0, first(t) - second(t)) for two step functions."""
    grid = np.unique(np.concatenate([first[0], second[0], [start, end]]))
    grid = grid[(grid >= start) & (grid <= end)]
    excess = np.clip(value_at(*first, grid[:-1]) - value_at(*second, grid[:-1]), 0, None)
    return float(np.sum(excess * np.diff(grid)))  # not np.dot: see time_average
