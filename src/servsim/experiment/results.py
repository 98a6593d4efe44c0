"""What a sweep hands back: every run, the per-point summary, the frontier and the best point."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from servsim.experiment import store
from servsim.experiment.frontier import cheapest_meeting, check_standards, frontier
from servsim.experiment.tables import runs_table, summarize_points
from servsim.stats.standards import parse_standards


@dataclass(frozen=True)
class SweepResults:
    """Runs and summary of a sweep, with the objectives and standards to judge them by."""

    runs: pd.DataFrame = field(repr=False)
    """One row per run: point, replication, seed, parameter values, then the KPIs."""
    summary: pd.DataFrame = field(repr=False)
    """One row per point: parameter values, runs, and KPI_mean, KPI_lo, KPI_hi, KPI_n."""
    parameters: tuple[str, ...]
    cost: str = "cost_per_order"
    satisfaction: str = "satisfaction_mean"
    standards: Mapping[str, Any] = field(default_factory=dict)
    confidence: float = 0.95
    folder: Path | None = None

    def frontier(self, indistinguishable: bool = True) -> pd.DataFrame:
        """Efficient points (and, by default, those the intervals cannot tell from them)."""
        return frontier(self.summary, self.cost, self.satisfaction, indistinguishable)

    def check(self, standards: Mapping[str, Any] | None = None) -> pd.DataFrame:
        """Each standard met, missed or unclear per point (the experiment's by default)."""
        return check_standards(self.summary, parse_standards(self._standards(standards)))

    def best(self, standards: Mapping[str, Any] | None = None) -> pd.Series | None:
        """The cheapest point meeting every standard for sure (``{"otif": ">= 0.95"}``)."""
        chosen = parse_standards(self._standards(standards))
        return cheapest_meeting(self.summary, chosen, self.cost)

    def _standards(self, standards: Mapping[str, Any] | None) -> Mapping[str, Any]:
        chosen = self.standards if standards is None else standards
        if not chosen:
            raise ValueError('no standards given; pass them, e.g. best({"otif": ">= 0.95"})')
        return chosen

    @classmethod
    def from_folder(cls, folder: str | os.PathLike[str]) -> SweepResults:
        """The results of a sweep from its folder (also of a stopped one: the runs so far)."""
        path = Path(folder)
        manifest = store.read_manifest(path)
        parameters = tuple(manifest["parameters"])
        counts = manifest.get("replications_per_point")
        replications = dict(enumerate(counts)) if counts is not None else None
        runs = runs_table(store.read_runs(path), replications)
        summary_file = path / f"{store.SUMMARY}.parquet"
        if manifest.get("finished") and summary_file.is_file():
            summary = pd.read_parquet(summary_file)
        else:
            summary = summarize_points(runs, parameters, manifest["confidence"])
        return cls(
            runs=runs,
            summary=summary,
            parameters=parameters,
            cost=manifest["objectives"]["cost"],
            satisfaction=manifest["objectives"]["satisfaction"],
            standards=manifest.get("standards", {}),
            confidence=manifest["confidence"],
            folder=path,
        )
