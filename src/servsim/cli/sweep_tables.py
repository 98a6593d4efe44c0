"""Sweep tables for people: the frontier and the standards check as rich tables for the CLI."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from rich import box
from rich.markup import escape
from rich.table import Table

from servsim.cli.fitting import fit, spread
from servsim.core.formats import format_target, short_names, show_value
from servsim.core.kpi_columns import lower_is_better
from servsim.experiment.frontier import EFFICIENT, INDISTINGUISHABLE, point_status
from servsim.experiment.results import SweepResults
from servsim.stats.standards import Standard, parse_standards

COST, SATISFACTION = "cost", "satisf."
"""The objectives' headings in a compact table (the caption names the KPIs)."""

STATUS_WORDS = {EFFICIENT: "efficient", INDISTINGUISHABLE: "indistinguishable"}
"""A frontier point's status, in the one word every table, report and API uses."""
STATUS_LEGEND = (
    "efficient: no other point is as cheap and as satisfying; indistinguishable: dominated on "
    "the means, but its intervals overlap an efficient point's on both objectives"
)


def interval(row: pd.Series, kpi: str, compact: bool = False) -> str:
    """``mean [lo .. hi]`` of a KPI in a summary row, formatted as the run tables do."""
    mean = float(row[f"{kpi}_mean"])
    return spread(kpi, mean, float(row[f"{kpi}_lo"]), float(row[f"{kpi}_hi"]), compact)


def arrow(kpi: str) -> str:
    """Which way is better for an objective: ↓ for a cost, ↑ for satisfaction or profit."""
    return "↓" if lower_is_better(kpi) else "↑"


def objectives_legend(cost: str, satisfaction: str) -> str:
    """What the compact headings stand for."""
    return (
        f"{COST}: {cost} ({arrow(cost)} better); "
        f"{SATISFACTION}: {satisfaction} ({arrow(satisfaction)} better)"
    )


def settings(row: pd.Series, parameters: Sequence[str]) -> str:
    """A point's parameter values in one cell, one to a line: ``staff 1`` / ``A.S 40``."""
    names = short_names(list(parameters))
    return "\n".join(
        f"{name} {show_value(row[p])}" for name, p in zip(names, parameters, strict=True)
    )


def frontier_table(results: SweepResults, title: str, width: int | None = None) -> Table:
    """The efficient points and those indistinguishable from them, cheapest first; compact
    (settings in one column, headings abbreviated) when the wide table does not fit."""
    return fit(lambda compact: _frontier_table(results, title, compact), width)


def _frontier_table(results: SweepResults, title: str, compact: bool) -> Table:
    rows = results.frontier()
    level = f"{results.confidence:.0%}"
    counts = results.summary["runs"]
    same_runs = counts.nunique() == 1
    runs = f"{counts.iloc[0]} runs each" if same_runs else f"{counts.sum()} runs"
    legend = f"; {objectives_legend(results.cost, results.satisfaction)}" if compact else ""
    table = Table(
        title=f"{title}: frontier of {results.cost} against {results.satisfaction}\n"
        f"{len(rows[rows['status'] == EFFICIENT])} efficient of {len(counts)} points, {runs}",
        caption=f"mean and {level} interval; {STATUS_LEGEND}{legend}",
        box=box.SIMPLE_HEAD,
    )
    table.add_column("point", justify="right")
    if compact:
        table.add_column("settings", ratio=1, overflow="fold")
    else:
        for heading in short_names(results.parameters):
            table.add_column(heading, justify="right")
    if not same_runs:
        table.add_column("runs", justify="right")
    cost = COST if compact else results.cost
    satisfaction = SATISFACTION if compact else results.satisfaction
    table.add_column(f"{cost} {arrow(results.cost)}", justify="right", no_wrap=True)
    table.add_column(f"{satisfaction} {arrow(results.satisfaction)}", justify="right", no_wrap=True)
    table.add_column("status", no_wrap=True)
    for _, row in rows.iterrows():
        values = (
            [settings(row, results.parameters)]
            if compact
            else [show_value(row[parameter]) for parameter in results.parameters]
        )
        table.add_row(
            str(int(row["point"])),
            *values,
            *([] if same_runs else [str(int(row["runs"]))]),
            interval(row, results.cost, compact),
            interval(row, results.satisfaction, compact),
            STATUS_WORDS.get(str(row["status"]), str(row["status"])),
        )
    return table


def best_table(results: SweepResults, width: int | None = None) -> Table:
    """The cheapest point meeting every standard, or how each standard fares when none does."""
    return fit(lambda compact: _best_table(results, compact), width)


def _best_table(results: SweepResults, compact: bool) -> Table:
    standards = parse_standards(results.standards)
    best = results.best()
    level = f"{results.confidence:.0%}"
    if best is None:
        checks = results.check()
        table = Table(
            title=f"No point meets every standard with {level} confidence",
            box=box.SIMPLE_HEAD,
            caption=STATUS_CAPTION,
        )
        table.add_column("standard")
        for status in ("met", "unclear", "missed"):
            table.add_column(f"{status} at", justify="right")
        for standard in standards:
            counts = checks[str(standard)].value_counts()
            table.add_row(
                escape(standard_text(standard)),  # a segment's KPI, otif[trade], is no markup
                *[f"{counts.get(status, 0)} points" for status in ("met", "unclear", "missed")],
            )
        return table
    values = ", ".join(
        f"{parameter} = {show_value(best[parameter])}" for parameter in results.parameters
    )
    table = Table(
        title=f"Cheapest point meeting every standard: point {int(best['point'])} ({values})",
        caption=f"mean and {level} interval over {int(best['runs'])} "
        f"replications; {STATUS_CAPTION}",
        box=box.SIMPLE_HEAD,
    )
    table.add_column("KPI", overflow="fold")
    table.add_column("mean", justify="right", no_wrap=True)
    table.add_column("standard", justify="right", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_row(results.cost, interval(best, results.cost, compact), "(objective)", "")
    for standard in standards:
        table.add_row(
            escape(standard.column),
            interval(best, standard.column, compact),
            format_target(standard.kpi, standard.operator, standard.target),
            point_status(best, standard),
        )
    return table


STATUS_CAPTION = (
    "met: the whole interval is on the right side of the target; missed: on the wrong side; "
    "unclear: it straddles the target (more replications may decide)"
)
"""What a standard's status means, in every table that shows one."""


def standard_text(standard: Standard) -> str:
    """A standard as every table prints it: ``otif >= 95%``, ``cycle_mean[trade] <= 48``."""
    return f"{standard.column} {format_target(standard.kpi, standard.operator, standard.target)}"
