"""Tables that read whole at the terminal's width (80 columns by default, and for any
redirected output): a table that does not fit is built again in its compact form, with
abbreviated headings explained in its caption and each ``mean ± half-width`` stacked on two
lines, rather than left to rich to cut (``cost_pe…``, ``0.997 ±`` / ``0.002``)."""

from __future__ import annotations

import io
from collections.abc import Callable

from rich.console import Console
from rich.measure import Measurement
from rich.table import Table

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


def spread(mean: str, halfwidth: str | None, compact: bool) -> str:
    """``mean ± half-width`` on one line, or stacked on two when compact."""
    if halfwidth is None:
        return mean
    return f"{mean}\n± {halfwidth}" if compact else f"{mean} ± {halfwidth}"
