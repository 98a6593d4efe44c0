"""Optimizer tables for people: the winner, the runners-up and the runs spent, as rich tables."""

from __future__ import annotations

import math

import pandas as pd
from rich import box
from rich.markup import escape
from rich.table import Table

from servsim.cli.fitting import fit, spread
from servsim.cli.sweep_tables import (
    COST,
    SATISFACTION,
    STATUS_CAPTION,
    STATUS_LEGEND,
    STATUS_WORDS,
    arrow,
    interval,
    objectives_legend,
    settings,
)
from servsim.core.formats import format_target, short_names
from servsim.core.kpi_columns import kpi_of
from servsim.search.result import OptimizeResult, Winner


def _value(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _figure(summary: pd.DataFrame, kpi: str, compact: bool = False) -> str:
    """``mean [lo .. hi]`` of a KPI in a per-KPI summary (rows: KPIs), stacked when compact."""
    if kpi not in summary.index:
        return "-"
    row = summary.loc[kpi]
    return spread(kpi, float(row["mean"]), float(row["lo"]), float(row["hi"]), compact)


def _target(standard: str) -> tuple[str, str]:
    """A standard as the search records it (``otif >= 0.95``): its column, and its target as
    every table prints it (``>= 95%``)."""
    column, operator, target = standard.split(" ")
    kpi = kpi_of(column)
    return column, format_target(kpi.name if kpi else column, operator, float(target))


def winner_table(result: OptimizeResult, title: str, width: int | None = None) -> Table:
    """The winner's parameters, then its cost and standards: fresh check against the search."""
    return fit(lambda compact: _winner_table(result, title, compact), width)


def _winner_table(result: OptimizeResult, title: str, compact: bool) -> Table:
    winner = result.winner
    assert winner is not None
    settings = ", ".join(f"{name} = {_value(value)}" for name, value in winner.parameters.items())
    table = Table(
        title=f"{title}: the cheapest point meeting every standard\n{settings}",
        caption=_caption(result, winner),
        box=box.SIMPLE_HEAD,
    )
    table.add_column("KPI", overflow="fold")
    fresh, searched = _runs(winner.kpis), _runs(winner.search_kpis)
    table.add_column(f"final check\n({fresh} fresh runs)", justify="right", no_wrap=True)
    table.add_column(f"search\n({searched} runs)", justify="right", no_wrap=True)
    table.add_column("standard", justify="right", no_wrap=True)
    table.add_column("status", no_wrap=True)
    for standard in result.standards:
        column, target = _target(standard)
        table.add_row(
            escape(column),  # a segment's KPI, otif[trade], is not rich markup
            _figure(winner.kpis, column, compact),
            _figure(winner.search_kpis, column, compact),
            target,
            winner.checks[standard],
        )
    for kpi in dict.fromkeys([result.cost, result.satisfaction]):
        table.add_row(
            kpi,
            _figure(winner.kpis, kpi, compact),
            _figure(winner.search_kpis, kpi, compact),
            "(objective)",
            "",
        )
    return table


def _runs(summary: pd.DataFrame) -> int:
    return int(summary["n"].max()) if len(summary) else 0


def _caption(result: OptimizeResult, winner: Winner) -> str:
    confirmed = (
        "the fresh replications confirm every standard"
        if winner.confirmed
        else "the fresh replications do NOT confirm every standard: see the column"
    )
    return f"mean and 95% interval; {confirmed}; {STATUS_CAPTION}\n{spent(result)}"


def spent(result: OptimizeResult) -> str:
    """Runs spent against a grid of the same resolution, and why the search stopped."""
    share = result.runs_spent / result.grid_runs if result.grid_runs else math.nan
    return (
        f"{result.runs_spent} runs ({share:.0%} of the {result.grid_runs} a grid of the same "
        f"resolution would run); stopped: {result.stop_reason}"
    )


def runners_up_table(result: OptimizeResult, width: int | None = None) -> Table | None:
    """The points the intervals cannot separate from the winner."""
    if result.runners_up.empty:
        return None
    return fit(lambda compact: _runners_up_table(result, compact), width)


def _parameter_columns(table: Table, parameters: list[str], compact: bool) -> None:
    if compact:
        table.add_column("settings", ratio=1, overflow="fold")
    else:
        for name in short_names(parameters):
            table.add_column(name, justify="right")


def _parameter_cells(row: pd.Series, parameters: list[str], compact: bool) -> list[str]:
    if compact:
        return [settings(row, parameters)]
    return [_value(row[name]) for name in parameters]


def _runners_up_table(result: OptimizeResult, compact: bool) -> Table:
    rows = result.runners_up
    parameters = list(result.parameters)
    table = Table(
        title="Runners-up the replications cannot separate from it",
        caption=f"{COST}: {result.cost}" if compact else None,
        box=box.SIMPLE_HEAD,
    )
    _parameter_columns(table, parameters, compact)
    table.add_column("runs", justify="right")
    table.add_column(COST if compact else result.cost, justify="right", no_wrap=True)
    table.add_column("why", ratio=1 if compact else None, overflow="fold")
    for _, row in rows.iterrows():
        table.add_row(
            *_parameter_cells(row, parameters, compact),
            str(row["runs"]),
            interval(row, result.cost, compact),
            str(row["why"]),
        )
    return table


def frontier_search_table(result: OptimizeResult, title: str, width: int | None = None) -> Table:
    """The frontier frontier mode traced, cheapest first."""
    return fit(lambda compact: _frontier_search_table(result, title, compact), width)


def _frontier_search_table(result: OptimizeResult, title: str, compact: bool) -> Table:
    rows = result.frontier if result.frontier is not None else result.points.iloc[0:0]
    parameters = list(result.parameters)
    legend = f"; {objectives_legend(result.cost, result.satisfaction)}" if compact else ""
    table = Table(
        title=f"{title}: frontier of {result.cost} against {result.satisfaction}",
        caption=f"mean and 95% interval; {STATUS_LEGEND}{legend}\n{spent(result)}",
        box=box.SIMPLE_HEAD,
    )
    _parameter_columns(table, parameters, compact)
    table.add_column("runs", justify="right")
    cost = COST if compact else result.cost
    satisfaction = SATISFACTION if compact else result.satisfaction
    table.add_column(f"{cost} {arrow(result.cost)}", justify="right", no_wrap=True)
    table.add_column(f"{satisfaction} {arrow(result.satisfaction)}", justify="right", no_wrap=True)
    table.add_column("status", no_wrap=True)
    for _, row in rows.iterrows():
        table.add_row(
            *_parameter_cells(row, parameters, compact),
            str(row["runs"]),
            interval(row, result.cost, compact),
            interval(row, result.satisfaction, compact),
            STATUS_WORDS.get(str(row["status"]), str(row["status"])),
        )
    return table
