"""The written service policy judged: each standard beside its KPI's mean and interval.

One row per standard, whatever the KPI, so a report or a planner reads the policy in one table.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from servsim.stats.standards import Standard

COLUMNS = ("standard", "kpi", "segment", "operator", "target", "mean", "lo", "hi", "status")
"""The columns of a standards table, in order."""


def judge_standards(
    standards: Sequence[Standard],
    summary: pd.DataFrame,
    summary_by_segment: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Each standard met, missed or unclear from the interval of its KPI.

    ``summary`` has a row per KPI (mean, lo, hi); ``summary_by_segment`` a row per (segment,
    KPI), needed only for per-segment standards. A KPI that is not measured where the standard
    asks (a pool-wide cost per segment) has no value and is unclear.
    """
    rows = []
    for standard in standards:
        table = summary if standard.segment is None else summary_by_segment
        key = standard.kpi if standard.segment is None else (standard.segment, standard.kpi)
        mean = lo = hi = float("nan")
        if table is not None and key in table.index:
            mean, lo, hi = (float(value) for value in table.loc[key, ["mean", "lo", "hi"]])
        rows.append(
            {
                "standard": str(standard),
                "kpi": standard.kpi,
                "segment": standard.segment,
                "operator": standard.operator,
                "target": standard.target,
                "mean": mean,
                "lo": lo,
                "hi": hi,
                "status": standard.status(lo, hi),
            }
        )
    table = pd.DataFrame(rows, columns=list(COLUMNS)).astype(
        {column: float for column in ("target", "mean", "lo", "hi")}
    )
    # object, not pandas' string dtype, so the whole business's segment stays None (not NaN)
    table["segment"] = pd.Series([row["segment"] for row in rows], dtype=object)
    return table
