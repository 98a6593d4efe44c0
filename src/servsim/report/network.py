"""The network's part of a run report: per location its stock, fill rate and costs, and the
network's own KPIs (transshipment, primary share, supplier OTIF, disruption time).

Shown only when the scenario has a network; a run without one has no such section.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from servsim.report import document, style
from servsim.run.results import Results

NETWORK_KPIS = (
    "transshipment_rate",
    "primary_share",
    "supplier_otif",
    "supplier_on_time",
    "supplier_in_full",
    "supplier_availability",
    "disruption_time",
    "cost_legs",
    "cost_transshipment",
)
"""The network's own KPIs, in the order the report lists them (those the run has)."""

LOCATION_KPIS = (
    "lines",
    "unit_fill_rate",
    "line_fill_rate",
    "avg_on_hand",
    "avg_backorders",
    "avg_owed",
    "transshipped_in",
    "transshipped_out",
    "cost_holding",
    "cost_legs",
    "cost_transshipment",
)
"""Per location, the columns of its table."""

LOCATION_COSTS = ("cost_holding", "cost_legs", "cost_transshipment")
"""A location's costs, stacked in its bar."""


def network_section(results: Results, confidence: float) -> str | None:
    """The "Network" section of a run report; None when the scenario has no network."""
    if results.scenario.network is None:
        return None
    by_location = results.summary_by("location", confidence)
    return document.section(
        "Network",
        document.paragraph(
            "The network's own KPIs, then every location's stock, fill rate and costs "
            f"(means with their {confidence:.0%} intervals over the replications)."
        ),
        _network_table(results, confidence),
        _location_table(by_location, confidence),
        document.figure_html(
            locations_figure(by_location, results.scenario.time_unit),
            "network-locations",
            "Fill rate of the lines each location served, its average stock on hand, and its "
            "holding, leg and transshipment costs over the window; whiskers: the intervals.",
        ),
    )


def _network_table(results: Results, confidence: float) -> str:
    summary = results.summary(confidence)
    rows = [
        [kpi, style.format_interval(kpi, row["mean"], row["lo"], row["hi"]), int(row["n"])]
        for kpi in NETWORK_KPIS
        if kpi in summary.index and pd.notna((row := summary.loc[kpi])["mean"])
    ]
    return document.table_html(["network KPI", f"mean [{confidence:.0%} interval]", "n"], rows)


def _location_table(by_location: pd.DataFrame, confidence: float) -> str:
    locations = list(dict.fromkeys(by_location.index.get_level_values("location")))
    kpis = [k for k in LOCATION_KPIS if k in by_location.index.get_level_values("kpi")]
    rows = []
    for location in locations:
        cells: list[object] = [location]
        for kpi in kpis:
            row = by_location.loc[(location, kpi)]
            cells.append(
                "–"
                if pd.isna(row["mean"])
                else style.format_interval(kpi, row["mean"], row["lo"], row["hi"])
            )
        rows.append(cells)
    return document.table_html(["location", *kpis], rows) + document.paragraph(
        f"Each cell: mean [{confidence:.0%} interval]."
    )


def locations_figure(by_location: pd.DataFrame, time_unit: str | None = None) -> go.Figure:
    """Bars per location: fill rate, average on hand, and costs stacked by term."""
    locations = list(dict.fromkeys(by_location.index.get_level_values("location")))
    figure = make_subplots(
        rows=1,
        cols=3,
        subplot_titles=("unit fill rate", "average on hand (units)", "costs"),
        horizontal_spacing=0.08,
    )
    for column, kpi in ((1, "unit_fill_rate"), (2, "avg_on_hand")):
        mean, lo, hi = _column(by_location, locations, kpi)
        figure.add_trace(
            go.Bar(
                x=locations,
                y=mean,
                name=style.kpi_name(kpi),
                marker_color=style.series_colour(column - 1),
                error_y={
                    "type": "data",
                    "array": [h - m for h, m in zip(hi, mean, strict=True)],
                    "arrayminus": [m - low for m, low in zip(mean, lo, strict=True)],
                },
                showlegend=False,
            ),
            row=1,
            col=column,
        )
    figure.update_yaxes(tickformat=".0%", row=1, col=1)
    for term in LOCATION_COSTS:
        if term not in by_location.index.get_level_values("kpi"):
            continue
        mean, _, _ = _column(by_location, locations, term)
        figure.add_trace(
            go.Bar(
                x=locations, y=mean, name=style.kpi_name(term), marker_color=style.cost_colour(term)
            ),
            row=1,
            col=3,
        )
    figure.update_layout(barmode="stack")
    return style.finish(figure, "Stock locations", "per location, over the window", height=440)


def _column(
    by_location: pd.DataFrame, locations: list[str], kpi: str
) -> tuple[list[float], list[float], list[float]]:
    """Mean, lo and hi of ``kpi`` at each location (0 where it is not measured)."""
    rows = [by_location.loc[(location, kpi)] for location in locations]
    pick = [
        [0.0 if pd.isna(row[c]) else float(row[c]) for row in rows] for c in ("mean", "lo", "hi")
    ]
    return pick[0], pick[1], pick[2]
