"""The report of ``servsim fit``: observed against fitted counts, and a QQ plot per law."""

from __future__ import annotations

import math
from pathlib import Path

import plotly.graph_objects as go

from servsim.report.document import figure_html, page, paragraph, section, table_html
from servsim.report.style import FONT, FRONTIER, RECOMMENDED, series_colour
from servsim.run.fit import Fit
from servsim.run.fitted_laws import Choice

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _counts(title: str, labels: list[str], observed: list[float], fitted: list[float]) -> go.Figure:
    figure = go.Figure()
    figure.add_bar(x=labels, y=observed, name="observed", marker_color=FRONTIER)
    figure.add_scatter(
        x=labels, y=fitted, name="fitted", mode="lines+markers", line_color=RECOMMENDED
    )
    figure.update_layout(
        title=title,
        font_family=FONT,
        height=360,
        yaxis_title="orders",
        legend={"orientation": "h", "y": -0.2},
        margin={"t": 50, "b": 80},
    )
    return figure


def _qq(choice: Choice, unit: str) -> go.Figure:
    figure = go.Figure()
    low, high = math.inf, -math.inf
    for index, candidate in enumerate(choice.candidates):
        observed, fitted = candidate.quantiles
        if not observed:
            continue
        low = min(low, *observed, *fitted)
        high = max(high, *observed, *fitted)
        figure.add_scatter(
            x=list(fitted),
            y=list(observed),
            mode="markers",
            name=f"{candidate.name} (AIC {candidate.aic:,.1f})",
            marker_color=series_colour(index),
        )
    if math.isfinite(low):
        figure.add_scatter(
            x=[low, high], y=[low, high], mode="lines", name="equal", line_color="#888"
        )
    figure.update_layout(
        title=f"{choice.what}: observed against fitted quantiles (5% to 95%)",
        font_family=FONT,
        height=380,
        xaxis_title=f"fitted quantile ({unit})",
        yaxis_title=f"observed quantile ({unit})",
        legend={"orientation": "h", "y": -0.25},
        margin={"t": 50, "b": 100},
    )
    return figure


def _table(choice: Choice) -> str:
    rows = [
        [
            candidate.name + (" (chosen)" if index == 0 else ""),
            f"{candidate.aic:,.1f}",
            candidate.test,
            "-" if math.isnan(candidate.statistic) else f"{candidate.statistic:.3g}",
            "-" if math.isnan(candidate.p_value) else f"{candidate.p_value:.3g}",
        ]
        for index, candidate in enumerate(choice.candidates)
    ]
    return table_html(["law", "AIC", "test", "statistic", "p-value"], rows)


def fit_report(fit: Fit, source: Path) -> str:
    """One self-contained HTML page (plotly.js inlined) on the fit of ``source``."""
    statistic, p_value = fit.arrival_test
    arrivals = section(
        "Arrivals",
        paragraph(
            f"{fit.trace.times.size:,} orders over {fit.trace.covers()}: {fit.rate:.4g} an hour "
            f"at multiplier 1; trend {fit.trend:+g} a year (weekly counts' slope p = "
            f"{fit.trend_p:.3g}; written only below {0.05}). Orders per clock hour against the "
            f"fitted Poisson rate: chi-square {statistic:,.1f}, p = {p_value:.3g} (a small p "
            "says the orders are burstier than Poisson or the profile misses a pattern)."
        ),
        figure_html(
            _counts(
                "Orders by hour of day",
                [f"{h}h" for h in range(24)],
                fit.observed_hours,
                fit.fitted_hours,
            ),
            "hours",
        ),
        figure_html(
            _counts("Orders by weekday", list(WEEKDAYS), fit.observed_days, fit.fitted_days),
            "weekdays",
        ),
    )
    quantity = section(
        "Units per order line",
        paragraph(
            f"Chosen by the lowest AIC: {fit.quantity.best.name}. Chi-square on the counts of "
            "each value (bins of fewer than 5 expected pooled); the empirical law fits the "
            "counts by construction."
        ),
        _table(fit.quantity),
        figure_html(_qq(fit.quantity, "units"), "quantity"),
    )
    parts = [arrivals, quantity]
    for sku, choice in fit.lead_times.items():
        parts.append(
            section(
                f"Lead time of {sku}",
                paragraph(f"Chosen by the lowest AIC: {choice.best.name}."),
                _table(choice),
                figure_html(_qq(choice, "hours"), f"lead-{sku}"),
            )
        )
    return page(f"Fit of {source.name}", "servsim fit: demand from the planner's data", parts)
