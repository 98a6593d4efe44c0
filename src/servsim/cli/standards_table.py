"""The service standards of a run as a rich table for the CLI: target, measured, status."""

from __future__ import annotations

import math

import pandas as pd
from rich import box
from rich.markup import escape
from rich.table import Table

from servsim.core.formats import format_target, format_value
from servsim.stats.confidence import possible_interval

STATUS_STYLES = {"met": "green", "missed": "bold red", "unclear": "yellow"}
"""How each status is coloured: a missed standard must stand out."""


def standards_table(standards: pd.DataFrame, time_unit: str, confidence: float) -> Table:
    """One row per standard of ``Results.standards()``: target, mean with interval, status."""
    counts = standards["status"].value_counts()
    tally = ", ".join(f"{counts.get(status, 0)} {status}" for status in STATUS_STYLES)
    table = Table(
        title=f"Service standards: {tally}",
        caption=f"mean and {confidence:.0%} interval. met: the interval is wholly on the right "
        "side of the target; missed: wholly on the wrong side; unclear: it straddles the target "
        f"or there is no value. Times in {time_unit}.",
        box=box.SIMPLE_HEAD,
    )
    table.add_column("standard")
    table.add_column("target", justify="right", no_wrap=True)
    table.add_column("mean", justify="right", no_wrap=True)
    table.add_column(f"{confidence:.0%} interval", justify="right", no_wrap=True)
    table.add_column("status", no_wrap=True)
    for row in standards.itertuples(index=False):
        kpi = str(row.kpi)
        name = kpi if row.segment is None else escape(f"{kpi} [{row.segment}]")
        lo, hi = possible_interval(kpi, float(row.lo), float(row.hi))
        spread = "-" if math.isnan(lo) else f"{format_value(kpi, lo)} .. {format_value(kpi, hi)}"
        status = str(row.status)
        table.add_row(
            name,
            format_target(kpi, str(row.operator), float(row.target)),
            format_value(kpi, float(row.mean)),
            spread,
            f"[{STATUS_STYLES[status]}]{status}[/]",
        )
    return table
