"""Trace-driven demand: a segment's orders read from the planner's own order history.

The file (CSV or Parquet) has one row per order line: ``placed`` (a timestamp), ``order``,
``sku`` and ``quantity``, and optionally ``customer``, ``segment``, ``requested`` and
``region`` (in a network: the region whose sourcing serves the order). It is read here, in the
scenario layer, once per file (cached by path, size and modification time); the
simulation kernel gets plain arrays (a :class:`Trace`) and never touches a file.

Every problem of a file is reported in one pass, one line each, ``file:line: column: what was
wrong; allowed ...`` (the header is line 1, so the first row of data is line 2; a Parquet
file's rows are numbered from 1 the same way).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import stat
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import numpy as np
from pydantic import Field, PrivateAttr, ValidationInfo, field_validator, model_validator

from servsim.core.errors import Problem
from servsim.core.units import HOURS_PER_TIME_UNIT
from servsim.core.validation import refuse
from servsim.scenario.section import Section

COLUMNS = ("placed", "order", "sku", "quantity", "customer", "segment", "requested", "region")
"""The columns a history may have, by servsim's names; the first four are required."""

REQUIRED = COLUMNS[:4]

Column = Literal["placed", "order", "sku", "quantity", "customer", "segment", "requested", "region"]

MOST_PROBLEMS = 1_000
"""Problems collected from one file before reading stops (the first 20 are shown)."""

BLOCK_HOURS = {"week": 168.0, "day": 24.0}
"""The length of a resampled block."""

_OFFSET = re.compile(r"(?:Z|[+-]\d\d:?\d\d)$")
_TIMESTAMP_HELP = "allowed: ISO 8601, e.g. 2025-01-06 08:30 or 2025-01-06T08:30:00+01:00"


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


# --- reading ----------------------------------------------------------------------------------
_CACHE: dict[tuple[Any, ...], tuple[Trace | None, list[Problem]]] = {}
"""Histories read, by file (path, size, modification time), spec, products and time unit."""

MOST_CACHED = 8
"""Histories kept read at once (a scenario's segments may each read one)."""


def read_histories(
    document: Any,
    source_path: Path | None,
    file: str | None,
    lines: dict[tuple[str | int, ...], int],
    time_unit: str,
) -> tuple[dict[str, Trace], list[Problem]]:
    """Read every history the document's segments name: key -> trace, and the problems."""
    traces: dict[str, Trace] = {}
    problems: list[Problem] = []
    demand = document.get("demand") if isinstance(document, dict) else None
    if not isinstance(demand, dict):
        return traces, problems
    segments = demand.get("segments")
    places: list[tuple[tuple[str | int, ...], Any]] = []
    if isinstance(segments, dict):
        for name, segment in segments.items():
            if isinstance(segment, dict) and "history" in segment:
                places.append((("demand", "segments", name, "history"), segment["history"]))
    elif "history" in demand:
        places.append((("demand", "history"), demand["history"]))
    products = _product_skus(document)
    regions = _region_names(document)
    for where, written in places:
        try:
            spec = History.model_validate(written)
        except Exception:  # noqa: BLE001 - the scenario's validation reports it, located
            continue
        if isinstance(written, dict) and "file" in written:
            where = (*where, "file")
        line = lines.get(where)
        if source_path is None and not Path(spec.file).is_absolute():
            problems.append(
                Problem(
                    file,
                    line,
                    ".".join(map(str, where)),
                    "a history file needs a scenario file to be relative to; give an absolute path",
                )
            )
            continue
        base = source_path.parent if source_path is not None else Path("/")
        path = (base / spec.file).resolve()
        trace, found = _cached(path, spec, products, time_unit, file, line, where, regions)
        problems += found
        if trace is not None:
            traces[history_key(written)] = trace
    return traces, problems


def _product_skus(document: dict[str, Any]) -> list[str] | None:
    products = document.get("products")
    if not isinstance(products, list):
        return None
    skus = [str(p["sku"]) for p in products if isinstance(p, dict) and "sku" in p]
    return skus or None


def _region_names(document: dict[str, Any]) -> list[str] | None:
    """The regions of the document's network, or None without a network."""
    network = document.get("network")
    if not isinstance(network, dict):
        return None
    regions = network.get("regions")
    return [str(name) for name in regions] if isinstance(regions, dict) else []


def _cached(
    path: Path,
    spec: History,
    products: list[str] | None,
    time_unit: str,
    file: str | None,
    line: int | None,
    where: tuple[str | int, ...],
    regions: list[str] | None = None,
) -> tuple[Trace | None, list[Problem]]:
    try:
        status = path.stat()
    except OSError:
        message = f"history file not found: {path}" if not path.exists() else f"cannot read {path}"
        return None, [Problem(file, line, ".".join(map(str, where)), message)]
    if not stat.S_ISREG(status.st_mode):
        kind = "a folder" if stat.S_ISDIR(status.st_mode) else "not a regular file"
        message = f"{path} is {kind}; give a CSV or Parquet file"
        return None, [Problem(file, line, ".".join(map(str, where)), message)]
    key = (
        str(path),
        status.st_size,
        status.st_mtime_ns,
        spec.key,
        tuple(products or ()),
        time_unit,
        None if regions is None else tuple(regions),
    )
    if key not in _CACHE:
        while len(_CACHE) >= MOST_CACHED:  # the oldest goes: histories may be large
            del _CACHE[next(iter(_CACHE))]
        _CACHE[key] = read_history(path, spec, products, time_unit, regions)
    trace, found = _CACHE[key]
    if trace is None and not found:
        found = [Problem(file, line, ".".join(map(str, where)), f"{path}: no orders")]
    return trace, found


def read_history(
    path: Path,
    spec: History,
    products: list[str] | None,
    time_unit: str,
    regions: list[str] | None = None,
) -> tuple[Trace | None, list[Problem]]:
    """The trace of one history file, or the problems found in it (all of them, up to
    MOST_PROBLEMS). ``regions`` are the network's regions (None: the scenario has no network;
    a ``region`` column mapped in ``columns`` is then an error, and one merely present by the
    default name is ignored)."""
    import pandas as pd  # only when a history is read: scenario loading stays light

    label = str(path)
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            frame = pd.read_parquet(path)
        elif suffix in (".csv", ".txt") or suffix == ".gz":
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        else:
            return None, [
                Problem(
                    label, None, "", f"unknown kind of file {suffix!r}; allowed: .csv or .parquet"
                )
            ]
    except Exception as error:  # noqa: BLE001 - any parser's failure becomes one problem
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        return None, [Problem(label, None, "", f"cannot read the history: {reason}")]
    names: dict[str, str] = {ours: spec.columns.get(ours, ours) for ours in COLUMNS}  # type: ignore[call-overload]
    missing = [ours for ours in REQUIRED if names[ours] not in frame.columns]
    if missing:
        found = ", ".join(map(str, frame.columns)) or "none"
        return None, [
            Problem(
                label,
                1,
                ours,
                f"missing column {names[ours]!r}; columns found: {found}; map yours with "
                f"columns: {{{ours}: <your column>}}",
            )
            for ours in missing
        ]
    problems: list[Problem] = []
    rows = np.arange(len(frame)) + 2  # the file's line of each row (the header is line 1)
    keep = np.ones(len(frame), dtype=bool)

    def bad(mask: np.ndarray, column: str, text: Any) -> None:
        for index in np.flatnonzero(mask)[: MOST_PROBLEMS - len(problems)]:
            value = frame[names[column]].iloc[index]
            problems.append(Problem(label, int(rows[index]), column, text(value)))
        keep[mask] = False

    if spec.segment is not None:
        if names["segment"] not in frame.columns:
            return None, [
                Problem(
                    label,
                    1,
                    "segment",
                    f"missing column {names['segment']!r}: "
                    f"the scenario keeps the rows of segment {spec.segment!r}",
                )
            ]
        chosen = frame[names["segment"]].astype(str).to_numpy() == spec.segment
        if not chosen.any():
            values = sorted(set(frame[names["segment"]].astype(str)))[:10]
            return None, [
                Problem(
                    label,
                    1,
                    "segment",
                    f"no row has segment {spec.segment!r}; allowed: {', '.join(values)}",
                )
            ]
        frame, rows = frame[chosen].reset_index(drop=True), rows[chosen]
        keep = keep[chosen]
    placed = _timestamps(frame[names["placed"]], spec.timezone)
    bad(np.isnat(placed), "placed", lambda v: f"{v!r} is not a timestamp; {_TIMESTAMP_HELP}")
    quantity = pd.to_numeric(frame[names["quantity"]], errors="coerce").to_numpy(dtype=float)
    whole = np.isfinite(quantity) & (quantity >= 1) & (np.floor(quantity) == quantity)
    bad(~whole, "quantity", lambda v: f"{v!r} is not a whole number of units; allowed: 1, 2, ...")
    sku = frame[names["sku"]].astype(str).str.strip().to_numpy()
    if products is not None:
        known = np.isin(sku, products)
        listed = ", ".join(products[:20]) + (", ..." if len(products) > 20 else "")
        bad(~known, "sku", lambda v: f"{v!r} is not a product; allowed: {listed}")
    order = frame[names["order"]].astype(str).str.strip().to_numpy()
    bad(order == "", "order", lambda v: "empty; allowed: any order id")
    requested = None
    if names["requested"] in frame.columns:
        asked = frame[names["requested"]]
        blank = asked.astype(str).str.strip().to_numpy() == ""
        if pd.api.types.is_datetime64_any_dtype(asked):
            blank = asked.isna().to_numpy()
        requested = _timestamps(asked, spec.timezone)
        bad(
            np.isnat(requested) & ~blank,
            "requested",
            lambda v: f"{v!r} is not a date or timestamp; {_TIMESTAMP_HELP}, or empty (no date)",
        )
        # a date (a timestamp at midnight) asks for delivery by the end of that day
        midnight = requested == requested.astype("datetime64[D]")
        requested = np.where(midnight, requested + np.timedelta64(1, "D"), requested)
        early = ~np.isnat(requested) & ~np.isnat(placed) & (requested <= placed)
        bad(
            early,
            "requested",
            lambda v: f"{v!r} is not after the line was placed; allowed: a later date, or empty",
        )
    customer = None
    if names["customer"] in frame.columns:
        customer = frame[names["customer"]].astype(str).str.strip().to_numpy()
    region = None
    if "region" in spec.columns and names["region"] not in frame.columns:
        found = ", ".join(map(str, frame.columns)) or "none"
        problems.append(
            Problem(
                label,
                1,
                "region",
                f"missing column {names['region']!r} (mapped by columns: {{region: "
                f"{names['region']}}}); columns found: {found}",
            )
        )
    elif names["region"] in frame.columns and regions is None and "region" in spec.columns:
        problems.append(
            Problem(
                label,
                1,
                "region",
                f"column {names['region']!r} gives each order a region, but the scenario has "
                "no network; allowed: a region column only with network: (locations and "
                "regions), else remove region from columns",
            )
        )
    elif names["region"] in frame.columns and regions is not None:
        region = frame[names["region"]].astype(str).str.strip().to_numpy()
        listed = ", ".join(regions) or "none"
        unknown = ~np.isin(region, regions) & (region != "")
        bad(
            unknown,
            "region",
            lambda v: (
                f"{v!r} is not a region of the network; allowed: {listed}, or empty "
                "(the segment's region)"
            ),
        )
    if problems:
        return None, problems
    return _trace(
        placed,
        order,
        sku,
        quantity.astype(np.int64),
        spec,
        time_unit,
        label,
        requested,
        customer,
        region,
    )


def _timestamps(column: Any, zone: str | None) -> np.ndarray:
    """Wall-clock times (naive datetime64[ns]) in ``zone``; NaT where unparsable."""
    import pandas as pd

    if pd.api.types.is_datetime64_any_dtype(column):
        parsed = column
        if getattr(parsed.dt, "tz", None) is not None:
            parsed = parsed.dt.tz_convert(zone or "UTC").dt.tz_localize(None)
        return parsed.to_numpy(dtype="datetime64[ns]")
    text = column.astype(str).str.strip()
    aware = text.str.contains(_OFFSET, regex=True).to_numpy()
    out = np.full(len(text), np.datetime64("NaT"), dtype="datetime64[ns]")
    if (~aware).any():
        naive = pd.to_datetime(text[~aware], errors="coerce", format="ISO8601")
        out[~aware] = naive.to_numpy(dtype="datetime64[ns]")
    if aware.any():
        stamped = pd.to_datetime(text[aware], errors="coerce", format="ISO8601", utc=True)
        out[aware] = (
            stamped.dt.tz_convert(zone or "UTC")
            .dt.tz_localize(None)
            .to_numpy(dtype="datetime64[ns]")
        )
    return out


def _trace(
    placed: np.ndarray,
    order: np.ndarray,
    sku: np.ndarray,
    quantity: np.ndarray,
    spec: History,
    time_unit: str,
    label: str,
    requested: np.ndarray | None = None,
    customer: np.ndarray | None = None,
    region: np.ndarray | None = None,
) -> tuple[Trace | None, list[Problem]]:
    """Group the lines into orders (an order is placed at its first line's time; it asks for
    its lines' earliest requested date, and is its first line's customer, in its first
    line's region)."""
    first_day = placed.min().astype("datetime64[D]")
    if spec.start is not None:
        start = np.datetime64(spec.start, "D")
    else:  # the Monday on or before the first order (1970-01-01 was a Thursday)
        start = first_day - ((first_day.astype(np.int64) + 3) % 7)
    inside = placed >= start
    if not inside.any():
        return None, [Problem(label, None, "placed", f"no order on or after the start {start}")]
    placed, order, sku, quantity = placed[inside], order[inside], sku[inside], quantity[inside]
    requested = requested[inside] if requested is not None else None
    customer = customer[inside] if customer is not None else None
    region = region[inside] if region is not None else None
    hours = (placed - start.astype("datetime64[ns]")) / np.timedelta64(1, "h")
    # orders: first appearance time; lines keep file order within an order
    codes, first_index = np.unique(order, return_index=True)
    of_line = np.searchsorted(codes, order)
    order_hours = np.full(codes.size, np.inf)
    np.minimum.at(order_hours, of_line, hours)
    by_time = np.lexsort((first_index, order_hours))
    rank = np.empty_like(by_time)
    rank[by_time] = np.arange(by_time.size)
    line_order = np.argsort(rank[of_line], kind="stable")
    lines = np.bincount(rank[of_line], minlength=codes.size)
    skus, line_sku = np.unique(sku[line_order], return_inverse=True)
    per_unit = HOURS_PER_TIME_UNIT[time_unit]
    times = order_hours[by_time] / per_unit
    span_hours = math.ceil(float(hours.max()) / 24 + 1e-12) * 24
    block = BLOCK_HOURS[spec.resample] / per_unit
    full = int(span_hours // BLOCK_HOURS[spec.resample])
    edges = np.searchsorted(times, np.arange(full + 1) * block)
    blocks = [np.arange(edges[i], edges[i + 1]) for i in range(full)]
    as_datetime = lambda value: value.astype("datetime64[s]").astype(datetime)  # noqa: E731
    asked = None
    if requested is not None:
        asked_hours = (requested - start.astype("datetime64[ns]")) / np.timedelta64(1, "h")
        earliest = np.full(codes.size, np.inf)
        np.fmin.at(earliest, of_line, asked_hours)  # fmin: a line without a date is skipped
        asked = (earliest - order_hours)[by_time] / per_unit
        asked[~np.isfinite(asked)] = np.nan
    buyer, buyers = None, []
    if customer is not None:
        first_line_customer = customer[first_index][by_time]
        names_seen, buyer = np.unique(first_line_customer, return_inverse=True)
        buyers = [str(name) for name in names_seen]
        if "" in buyers:  # an empty id: no customer (-1), the others renumbered
            empty = buyers.index("")
            buyer = np.where(buyer == empty, -1, buyer - (buyer > empty))
            buyers.remove("")
        buyer = buyer.astype(np.int64)
    area, areas = None, []
    if region is not None:
        first_line_region = region[first_index][by_time]
        areas = sorted({str(name) for name in first_line_region if name != ""})
        codes_of = {name: index for index, name in enumerate(areas)}
        area = np.asarray([codes_of.get(str(name), -1) for name in first_line_region], np.int64)
    return (
        Trace(
            times=times,
            lines=lines.astype(np.int64),
            line_sku=line_sku.astype(np.int64),
            quantity=quantity[line_order],
            skus=[str(s) for s in skus],
            span=span_hours / per_unit,
            block=block,
            first=as_datetime(placed.min()),
            last=as_datetime(placed.max()),
            start=as_datetime(start),
            repeat=spec.repeat,
            daily=spec.resample == "day",
            hours_per_unit=per_unit,
            orders_per_block=blocks,
            requested=asked,
            customer=buyer,
            customers=buyers,
            region=area,
            regions=areas,
        ),
        [],
    )
