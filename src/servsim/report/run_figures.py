"""One scenario's run seen from inside: levels over time, cycle times against the promise,
and what cost the customers their satisfaction."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from servsim.report import style
from servsim.run.results import Results

SHORTFALL = "shortfall_"
"""Prefix of the order columns holding the satisfaction lost per dimension."""


def binned_average(
    times: np.ndarray, values: np.ndarray, start: float, end: float, bins: int
) -> tuple[np.ndarray, np.ndarray]:
    """Time-average of a step function (``values[i]`` from ``times[i]``) over equal bins.

    Returns the bins' left edges and averages; a step function with fewer changes than bins
    is returned as it is (its own steps, clipped to the window).
    """
    times, values = np.asarray(times, dtype=float), np.asarray(values, dtype=float)
    if len(times) <= bins:
        inside = times < end
        return np.append(times[inside], end), np.append(values[inside], values[inside][-1:])
    edges = np.linspace(start, end, bins + 1)
    steps = np.diff(np.append(times, max(end, times[-1])))
    area = np.concatenate([[0.0], np.cumsum(values * steps)])

    def integral(at: np.ndarray) -> np.ndarray:
        index = np.clip(np.searchsorted(times, at, side="right") - 1, 0, len(times) - 1)
        return area[index] + values[index] * (at - times[index])

    averages = np.diff(integral(edges)) / np.diff(edges)
    return edges, np.append(averages, averages[-1])


def levels_over_time(
    results: Results,
    replication: int = 0,
    skus: Sequence[str] | None = None,
    bins: int = 500,
) -> go.Figure:
    """On hand and backorders per sku, and busy staff, over one replication's time.

    Long runs are drawn as time-averages over ``bins`` equal intervals (said in the
    subtitle), so a year of orders stays a light figure; the warm-up is shaded.
    """
    scenario = results.scenario
    horizon, warmup = float(scenario.horizon), float(scenario.warmup)
    stock = results.stock_levels
    stock = stock[stock["replication"] == replication]
    busy = results.busy_staff
    busy = busy[busy["replication"] == replication]
    chosen = list(skus) if skus is not None else list(dict.fromkeys(stock["sku"].astype(str)))
    panels = [
        ("on_hand", "On hand (units)"),
        ("backorders", "Backorders (units)"),
    ]
    panels = [(column, title) for column, title in panels if len(stock)]
    if len(busy):
        panels.append(("busy", "Busy staff (clerks)"))
    if not panels:
        raise ValueError("this scenario keeps no stock and has no staff: no levels to draw")
    figure = make_subplots(
        rows=len(panels),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.07,
        subplot_titles=[title for _, title in panels],
    )
    binned = False
    for row, (column, title) in enumerate(panels, start=1):
        series = (
            [(sku, stock[stock["sku"].astype(str) == sku]) for sku in chosen]
            if column != "busy"
            else [("busy staff", busy)]
        )
        for index, (name, table) in enumerate(series):
            if table.empty:
                continue
            x, y = binned_average(
                table["time"].to_numpy(), table[column].to_numpy(), 0.0, horizon, bins
            )
            binned = binned or len(table) > bins
            colour = style.series_colour(index if column != "busy" else len(chosen))
            figure.add_trace(
                go.Scatter(
                    x=x,
                    y=y,
                    mode="lines",
                    line={"shape": "hv", "color": colour, "width": 1.4},
                    name=name,
                    legendgroup=name,
                    showlegend=row == 1 or column == "busy",
                    hovertemplate=f"{name}<br>t = %{{x:,.1f}}<br>{title}: %{{y:,.1f}}"
                    "<extra></extra>",
                ),
                row=row,
                col=1,
            )
        figure.update_yaxes(title_text=title.split(" (")[-1].rstrip(")"), row=row, col=1)
    if warmup > 0:
        figure.add_vrect(
            x0=0,
            x1=warmup,
            fillcolor="#888",
            opacity=0.12,
            line_width=0,
            annotation_text="warm-up",
            annotation_position="top left",
            row="all",
            col=1,
        )
    figure.update_xaxes(title_text=f"time ({scenario.time_unit})", row=len(panels), col=1)
    subtitle = f"replication {replication}"
    if binned:
        subtitle += f"; time-averages over {bins} equal intervals"
    return style.finish(figure, "Levels over time", subtitle, height=220 + 200 * len(panels))


def cycle_time_ecdf(results: Results, by: str = "segment", points: int = 800) -> go.Figure:
    """The distribution (ECDF) of order cycle time of delivered orders, against the promise.

    One curve per value of ``by`` (a column of ``Results.orders``) when there are several;
    a dashed line at each group's promise, with the share delivered within it.
    """
    orders = results.orders
    delivered = orders[orders["counted"] & (orders["outcome"] == "delivered")]
    groups = (
        list(delivered.groupby(by, sort=False, observed=True))
        if by in delivered.columns and delivered[by].nunique() > 1
        else [("all orders", delivered)]
    )
    figure = go.Figure()
    unit = results.scenario.time_unit
    promises: dict[float, list[tuple[str, float, str]]] = {}
    for index, (name, group) in enumerate(groups):
        colour = style.series_colour(index)
        cycle = np.sort(group["cycle_time"].to_numpy(dtype=float))
        if not len(cycle):
            continue
        share = np.arange(1, len(cycle) + 1) / len(cycle)
        keep = np.unique(np.linspace(0, len(cycle) - 1, min(points, len(cycle))).astype(int))
        figure.add_trace(
            go.Scatter(
                x=cycle[keep],
                y=share[keep],
                mode="lines",
                line={"shape": "hv", "color": colour, "width": 2},
                name=str(name),
                hovertemplate="%{y:.1%} delivered within %{x:,.1f}<extra>" + str(name) + "</extra>",
            )
        )
        promise = float((group["promised"] - group["placed"]).median())
        within = float(np.mean(cycle <= promise))
        promises.setdefault(promise, []).append((str(name), within, colour))
    _mark_promises(figure, promises, unit, several=len(groups) > 1)
    return style.finish(
        figure,
        "Order cycle time against the promise",
        f"share of delivered orders (placed after the warm-up) delivered within each time; "
        f"{len(delivered):,} orders over {len(results.kpis)} replications",
        y_title="share of delivered orders",
        x_title=f"order cycle time ({results.scenario.time_unit})",
    ).update_yaxes(tickformat=".0%", range=[0, 1.02])


def _mark_promises(
    figure: go.Figure,
    promises: dict[float, list[tuple[str, float, str]]],
    unit: str,
    several: bool,
) -> None:
    """A dashed line at each promise and one label for it, naming each group's share within
    it (groups with the same promise share the line); labels stacked so none covers another."""
    for level, promise in enumerate(sorted(promises)):
        groups = promises[promise]
        colour = groups[0][2] if len(groups) == 1 else "#444"
        figure.add_vline(x=promise, line={"dash": "dash", "color": colour, "width": 1.5})
        shares = ", ".join(
            f"{within:.0%} of {name}" if several else f"{within:.0%}" for name, within, _ in groups
        )
        figure.add_annotation(
            x=promise,
            y=0.04 + 0.09 * level,
            xref="x",
            yref="y",
            text=f"promise {promise:g} {unit}: {shares} within",
            showarrow=False,
            xanchor="left",
            yanchor="bottom",
            xshift=4,
            font={"color": colour, "size": 12},
            bgcolor="rgba(255, 255, 255, 0.85)",
        )


def dissatisfaction_causes(source: Results | pd.DataFrame, by: str | None = None) -> go.Figure:
    """Points of satisfaction lost per order, by dimension (the order columns ``shortfall_*``).

    Takes a scenario's results or an order table; the bars of one order add up to
    1 - its satisfaction, so the longest bar is where service hurts most.
    """
    orders = source.orders if isinstance(source, Results) else source
    columns = [column for column in orders.columns if column.startswith(SHORTFALL)]
    if not columns:
        raise ValueError(
            f"the orders have no {SHORTFALL}* columns (satisfaction lost per dimension)"
        )
    if "counted" in orders.columns:
        orders = orders[orders["counted"]]
    if "known" in orders.columns:
        orders = orders[orders["known"]]
    groups = list(orders.groupby(by, sort=False, observed=True)) if by else [("all orders", orders)]
    figure = go.Figure()
    names = [column.removeprefix(SHORTFALL).replace("_", " ") for column in columns]
    for index, (name, group) in enumerate(groups):
        lost = 100 * group[columns].mean()
        shares = lost / lost.sum() if lost.sum() > 0 else lost * 0
        figure.add_trace(
            go.Bar(
                y=names,
                x=lost.to_numpy(),
                orientation="h",
                name=str(name),
                marker={"color": style.series_colour(index)},
                text=[
                    f"{value:.3g} ({share:.0%})" for value, share in zip(lost, shares, strict=True)
                ],
                textposition="outside",
                cliponaxis=False,
                hovertemplate="%{y}: %{x:.3g} points lost per order<extra>"
                + str(name)
                + "</extra>",
            )
        )
    total = 100 * float(orders[columns].sum(axis=1).mean()) if len(orders) else float("nan")
    figure.update_layout(barmode="group", showlegend=by is not None)
    figure.update_yaxes(autorange="reversed")
    widest = max((max(trace.x) for trace in figure.data), default=0) or 1
    figure.update_xaxes(tickformat=",.3~g", range=[0, 1.25 * widest])  # room for the labels
    return style.finish(
        figure,
        "Causes of dissatisfaction",
        f"satisfaction points (of 100) lost per order, by dimension, and each one's share of "
        f"the loss; {total:.3g} points lost in all, over {len(orders):,} orders",
        x_title="satisfaction points lost per order (mean, of 100)",
        height=360 + 40 * len(columns) * max(1, len(groups) // 2),
    )
