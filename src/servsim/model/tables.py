"""The recorder's logs turned into tables of numpy columns once, at the end of a run."""

from __future__ import annotations

from array import array
from collections.abc import Callable
from itertools import chain
from typing import Any

import numpy as np

from servsim.model.records import (
    NOT_YET,
    RETURN_REASONS,
    VISIT_KINDS,
    Complaint,
    CustomerFacts,
    JudgementLog,
    LevelLog,
    ReplenishmentLog,
    RestockLog,
    Return,
    ShipmentLog,
    Visit,
)
from servsim.model.table import Table, compacted, constant


def shipments_table(log: ShipmentLog, modes: list[str], horizon: float) -> Table:
    column = log.take_columns(
        {"order": np.int64, "units": np.int64, "mode": np.int32, "expedited": bool, "damaged": bool}
    )
    delivered = column["delivered"]
    delivered[delivered > horizon] = NOT_YET
    ready = column["ready"]
    ready[ready > horizon] = NOT_YET  # still being processed at the horizon
    return Table(compacted(column), {"mode": modes})


def replenishments_table(
    log: ReplenishmentLog,
    receipts: dict[int, tuple[int, int]],
    skus: list[str],
    net_before: np.ndarray | None = None,
    lost_before: np.ndarray | None = None,
) -> Table:
    """``net_before``, ``lost_before``: whole columns (a flow computed in arrays), else from
    ``receipts``."""
    count = len(log)
    column = log.take_columns()
    if net_before is None or lost_before is None:
        net_before = np.full(count, NOT_YET)
        lost_before = np.full(count, NOT_YET)
    if receipts:
        received = np.fromiter(receipts, dtype=np.int64, count=len(receipts))
        facts = np.fromiter(
            chain.from_iterable(receipts.values()), dtype=float, count=2 * len(receipts)
        ).reshape(-1, 2)
        net_before[received] = facts[:, 0]
        lost_before[received] = facts[:, 1]
    return Table(
        {
            "sku": column["sku"].astype(np.int32),
            "ordered": column["ordered"],
            "arrives": column["arrives"],
            "quantity": column["quantity"].astype(np.int64),
            "emergency": column["emergency"].astype(bool),
            "net_before": net_before,
            "lost_before": lost_before,
        },
        {"sku": skus},
    )


def levels_table(log: LevelLog, skus: list[str]) -> Table:
    column = log.take_columns()
    return Table(
        {
            "time": column["time"],
            "sku": column["sku"].astype(np.int32),
            "on_hand": column["on_hand"].astype(np.int64),
            "backorders": column["backorders"].astype(np.int64),
        },
        {"sku": skus},
    )


def taken(values: list[Any] | array[Any], dtype: type) -> np.ndarray:
    """The values as a numpy array, and the recorder's emptied (in place: whoever holds it
    sees it empty), so a long run's facts are freed before the next table is built."""
    column: np.ndarray = np.array(values, dtype=dtype)  # a typed array: one copy of its buffer
    del values[:]
    return column


def until(times: list[float] | np.ndarray, horizon: float) -> np.ndarray:
    values = np.asarray(times, dtype=float)
    values[values > horizon] = NOT_YET
    return values


def codes(
    sparse: dict[int, int], count: int, missing: int = 0, dtype: type = np.int64
) -> np.ndarray:
    """Per order, its value in ``sparse`` (``missing`` for none); one value held once when
    no order has one (``constant``)."""
    if not sparse:
        return constant(missing, count, dtype)
    codes: np.ndarray = np.full(count, missing, dtype=dtype)
    codes[list(sparse)] = list(sparse.values())
    return codes


def flags(marked: set[int], count: int) -> np.ndarray:
    """Per order, whether it is in ``marked``; false held once when none is."""
    if not marked:
        return constant(False, count, bool)
    flags = np.zeros(count, dtype=bool)
    flags[list(marked)] = True
    return flags


def amounts(sparse: dict[int, float], count: int) -> np.ndarray:
    """Per order, its amount in ``sparse`` (0 for none); 0 held once when no order has one."""
    if not sparse:
        return constant(0.0, count, float)
    amounts = np.zeros(count)
    amounts[list(sparse)] = list(sparse.values())
    return amounts


def _records(rows: list[Any], names: tuple[str, ...]) -> dict[str, list[Any]]:
    """The named fields of records, as one list per field."""
    return {name: [getattr(row, name) for row in rows] for name in names}


def _after(times: list[float], horizon: float | None) -> np.ndarray:
    """Times after the horizon have not happened yet."""
    values = np.asarray(times, dtype=float)
    if horizon is not None:
        values[values > horizon] = NOT_YET
    return values


def complaints_table(rows: list[Complaint], horizon: float | None = None) -> Table:
    names = ("order", "opened", "started", "resolved", "claim", "compensation")
    table = _records(rows, names)
    return Table(
        {
            "order": np.asarray(table["order"], dtype=np.int64),
            "opened": _after(table["opened"], horizon),
            "started": np.asarray(table["started"], dtype=float),
            "resolved": np.asarray(table["resolved"], dtype=float),
            "claim": np.asarray(table["claim"], dtype=bool),
            "compensation": np.asarray(table["compensation"], dtype=float),
        }
    )


def returns_table(rows: list[Return], horizon: float | None = None) -> Table:
    names = ("order", "reason", "requested", "received", "restocked", "replacement")
    table = _records(rows, names)
    return Table(
        {
            "order": np.asarray(table["order"], dtype=np.int64),
            "reason": _labelled(table["reason"], RETURN_REASONS),
            "requested": _after(table["requested"], horizon),
            "received": _after(table["received"], horizon),
            "restocked": np.asarray(table["restocked"], dtype=bool),
            "replacement": np.asarray(table["replacement"], dtype=np.int64),
        },
        {"reason": RETURN_REASONS},
    )


def visits_table(rows: list[Visit], horizon: float | None = None) -> Table:
    names = ("order", "kind", "requested", "started", "travel", "finished", "snag")
    table = _records(rows, names)
    return Table(
        {
            "order": np.asarray(table["order"], dtype=np.int64),
            "kind": _labelled(table["kind"], VISIT_KINDS),
            "requested": np.asarray(table["requested"], dtype=float),
            "started": np.asarray(table["started"], dtype=float),
            "travel": np.asarray(table["travel"], dtype=float),
            "finished": np.asarray(table["finished"], dtype=float),
            "snag": np.asarray(table["snag"], dtype=bool),
        },
        {"kind": VISIT_KINDS},
    )


def restocks_table(log: RestockLog, skus: list[str]) -> Table:
    column = log.take_columns()
    return Table(
        {
            "time": column["time"],
            "sku": column["sku"].astype(np.int32),
            "units": column["units"].astype(np.int64),
        },
        {"sku": skus},
    )


def customers_table(bases: list[CustomerFacts], segments: list[str]) -> Table:
    """Customers of every base: segment, customer, joined, left, orders, trust, glitches."""

    def stacked(part: Callable[[CustomerFacts], Any], dtype: type) -> np.ndarray:
        parts: list[np.ndarray] = [np.asarray(part(base), dtype=dtype) for base in bases]
        return np.concatenate([*parts, np.zeros(0, dtype=dtype)])

    def left(base: CustomerFacts) -> np.ndarray:
        gone = np.full(len(base.joined), NOT_YET)
        if base.left:
            gone[list(base.left)] = list(base.left.values())
        return gone

    return Table(
        {
            "segment": stacked(
                lambda base: np.full(len(base.joined), segments.index(base.segment)), np.int32
            ),
            "customer": stacked(lambda base: np.arange(len(base.joined)), np.int64),
            "joined": stacked(lambda base: base.joined, float),
            "left": stacked(left, float),
            "orders": stacked(lambda base: base.orders, np.int64),
            "trust": stacked(lambda base: base.trust, float),
            "glitches": stacked(lambda base: base.glitches, float),
            "experiences": stacked(lambda base: base.experiences, np.int64),
        },
        {"segment": segments},
    )


def judgements_table(log: JudgementLog) -> Table:
    column = log.take_columns()
    return Table({**column, "order": column["order"].astype(np.int64)})


def _labelled(labels: list[str], categories: tuple[str, ...]) -> np.ndarray:
    """Labels as codes into ``categories``."""
    return np.asarray([categories.index(label) for label in labels], dtype=np.int32)
