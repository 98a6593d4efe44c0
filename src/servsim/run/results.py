"""What a scenario's replications hand back: their KPIs and logs, summaries and standards."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd

from servsim.kpis.breakdowns import breakdown
from servsim.kpis.satisfaction import scored_orders
from servsim.model import RunLog
from servsim.scenario.schema import Scenario
from servsim.stats.compliance import judge_standards
from servsim.stats.confidence import DEFAULT_CONFIDENCE, summarize


@dataclass(frozen=True)
class Results:
    """KPIs and logs of a scenario's replications."""

    scenario: Scenario
    seed: int
    logs: list[RunLog] = field(repr=False)
    kpis: pd.DataFrame = field(repr=False)
    """One row per replication; the columns are the KPIs of ``servsim.core.catalogue``."""

    def summary(self, confidence: float = DEFAULT_CONFIDENCE) -> pd.DataFrame:
        """Mean, lo, hi, halfwidth and n per KPI (rows) over the replications."""
        return summarize(self.kpis.drop(columns=["replication", "seed"]), confidence)

    def kpis_by(self, by: str) -> pd.DataFrame:
        """KPIs per replication and segment (``by="segment"``) or sku (``by="sku"``)."""
        return breakdown(self.logs, self.scenario, by)

    def summary_by(self, by: str, confidence: float = DEFAULT_CONFIDENCE) -> pd.DataFrame:
        """Mean, lo, hi, halfwidth and n per group and KPI (rows: group, KPI)."""
        table = self.kpis_by(by)
        return pd.concat(
            {
                group: summarize(rows.drop(columns=["replication", by]), confidence)
                for group, rows in table.groupby(by, sort=False, observed=True)
            },
            names=[by, "kpi"],
        )

    def standards(self, confidence: float = DEFAULT_CONFIDENCE) -> pd.DataFrame:
        """The scenario's service standards, each met, missed or unclear (one row each).

        Columns: standard, kpi, segment (None for the whole business), operator, target (in the
        scenario's time unit), mean, lo, hi, status.
        """
        standards = self.scenario.standards.all
        by_segment = (
            self.summary_by("segment", confidence)
            if any(standard.segment for standard in standards)
            else None
        )
        return judge_standards(standards, self.summary(confidence), by_segment)

    @cached_property
    def orders(self) -> pd.DataFrame:
        """One row per order of every replication: timestamps, quantities, outcome, score."""
        frames = []
        for replication, log in enumerate(self.logs):
            orders = scored_orders(log, self.scenario).frame()
            frames.append(orders.reset_index().assign(replication=replication))
        return _stack(frames)

    @cached_property
    def lines(self) -> pd.DataFrame:
        """One row per order line of every replication: sku, quantity, filled, lost..."""
        return _stack(
            [log.lines.reset_index().assign(replication=k) for k, log in enumerate(self.logs)]
        )

    @cached_property
    def shipments(self) -> pd.DataFrame:
        return self._stacked("shipments")

    @cached_property
    def replenishments(self) -> pd.DataFrame:
        return self._stacked("replenishments")

    @cached_property
    def stock_levels(self) -> pd.DataFrame:
        """On hand and backorders per sku over time (a step function per replication)."""
        return self._stacked("stock_levels")

    @cached_property
    def complaints(self) -> pd.DataFrame:
        """One row per complaint: order, opened, started, resolved, claim, compensation."""
        return self._stacked("complaints")

    @cached_property
    def returns(self) -> pd.DataFrame:
        """One row per return: order, reason, requested, received, restocked, replacement."""
        return self._stacked("returns")

    @cached_property
    def visits(self) -> pd.DataFrame:
        """One row per technician visit: order, kind, requested, started, travel, finished."""
        return self._stacked("visits")

    @cached_property
    def customers(self) -> pd.DataFrame:
        """One row per customer of a finite base: segment, joined, left, orders."""
        return self._stacked("customers")

    def _stacked(self, table: str) -> pd.DataFrame:
        """One of the logs' tables over every replication, with a replication column."""
        return _stack(
            [getattr(log, table).assign(replication=k) for k, log in enumerate(self.logs)]
        )

    @cached_property
    def busy_staff(self) -> pd.DataFrame:
        """Busy clerks over time (a step function per replication)."""
        frames = []
        for replication, log in enumerate(self.logs):
            times, busy = log.busy_staff()
            frames.append(pd.DataFrame({"replication": replication, "time": times, "busy": busy}))
        return _stack(frames)


def _stack(frames: list[pd.DataFrame]) -> pd.DataFrame:
    stacked = pd.concat(frames, ignore_index=True)
    return stacked[["replication", *[c for c in stacked.columns if c != "replication"]]]
