"""How a KPI moves with the parameters of a sweep: lines with confidence bands, a heatmap."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from servsim.experiment.results import SweepResults
from servsim.report import style
from servsim.report.points import (
    held_text,
    hover_text,
    ordered_values,
    parameter_names,
    recommended,
    slice_points,
    standards_of,
    varied_parameters,
)
from servsim.stats.confidence import possible_interval


def kpi_by_parameter(
    sweep: SweepResults,
    kpi: str,
    parameter: str | None = None,
    by: str | None = "auto",
    at: Mapping[str, Any] | None = None,
    time_unit: str | None = None,
) -> go.Figure:
    """A KPI's mean against one parameter with its confidence band, a line per value of ``by``.

    Defaults: the first parameter on the x axis, the second as lines (``by=None``: one line).
    Other parameters are
    held at ``at`` (default: the recommended point's values), said in the subtitle. A
    standard on the KPI is drawn as a dashed line at its target.
    """
    _check_kpi(sweep, kpi)
    parameter = parameter or sweep.parameters[0]
    if by == "auto":
        others = [name for name in sweep.parameters if name != parameter]
        by = others[0] if others else None
    free = [parameter] if by is None else [parameter, by]
    rows, held = slice_points(sweep, free, at)
    names = parameter_names(sweep)
    figure = go.Figure()
    groups = ordered_values(rows[by]) if by else [None]
    for index, value in enumerate(groups):
        line = rows if by is None else rows[rows[by] == value]
        order = ordered_values(line[parameter])
        line = line.set_index(line[parameter].map(str)).loc[[str(v) for v in order]]
        colour = style.series_colour(index)
        name = kpi if by is None else f"{names[by]} {style.show_value(value)}"
        x = [_axis_value(v) for v in order]
        lo, hi = possible_interval(
            kpi,
            line[f"{kpi}_lo"].fillna(line[f"{kpi}_mean"]).to_numpy(dtype=float),
            line[f"{kpi}_hi"].fillna(line[f"{kpi}_mean"]).to_numpy(dtype=float),
        )
        figure.add_trace(
            go.Scatter(
                x=[*x, *x[::-1]],
                y=[*hi, *lo[::-1]],
                fill="toself",
                fillcolor=style.translucent(colour, 0.15),
                mode="lines",
                line={"width": 0},
                hoverinfo="skip",
                showlegend=False,
                legendgroup=name,
                name=f"{name} band",
            )
        )
        figure.add_trace(
            go.Scatter(
                x=x,
                y=line[f"{kpi}_mean"],
                mode="lines+markers",
                name=name,
                legendgroup=name,
                line={"color": colour, "width": 2},
                marker={"color": colour, "size": 7},
                text=[hover_text(sweep, row, [kpi]) for _, row in line.iterrows()],
                hovertemplate="%{text}<extra></extra>",
            )
        )
    for standard in standards_of(sweep, None):
        if standard.column == kpi:
            figure.add_hline(
                y=standard.target,
                line={"dash": "dash", "color": style.STATUS_COLOURS["missed"], "width": 1.5},
                annotation_text=f"standard {standard.operator} "
                f"{style.format_number(kpi, standard.target)}",
                annotation_position="top left",
            )
    if pd.api.types.is_numeric_dtype(rows[parameter]):
        figure.update_xaxes(tickvals=ordered_values(rows[parameter]))
    subtitle = f"mean and {sweep.confidence:.0%} confidence band"
    if held:
        subtitle += f"; {held_text(sweep, held)}"
    return style.finish(
        figure,
        f"{style.kpi_name(kpi)} by {names[parameter]}",
        subtitle,
        y=kpi,
        x_title=names[parameter],
        time_unit=time_unit,
    )


def kpi_heatmap(
    sweep: SweepResults,
    kpi: str,
    x: str | None = None,
    y: str | None = None,
    at: Mapping[str, Any] | None = None,
    time_unit: str | None = None,
) -> go.Figure:
    """A KPI's mean over two parameters (first and second by default), each cell labelled
    with its mean and interval; other parameters held at ``at`` (default: as recommended)."""
    _check_kpi(sweep, kpi)
    if len(sweep.parameters) < 2 and (x is None or y is None):
        raise ValueError("a heatmap needs two parameters; this sweep has one")
    x = x or sweep.parameters[0]
    y = y or next(name for name in sweep.parameters if name != x)
    rows, held = slice_points(sweep, [x, y], at)
    columns, lines = ordered_values(rows[x]), ordered_values(rows[y])
    mean = np.full((len(lines), len(columns)), np.nan)
    text = [["" for _ in columns] for _ in lines]
    hover = [["no point here" for _ in columns] for _ in lines]
    for _, row in rows.iterrows():
        i, j = lines.index(row[y]), columns.index(row[x])
        mean[i, j] = row[f"{kpi}_mean"]
        text[i][j] = style.format_interval(
            kpi, row[f"{kpi}_mean"], row[f"{kpi}_lo"], row[f"{kpi}_hi"]
        ).replace(" [", "<br>[")
        hover[i][j] = hover_text(sweep, row, [kpi])
    figure = go.Figure(
        go.Heatmap(
            z=mean,
            x=[style.show_value(value) for value in columns],
            y=[style.show_value(value) for value in lines],
            text=text,
            texttemplate="%{text}",
            textfont={"size": HEATMAP_TEXT},
            customdata=hover,
            hovertemplate="%{customdata}<extra></extra>",
            colorscale="Blues",
            colorbar={
                "title": {"text": style.kpi_name(kpi)},
                "tickformat": style.tick_format(kpi, mean[np.isfinite(mean)].tolist()),
            },
        )
    )
    figure.update_xaxes(type="category")
    figure.update_yaxes(type="category")
    names = parameter_names(sweep)
    subtitle = f"mean [{sweep.confidence:.0%} interval] per point"
    if held:
        subtitle += f"; {held_text(sweep, held)}"
    return style.finish(
        figure,
        f"{style.kpi_name(kpi)} over {names[x]} and {names[y]}",
        subtitle,
        x_title=names[x],
        y_title=names[y],
        time_unit=time_unit,
        height=max(480, 200 + CELL_HEIGHT * len(lines)),
    )


def is_grid(sweep: SweepResults) -> bool:
    """Whether the points are a full grid: every combination of the parameters' values once
    (a slice through it is a line); an LHS, a random design or a search's points are not."""
    summary = sweep.summary
    if not sweep.parameters or summary.empty:
        return False
    shown = summary[list(sweep.parameters)].map(style.show_value)
    combinations = math.prod(shown[name].nunique() for name in sweep.parameters)
    return combinations == len(shown.drop_duplicates()) == len(shown)


def kpi_by_each_parameter(sweep: SweepResults, kpi: str, time_unit: str | None = None) -> go.Figure:
    """A KPI's mean at every point against each parameter in turn, one panel a parameter,
    with its interval: for designs that are not a grid (an LHS, a random design, a search),
    where no slice holds the other parameters fixed. The recommended point is starred."""
    _check_kpi(sweep, kpi)
    summary = sweep.summary
    names = parameter_names(sweep)
    varied = varied_parameters(sweep)  # horizon: [30d] sets the sweep, it varies in none
    columns = min(len(varied), 2)
    rows = math.ceil(len(varied) / columns)
    figure = make_subplots(
        rows=rows,
        cols=columns,
        shared_yaxes=True,
        horizontal_spacing=0.1,
        vertical_spacing=0.22 if rows > 1 else 0.1,
    )
    best = recommended(sweep)
    lo, hi = possible_interval(
        kpi,
        summary[f"{kpi}_lo"].fillna(summary[f"{kpi}_mean"]).to_numpy(dtype=float),
        summary[f"{kpi}_hi"].fillna(summary[f"{kpi}_mean"]).to_numpy(dtype=float),
    )
    mean = summary[f"{kpi}_mean"].to_numpy(dtype=float)
    hover = [hover_text(sweep, row, [kpi]) for _, row in summary.iterrows()]
    for index, parameter in enumerate(varied):
        row, column = index // columns + 1, index % columns + 1
        numeric = pd.api.types.is_numeric_dtype(summary[parameter])
        x = summary[parameter] if numeric else summary[parameter].map(_category)
        figure.add_trace(
            go.Scatter(
                x=x,
                y=mean,
                mode="markers",
                name="points",
                legendgroup="points",
                showlegend=index == 0,
                marker={"color": style.FRONTIER, "size": 8, "opacity": 0.8},
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": np.nan_to_num(hi - mean),
                    "arrayminus": np.nan_to_num(mean - lo),
                    "color": style.translucent(style.FRONTIER, 0.45),
                    "thickness": 1.2,
                    "width": 0,
                },
                text=hover,
                hovertemplate="%{text}<extra></extra>",
            ),
            row=row,
            col=column,
        )
        if best is not None:
            figure.add_trace(
                go.Scatter(
                    x=[best[parameter] if numeric else _category(best[parameter])],
                    y=[best[f"{kpi}_mean"]],
                    mode="markers",
                    name="recommended",
                    legendgroup="recommended",
                    showlegend=index == 0,
                    marker={"symbol": "star", "size": 16, "color": style.RECOMMENDED},
                    hoverinfo="skip",
                ),
                row=row,
                col=column,
            )
        figure.update_xaxes(title_text=names[parameter], row=row, col=column)
        distinct = ordered_values(summary[parameter])
        if not numeric:
            figure.update_xaxes(type="category", row=row, col=column)
        elif len(distinct) <= FEW_VALUES:
            figure.update_xaxes(tickvals=distinct, row=row, col=column)
    for standard in standards_of(sweep, None):
        if standard.column == kpi:
            figure.add_hline(
                y=standard.target,
                line={"dash": "dash", "color": style.STATUS_COLOURS["missed"], "width": 1.5},
                row="all",
                col="all",
            )
    if rows == 1:  # a taller panel holds the axis title; stacked ones take it from the title
        figure.update_yaxes(title_text=style.axis_title(kpi, time_unit), col=1)
    subtitle = (
        f"every point of the design (not a grid: no slice holds the other parameters fixed), "
        f"mean and {sweep.confidence:.0%} interval"
    )
    if any(standard.column == kpi for standard in standards_of(sweep, None)):
        subtitle += "; dashed: the standard's target"
    figure = style.finish(
        figure,
        f"{style.axis_title(kpi, time_unit)} against each parameter",
        subtitle,
        time_unit=time_unit,
        height=160 + 300 * rows,
    )
    values = [*mean, *lo, *hi]
    return figure.update_yaxes(tickformat=style.tick_format(kpi, values))


FEW_VALUES = 12
"""A numeric parameter with this many values or fewer has a tick at each."""


def _category(value: Any) -> str:
    """A parameter's value as a tick label: a section's keys one a line."""
    return style.show_value(value).replace(", ", "<br>")


HEATMAP_TEXT = 12
"""Size (px) of the heatmap's cell text: readable in a decision review."""
CELL_HEIGHT = 64
"""Height (px) of a heatmap row: two lines of cell text and room around them."""


def _check_kpi(sweep: SweepResults, kpi: str) -> None:
    if f"{kpi}_mean" not in sweep.summary.columns:
        raise ValueError(f"{kpi!r} is not a KPI of this sweep")


def _axis_value(value: Any) -> Any:
    """Numbers stay numbers (a numeric axis); anything else becomes a category."""
    if isinstance(value, int | float | np.integer | np.floating):
        return value
    return _category(value)
