"""The efficient frontier of cost against satisfaction, and the cheapest point meeting standards.

A point is efficient when no other point is at most as costly and at least as satisfying, and
strictly better on one of the two (on the means). The economic objective may be a cost to lower
or a profit to raise (the catalogue says which): a profit is ranked as a cost of minus itself,
so "cheapest" reads "most profitable". A dominated point is *indistinguishable* from
the frontier when its confidence intervals overlap those of an efficient point on both
objectives: the replications cannot tell them apart.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from servsim.core.kpi_columns import lower_is_better
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


def economic(summary: pd.DataFrame, kpi: str, part: str = "mean") -> np.ndarray:
    """The economic objective's ``part`` (mean, lo, hi) per point, as a cost to lower: a
    profit's is minus itself (lo and hi swapped)."""
    if lower_is_better(kpi):
        return summary[f"{kpi}_{part}"].to_numpy(dtype=float)
    swapped = {"mean": "mean", "lo": "hi", "hi": "lo"}[part]
    return -summary[f"{kpi}_{swapped}"].to_numpy(dtype=float)


def _interval(mean: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """An objective's interval per point; a point without one (one run) is its mean."""
    return np.where(np.isnan(lo), mean, lo), np.where(np.isnan(hi), mean, hi)


def frontier_status(summary: pd.DataFrame, cost: str, satisfaction: str) -> pd.Series:
    """Per point: efficient, indistinguishable (from an efficient one), dominated or unmeasured."""
    cost_mean = economic(summary, cost)
    satisfaction_mean = summary[f"{satisfaction}_mean"].to_numpy(dtype=float)
    measured = ~(np.isnan(cost_mean) | np.isnan(satisfaction_mean))
    status = np.full(len(summary), UNMEASURED, dtype=object)
    status[measured] = DOMINATED
    best = np.zeros(len(summary), dtype=bool)
    best[measured] = efficient(cost_mean[measured], satisfaction_mean[measured])
    status[best] = EFFICIENT
    cost_lo, cost_hi = _interval(
        cost_mean, economic(summary, cost, "lo"), economic(summary, cost, "hi")
    )
    satisfaction_lo, satisfaction_hi = _interval(
        satisfaction_mean,
        summary[f"{satisfaction}_lo"].to_numpy(dtype=float),
        summary[f"{satisfaction}_hi"].to_numpy(dtype=float),
    )
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


def by_economic_objective(table: pd.DataFrame, cost: str) -> pd.DataFrame:
    """The points cheapest (or most profitable) first; ties by point number."""
    order = np.lexsort((table["point"].to_numpy(), economic(table, cost)))
    return table.iloc[order]


def frontier(
    summary: pd.DataFrame, cost: str, satisfaction: str, indistinguishable: bool = True
) -> pd.DataFrame:
    """The efficient points (and those indistinguishable from them), cheapest first."""
    table = summary.assign(status=frontier_status(summary, cost, satisfaction))
    keep = [EFFICIENT, INDISTINGUISHABLE] if indistinguishable else [EFFICIENT]
    return by_economic_objective(table[table["status"].isin(keep)], cost)


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
    """The point of lowest mean cost (highest mean profit) that meets every standard for sure;
    None if none does."""
    meeting = summary[check_standards(summary, standards)["all_met"]]
    meeting = meeting[meeting[f"{cost}_mean"].notna()]
    if meeting.empty:
        return None
    return by_economic_objective(meeting, cost).iloc[0]
