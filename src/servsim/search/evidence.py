"""What the optimizer knows: the runs of every point tried, and what they say with confidence.

Search runs of every point use replications 0, 1, 2, ... (common random numbers: replication
k of every point sees the same demand), so two points are compared on paired differences.
The final check of the winner uses replications from ``FRESH`` on: random numbers no search
run has seen, so the winner's figures are not flattered by having been chosen on them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from servsim.stats.confidence import summarize
from servsim.stats.standards import Standard, Status

FRESH = 1_000_000
"""First replication number of the winner's final check."""

MET, MISSED, UNCLEAR = "met", "missed", "unclear"


@dataclass
class Evidence:
    """Per point and replication, the KPI row of the run; summaries computed from them."""

    confidence: float
    runs: dict[int, dict[int, Mapping[str, float]]] = field(default_factory=dict)
    _summaries: dict[tuple[int, bool], pd.DataFrame] = field(default_factory=dict)

    def add(self, point: int, replication: int, kpis: Mapping[str, float]) -> None:
        """Note one run's KPIs."""
        self.runs.setdefault(point, {})[replication] = kpis
        self._summaries.pop((point, replication >= FRESH), None)

    @property
    def points(self) -> list[int]:
        """Points with at least one search run, in id order."""
        return sorted(point for point in self.runs if self.count(point))

    def count(self, point: int) -> int:
        """Search replications of ``point`` so far."""
        return sum(1 for replication in self.runs.get(point, {}) if replication < FRESH)

    def frame(self, point: int, fresh: bool = False) -> pd.DataFrame:
        """The point's search runs (or its final-check runs), by replication."""
        chosen = {
            replication: kpis
            for replication, kpis in self.runs.get(point, {}).items()
            if (replication >= FRESH) == fresh
        }
        return pd.DataFrame.from_dict(chosen, orient="index").sort_index()

    def summary(self, point: int, fresh: bool = False) -> pd.DataFrame:
        """Mean, lo, hi, halfwidth, n per KPI (rows) of the point's search (or fresh) runs."""
        key = (point, fresh)
        if key not in self._summaries:
            self._summaries[key] = summarize(self.frame(point, fresh), self.confidence)
        return self._summaries[key]

    def mean(self, point: int, kpi: str) -> float:
        """The KPI's mean over the point's search runs."""
        return float(self.summary(point).at[kpi, "mean"])

    def statuses(
        self, point: int, standards: Sequence[Standard], fresh: bool = False
    ) -> dict[str, Status]:
        """Each standard met, missed or unclear at the point."""
        summary = self.summary(point, fresh)
        return {
            str(standard): standard.status(
                float(summary.at[standard.column, "lo"]), float(summary.at[standard.column, "hi"])
            )
            for standard in standards
        }

    def verdict(self, point: int, standards: Sequence[Standard], fresh: bool = False) -> str:
        """Met (every standard met), missed (one missed) or unclear."""
        found = set(self.statuses(point, standards, fresh).values())
        if MISSED in found:
            return MISSED
        return UNCLEAR if UNCLEAR in found else MET

    def difference(self, point: int, other: int, kpi: str) -> pd.Series:
        """Paired differences of a KPI (point minus other) over their common replications."""
        mine, theirs = self.frame(point)[kpi], self.frame(other)[kpi]
        common = mine.index.intersection(theirs.index)
        return (mine[common] - theirs[common]).rename(kpi)

    def separated(self, point: int, other: int, kpi: str) -> bool:
        """Whether the paired interval of the KPI's difference excludes zero."""
        difference = self.difference(point, other, kpi).to_frame()
        summary = summarize(difference, self.confidence, within_range=False)
        lo, hi = float(summary.at[kpi, "lo"]), float(summary.at[kpi, "hi"])
        return not (math.isnan(lo) or lo <= 0 <= hi)

    def shortfall(self, point: int, standards: Sequence[Standard]) -> float:
        """How far the point's means are on the wrong side of the standards, summed, each in
        units of its KPI's spread over the points tried (so no standard drowns the others)."""
        return sum(
            shortfall(standard, self.mean(point, standard.column)) / self.spread(standard.column)
            for standard in standards
        )

    def spread(self, kpi: str) -> float:
        """The range of a KPI's means over the points tried (1 when they all agree)."""
        means = [self.mean(point, kpi) for point in self.points]
        known = [mean for mean in means if not math.isnan(mean)]
        return (max(known) - min(known) if known else 0.0) or 1.0


def shortfall(standard: Standard, value: float) -> float:
    """By how much ``value`` misses the standard (0 when it meets it; NaN counts as far off)."""
    if math.isnan(value):
        return math.inf
    gap = standard.target - value if standard.higher_is_better else value - standard.target
    return max(gap, 0.0)
