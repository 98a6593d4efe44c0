"""The KPI catalogue looked up by column name: which KPI a results column is (a segment's
``otif[trade]`` reads as ``otif``), whether it improves downwards, its kind, and the named sets
of KPI columns that tables, standards, reports and the KPI computations read.
"""

from __future__ import annotations

import re

from servsim.core.catalogue import AFTER_SALE, CATALOGUE, CUSTOMERS, NETWORK
from servsim.core.kpi import Kind, Kpi
from servsim.core.stages import STAGES

BY_NAME: dict[str, Kpi] = {kpi.name: kpi for kpi in CATALOGUE}

KPI_NAMES: tuple[str, ...] = tuple(BY_NAME)
"""Every KPI column of a run: what objectives, standards and targets may name."""

KPI_GROUPS: dict[str, tuple[str, ...]] = {}
for _kpi in CATALOGUE:
    KPI_GROUPS.setdefault(_kpi.group, ())
    KPI_GROUPS[_kpi.group] += (_kpi.name,)
del _kpi

SEGMENT_KPIS: tuple[str, ...] = tuple(kpi.name for kpi in CATALOGUE if kpi.per_segment)
"""KPIs measured per customer segment: those of its orders. Stock, staff, retention and cost
figures belong to the whole business."""

RATES: frozenset[str] = frozenset(kpi.name for kpi in CATALOGUE if kpi.kind == "rate")
DURATIONS: frozenset[str] = frozenset(kpi.name for kpi in CATALOGUE if kpi.kind == "duration")
"""KPIs measured in the scenario's time unit (a standard's target on them may carry a unit)."""

STAGE_KPIS: dict[str, tuple[str, ...]] = {
    stage: tuple(kpi.name for kpi in CATALOGUE if kpi.stage == stage) for stage in STAGES
}
"""The KPIs of each part of the business a scenario may leave out."""

COST_TERMS: tuple[str, ...] = tuple(kpi.name for kpi in CATALOGUE if kpi.part_of == "cost_total")
"""The named terms that add up to cost_total, in stacking order."""

AFTER_SALE_KPIS: tuple[str, ...] = KPI_GROUPS[AFTER_SALE]
CUSTOMER_KPIS: tuple[str, ...] = KPI_GROUPS[CUSTOMERS]

_SEGMENT_COLUMN = re.compile(r"^(\w+)\[([^\[\]]+)\]$")


def segment_column(kpi: str, segment: str | None) -> str:
    """A KPI's column name: ``otif``, or ``otif[trade]`` for a segment's (``split_column``
    reads it back)."""
    return kpi if segment is None else f"{kpi}[{segment}]"


def split_column(name: str) -> tuple[str, str | None]:
    """``otif[trade]`` -> ("otif", "trade"); ``otif`` -> ("otif", None)."""
    match = _SEGMENT_COLUMN.match(name)
    return (match.group(1), match.group(2)) if match else (name, None)


BREAKDOWN_FIGURES: dict[str, Kpi] = {
    kpi.name: kpi
    for kpi in (
        Kpi("lines", NETWORK, "count", "neither", "order lines a location served"),
        Kpi("avg_owed", NETWORK, "count", "lower", "units a location owed those below it"),
        Kpi("transshipped_in", NETWORK, "count", "lower", "units moved into a location"),
        Kpi("transshipped_out", NETWORK, "count", "neither", "units moved out of a location"),
    )
}
"""Figures of a breakdown (``--by location``) that are no KPI of a run: not objectives or
standards, but their intervals respect their range like any KPI's."""


def kpi_of(column: str) -> Kpi | None:
    """The catalogue entry of a KPI column (a segment's ``otif[trade]`` reads as ``otif``),
    or of a breakdown's own figure."""
    name = split_column(column)[0]
    return BY_NAME.get(name) or BREAKDOWN_FIGURES.get(name)


def lower_is_better(column: str) -> bool:
    """Whether a KPI column improves downwards (a cost) rather than upwards (a profit)."""
    kpi = kpi_of(column)
    return kpi is None or kpi.better != "higher"


def kind_of(column: str) -> Kind | None:
    """The kind of a KPI column, None for a column that is not a KPI."""
    kpi = kpi_of(column)
    return None if kpi is None else kpi.kind
