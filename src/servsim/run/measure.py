"""One replication run and measured: its log and its row of KPIs.

The single place a run becomes a KPI row, for ``simulate`` and for the runs of sweeps alike.
"""

from __future__ import annotations

from collections.abc import Sequence

from servsim.core.kpi_columns import segment_column
from servsim.kpis.breakdowns import kpis_by_segment
from servsim.kpis.metrics import compute_kpis
from servsim.kpis.satisfaction import scored_orders
from servsim.model import RunLog, run_replication
from servsim.scenario.schema import Scenario


def measured_run(
    scenario: Scenario,
    replication: int,
    seed: int,
    by_segment: Sequence[tuple[str, str]] = (),
) -> tuple[RunLog, dict[str, float]]:
    """Run replication ``replication`` with ``seed``; its log and its KPIs, with a column
    ``kpi[segment]`` for each (segment, KPI) pair of ``by_segment``."""
    log = run_replication(scenario, replication, seed)
    orders = scored_orders(
        log, scenario, shortfalls=False
    )  # once, for the overall and the segments' KPIs
    kpis = compute_kpis(log, scenario, orders)
    if by_segment:
        segments = {row["segment"]: row for row in kpis_by_segment(log, scenario, orders)}
        for segment, kpi in by_segment:
            kpis[segment_column(kpi, segment)] = float(segments[segment][kpi])  # type: ignore[arg-type]
    return log, kpis
