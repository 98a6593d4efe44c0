"""The facts a run records: an order log, a shipment log, replenishments and stock levels.

Recording is append-only into plain lists (cheap in the hot path); :meth:`Recorder.finish`
turns them into DataFrames once. Metrics derive every KPI from these facts after the run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

NOT_YET = float("nan")
"""A time that has not happened by the end of the run."""


@dataclass(frozen=True)
class RunLog:
    """Everything one replication produced, as columnar tables."""

    horizon: float
    warmup: float
    skus: list[str]
    staff_on_duty: pd.DataFrame
    """Clerks scheduled (time, staff): a step function; overtime is busy time above it."""
    orders: pd.DataFrame
    """One row per order: placed, segment, promised, lines, quantity, filled (from stock on
    arrival), lost, backordered, backorder_wait (unit-time waited by backordered units),
    allocated (all units allocated), delivered (last unit delivered), shipments, ...,
    notices (status notices sent), informed (told of a delay in time), replaces (the order a
    replacement replaces, else -1), customer (of a finite base, else -1).
    NaN: not by the horizon."""
    lines: pd.DataFrame
    """One row per order line: order, sku, quantity, filled, lost, backordered,
    backorder_wait, allocated."""
    shipments: pd.DataFrame
    """One row per shipment: order, units, released, start, ready, delivered, mode."""
    replenishments: pd.DataFrame
    """One row per replenishment order: sku, ordered, arrives, quantity, net_before
    (net inventory just before it arrived; NaN if after the horizon), lost_before
    (units of the sku lost before it arrived)."""
    stock_levels: pd.DataFrame
    """Step function per sku: time, sku, on_hand, backorders (value from that time on)."""
    complaints: pd.DataFrame = field(default_factory=lambda: _complaints_frame([]))
    """One row per complaint: order, opened, started, resolved, claim, compensation."""
    returns: pd.DataFrame = field(default_factory=lambda: _returns_frame([]))
    """One row per return: order, reason, requested, received (back at the warehouse),
    restocked (else scrapped), replacement (the linked new order, -1 for none)."""
    visits: pd.DataFrame = field(default_factory=lambda: _visits_frame([]))
    """One row per technician visit: order, kind (install, revisit, repair), requested,
    started (left for the site), travel, finished, snag (another visit needed)."""
    restocks: pd.DataFrame = field(default_factory=lambda: _restocks_frame(RestockLog(), []))
    """Returned units put back on the shelf: time, sku, units."""
    customers: pd.DataFrame = field(default_factory=lambda: _customers_frame([], []))
    """One row per customer of a segment with a customer base: segment, customer, joined,
    left (NaN: still active), orders, trust and recent glitches at the end."""
    judgements: pd.DataFrame = field(default_factory=lambda: _judgements_frame(JudgementLog()))
    """One row per settled order: order, settled (when its last episode ended), score, and the
    share of the score each dimension lost (reliability, responsiveness, information,
    tangibles)."""

    def processing_intervals(self) -> tuple[np.ndarray, np.ndarray]:
        """(start, end) of every shipment a clerk started; one still in hand ends at the horizon."""
        started = self.shipments["start"].notna().to_numpy()
        start = self.shipments["start"].to_numpy()[started]
        end = self.shipments["ready"].fillna(self.horizon).to_numpy()[started]
        return start, end

    def busy_staff(self) -> pd.DataFrame:
        """Busy clerks over time (a step function), derived from the shipments' processing."""
        start, end = self.processing_intervals()
        busy = end > start
        times = np.concatenate([start[busy], end[busy]])
        steps = np.concatenate([np.ones(busy.sum()), -np.ones(busy.sum())])
        order = np.lexsort((steps, times))
        level = np.cumsum(steps[order])
        return pd.DataFrame({"time": np.r_[0.0, times[order]], "busy": np.r_[0.0, level]})


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
        rows = self.rows
        table = np.fromiter(rows, dtype=float, count=len(rows)).reshape(-1, width)
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


@dataclass
class Recorder:
    """Append-only facts filled by the model while it runs: a few list operations per order."""

    placed: list[float] = field(default_factory=list)
    segment: list[int] = field(default_factory=list)
    # order lines
    line_order: list[int] = field(default_factory=list)
    sku: list[int] = field(default_factory=list)
    quantity: list[int] = field(default_factory=list)
    filled: list[int] = field(default_factory=list)
    lost: list[int] = field(default_factory=list)
    allocated: list[float] = field(default_factory=list)
    backorder_wait: dict[int, float] = field(default_factory=dict)
    """line -> unit-time its backordered units waited (only lines that were short)"""
    substituted: dict[int, tuple[int, int]] = field(default_factory=dict)
    """line -> (substitute sku, units taken from it)"""
    cancelled: set[int] = field(default_factory=set)
    """lines whose short units were cancelled (the customer refused a later date)"""
    channel: dict[int, int] = field(default_factory=dict)
    """order -> order entry channel (only when the scenario has channels)"""
    urgent: set[int] = field(default_factory=set)
    """orders that asked for urgent delivery"""
    wrong_item: set[int] = field(default_factory=set)
    wrong_invoice: set[int] = field(default_factory=set)
    postponed: dict[int, float] = field(default_factory=dict)
    """order -> how much later than first promised it may now come"""
    shipments: ShipmentLog = field(default_factory=ShipmentLog)
    replenishments: ReplenishmentLog = field(default_factory=ReplenishmentLog)
    receipts: dict[int, tuple[int, int]] = field(default_factory=dict)
    """replenishment -> (net inventory just before arrival, units lost before arrival)"""
    levels: LevelLog = field(default_factory=LevelLog)
    # after the sale
    notices: dict[int, int] = field(default_factory=dict)
    """order -> status notices sent"""
    informed: set[int] = field(default_factory=set)
    """orders whose customer was told of a delay before the promise passed"""
    replaces: dict[int, int] = field(default_factory=dict)
    """replacement order -> the order it replaces"""
    customer: dict[int, int] = field(default_factory=dict)
    """order -> customer (segments with a customer base)"""
    withdrawn: set[int] = field(default_factory=set)
    """orders their customer cancelled because they waited too long"""
    judged: JudgementLog = field(default_factory=JudgementLog)
    complaints: list[Complaint] = field(default_factory=list)
    returns: list[Return] = field(default_factory=list)
    visits: list[Visit] = field(default_factory=list)
    restocks: RestockLog = field(default_factory=RestockLog)

    def finish(
        self,
        *,
        horizon: float,
        warmup: float,
        skus: list[str],
        segments: list[str],
        promises: list[float],
        urgent_promises: list[float],
        modes: list[str],
        staff_on_duty: tuple[list[float], list[int]],
        channels: list[str],
        customers: list[CustomerFacts] | None = None,
    ) -> RunLog:
        """Freeze the facts into DataFrames; times after the horizon become NaN (not yet)."""
        lines = self._lines_frame(skus, horizon)
        placed = np.asarray(self.placed, dtype=float)
        count = placed.size
        segment = np.asarray(self.segment, dtype=np.int32)
        order_of_line = lines["order"].to_numpy()
        shipments = _shipments_frame(self.shipments, modes, horizon)
        ship_order = shipments["order"].to_numpy()
        # an order's lines are recorded one after another: reduce over each order's run
        first_line = np.flatnonzero(np.r_[True, order_of_line[1:] != order_of_line[:-1]])
        allocated = np.full(count, NOT_YET)
        if first_line.size:  # NaN (a line still waiting) propagates through maximum
            allocated[order_of_line[first_line]] = np.maximum.reduceat(
                lines["allocated"].to_numpy(), first_line
            )
        last_delivery = shipments["delivered"].fillna(np.inf).groupby(shipments["order"]).max()
        delivered = np.full(count, NOT_YET)
        delivered[last_delivery.index.to_numpy()] = last_delivery.to_numpy()
        delivered[~np.isfinite(delivered)] = NOT_YET
        by_order = shipments.groupby("order")[["expedited", "damaged"]].any()
        expedited = np.zeros(count, dtype=bool)
        damaged = np.zeros(count, dtype=bool)
        expedited[by_order.index.to_numpy()] = by_order["expedited"].to_numpy()
        damaged[by_order.index.to_numpy()] = by_order["damaged"].to_numpy()
        delivered[np.isnan(allocated)] = NOT_YET  # units still backordered: not delivered yet

        def per_order(column: str) -> np.ndarray:
            return np.bincount(order_of_line, lines[column].to_numpy(), minlength=count)

        quantity = per_order("quantity").astype(np.int64)
        filled = per_order("filled").astype(np.int64)
        lost = per_order("lost").astype(np.int64)
        substituted = per_order("substituted").astype(np.int64)
        urgent = _flags(self.urgent, count)
        promise = np.where(
            urgent, np.asarray(urgent_promises)[segment], np.asarray(promises)[segment]
        )
        postponed_by = np.zeros(count)
        if self.postponed:
            postponed_by[list(self.postponed)] = list(self.postponed.values())
        orders = pd.DataFrame(
            {
                "placed": placed,
                "segment": pd.Categorical.from_codes(segment, segments),
                "promised": placed + promise + postponed_by,
                "first_promise": placed + promise,
                "urgent": urgent,
                "lines": np.bincount(order_of_line, minlength=count),
                "quantity": quantity,
                "filled": filled,
                "lost": lost,
                "substituted": substituted,
                "backordered": quantity - filled - lost - substituted,
                "backorder_wait": per_order("backorder_wait"),
                "postponed": postponed_by > 0,
                "cancelled": per_order("cancelled") > 0,
                "allocated": allocated,
                "delivered": delivered,
                "shipments": np.bincount(ship_order, minlength=count),
                "expedited": expedited,
                "damaged": damaged,
                "channel": pd.Categorical.from_codes(_codes(self.channel, count), channels),
                "wrong_item": _flags(self.wrong_item, count),
                "wrong_invoice": _flags(self.wrong_invoice, count),
                "notices": _codes(self.notices, count),
                "informed": _flags(self.informed, count),
                "replaces": _codes(self.replaces, count, missing=-1),
                "customer": _codes(self.customer, count, missing=-1),
                "withdrawn": _flags(self.withdrawn, count),
            }
        )
        orders.index.name = "order"
        return RunLog(
            horizon=horizon,
            warmup=warmup,
            skus=skus,
            staff_on_duty=pd.DataFrame({"time": staff_on_duty[0], "staff": staff_on_duty[1]}),
            orders=orders,
            lines=lines,
            shipments=shipments,
            replenishments=_replenishments_frame(self.replenishments, self.receipts, skus),
            stock_levels=_levels_frame(self.levels, skus),
            complaints=_complaints_frame(self.complaints, horizon),
            returns=_returns_frame(self.returns, horizon),
            visits=_visits_frame(self.visits, horizon),
            restocks=_restocks_frame(self.restocks, skus),
            customers=_customers_frame(customers or [], segments),
            judgements=_judgements_frame(self.judged),
        )

    def _lines_frame(self, skus: list[str], horizon: float) -> pd.DataFrame:
        quantity = np.asarray(self.quantity, dtype=np.int64)
        filled = np.asarray(self.filled, dtype=np.int64)
        lost = np.asarray(self.lost, dtype=np.int64)
        backorder_wait = np.zeros(quantity.size)
        if self.backorder_wait:
            backorder_wait[list(self.backorder_wait)] = list(self.backorder_wait.values())
        substituted = np.zeros(quantity.size, dtype=np.int64)
        substitute = np.full(quantity.size, -1, dtype=np.int32)
        if self.substituted:
            taken = np.asarray(list(self.substituted.values()), dtype=np.int64)
            substitute[list(self.substituted)] = taken[:, 0]
            substituted[list(self.substituted)] = taken[:, 1]
        cancelled = np.zeros(quantity.size, dtype=bool)
        cancelled[list(self.cancelled)] = True
        lines = pd.DataFrame(
            {
                "order": np.asarray(self.line_order, dtype=np.int64),
                "sku": pd.Categorical.from_codes(np.asarray(self.sku, dtype=np.int32), skus),
                "quantity": quantity,
                "filled": filled,
                "lost": lost,
                "substituted": substituted,
                "substitute": pd.Categorical.from_codes(substitute, skus),
                "backordered": quantity - filled - lost - substituted,
                "backorder_wait": backorder_wait,
                "cancelled": cancelled,
                "allocated": _until(self.allocated, horizon),
            }
        )
        lines.index.name = "line"
        return lines


def _shipments_frame(log: ShipmentLog, modes: list[str], horizon: float) -> pd.DataFrame:
    column = log.columns()
    delivered = column["delivered"]
    delivered[delivered > horizon] = NOT_YET
    ready = column["ready"]
    ready[ready > horizon] = NOT_YET  # still being processed at the horizon
    return pd.DataFrame(
        {
            "order": column["order"].astype(np.int64),
            "units": column["units"].astype(np.int64),
            "released": column["released"],
            "start": column["start"],
            "ready": ready,
            "dispatched": column["dispatched"],
            "delivered": delivered,
            "mode": pd.Categorical.from_codes(column["mode"].astype(np.int32), modes),
            "expedited": column["expedited"].astype(bool),
            "damaged": column["damaged"].astype(bool),
        }
    )


def _replenishments_frame(
    log: ReplenishmentLog, receipts: dict[int, tuple[int, int]], skus: list[str]
) -> pd.DataFrame:
    column = log.columns()
    count = len(log)
    net_before = np.full(count, NOT_YET)
    lost_before = np.full(count, NOT_YET)
    if receipts:
        received = np.fromiter(receipts, dtype=np.int64, count=len(receipts))
        facts = np.asarray(list(receipts.values()), dtype=float)
        net_before[received] = facts[:, 0]
        lost_before[received] = facts[:, 1]
    return pd.DataFrame(
        {
            "sku": pd.Categorical.from_codes(column["sku"].astype(np.int32), skus),
            "ordered": column["ordered"],
            "arrives": column["arrives"],
            "quantity": column["quantity"].astype(np.int64),
            "emergency": column["emergency"].astype(bool),
            "net_before": net_before,
            "lost_before": lost_before,
        }
    )


def _levels_frame(log: LevelLog, skus: list[str]) -> pd.DataFrame:
    column = log.columns()
    return pd.DataFrame(
        {
            "time": column["time"],
            "sku": pd.Categorical.from_codes(column["sku"].astype(np.int32), skus),
            "on_hand": column["on_hand"].astype(np.int64),
            "backorders": column["backorders"].astype(np.int64),
        }
    )


def _until(times: list[float], horizon: float) -> np.ndarray:
    values = np.asarray(times, dtype=float)
    values[values > horizon] = NOT_YET
    return values


def _codes(sparse: dict[int, int], count: int, missing: int = 0) -> np.ndarray:
    codes = np.full(count, missing, dtype=np.int64)
    if sparse:
        codes[list(sparse)] = list(sparse.values())
    return codes


def _flags(marked: set[int], count: int) -> np.ndarray:
    flags = np.zeros(count, dtype=bool)
    flags[list(marked)] = True
    return flags


def _records(rows: list[Any], names: tuple[str, ...]) -> dict[str, list[Any]]:
    """The named fields of records, as one list per field."""
    return {name: [getattr(row, name) for row in rows] for name in names}


def _after(times: list[float], horizon: float | None) -> np.ndarray:
    """Times after the horizon have not happened yet."""
    values = np.asarray(times, dtype=float)
    if horizon is not None:
        values[values > horizon] = NOT_YET
    return values


def _complaints_frame(rows: list[Complaint], horizon: float | None = None) -> pd.DataFrame:
    names = ("order", "opened", "started", "resolved", "claim", "compensation")
    table = _records(rows, names)
    return pd.DataFrame(
        {
            "order": np.asarray(table["order"], dtype=np.int64),
            "opened": _after(table["opened"], horizon),
            "started": np.asarray(table["started"], dtype=float),
            "resolved": np.asarray(table["resolved"], dtype=float),
            "claim": np.asarray(table["claim"], dtype=bool),
            "compensation": np.asarray(table["compensation"], dtype=float),
        }
    )


def _returns_frame(rows: list[Return], horizon: float | None = None) -> pd.DataFrame:
    names = ("order", "reason", "requested", "received", "restocked", "replacement")
    table = _records(rows, names)
    return pd.DataFrame(
        {
            "order": np.asarray(table["order"], dtype=np.int64),
            "reason": pd.Categorical(table["reason"], categories=RETURN_REASONS),
            "requested": _after(table["requested"], horizon),
            "received": _after(table["received"], horizon),
            "restocked": np.asarray(table["restocked"], dtype=bool),
            "replacement": np.asarray(table["replacement"], dtype=np.int64),
        }
    )


def _visits_frame(rows: list[Visit], horizon: float | None = None) -> pd.DataFrame:
    names = ("order", "kind", "requested", "started", "travel", "finished", "snag")
    table = _records(rows, names)
    return pd.DataFrame(
        {
            "order": np.asarray(table["order"], dtype=np.int64),
            "kind": pd.Categorical(table["kind"], categories=VISIT_KINDS),
            "requested": np.asarray(table["requested"], dtype=float),
            "started": np.asarray(table["started"], dtype=float),
            "travel": np.asarray(table["travel"], dtype=float),
            "finished": np.asarray(table["finished"], dtype=float),
            "snag": np.asarray(table["snag"], dtype=bool),
        }
    )


def _restocks_frame(log: RestockLog, skus: list[str]) -> pd.DataFrame:
    column = log.columns()
    return pd.DataFrame(
        {
            "time": column["time"],
            "sku": pd.Categorical.from_codes(column["sku"].astype(np.int32), skus),
            "units": column["units"].astype(np.int64),
        }
    )


@dataclass(frozen=True)
class CustomerFacts:
    """The customers of one segment's base at the end of a run, by customer number."""

    segment: str
    joined: list[float]
    left: dict[int, float]
    orders: list[int]
    trust: list[float]
    glitches: list[float]


def _customers_frame(bases: list[CustomerFacts], segments: list[str]) -> pd.DataFrame:
    """Customers of every base: segment, customer, joined, left, orders, trust, glitches."""
    frames = []
    for base in bases:
        gone = np.full(len(base.joined), NOT_YET)
        if base.left:
            gone[list(base.left)] = list(base.left.values())
        frames.append(
            pd.DataFrame(
                {
                    "segment": base.segment,
                    "customer": np.arange(len(base.joined)),
                    "joined": np.asarray(base.joined, dtype=float),
                    "left": gone,
                    "orders": np.asarray(base.orders, dtype=np.int64),
                    "trust": np.asarray(base.trust, dtype=float),
                    "glitches": np.asarray(base.glitches, dtype=float),
                }
            )
        )
    if not frames:
        empty: dict[str, list[float]] = {
            "segment": [],
            "customer": [],
            "joined": [],
            "left": [],
            "orders": [],
        }
        frames.append(
            pd.DataFrame({**empty, "trust": [], "glitches": []}).astype(
                {"customer": np.int64, "orders": np.int64, "joined": float, "left": float}
                | {"trust": float, "glitches": float}
            )
        )
    table = pd.concat(frames, ignore_index=True)
    table["segment"] = pd.Categorical(table["segment"], categories=segments)
    return table


def _judgements_frame(log: JudgementLog) -> pd.DataFrame:
    column = log.columns()
    return pd.DataFrame({**column, "order": column["order"].astype(np.int64)})
