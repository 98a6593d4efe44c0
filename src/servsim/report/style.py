"""One look for every figure: colours, KPI names with their units, axis formats, layout.

Every figure of the report goes through :func:`finish`, so a rate reads as a percentage on
every axis, a time KPI carries the scenario's time unit, and a standard's status has the
same colour in the exchange curve and in the standards table.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Iterable, Sequence

import plotly.graph_objects as go
from plotly.colors import hex_to_rgb, qualitative, unlabel_rgb

from servsim.core.formats import show_value as show_value  # how reports and tables agree
from servsim.core.kpi_columns import COST_TERMS, DURATIONS, RATES, split_column
from servsim.stats.confidence import possible_interval

STATUS_COLOURS = {"met": "#1a9850", "unclear": "#f0a020", "missed": "#d73027"}
"""A standard met, unclear (the interval straddles the target) or missed."""
STATUS_FILLS = {"met": "#c7e9c0", "unclear": "#fee8a6", "missed": "#fcbba1"}
"""The same statuses as light cell backgrounds, for tables."""

FRONTIER = "#1f4e79"
"""The efficient frontier and the points on it."""
CLOSE = "#6b8fb8"
"""Points the intervals cannot tell from the frontier."""
DOMINATED = "#9aa5b1"
"""Points beaten on both objectives: drawn faded."""
DOMINATED_OPACITY = 0.35
RECOMMENDED = "#e66101"
"""The recommended policy: the cheapest meeting every standard."""
SERIES = (*qualitative.D3, *qualitative.Dark2)
"""Lines by the value of a parameter, or by sku / segment."""
FONT = "system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif"
"""Fonts already on the reader's machine: the report loads nothing from the network."""

NAMES = {
    "otif": "OTIF (on time in full)",
    "satisfaction_mean": "Satisfaction (mean score, 0-1)",
    "satisfied_share": "Satisfied customers",
    "cost_per_order": "Cost per order",
    "cost_total": "Total cost",
    "cycle_mean": "Order cycle time, mean",
    "cycle_sd": "Order cycle time, standard deviation",
    "cycle_spread": "Order cycle time, p95 - p5",
    "avg_on_hand": "On hand, time-average (units)",
    "avg_backorders": "Backorders, time-average (units)",
    "staff_utilisation": "Staff utilisation",
    "orders": "Orders",
}
"""Names for people of the KPIs whose column name does not say it plainly."""

_SCORES = {"satisfaction_mean"}


def is_rate(kpi: str) -> bool:
    """A share of orders, units or time (also a segment's, ``otif[trade]``): a percentage."""
    return split_column(kpi)[0] in RATES


def is_time(kpi: str) -> bool:
    """A duration, in the scenario's time unit."""
    return split_column(kpi)[0] in DURATIONS


def kpi_name(kpi: str) -> str:
    """A KPI's name in words: ``cycle_p95`` -> ``Order cycle time, p95``; a segment's KPI
    ``otif[trade]`` -> ``OTIF (trade)``."""
    kpi, segment = split_column(kpi)
    if segment is not None:
        return f"{kpi_name(kpi)} ({segment})"
    if kpi in NAMES:
        return NAMES[kpi]
    if kpi.startswith("cycle_p"):
        return f"Order cycle time, {kpi.removeprefix('cycle_')}"
    if kpi.startswith("cost_"):
        return f"Cost: {kpi.removeprefix('cost_').replace('_', ' ')}"
    words = kpi.replace("_", " ")
    return words[0].upper() + words[1:]


def axis_title(kpi: str, time_unit: str | None = None) -> str:
    """A KPI's name with its unit, for an axis: ``Order cycle time, p95 (hours)``."""
    if is_rate(kpi):
        return f"{kpi_name(kpi)} (%)"
    if is_time(kpi):
        return f"{kpi_name(kpi)} ({time_unit or 'time units'})"
    return kpi_name(kpi)


MOST_TICKS = 10
"""Plotly draws at most about ten ticks on an axis (fewer on a short one): the tick step is
at least the span over ten, rounded to 1, 2 or 5 times a power of ten."""


def decimals_for(lo: float, hi: float) -> int | None:
    """Decimals that tell every tick of an axis from ``lo`` to ``hi`` apart: those of the
    smallest step plotly may choose (None when the span is empty or unknown)."""
    span = hi - lo
    if not math.isfinite(span) or span <= 0:
        return None
    return max(0, -math.floor(math.log10(span / MOST_TICKS)))


def tick_format(kpi: str, values: Iterable[float] | None = None) -> str:
    """The d3 format of a KPI's axis ticks: percentages for rates, with as many decimals as
    the axis range needs (``values``: what the axis shows) so no two ticks read the same."""
    if not (is_rate(kpi) or kpi in _SCORES):
        return ""  # plotly's own format: always as precise as the ticks need
    shown = [float(v) for v in (() if values is None else values) if v is not None]
    shown = [v for v in shown if math.isfinite(v)]
    decimals = decimals_for(min(shown), max(shown)) if shown else None
    if is_rate(kpi):
        return f".{max(0, (decimals if decimals is not None else 2) - 2)}%"
    return f".{max(2, decimals) if decimals is not None else 2}f"


def format_number(kpi: str, value: float) -> str:
    """A KPI's value as text, as the hover format writes it (NaN as a dash)."""
    if value != value:  # NaN
        return "-"
    if is_rate(kpi):
        return f"{100 * value:.1f}%"
    if kpi in _SCORES:
        return f"{value:.3f}"
    return f"{value:,.2f}"


def format_interval(kpi: str, mean: float, lo: float, hi: float) -> str:
    """``mean [lo, hi]``, or the mean alone when there is no interval (one run)."""
    if lo != lo or hi != hi:
        return format_number(kpi, mean)
    lo, hi = possible_interval(kpi, lo, hi)
    return f"{format_number(kpi, mean)} [{format_number(kpi, lo)}, {format_number(kpi, hi)}]"


def series_colour(index: int) -> str:
    """The colour of the index-th line of a figure."""
    return SERIES[index % len(SERIES)]


def translucent(colour: str, alpha: float) -> str:
    """A ``#rrggbb`` or ``rgb(r, g, b)`` colour as ``rgba(..., alpha)``, for bands."""
    red, green, blue = unlabel_rgb(colour) if colour.startswith("rgb") else hex_to_rgb(colour)
    return f"rgba({int(red)}, {int(green)}, {int(blue)}, {alpha})"


def luminance(colour: str) -> float:
    """Relative luminance (WCAG) of a ``#rrggbb`` or ``rgb(...)`` colour: 0 black, 1 white."""
    channels = unlabel_rgb(colour) if colour.startswith("rgb") else hex_to_rgb(colour)

    def linear(channel: float) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(float(c)) for c in channels)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


LIGHTEST = 0.7
"""Series colours lighter than this (luminance) vanish on the white page: never drawn."""
APART = 50
"""Least distance (RGB, 0-441) between two cost colours, so no two terms look alike."""


def _rgb(colour: str) -> tuple[float, ...]:
    return tuple(unlabel_rgb(colour) if colour.startswith("rgb") else hex_to_rgb(colour))


def colour_distance(first: str, second: str) -> float:
    """Euclidean distance of two colours in RGB."""
    return math.dist(_rgb(first), _rgb(second))


def _distinct(candidates: Sequence[str]) -> tuple[str, ...]:
    chosen: list[str] = []
    for colour in candidates:
        if luminance(colour) < LIGHTEST and all(
            colour_distance(colour, other) > APART for other in chosen
        ):
            chosen.append(colour)
    return tuple(chosen)


COST_PALETTE = _distinct(
    (*qualitative.Set2, *qualitative.Dark2, *qualitative.T10, *qualitative.Set1, *qualitative.Safe)
)
"""Colours for the stacked cost terms: none near-white, no two alike (enough for every term
of the catalogue; a term new to servsim takes one by the hash of its name)."""


def cost_colour(term: str) -> str:
    """One colour per cost term, the same in every figure (terms new to servsim included)."""
    palette = COST_PALETTE
    if term in COST_TERMS:
        return palette[COST_TERMS.index(term) % len(palette)]
    return palette[(len(COST_TERMS) + zlib.crc32(term.encode())) % len(palette)]


def finish(
    figure: go.Figure,
    title: str,
    subtitle: str = "",
    x: str | None = None,
    y: str | None = None,
    x_title: str | None = None,
    y_title: str | None = None,
    time_unit: str | None = None,
    height: int = 480,
) -> go.Figure:
    """Give a figure the house layout; ``x``/``y`` name the KPIs on the axes (titles, ticks).

    The legend stands right of the plot, one entry a line: however many entries, it never
    wraps into the title. Tick formats follow what each axis shows (:func:`tick_format`).
    """
    text = f"{title}<br><sup>{subtitle}</sup>" if subtitle else title
    figure.update_layout(
        title={"text": text, "x": 0.01, "xanchor": "left"},
        template="plotly_white",
        font={"family": FONT, "size": 13},
        height=height,
        margin={"l": 70, "r": 30, "t": 90 if subtitle else 70, "b": 60},
        legend={
            "orientation": "v",
            "yanchor": "top",
            "y": 1.0,
            "x": 1.02,
            "xanchor": "left",
            "font": {"size": 12},
        },
        hoverlabel={"align": "left"},
    )
    # apart where the axes meet: the first x tick never touches the lowest y tick
    figure.update_xaxes(ticklabelstandoff=4)
    figure.update_yaxes(ticklabelstandoff=6)
    if x is not None:
        figure.update_xaxes(
            title_text=x_title or axis_title(x, time_unit),
            tickformat=tick_format(x, axis_values(figure, "x")),
        )
    elif x_title is not None:
        figure.update_xaxes(title_text=x_title)
    if y is not None:
        values = axis_values(figure, "y")
        figure.update_yaxes(
            title_text=y_title or axis_title(y, time_unit), tickformat=tick_format(y, values)
        )
        finite = [v for v in values if math.isfinite(v)]
        if finite and min(finite) == max(finite) and (is_rate(y) or y in _SCORES):
            # every point the same (all orders satisfied): a narrow range around it, not
            # plotly's 0 to 2 for a score that cannot pass 1
            level = finite[0]
            figure.update_yaxes(
                range=[level - 0.05, level + 0.05], tickformat=tick_format(y, [0, 0.1])
            )
    elif y_title is not None:
        figure.update_yaxes(title_text=y_title)
    return figure


def axis_values(figure: go.Figure, axis: str) -> list[float]:
    """Every number drawn along ``axis`` ("x" or "y"): the traces' values and their error
    bars' ends, or the axis's range when it is set."""
    layout_axis = figure.layout[f"{axis}axis"]
    if layout_axis.range is not None and None not in layout_axis.range:
        return [float(v) for v in layout_axis.range]
    values: list[float] = []
    for trace in figure.data:
        if trace.type not in ("scatter", "bar", "scattergl"):
            continue
        data = getattr(trace, axis, None)
        if data is None:
            continue
        numbers = _numbers(data)
        values += numbers
        errors = getattr(trace, f"error_{axis}", None)
        if errors is not None and errors.array is not None and len(numbers) == len(errors.array):
            above = _numbers(errors.array)
            below = _numbers(errors.arrayminus) if errors.arrayminus is not None else above
            if len(above) == len(numbers) == len(below):
                values += [v + a for v, a in zip(numbers, above, strict=True)]
                values += [v - b for v, b in zip(numbers, below, strict=True)]
    return values


def _numbers(data: Iterable[object]) -> list[float]:
    out: list[float] = []
    for value in data:
        try:
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return []  # a category axis
        out.append(number)
    return out


def short_values(values: Sequence[object]) -> str:
    """Parameter values for a tick label: ``2 · 560 · 24h``."""
    return " · ".join(show_value(value) for value in values)
