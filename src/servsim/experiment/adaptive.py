"""Adaptive replications: how many runs a point needs for the half-widths asked for.

A pure function of the runs so far, so a resumed or redistributed sweep decides the same way.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from servsim.stats.confidence import summarize

UNKNOWN_SPREAD_GROWTH = 2
"""Without a half-width to go by (a KPI measured in fewer than two runs), double the runs."""


def replications_wanted(
    runs: pd.DataFrame, goals: Mapping[str, float], most: int, confidence: float
) -> int:
    """The point's next number of runs: ``len(runs)`` when every KPI's half-width meets its goal
    (or ``most`` is reached), else more: by the half-width's square-root law, at most double."""
    count = len(runs)
    if count >= most:
        return count
    halfwidths = summarize(runs[list(goals)], confidence)["halfwidth"]
    growth = 1.0
    for kpi, goal in goals.items():
        halfwidth = float(halfwidths.get(kpi, float("nan")))
        if math.isnan(halfwidth):
            growth = max(growth, UNKNOWN_SPREAD_GROWTH)
        elif halfwidth > goal:  # the ratio capped: the runs at most double anyway
            growth = max(growth, min(halfwidth / goal, 1e6) ** 2)
    if growth == 1.0:
        return count
    estimate = math.ceil(count * growth)
    return min(most, max(count + 1, min(estimate, 2 * count)))
