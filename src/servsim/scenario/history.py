"""Trace-driven demand: a segment's orders read from the planner's own order history.

The file (CSV or Parquet) has one row per order line: ``placed`` (a timestamp), ``order``,
``sku`` and ``quantity``, and optionally ``customer``, ``segment``, ``requested`` and
``region`` (in a network: the region whose sourcing serves the order). This module holds the
spec a scenario writes (:class:`History`) and what the simulation kernel replays (a
:class:`Trace`, plain arrays: the kernel never touches a file); the file is read, in the
scenario layer, by :mod:`servsim.scenario.history_reading`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import numpy as np
from pydantic import Field, PrivateAttr, ValidationInfo, field_validator, model_validator

from servsim.core.validation import refuse
from servsim.scenario.section import Section

COLUMNS = ("placed", "order", "sku", "quantity", "customer", "segment", "requested", "region")
"""The columns a history may have, by servsim's names; the first four are required."""

REQUIRED = COLUMNS[:4]

Column = Literal["placed", "order", "sku", "quantity", "customer", "segment", "requested", "region"]


@dataclass(frozen=True, eq=False)
class Trace:
    """The orders of a history, as the kernel replays them (times in the scenario's unit).
    Two traces are equal when they hold the same orders (compared by a digest of them)."""

    times: np.ndarray
    """each order's placement, time units after the run's time 0, ascending"""
    lines: np.ndarray
    """each order's number of lines"""
    line_sku: np.ndarray
    """each line's sku, an index into ``skus``"""
    quantity: np.ndarray
    """each line's units"""
    skus: list[str]
    span: float
    """time units from time 0 to the end of the last day with an order"""
    block: float
    """the bootstrap's block, in time units"""
    first: datetime
    last: datetime
    start: datetime
    repeat: bool
    daily: bool
    """blocks are days (drawn among the same weekday), else weeks"""
    hours_per_unit: float
    orders_per_block: list[np.ndarray] = field(default_factory=list, repr=False)
    requested: np.ndarray | None = None
    """each order's requested delivery, time units after its placement (NaN: none asked), or
    None without a ``requested`` column"""
    customer: np.ndarray | None = None
    """each order's customer, an index into ``customers`` (-1: none given), or None without a
    ``customer`` column"""
    customers: list[str] = field(default_factory=list)
    region: np.ndarray | None = None
    """each order's region of the network, an index into ``regions`` (-1: none given, its
    segment's region), or None without a ``region`` column"""
    regions: list[str] = field(default_factory=list)

    @cached_property
    def digest(self) -> str:
        """A SHA-256 of the orders, their times, lines, skus and quantities."""
        hashed = hashlib.sha256()
        for array in (self.times, self.lines, self.line_sku, self.quantity):
            hashed.update(np.ascontiguousarray(array).tobytes())
        hashed.update("\x00".join(self.skus).encode())
        for extra in (self.requested, self.customer):  # absent: the digest of before
            if extra is not None:
                hashed.update(np.ascontiguousarray(extra).tobytes())
        if self.customers:
            hashed.update("\x01".join(self.customers).encode())
        if self.region is not None:
            hashed.update(np.ascontiguousarray(self.region).tobytes())
            hashed.update(("\x02" + "\x02".join(self.regions)).encode())
        hashed.update(f"{self.span}/{self.block}/{self.repeat}/{self.daily}".encode())
        return hashed.hexdigest()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Trace) and self.digest == other.digest

    def __hash__(self) -> int:
        return hash(self.digest)

    @property
    def single_line(self) -> bool:
        return bool(self.lines.size == 0 or self.lines.max() == 1)

    def mix(self) -> dict[str, float]:
        """sku -> its share of the history's lines."""
        counts = np.bincount(self.line_sku, minlength=len(self.skus))
        return {
            sku: float(count / counts.sum()) for sku, count in zip(self.skus, counts, strict=True)
        }

    @property
    def rate(self) -> float:
        """Orders per time unit over the history's span."""
        return self.times.size / self.span if self.span > 0 else 0.0

    def covers(self) -> str:
        """The history's dates, for messages."""
        days = self.span * self.hours_per_unit / 24
        end = self.start + timedelta(days=days)
        return f"{days:g} days ({self.start:%Y-%m-%d} to {end - timedelta(days=1):%Y-%m-%d})"


class History(Section):
    """A segment's demand replayed from its order history (one row per order line). Replication
    0 replays the history exactly; every further replication is a block bootstrap: each week
    of the run (or each day, with ``resample: day``) is a week of the history drawn at random
    with replacement (a day of the same weekday), so weekly and daily patterns survive."""

    file: str = Field(description="the CSV or Parquet file, relative to the scenario file")
    columns: dict[Column, str] = Field(
        default_factory=dict,
        description="servsim's column name -> the file's (e.g. {placed: created_at})",
    )
    timezone: str | None = Field(
        default=None,
        description="the IANA zone the run's clock follows (e.g. Europe/Amsterdam): "
        "timestamps without an offset are local times there, those with one are converted "
        "to it (default: timestamps as written, those with an offset in UTC)",
    )
    start: date | None = Field(
        default=None,
        description="the date at the run's time 0 (midnight); orders before it are left out "
        "(default: the Monday on or before the first order, as time 0 is a Monday)",
    )
    resample: Literal["week", "day"] = Field(
        default="week",
        description="the block of the bootstrap of replications 1, 2, ...: whole weeks, or "
        "days drawn among the days of the same weekday",
    )
    repeat: bool = Field(
        default=False,
        description="replay the history again from its start when the horizon is longer "
        "(else a horizon longer than the history is an error)",
    )
    segment: str | None = Field(
        default=None,
        description="keep only the rows whose segment column has this value",
    )

    _trace: Trace | None = PrivateAttr(default=None)

    @model_validator(mode="before")
    @classmethod
    def _file_alone(cls, data: Any) -> Any:
        return {"file": data} if isinstance(data, str) else data

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, zone: str | None) -> str | None:
        if zone is not None:
            try:
                ZoneInfo(zone)
            except (ZoneInfoNotFoundError, ValueError):
                close = sorted(z for z in available_timezones() if zone.lower() in z.lower())
                hint = f" (did you mean {', '.join(close[:3])}?)" if close else ""
                refuse(
                    f"unknown time zone {zone!r}{hint}; allowed: an IANA name such as "
                    "Europe/Amsterdam or UTC"
                )
        return zone

    @model_validator(mode="after")
    def _attach_trace(self, info: ValidationInfo) -> History:
        traces = (info.context or {}).get("histories") or {}
        self._trace = traces.get(self.key)
        return self

    @property
    def key(self) -> str:
        """What identifies the trace this spec reads (the spec as written, canonically)."""
        return history_key(self.model_dump(mode="json"))

    @property
    def trace(self) -> Trace:
        """The orders read from the file (loaded with the scenario)."""
        if self._trace is None:
            raise RuntimeError(f"the history {self.file} was not read: load the scenario file")
        return self._trace


def history_key(written: Any) -> str:
    """A canonical key for a history spec as written (a file name or a mapping)."""
    spec = {"file": written} if isinstance(written, str) else dict(written)
    spec = {key: value for key, value in spec.items() if value not in (None, {}, False, "week")}
    return json.dumps(spec, sort_keys=True, default=str)
