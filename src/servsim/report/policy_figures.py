"""Policies side by side: where the money goes, and which standards each one meets.

Both figures take a sweep (a bar or a row per point) or a single scenario's results.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from servsim.experiment.frontier import by_economic_objective, check_standards
from servsim.experiment.results import SweepResults
from servsim.report import style
from servsim.report.points import parameter_names, recommended, standards_of, tick_label
from servsim.run.results import Results
from servsim.search.evidence import FRESH

NOT_TERMS = ("cost_total", "cost_per_order")
"""Cost columns that are sums of the others, not terms."""

TABLE_CHARACTERS = 165
"""About how many characters of table text (11 px) fit across a figure of the report's width."""

STANDARD_COLUMNS = ("standard", "kpi", "mean", "lo", "hi", "status")
"""What a table of standards checked for one scenario holds (``Results.standards()``)."""


def cost_terms(columns: Sequence[str]) -> list[str]:
    """Every ``cost_*`` column but the totals, in the order given."""
    return [c for c in columns if c.startswith("cost_") and c not in NOT_TERMS]


def cost_breakdown(
    source: SweepResults | Results,
    points: Sequence[int] | None = None,
    per_order: bool = True,
) -> go.Figure:
    """Stacked bars of every cost term, per policy (mean over its runs), with the total on top.

    From a sweep: the ``points`` given, by default the efficient ones and the recommended
    one. ``per_order``: each run's terms divided by its orders, then averaged, so the bars
    add up to the mean cost per order; otherwise totals over the measured window.
    """
    runs, labels = _runs_and_labels(source, points)
    terms = [term for term in cost_terms(runs.columns) if runs[term].abs().sum() > 0]
    values = runs[terms].div(runs["orders"], axis=0) if per_order else runs[terms]
    means = values.groupby(runs["bar"], sort=False).mean().reindex(list(labels))
    figure = go.Figure()
    for term in terms:
        figure.add_trace(
            go.Bar(
                x=list(labels.values()),
                y=means[term],
                name=term.removeprefix("cost_").replace("_", " "),
                marker={"color": style.cost_colour(term)},
                hovertemplate=f"{term}: %{{y:,.2f}}<extra>%{{x}}</extra>",
            )
        )
    totals = means.sum(axis=1)
    figure.add_trace(
        go.Scatter(
            x=list(labels.values()),
            y=totals,
            mode="text",
            text=[f"{total:,.2f}" for total in totals],
            textposition="top center",
            showlegend=False,
            hoverinfo="skip",
            name="total",
        )
    )
    figure.update_layout(barmode="stack", legend={"traceorder": "normal"})
    unit = "per order" if per_order else "over the measured window"
    return style.finish(
        figure,
        f"Cost breakdown {unit}",
        f"mean over each policy's runs; every cost term stacked, the total on top ({unit})"
        + (
            "; the optimizer's final check (fresh replications) drawn apart from its search runs"
            if any(str(key).endswith(FINAL_CHECK) for key in labels)
            else ""
        ),
        y_title=f"cost {unit}",
        height=520,
    )


FINAL_CHECK = "final check"
SEARCH = "search"


def _runs_and_labels(
    source: SweepResults | Results, points: Sequence[int] | None
) -> tuple[pd.DataFrame, dict[str, str]]:
    """The runs to draw (a ``bar`` column: which bar each run belongs to) and each bar's
    label, in drawing order. A point the optimizer checked again on fresh replications gets
    two bars, its search runs and its final check, each labelled: never one mean of both."""
    if isinstance(source, Results):
        return source.kpis.assign(bar="0"), {"0": source.scenario.name}
    summary = source.summary.set_index("point", drop=False)
    if points is None:
        chosen = list(source.frontier(indistinguishable=False)["point"])
        best = recommended(source)
        if best is not None and int(best["point"]) not in chosen:
            chosen.append(int(best["point"]))
        points = by_economic_objective(summary.loc[chosen], source.cost)["point"].tolist()
    missing = [point for point in points if point not in summary.index]
    if missing:
        raise ValueError(f"no point {missing[0]} in this sweep (points 0 to {len(summary) - 1})")
    runs = source.runs[source.runs["point"].isin([int(point) for point in points])]
    fresh = runs["replication"] >= FRESH
    checked = set(runs.loc[fresh, "point"].astype(int))
    bar = runs["point"].astype(int).astype(str)
    bar = bar.where(~runs["point"].isin(checked), bar + " " + SEARCH)
    bar = bar.where(~fresh, runs["point"].astype(int).astype(str) + " " + FINAL_CHECK)
    labels: dict[str, str] = {}
    for point in points:
        label = tick_label(source, summary.loc[point])
        if int(point) in checked:
            head, _, rest = label.partition("<br>")
            searched = int((~fresh & (runs["point"] == point)).sum())
            again = int((fresh & (runs["point"] == point)).sum())
            labels[f"{int(point)} {SEARCH}"] = f"{head}, search<br>({searched} runs) {rest}"
            labels[f"{int(point)} {FINAL_CHECK}"] = (
                f"{head}, final check<br>({again} fresh runs) {rest}"
            )
        else:
            labels[str(int(point))] = label
    return runs.assign(bar=bar), labels


def run_standards(results: Results, confidence: float) -> pd.DataFrame | None:
    """The scenario's standards checked (``Results.standards``), or None when it has none."""
    check = getattr(results, "standards", None)
    if not callable(check):
        return None
    table = check(confidence)
    if not isinstance(table, pd.DataFrame) or table.empty:
        return None
    return table if all(column in table.columns for column in STANDARD_COLUMNS) else None


def standards_table(
    source: SweepResults | Results | pd.DataFrame,
    standards: Mapping[str, Any] | None = None,
    confidence: float = 0.95,
) -> go.Figure:
    """Met / missed / unclear as a coloured table: a row per point of a sweep (cheapest
    first), or a row per standard of one scenario (``Results.standards()`` or its table)."""
    if isinstance(source, SweepResults):
        return _sweep_standards(source, standards)
    table = run_standards(source, confidence) if isinstance(source, Results) else source
    if table is None:
        raise ValueError("the scenario states no service standards (its standards: section)")
    missing = [column for column in STANDARD_COLUMNS if column not in table.columns]
    if missing:
        raise ValueError(f"a standards table needs the columns {', '.join(STANDARD_COLUMNS)}")
    cells = [
        table["standard"].tolist(),
        [style.format_interval(row.kpi, row.mean, row.lo, row.hi) for row in table.itertuples()],
        table["status"].tolist(),
    ]
    fills = [
        ["white"] * len(table),
        ["white"] * len(table),
        [style.STATUS_FILLS.get(status, "white") for status in table["status"]],
    ]
    return _table_figure(
        ["standard", f"mean [{confidence:.0%} interval]", "status"],
        cells,
        fills,
        "Service standards",
        f"met: the whole {confidence:.0%} interval is on the right side of the target; "
        "missed: on the wrong side; unclear: it straddles the target",
    )


def _sweep_standards(sweep: SweepResults, standards: Mapping[str, Any] | None) -> go.Figure:
    chosen = standards_of(sweep, standards)
    if not chosen:
        raise ValueError('no standards to check; pass some, e.g. {"otif": ">= 0.95"}')
    summary = sweep.summary
    checks = check_standards(summary, chosen)
    order = summary[f"{sweep.cost}_mean"].sort_values(kind="stable").index
    names = parameter_names(sweep)
    header = ["point", *names.values(), f"{style.kpi_name(sweep.cost)}"]
    cells: list[list[Any]] = [[int(p) for p in summary.loc[order, "point"]]]
    cells += [[style.show_value(v) for v in summary.loc[order, name]] for name in sweep.parameters]
    cells.append(
        [style.format_number(sweep.cost, summary.at[i, f"{sweep.cost}_mean"]) for i in order]
    )
    fills: list[list[str]] = [["white"] * len(order) for _ in cells]
    for standard in chosen:
        kpi, key = standard.column, str(standard)
        header.append(key)
        cells.append(
            [
                f"{checks.at[i, key]}<br>"
                + style.format_interval(
                    kpi,
                    summary.at[i, f"{kpi}_mean"],
                    summary.at[i, f"{kpi}_lo"],
                    summary.at[i, f"{kpi}_hi"],
                )
                for i in order
            ]
        )
        fills.append([style.STATUS_FILLS[checks.at[i, key]] for i in order])
    header.append("all met")
    all_met = checks.loc[order, "all_met"]
    cells.append(["yes" if met else "no" for met in all_met])
    fills.append([style.STATUS_FILLS["met" if met else "missed"] for met in all_met])
    return _table_figure(
        header,
        cells,
        fills,
        "Service standards per policy, cheapest first",
        f"mean [{sweep.confidence:.0%} interval]; met: the whole interval is on the right side "
        "of the target; missed: on the wrong side; unclear: it straddles the target",
    )


def _table_figure(
    header: list[str], cells: list[list[Any]], fills: list[list[str]], title: str, subtitle: str
) -> go.Figure:
    """A plotly table sized to its text: columns as wide as their longest line (within
    bounds), the figure as tall as its wrapped rows."""
    widths = [
        min(max(_longest([name, *column]), 5), 26) + 4  # room for the cell's padding
        for name, column in zip(header, cells, strict=True)
    ]
    characters = [TABLE_CHARACTERS * width / sum(widths) for width in widths]

    def lines(values: list[Any]) -> int:
        return max(
            sum(math.ceil(len(part) / room) or 1 for part in str(value).split("<br>"))
            for value, room in zip(values, characters, strict=True)
        )

    rows = [lines([column[row] for column in cells]) for row in range(len(cells[0]))]
    head = lines(header)
    figure = go.Figure(
        go.Table(
            header={
                "values": [f"<b>{name}</b>" for name in header],
                "fill_color": "#e8edf3",
                "align": "left",
                "height": 12 + 17 * head,
                "font": {"size": 11},
            },
            cells={
                "values": cells,
                "fill_color": fills,
                "align": "left",
                "height": 29,
                "font": {"size": 11},
            },
            columnwidth=widths,
        )
    )
    height = 160 + 12 + 17 * head + sum(12 + 17 * count for count in rows)
    return style.finish(figure, title, subtitle, height=height)


def _longest(values: list[Any]) -> int:
    return max(len(part) for value in values for part in str(value).split("<br>"))
