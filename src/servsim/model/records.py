"""The logs the model writes while it runs: each written and read by field name.

Flat logs keep a row's fields one after another in one list (cheap to extend in the hot path,
and no object per row for the garbage collector); the rarer after-sale records are small
objects with named fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

NOT_YET = float("nan")
"""A time that has not happened by the end of the run."""


BLOCK_ROWS = 4096
"""Rows a flat log keeps as Python objects before it moves them into a block of floats."""


class FlatLog:
    """A table the model appends to while it runs: each row's fields laid out one after another
    in one list (cheap to extend, and no object per row for the garbage collector to track),
    moved every ``BLOCK_ROWS`` rows into a block of floats per field (8 bytes a field instead
    of a Python object's 32), so a long run's log takes about a quarter of the memory; a
    field's blocks are freed as soon as its column is built (``take_columns``).

    ``FIELDS`` names the columns; every subclass writes rows with ``add``, whose parameters are
    those names in that order (a test checks it), and reads and updates fields by name.
    """

    FIELDS: tuple[str, ...] = ()
    __slots__ = ("_blocks", "_moved", "rows")

    def __init__(self) -> None:
        self.rows: list[float] = []
        """the rows not moved into a block yet, field after field"""
        self._blocks: list[list[np.ndarray]] = []
        """earlier rows, ``BLOCK_ROWS`` to a block: a block holds one array per field"""
        self._moved = 0
        """rows in the blocks"""

    def __len__(self) -> int:
        return self._moved + len(self.rows) // len(self.FIELDS)

    def _added(self) -> int:
        """The number of the row just added; a full list of rows moves into a block."""
        rows = self.rows
        width = len(self.FIELDS)
        number = self._moved + len(rows) // width - 1
        if len(rows) == BLOCK_ROWS * width:
            self._move_rows()
        return number

    def _move_rows(self) -> None:
        """Move the rows (``BLOCK_ROWS`` of them) into a block of floats."""
        rows = self.rows
        block = np.array(rows, dtype=float).reshape(BLOCK_ROWS, len(self.FIELDS))
        self._blocks.append([block[:, field].copy() for field in range(len(self.FIELDS))])
        self._moved += BLOCK_ROWS
        rows.clear()  # in place: the list's bound methods stay valid

    def extend_columns(self, columns: dict[str, np.ndarray]) -> None:
        """Append rows given as one column per field (a flow computed in arrays): the same
        blocks and rows as adding them one by one. A block holds views of the columns, and
        ``columns`` is emptied as each is taken (so the caller's arrays can go)."""
        width = len(self.FIELDS)
        kept = np.array(self.rows, dtype=float).reshape(-1, width)
        fields = []
        for field, name in enumerate(self.FIELDS):
            column = np.asarray(columns.pop(name), dtype=float)
            fields.append(np.concatenate([kept[:, field], column]) if kept.size else column)
            del column
        self.rows.clear()
        whole = fields[0].size - fields[0].size % BLOCK_ROWS
        for start in range(0, whole, BLOCK_ROWS):
            self._blocks.append([values[start : start + BLOCK_ROWS] for values in fields])
        self._moved += whole
        self.rows.extend(np.column_stack([values[whole:] for values in fields]).ravel().tolist())

    def set(self, row: int, field: int, value: float) -> None:
        """Set field number ``field`` of row ``row``."""
        kept = row - self._moved
        if kept >= 0:
            self.rows[kept * len(self.FIELDS) + field] = value
        else:
            self._blocks[row // BLOCK_ROWS][field][row % BLOCK_ROWS] = value

    def clear(self) -> None:
        """Forget every row (the log has been read into a table)."""
        self.rows.clear()
        self._blocks.clear()
        self._moved = 0

    def take_columns(self, dtypes: Mapping[str, type] | None = None) -> dict[str, np.ndarray]:
        """Each field's values as a column (floats, or ``dtypes[field]``), and the log emptied:
        a field's blocks go as its column is built, so the log and its table are never both
        in memory whole."""
        width = len(self.FIELDS)
        tail = np.array(self.rows, dtype=float).reshape(-1, width)
        self.rows.clear()
        blocks = self._blocks
        columns = {}
        for field, name in enumerate(self.FIELDS):
            column = np.concatenate([*(block[field] for block in blocks), tail[:, field]])
            for block in blocks:
                block[field] = _GONE
            dtype = (dtypes or {}).get(name, float)
            columns[name] = column if dtype is float else column.astype(dtype)
        self.clear()
        return columns


_GONE = np.empty(0)
"""Where a field's block was, once its column is built."""


SHIPMENT_FIELDS = (
    "order",
    "units",
    "released",
    "start",
    "ready",
    "dispatched",
    "delivered",
    "mode",
    "expedited",
    "damaged",
)
_WIDTH = len(SHIPMENT_FIELDS)
_SHIPMENTS_FULL = BLOCK_ROWS * _WIDTH
_UNITS, _START, _MODE = (SHIPMENT_FIELDS.index(name) for name in ("units", "start", "mode"))


class ShipmentLog(FlatLog):
    """One row per shipment: released to processing, processed, carried."""

    FIELDS = SHIPMENT_FIELDS
    __slots__ = ()

    def add(
        self,
        order: int,
        units: int,
        released: float,
        start: float,
        ready: float,
        dispatched: float,
        delivered: float,
        mode: int,
        expedited: int,
        damaged: int,
    ) -> int:
        """Record a shipment; its number. Times not known yet are ``NOT_YET``."""
        rows = self.rows  # _added inlined: a row per shipment
        rows.extend(
            (order, units, released, start, ready, dispatched, delivered, mode, expedited, damaged)
        )
        number = self._moved + len(rows) // _WIDTH - 1
        if len(rows) == _SHIPMENTS_FULL:
            self._move_rows()
        return number

    def started(self, shipment: int, start: float) -> None:
        """A clerk started processing the shipment."""
        self.set(shipment, _START, start)

    def processed(
        self,
        shipment: int,
        start: float,
        ready: float,
        dispatched: float,
        delivered: float,
        mode: int,
        expedited: int,
        damaged: int,
    ) -> None:
        """Processing is done and a carrier took the shipment (fields ``start`` to ``damaged``)."""
        fields = (start, ready, dispatched, delivered, mode, expedited, damaged)
        kept = shipment - self._moved
        if kept >= 0:
            row = kept * _WIDTH
            self.rows[row + _START : row + _WIDTH] = fields
        else:
            block, row = self._blocks[shipment // BLOCK_ROWS], shipment % BLOCK_ROWS
            for field, value in enumerate(fields, _START):
                block[field][row] = value

    def released(self, shipment: int) -> tuple[int, int, int]:
        """(order, units, carrier mode) the shipment was released with: read at once, when
        processing is done."""
        kept = shipment - self._moved
        if kept >= 0:
            row = kept * _WIDTH
            rows = self.rows
            return int(rows[row]), int(rows[row + _UNITS]), int(rows[row + _MODE])
        block, row = self._blocks[shipment // BLOCK_ROWS], shipment % BLOCK_ROWS
        return int(block[0][row]), int(block[_UNITS][row]), int(block[_MODE][row])


class ReplenishmentLog(FlatLog):
    """One row per replenishment order."""

    FIELDS = ("sku", "ordered", "arrives", "quantity", "emergency")
    __slots__ = ()

    def add(self, sku: int, ordered: float, arrives: float, quantity: int, emergency: int) -> int:
        """Record a replenishment order; its number."""
        self.rows.extend((sku, ordered, arrives, quantity, emergency))
        return self._added()

    def arrived(self, replenishment: int, time: float) -> None:
        """The replenishment's last units arrived at ``time``."""
        self.set(replenishment, 2, time)


_LEVELS_FULL = BLOCK_ROWS * 4


class LevelLog(FlatLog):
    """Stock levels as step functions: a row each time a sku's stock changes."""

    FIELDS = ("time", "sku", "on_hand", "backorders")
    __slots__ = ()

    def add(self, time: float, sku: int, on_hand: float, backorders: int) -> None:
        """From ``time`` on, the sku has ``on_hand`` units and ``backorders`` waiting."""
        rows = self.rows  # _added inlined: a row at every change of stock
        rows.extend((time, sku, on_hand, backorders))
        if len(rows) == _LEVELS_FULL:
            self._move_rows()


class LocationLevelLog(FlatLog):
    """Stock at each location of a network: a row each time a location's sku changes."""

    FIELDS = ("time", "location", "sku", "on_hand", "backorders", "owed")
    __slots__ = ()

    def add(
        self, time: float, location: int, sku: int, on_hand: float, backorders: int, owed: int
    ) -> None:
        """From ``time`` on, the location has ``on_hand`` units of the sku, ``backorders``
        customer units waiting and ``owed`` units owed to the locations below it."""
        self.rows.extend((time, location, sku, on_hand, backorders, owed))
        self._added()


class SupplyLog(FlatLog):
    """One row per replenishment order placed with a supplier."""

    FIELDS = ("supplier", "sku", "ordered", "due", "arrives", "quantity", "received", "on_time")
    __slots__ = ()

    def add(
        self,
        supplier: int,
        sku: int,
        ordered: float,
        due: float,
        arrives: float,
        quantity: int,
        received: int,
        on_time: int,
    ) -> int:
        """An order of ``quantity`` due at ``due`` (its lead time), its last part arriving at
        ``arrives`` with ``received`` units in all; its number."""
        self.rows.extend((supplier, sku, ordered, due, arrives, quantity, received, on_time))
        return self._added()

    def on_time(self, row: int) -> None:
        """The order arrived when its lead time said."""
        self.set(row, 7, 1)


_JUDGED_FULL = BLOCK_ROWS * 7


class JudgementLog(FlatLog):
    """One row per settled order: when it settled, its score and what each dimension lost."""

    FIELDS = (
        "order",
        "settled",
        "score",
        "reliability",
        "responsiveness",
        "information",
        "tangibles",
    )
    __slots__ = ()

    def add(
        self,
        order: int,
        settled: float,
        score: float,
        reliability: float,
        responsiveness: float,
        information: float,
        tangibles: float,
    ) -> None:
        rows = self.rows  # _added inlined: a row per order
        rows.extend((order, settled, score, reliability, responsiveness, information, tangibles))
        if len(rows) == _JUDGED_FULL:
            self._move_rows()


class RestockLog(FlatLog):
    """Returned units put back on the shelf."""

    FIELDS = ("time", "sku", "units")
    __slots__ = ()

    def add(self, time: float, sku: int, units: int) -> None:
        self.rows.extend((time, sku, units))
        self._added()


RETURN_REASONS = ("no_fault", "damaged", "wrong_item")
VISIT_KINDS = ("install", "revisit", "repair")


@dataclass(slots=True)
class Complaint:
    """A complaint about an order, from the moment it is made until it is resolved."""

    order: int
    opened: float
    claim: bool
    compensation: float
    started: float = NOT_YET
    resolved: float = NOT_YET


@dataclass(slots=True)
class Return:
    """Goods sent back: why, when asked for and received, restocked or scrapped, and the
    replacement order sent (-1 for none)."""

    order: int
    reason: str
    requested: float
    received: float
    restocked: bool
    replacement: int = -1


@dataclass(slots=True)
class Visit:
    """A technician's visit: installation, a revisit after a snag, or a warranty repair."""

    order: int
    kind: str
    requested: float
    travel: float
    started: float = NOT_YET
    finished: float = NOT_YET
    snag: bool = False


@dataclass(frozen=True)
class CustomerFacts:
    """The customers of one segment's base at the end of a run, by customer number."""

    segment: str
    joined: list[float]
    left: dict[int, float]
    orders: list[int]
    trust: list[float]
    glitches: list[float]
    experiences: list[int]
