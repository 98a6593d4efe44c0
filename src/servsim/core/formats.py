"""Numbers and names as a planner reads them, shared by the terminal tables and the report."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence

from servsim.core.kpi import PERCENT_KINDS
from servsim.core.kpi_columns import kind_of

INTERVAL_METHOD = "Student t; Wilson score for rates and scores, cut at 0 for times and counts"
"""How ``servsim.stats.confidence`` computes an interval, in a caption's words."""


def format_value(kpi: str, value: float | None) -> str:
    """Rates as percentages, money and levels with sensible precision; NaN as a dash."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if kind_of(kpi) in PERCENT_KINDS:  # a segment's KPI (``otif[trade]``) reads as the KPI does
        return f"{100 * value:.2f}%"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3f}"


def format_estimate(kpi: str, mean: float, lo: float, hi: float) -> str:
    """``mean [lo .. hi]`` as the terminal tables write a KPI; the mean alone without an
    interval (one run). The interval is written out, not as ``± half-width``: near a bound it
    is not symmetric about the mean."""
    if math.isnan(lo) or math.isnan(hi):
        return format_value(kpi, mean)
    return f"{format_value(kpi, mean)} [{format_value(kpi, lo)} .. {format_value(kpi, hi)}]"


def format_target(kpi: str, operator: str, target: float) -> str:
    """A standard's comparison as every table prints it: the operator, then the target as
    written, a rate as a percentage (``>= 95%``, ``<= 48``, ``<= 2.5``)."""
    if kind_of(kpi) in PERCENT_KINDS:
        return f"{operator} {100 * target:.10g}%"
    return f"{operator} {target:.10g}"


def short_names(paths: Sequence[str]) -> list[str]:
    """Headings for dotted parameter paths: the shortest ending that tells them apart."""
    names = []
    for path in paths:
        parts = path.split(".")
        for size in range(1, len(parts) + 1):
            name = ".".join(parts[-size:])
            others = [other for other in paths if other != path]
            clear = len(parts[-1]) > 2 or size > 1
            if clear and not any(other.endswith(f".{name}") or other == name for other in others):
                break
        names.append(name)
    return names


def show_value(value: object) -> str:
    """A parameter's value as people write it: ``2`` not ``2.0``; a section as its keys and
    values in the order written (``promise 48h, mode express``), never as JSON."""
    if isinstance(value, str) and value[:1] == "{":
        parsed = _json_object(value)
        if parsed is not None:
            return show_value(parsed)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return f"{value:g}"
    if isinstance(value, Mapping):
        if not value:
            return "none"
        return ", ".join(f"{key} {_inner(item)}" for key, item in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(show_value(item) for item in value)
    return str(value)


def _inner(value: object) -> str:
    """A value inside a section: nested sections in parentheses."""
    text = show_value(value)
    return f"({text})" if isinstance(value, Mapping | list | tuple) else text


def _json_object(text: str) -> Mapping[str, object] | None:
    """A section stored as JSON text in a results table (how the runs keep it)."""
    try:
        parsed = json.loads(text)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None
