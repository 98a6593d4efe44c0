"""The logs the model writes while it runs: each written and read by field name.

Flat logs keep a row's fields one after another in one list (cheap to extend in the hot path,
and no object per row for the garbage collector); the rarer after-sale records are small
objects with named fields.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NOT_YET = float("nan")
"""A time that has not happened by the end of the run."""


class FlatLog:
    """A table the model appends to while it runs: each row's fields laid out one after another
    in one list (cheap to extend, and no object per row for the garbage collector to track).

    ``FIELDS`` names the columns; every subclass writes rows with ``add``, whose parameters are
    those names in that order (a test checks it), and reads and updates fields by name.
    """

    FIELDS: tuple[str, ...] = ()
    __slots__ = ("rows",)

    def __init__(self) -> None:
        self.rows: list[float] = []

    def __len__(self) -> int:
        return len(self.rows) // len(self.FIELDS)

    def columns(self) -> dict[str, np.ndarray]:
        """Each field's values as a float column (one C-level conversion of the list)."""
        width = len(self.FIELDS)
        table = np.array(self.rows, dtype=float).reshape(-1, width)
        return {name: table[:, index] for index, name in enumerate(self.FIELDS)}


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
        rows = self.rows
        rows.extend(
            (order, units, released, start, ready, dispatched, delivered, mode, expedited, damaged)
        )
        return len(rows) // _WIDTH - 1

    def started(self, shipment: int, start: float) -> None:
        """A clerk started processing the shipment."""
        self.rows[shipment * _WIDTH + _START] = start

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
        row = shipment * _WIDTH
        self.rows[row + _START : row + _WIDTH] = (
            start,
            ready,
            dispatched,
            delivered,
            mode,
            expedited,
            damaged,
        )

    def mode(self, shipment: int) -> int:
        """The carrier mode the shipment was released with."""
        return int(self.rows[shipment * _WIDTH + _MODE])

    def order(self, shipment: int) -> int:
        return int(self.rows[shipment * _WIDTH])

    def units(self, shipment: int) -> int:
        return int(self.rows[shipment * _WIDTH + _UNITS])


class ReplenishmentLog(FlatLog):
    """One row per replenishment order."""

    FIELDS = ("sku", "ordered", "arrives", "quantity", "emergency")
    __slots__ = ()

    def add(self, sku: int, ordered: float, arrives: float, quantity: int, emergency: int) -> int:
        """Record a replenishment order; its number."""
        rows = self.rows
        rows.extend((sku, ordered, arrives, quantity, emergency))
        return len(rows) // 5 - 1


class LevelLog(FlatLog):
    """Stock levels as step functions: a row each time a sku's stock changes."""

    FIELDS = ("time", "sku", "on_hand", "backorders")
    __slots__ = ()

    def add(self, time: float, sku: int, on_hand: float, backorders: int) -> None:
        """From ``time`` on, the sku has ``on_hand`` units and ``backorders`` waiting."""
        self.rows.extend((time, sku, on_hand, backorders))


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
        rows = self.rows
        rows.extend((supplier, sku, ordered, due, arrives, quantity, received, on_time))
        return len(rows) // 8 - 1

    def on_time(self, row: int) -> None:
        """The order arrived when its lead time said."""
        self.rows[row * 8 + 7] = 1


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
        self.rows.extend(
            (order, settled, score, reliability, responsiveness, information, tangibles)
        )


class RestockLog(FlatLog):
    """Returned units put back on the shelf."""

    FIELDS = ("time", "sku", "units")
    __slots__ = ()

    def add(self, time: float, sku: int, units: int) -> None:
        self.rows.extend((time, sku, units))


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
