"""The efficient frontier of cost against satisfaction, and the cheapest point meeting standards.

A point is efficient when no other point is at most as costly and at least as satisfying, and
strictly better on one of the two (on the means). A dominated point is *indistinguishable* from
the frontier when its confidence intervals overlap those of an efficient point on both
objectives: the replications cannot tell them apart.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from servsim.stats.standards import Standard, Status

EFFICIENT = "efficient"
INDISTINGUISHABLE = "indistinguishable"
DOMINATED = "dominated"
UNMEASURED = "unmeasured"
"""A point whose cost or satisfaction is NaN (nothing measured) takes no part in the frontier."""


def efficient(cost: np.ndarray, satisfaction: np.ndarray) -> np.ndarray:
    """Which points no other point dominates (lower cost is better, higher satisfaction is)."""
    cost = np.asarray(cost, dtype=float)
    satisfaction = np.asarray(satisfaction, dtype=float)
    flags = np.zeros(len(cost), dtype=bool)
    for index in range(len(cost)):
        at_least_as_good = (cost <= cost[index]) & (satisfaction >= satisfaction[index])
        better = (cost < cost[index]) | (satisfaction > satisfaction[index])
        flags[index] = not np.any(at_least_as_good & better)
    return flags


def _interval(summary: pd.DataFrame, kpi: str) -> tuple[np.ndarray, np.ndarray]:
    """An objective's interval per point; a point without one (one run) is its mean."""
    mean = summary[f"{kpi}_mean"].to_numpy(dtype=float)
    lo = summary[f"{kpi}_lo"].to_numpy(dtype=float)
    hi = summary[f"{kpi}_hi"].to_numpy(dtype=float)
    return np.where(np.isnan(lo), mean, lo), np.where(np.isnan(hi), mean, hi)


def frontier_status(summary: pd.DataFrame, cost: str, satisfaction: str) -> pd.Series:
    """Per point: efficient, indistinguishable (from an efficient one), dominated or unmeasured."""
    cost_mean = summary[f"{cost}_mean"].to_numpy(dtype=float)
    satisfaction_mean = summary[f"{satisfaction}_mean"].to_numpy(dtype=float)
    measured = ~(np.isnan(cost_mean) | np.isnan(satisfaction_mean))
    status = np.full(len(summary), UNMEASURED, dtype=object)
    status[measured] = DOMINATED
    best = np.zeros(len(summary), dtype=bool)
    best[measured] = efficient(cost_mean[measured], satisfaction_mean[measured])
    status[best] = EFFICIENT
    cost_lo, cost_hi = _interval(summary, cost)
    satisfaction_lo, satisfaction_hi = _interval(summary, satisfaction)
    for index in np.flatnonzero(measured & ~best):
        overlaps = (
            best
            & (cost_lo <= cost_hi[index])
            & (cost_lo[index] <= cost_hi)
            & (satisfaction_lo <= satisfaction_hi[index])
            & (satisfaction_lo[index] <= satisfaction_hi)
        )
        if overlaps.any():
            status[index] = INDISTINGUISHABLE
    return pd.Series(status, index=summary.index, name="status")


def frontier(
    summary: pd.DataFrame, cost: str, satisfaction: str, indistinguishable: bool = True
) -> pd.DataFrame:
    """The efficient points (and those indistinguishable from them), cheapest first."""
    table = summary.assign(status=frontier_status(summary, cost, satisfaction))
    keep = [EFFICIENT, INDISTINGUISHABLE] if indistinguishable else [EFFICIENT]
    table = table[table["status"].isin(keep)]
    return table.sort_values([f"{cost}_mean", "point"], kind="stable")


def point_status(point: pd.Series, standard: Standard) -> Status:
    """Met, missed or unclear at one point (a summary row), by the KPI's interval."""
    column = standard.column
    return standard.status(float(point[f"{column}_lo"]), float(point[f"{column}_hi"]))


def check_standards(summary: pd.DataFrame, standards: Sequence[Standard]) -> pd.DataFrame:
    """Per point and standard: met, missed or unclear (by the KPI's confidence interval)."""
    checks = pd.DataFrame(index=summary.index)
    checks["point"] = summary["point"]
    for standard in standards:
        lo = summary[f"{standard.column}_lo"].to_numpy(dtype=float)
        hi = summary[f"{standard.column}_hi"].to_numpy(dtype=float)
        checks[str(standard)] = [
            standard.status(low, high) for low, high in zip(lo, hi, strict=True)
        ]
    columns = [str(standard) for standard in standards]
    checks["all_met"] = (checks[columns] == "met").all(axis=1)
    return checks


def cheapest_meeting(
    summary: pd.DataFrame, standards: Sequence[Standard], cost: str
) -> pd.Series | None:
    """The point of lowest mean cost that meets every standard for sure; None if none does."""
    meeting = summary[check_standards(summary, standards)["all_met"]]
    meeting = meeting[meeting[f"{cost}_mean"].notna()]
    if meeting.empty:
        return None
    return meeting.sort_values([f"{cost}_mean", "point"], kind="stable").iloc[0]
