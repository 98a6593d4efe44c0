"""The points of a sweep as people read them: labels, hover text, slices and the standards."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from servsim.core.formats import short_names
from servsim.experiment.results import SweepResults
from servsim.report.style import format_interval, kpi_name, short_values, show_value
from servsim.stats.standards import Standard, parse_standards


def standards_of(sweep: SweepResults, standards: Mapping[str, Any] | None) -> list[Standard]:
    """The standards given, else the sweep's own (none is fine: nothing is checked)."""
    chosen = sweep.standards if standards is None else standards
    return parse_standards(chosen) if chosen else []


def parameter_names(sweep: SweepResults) -> dict[str, str]:
    """Short names of the parameters (``stocking.items.A.S`` -> ``A.S``), by dotted path. A
    parameter whose values are whole sections keeps its section's name (``tiers.basic``, not
    ``basic``): the values say what inside it changes."""
    names = dict(zip(sweep.parameters, short_names(list(sweep.parameters)), strict=True))
    for name in sweep.parameters:
        column = sweep.summary[name] if name in sweep.summary.columns else None
        sections = column is not None and column.map(_is_section).all()
        if sections and "." not in names[name] and "." in name:
            names[name] = ".".join(name.split(".")[-2:])
    return names


def _is_section(value: Any) -> bool:
    return isinstance(value, Mapping) or (isinstance(value, str) and value.startswith("{"))


def point_label(sweep: SweepResults, row: pd.Series) -> str:
    """``point 5: staff 1, A.S 120, promise 48h``."""
    names = parameter_names(sweep)
    values = ", ".join(f"{names[name]} {show_value(row[name])}" for name in sweep.parameters)
    return f"point {int(row['point'])}: {values}"


def varied_parameters(sweep: SweepResults) -> list[str]:
    """The parameters that take more than one value in the sweep (``horizon: [30d]`` sets
    the whole sweep and varies in none); all of them when none varies."""
    summary = sweep.summary
    varied = [name for name in sweep.parameters if summary[name].map(show_value).nunique() > 1]
    return varied or list(sweep.parameters)


def tick_label(sweep: SweepResults, row: pd.Series) -> str:
    """A short two-line label for a bar: ``point 5<br>1 · 120 · 48h`` (the values of the
    parameters that vary)."""
    values = short_values([row[name] for name in varied_parameters(sweep)])
    return f"point {int(row['point'])}<br>{values}"


def hover_text(sweep: SweepResults, row: pd.Series, kpis: Sequence[str]) -> str:
    """A point's parameters, then each KPI's mean and interval, one per line."""
    names = parameter_names(sweep)
    lines = [f"<b>point {int(row['point'])}</b> ({int(row['runs'])} runs)"]
    lines += [f"{names[name]} = {show_value(row[name])}" for name in sweep.parameters]
    for kpi in dict.fromkeys(kpis):
        if f"{kpi}_mean" in row.index:
            interval = format_interval(
                kpi, float(row[f"{kpi}_mean"]), float(row[f"{kpi}_lo"]), float(row[f"{kpi}_hi"])
            )
            lines.append(f"{kpi_name(kpi)}: {interval}")
    return "<br>".join(lines)


def recommended(
    sweep: SweepResults, standards: Mapping[str, Any] | None = None
) -> pd.Series | None:
    """The cheapest point meeting every standard, or None (also when there are no standards)."""
    chosen = sweep.standards if standards is None else standards
    return sweep.best(chosen) if chosen else None


def reference_point(sweep: SweepResults) -> pd.Series:
    """Where to hold the other parameters in a slice: the recommended point, else the
    cheapest efficient one, else the first point."""
    best = recommended(sweep)
    if best is not None:
        return best
    efficient = sweep.frontier(indistinguishable=False)
    return efficient.iloc[0] if len(efficient) else sweep.summary.iloc[0]


def slice_points(
    sweep: SweepResults, free: Sequence[str], at: Mapping[str, Any] | None
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The points where every parameter not in ``free`` has its value in ``at`` (default:
    the reference point's); also the values held."""
    unknown = [name for name in [*free, *(at or {})] if name not in sweep.parameters]
    if unknown:
        raise ValueError(
            f"{unknown[0]!r} is not a parameter of this sweep; its parameters are "
            f"{', '.join(sweep.parameters)}"
        )
    reference = reference_point(sweep)
    held = {
        name: (at[name] if at and name in at else reference[name])
        for name in sweep.parameters
        if name not in free
    }
    rows = sweep.summary
    for name, value in held.items():
        rows = rows[rows[name].map(_same_value(value))]
    return rows, held


def held_text(sweep: SweepResults, held: Mapping[str, Any]) -> str:
    """``other parameters at staff 2, promise 48h`` (empty when nothing is held)."""
    if not held:
        return ""
    names = parameter_names(sweep)
    values = ", ".join(f"{names[name]} {show_value(value)}" for name, value in held.items())
    return f"other parameters at {values}"


def ordered_values(values: pd.Series) -> list[Any]:
    """A parameter's distinct values: numbers ascending, text in the order of the design."""
    distinct = list(dict.fromkeys(values.tolist()))
    if pd.api.types.is_numeric_dtype(values):
        return sorted(distinct)
    return distinct


def _same_value(value: Any) -> Any:
    def same(other: Any) -> bool:
        return bool(other == value) or show_value(other) == show_value(value)

    return same
