"""Tables that read whole at the terminal's width (80 columns by default, and for any
redirected output): a table that does not fit is built again in its compact form, with
abbreviated headings explained in its caption and each ``mean [lo .. hi]`` stacked on two
lines, rather than left to rich to cut (``cost_pe…``, a cut interval)."""

from __future__ import annotations

import io
import math
from collections.abc import Callable

from rich.console import Console
from rich.measure import Measurement
from rich.table import Table

from servsim.core.formats import format_estimate, format_value

TERMINAL = 80
"""The width assumed when none is known."""


def needed_width(table: Table) -> int:
    """The columns ``table`` takes when nothing in it is wrapped or cut."""
    console = Console(width=100_000, file=io.StringIO())
    return Measurement.get(console, console.options, table).maximum


def fit(build: Callable[[bool], Table], width: int | None) -> Table:
    """``build(False)``, the wide table, if it fits in ``width``; else ``build(True)``."""
    wide = build(False)
    if needed_width(wide) <= (width or TERMINAL):
        return wide
    return build(True)


def spread(kpi: str, mean: float, lo: float, hi: float, compact: bool) -> str:
    """``mean [lo .. hi]`` on one line, or stacked on three when compact: the mean, then each
    end of its interval (an interval near a bound is not symmetric, so no ``± half-width``)."""
    if math.isnan(lo) or math.isnan(hi) or not compact:
        return format_estimate(kpi, mean, lo, hi)
    return f"{format_value(kpi, mean)}\n[{format_value(kpi, lo)} ..\n{format_value(kpi, hi)}]"
