"""Sweep tables for people: the frontier and the standards check as rich tables for the CLI."""

from __future__ import annotations

from typing import Any

import pandas as pd
from rich import box
from rich.markup import escape
from rich.table import Table

from servsim.core.catalogue import lower_is_better
from servsim.core.formats import format_estimate, format_value, short_names
from servsim.experiment.frontier import EFFICIENT, point_status
from servsim.experiment.results import SweepResults
from servsim.stats.standards import parse_standards


def interval(row: pd.Series, kpi: str) -> str:
    """``mean [lo .. hi]`` of a KPI in a summary row, formatted as the run tables do."""
    mean = float(row[f"{kpi}_mean"])
    return format_estimate(kpi, mean, float(row[f"{kpi}_lo"]), float(row[f"{kpi}_hi"]))


def _show(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return f"{value:g}"
    return str(value)


def frontier_table(results: SweepResults, title: str) -> Table:
    """The efficient points and those the intervals cannot tell from them, cheapest first."""
    rows = results.frontier()
    level = f"{results.confidence:.0%}"
    counts = results.summary["runs"]
    same_runs = counts.nunique() == 1
    runs = f"{counts.iloc[0]} runs each" if same_runs else f"{counts.sum()} runs"
    table = Table(
        title=f"{title}: frontier of {results.cost} against {results.satisfaction}\n"
        f"{len(rows[rows['status'] == EFFICIENT])} efficient of {len(counts)} points, {runs}",
        caption=f"mean ± half-width of the {level} interval; efficient: no other point is as "
        "cheap and as satisfying; overlaps: dominated on the means, but its intervals overlap "
        "an efficient point's on both objectives (statistically indistinguishable)",
        box=box.SIMPLE_HEAD,
    )
    table.add_column("point", justify="right")
    for heading in short_names(results.parameters):
        table.add_column(heading, justify="right")
    if not same_runs:
        table.add_column("runs", justify="right")
    table.add_column(
        f"{results.cost} {'↓' if lower_is_better(results.cost) else '↑'}", justify="right"
    )
    table.add_column(f"{results.satisfaction} ↑", justify="right")
    table.add_column("status")
    for _, row in rows.iterrows():
        table.add_row(
            str(int(row["point"])),
            *[_show(row[parameter]) for parameter in results.parameters],
            *([] if same_runs else [str(int(row["runs"]))]),
            interval(row, results.cost),
            interval(row, results.satisfaction),
            "efficient" if row["status"] == EFFICIENT else "overlaps",
        )
    return table


def best_table(results: SweepResults) -> Table:
    """The cheapest point meeting every standard, or how each standard fares when none does."""
    standards = parse_standards(results.standards)
    best = results.best()
    level = f"{results.confidence:.0%}"
    if best is None:
        checks = results.check()
        table = Table(
            title=f"No point meets every standard with {level} confidence",
            box=box.SIMPLE_HEAD,
            caption="met: the whole interval is on the right side of the target; missed: on "
            "the wrong side; unclear: it straddles the target (more replications may decide)",
        )
        table.add_column("standard")
        for status in ("met", "unclear", "missed"):
            table.add_column(f"{status} at", justify="right")
        for standard in standards:
            counts = checks[str(standard)].value_counts()
            table.add_row(
                escape(str(standard)),  # a segment's KPI, otif[trade], is not rich markup
                *[f"{counts.get(status, 0)} points" for status in ("met", "unclear", "missed")],
            )
        return table
    values = ", ".join(
        f"{parameter} = {_show(best[parameter])}" for parameter in results.parameters
    )
    table = Table(
        title=f"Cheapest point meeting every standard: point {int(best['point'])} ({values})",
        caption=f"mean ± half-width of the {level} interval over {int(best['runs'])} replications; "
        "met: the whole interval is on the right side of the target",
        box=box.SIMPLE_HEAD,
    )
    table.add_column("KPI")
    table.add_column("mean", justify="right")
    table.add_column("standard", justify="right")
    table.add_column("status")
    table.add_row(results.cost, interval(best, results.cost), "(cost objective)", "")
    for standard in standards:
        table.add_row(
            escape(standard.column),
            interval(best, standard.column),
            f"{standard.operator} {format_value(standard.kpi, standard.target)}",
            point_status(best, standard),
        )
    return table
