"""Run tables for people: a run's KPIs (mean and interval) and their breakdown per segment,
channel, sku, location or region, as rich tables for ``servsim run``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
from rich.table import Table

from servsim.cli.fitting import fit, spread
from servsim.core.formats import INTERVAL_METHOD, format_value
from servsim.core.kpi_columns import KPI_GROUPS

if TYPE_CHECKING:
    from servsim.run.results import Results


def summary_table(results: Results, confidence: float) -> Table:
    """The run's KPIs in their groups: mean and confidence interval over the replications."""
    scenario = results.scenario
    summary = results.summary(confidence)
    replications = len(results.kpis)
    table = Table(
        title=f"{scenario.name}: {replications} replications, seed {results.seed}, "
        f"times in {scenario.time_unit}",
        caption=f"mean and {confidence:.0%} confidence interval ({INTERVAL_METHOD}) over "
        f"replications; "
        f"warm-up {scenario.warmup:g} of horizon {scenario.horizon:g}",
    )
    table.add_column("KPI")
    table.add_column("mean", justify="right")
    table.add_column(f"{confidence:.0%} interval", justify="right")
    for group, kpis in KPI_GROUPS.items():
        present = [kpi for kpi in kpis if kpi in summary.index]
        if not present:
            continue
        table.add_section()
        table.add_row(f"[bold]{group}[/bold]", "", "")
        for kpi in present:
            row = summary.loc[kpi]
            interval = (
                f"{format_value(kpi, row['lo'])} .. {format_value(kpi, row['hi'])}"
                if row["n"] >= 2 and pd.notna(row["halfwidth"])
                else "-"
            )
            table.add_row(kpi, format_value(kpi, row["mean"]), interval)
    return table


def breakdown_table(results: Results, by: str, confidence: float, width: int | None) -> Table:
    """KPIs as rows, one column per segment or sku; each figure stacked (the mean over its
    interval) when one line per figure does not fit the terminal."""
    summary = results.summary_by(by, confidence)
    groups = list(dict.fromkeys(summary.index.get_level_values(0)))

    def build(compact: bool) -> Table:
        table = Table(title=f"KPIs per {by}: mean [{confidence:.0%} interval]")
        table.add_column("KPI", overflow="fold")
        for group in groups:
            table.add_column(str(group), justify="right", no_wrap=True)
        for kpi in dict.fromkeys(summary.index.get_level_values(1)):
            cells = []
            for group in groups:
                row = summary.loc[(group, kpi)]
                mean, lo, hi = float(row["mean"]), float(row["lo"]), float(row["hi"])
                cells.append(spread(kpi, mean, lo, hi, compact))
            table.add_row(kpi, *cells)
        return table

    return fit(build, width)
