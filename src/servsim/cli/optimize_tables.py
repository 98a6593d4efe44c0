"""Optimizer tables for people: the winner, the runners-up and the runs spent, as rich tables."""

from __future__ import annotations

import math

import pandas as pd
from rich import box
from rich.markup import escape
from rich.table import Table

from servsim.cli.sweep_tables import interval
from servsim.core.formats import format_estimate, short_names
from servsim.search.result import OptimizeResult, Winner


def _value(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _figure(summary: pd.DataFrame, kpi: str) -> str:
    """``mean [lo .. hi]`` of a KPI in a per-KPI summary (rows: KPIs)."""
    if kpi not in summary.index:
        return "-"
    row = summary.loc[kpi]
    return format_estimate(kpi, float(row["mean"]), float(row["lo"]), float(row["hi"]))


def winner_table(result: OptimizeResult, title: str) -> Table:
    """The winner's parameters, then its cost and standards: fresh check against the search."""
    winner = result.winner
    assert winner is not None
    settings = ", ".join(f"{name} = {_value(value)}" for name, value in winner.parameters.items())
    table = Table(
        title=f"{title}: the cheapest point meeting every standard\n{settings}",
        caption=_caption(result, winner),
        box=box.SIMPLE_HEAD,
    )
    table.add_column("KPI")
    table.add_column(f"final check ({_runs(winner.kpis)} fresh runs)", justify="right")
    table.add_column(f"search ({_runs(winner.search_kpis)} runs)", justify="right")
    table.add_column("standard", justify="right")
    for standard in result.standards:
        kpi = standard.split(" ")[0]
        status = winner.checks[standard]
        table.add_row(
            escape(kpi),  # a segment's KPI, otif[trade], is not rich markup
            _figure(winner.kpis, kpi),
            _figure(winner.search_kpis, kpi),
            f"{standard.split(' ', 1)[1]}: {status}",
        )
    for kpi in dict.fromkeys([result.cost, result.satisfaction]):
        table.add_row(kpi, _figure(winner.kpis, kpi), _figure(winner.search_kpis, kpi), "")
    return table


def _runs(summary: pd.DataFrame) -> int:
    return int(summary["n"].max()) if len(summary) else 0


def _caption(result: OptimizeResult, winner: Winner) -> str:
    confirmed = (
        "the fresh replications confirm every standard"
        if winner.confirmed
        else "the fresh replications do NOT confirm every standard: see the column"
    )
    return f"mean ± half-width of the 95% interval; {confirmed}\n{spent(result)}"


def spent(result: OptimizeResult) -> str:
    """Runs spent against a grid of the same resolution, and why the search stopped."""
    share = result.runs_spent / result.grid_runs if result.grid_runs else math.nan
    return (
        f"{result.runs_spent} runs ({share:.0%} of the {result.grid_runs} a grid of the same "
        f"resolution would run); stopped: {result.stop_reason}"
    )


def runners_up_table(result: OptimizeResult) -> Table | None:
    """The points the intervals cannot separate from the winner."""
    rows = result.runners_up
    if rows.empty:
        return None
    table = Table(title="Runners-up the replications cannot separate from it", box=box.SIMPLE_HEAD)
    for name in short_names(list(result.parameters)):
        table.add_column(name, justify="right")
    table.add_column("runs", justify="right")
    table.add_column(result.cost, justify="right")
    table.add_column("why")
    for _, row in rows.iterrows():
        values = [_value(row[name]) for name in result.parameters]
        table.add_row(*values, str(row["runs"]), interval(row, result.cost), str(row["why"]))
    return table


def frontier_search_table(result: OptimizeResult, title: str) -> Table:
    """The frontier frontier mode traced, cheapest first."""
    rows = result.frontier if result.frontier is not None else result.points.iloc[0:0]
    table = Table(
        title=f"{title}: frontier of {result.cost} against {result.satisfaction}",
        caption=spent(result),
        box=box.SIMPLE_HEAD,
    )
    for name in short_names(list(result.parameters)):
        table.add_column(name, justify="right")
    table.add_column("runs", justify="right")
    table.add_column(result.cost, justify="right")
    table.add_column(result.satisfaction, justify="right")
    table.add_column("status")
    for _, row in rows.iterrows():
        values = [_value(row[name]) for name in result.parameters]
        table.add_row(
            *values,
            str(row["runs"]),
            interval(row, result.cost),
            interval(row, result.satisfaction),
            str(row["status"]),
        )
    return table
