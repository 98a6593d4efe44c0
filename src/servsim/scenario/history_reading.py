"""Reading order histories: every history a scenario document names, each file read once
(cached by path, size and modification time), its columns and rows checked.

Every problem of a file is reported in one pass, one line each, ``file:line: column: what was
wrong; allowed ...`` (the header is line 1, so the first row of data is line 2; a Parquet
file's rows are numbered from 1 the same way).
"""

from __future__ import annotations

import re
import stat
from pathlib import Path
from typing import Any

import numpy as np

from servsim.core.errors import Problem
from servsim.scenario.history import COLUMNS, REQUIRED, History, Trace, history_key
from servsim.scenario.history_orders import orders_of_lines

MOST_PROBLEMS = 1_000
"""Problems collected from one file before reading stops (the first 20 are shown)."""

_OFFSET = re.compile(r"(?:Z|[+-]\d\d:?\d\d)$")
_TIMESTAMP_HELP = "allowed: ISO 8601, e.g. 2025-01-06 08:30 or 2025-01-06T08:30:00+01:00"


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
    return orders_of_lines(
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
