"""The facts a run records: an order log, a shipment log, replenishments and stock levels.

Recording is append-only into plain lists (cheap in the hot path); :meth:`Recorder.finish`
turns them into tables of numpy columns once (``RunLog.tables``), from which the metrics
derive every KPI after the run. Each table is a DataFrame too (``RunLog.orders``...), built
the first time someone reads it.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from servsim.model.memory import give_back_freed_memory
from servsim.model.network_log import NetworkLog, NetworkRecord
from servsim.model.records import (
    NOT_YET,
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
from servsim.model.table import Table, compacted, constant, is_constant
from servsim.model.tables import (
    amounts,
    codes,
    complaints_table,
    customers_table,
    flags,
    judgements_table,
    levels_table,
    replenishments_table,
    restocks_table,
    returns_table,
    shipments_table,
    taken,
    until,
    visits_table,
)

__all__ = [
    "NOT_YET",
    "Complaint",
    "CustomerFacts",
    "NetworkLog",
    "NetworkRecord",
    "Recorder",
    "LogTables",
    "Return",
    "RunLog",
    "Visit",
]


@dataclass(frozen=True)
class LogTables:
    """A run's facts as tables of numpy columns: what the KPIs read."""

    staff_on_duty: Table
    """Clerks scheduled (time, staff): a step function; overtime is busy time above it."""
    orders: Table
    """One row per order: placed, segment, promised, lines, quantity, filled (from stock on
    arrival), lost, backordered, backorder_wait (unit-time waited by backordered units),
    allocated (all units allocated), delivered (last unit delivered), shipments, ...,
    notices (status notices sent), informed (told of a delay in time), replaces (the order a
    replacement replaces, else -1), customer (of a finite base, else -1).
    NaN: not by the horizon."""
    lines: Table
    """One row per order line: order, sku, quantity, filled, lost, backordered,
    backorder_wait, allocated."""
    shipments: Table
    """One row per shipment: order, units, released, start, ready, delivered, mode."""
    replenishments: Table
    """One row per replenishment order: sku, ordered, arrives, quantity, net_before
    (net inventory just before it arrived; NaN if after the horizon), lost_before
    (units of the sku lost before it arrived)."""
    stock_levels: Table
    """Step function per sku: time, sku, on_hand, backorders (value from that time on)."""
    complaints: Table = field(default_factory=lambda: complaints_table([]))
    """One row per complaint: order, opened, started, resolved, claim, compensation."""
    returns: Table = field(default_factory=lambda: returns_table([]))
    """One row per return: order, reason, requested, received (back at the warehouse),
    restocked (else scrapped), replacement (the linked new order, -1 for none)."""
    visits: Table = field(default_factory=lambda: visits_table([]))
    """One row per technician visit: order, kind (install, revisit, repair), requested,
    started (left for the site), travel, finished, snag (another visit needed)."""
    restocks: Table = field(default_factory=lambda: restocks_table(RestockLog(), []))
    """Returned units put back on the shelf: time, sku, units."""
    customers: Table = field(default_factory=lambda: customers_table([], []))
    """One row per customer of a segment with a customer base: segment, customer, joined,
    left (NaN: still active), orders, trust, recent glitches and experiences judged at the end."""
    judgements: Table = field(default_factory=lambda: judgements_table(JudgementLog()))
    """One row per settled order: order, settled (when its last episode ended), score, and the
    share of the score each dimension lost (reliability, responsiveness, information,
    tangibles)."""


class _AsFrame:
    """One of ``RunLog.tables`` as a DataFrame, built the first time it is read (the KPIs read
    the tables; a DataFrame is for whoever asks for a table)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, log: RunLog | None, owner: type | None = None) -> pd.DataFrame:
        if log is None:
            return self  # type: ignore[return-value]
        frame = getattr(log.tables, self.name).frame()
        log.__dict__[self.name] = frame  # read from the instance from now on
        return frame


@dataclass(frozen=True)
class RunLog:
    """Everything one replication produced: ``tables`` of numpy columns, each also a
    DataFrame by the same name (``log.orders``, ``log.lines``...; see ``LogTables``)."""

    horizon: float
    warmup: float
    skus: list[str]
    tables: LogTables
    network: NetworkLog | None = None
    """The network's own facts (None without one)."""

    staff_on_duty = _AsFrame()
    orders = _AsFrame()
    lines = _AsFrame()
    shipments = _AsFrame()
    replenishments = _AsFrame()
    stock_levels = _AsFrame()
    complaints = _AsFrame()
    returns = _AsFrame()
    visits = _AsFrame()
    restocks = _AsFrame()
    customers = _AsFrame()
    judgements = _AsFrame()

    def processing_intervals(self) -> tuple[np.ndarray, np.ndarray]:
        """(start, end) of every shipment a clerk started; one still in hand ends at the horizon."""
        shipments = self.tables.shipments
        start = shipments["start"]
        started = ~np.isnan(start)
        end = shipments["ready"][started]  # a copy: changed in place
        end[np.isnan(end)] = self.horizon
        return start[started], end

    def busy_staff(self) -> tuple[np.ndarray, np.ndarray]:
        """Busy clerks over time (times, busy: a step function), from the shipments'
        processing."""
        start, end = self.processing_intervals()
        busy = end > start
        times = np.concatenate([start[busy], end[busy]])
        steps = np.concatenate([np.ones(busy.sum()), -np.ones(busy.sum())])
        order = np.lexsort((steps, times))
        level = np.cumsum(steps[order])
        return np.r_[0.0, times[order]], np.r_[0.0, level]


@dataclass
class Recorder:
    """Append-only facts filled by the model while it runs: a few list operations per order."""

    # per order and per order line: typed arrays, 8 bytes a fact (a list holds a Python
    # object of 24-32 bytes for each), handed to numpy without conversion
    placed: array[float] = field(default_factory=lambda: array("d"))
    segment: array[int] = field(default_factory=lambda: array("i"))
    # order lines
    line_order: array[int] = field(default_factory=lambda: array("q"))
    sku: array[int] = field(default_factory=lambda: array("i"))
    quantity: array[int] = field(default_factory=lambda: array("q"))
    filled: array[int] = field(default_factory=lambda: array("q"))
    lost: array[int] = field(default_factory=lambda: array("q"))
    allocated: array[float] = field(default_factory=lambda: array("d"))
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
    quoted: dict[int, float] = field(default_factory=dict)
    """order -> how much later than the usual promise it was promised, from its stock"""
    declined: dict[int, int] = field(default_factory=dict)
    """line -> units its customer left out on seeing them out of stock"""
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
    """order -> customer (segments with a customer base, or a history's customer column)"""
    requested: dict[int, float] = field(default_factory=dict)
    """order -> its promise, the delivery its customer requested (a history's column)"""
    withdrawn: set[int] = field(default_factory=set)
    """orders their customer cancelled because they waited too long"""
    judged: JudgementLog = field(default_factory=JudgementLog)
    complaints: list[Complaint] = field(default_factory=list)
    returns: list[Return] = field(default_factory=list)
    visits: list[Visit] = field(default_factory=list)
    restocks: RestockLog = field(default_factory=RestockLog)
    network: NetworkRecord | None = None
    computed: dict[str, np.ndarray] = field(default_factory=dict)
    """Facts a flow computed in arrays hands over whole, in place of the dicts filled row by
    row: ``backorder_wait`` per line, ``net_before`` and ``lost_before`` per replenishment."""

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
        """Freeze the facts into tables; times after the horizon become NaN (not yet).

        The recorder is spent: each list is emptied once it is an array, so a long run's
        Python objects go while the tables' arrays are built."""
        lines = self._lines_table(skus, horizon)
        placed = taken(self.placed, float)
        count = placed.size
        segment = taken(self.segment, np.int32)
        order_of_line = lines["order"]
        shipments = shipments_table(self.shipments, modes, horizon)
        give_back_freed_memory(count)  # the line and shipment stores are gone
        ship_order = shipments["order"]
        # an order's lines are recorded one after another: reduce over each order's run
        first_line = (
            np.flatnonzero(np.r_[True, order_of_line[1:] != order_of_line[:-1]])
            if order_of_line.size
            else order_of_line  # no line at all (a run with no order)
        )
        # every order of one line (a web shop's): its per-order facts are its line's, shared
        one_line_each = first_line.size == count == order_of_line.size
        if one_line_each:
            allocated = lines["allocated"]
        else:
            allocated = np.full(count, NOT_YET)
            if first_line.size:  # NaN (a line still waiting) propagates through maximum
                allocated[order_of_line[first_line]] = np.maximum.reduceat(
                    lines["allocated"], first_line
                )
        # an order's last delivery (one not made yet counts as infinitely late): numpy over
        # the shipment columns, not a group-by
        delivered = np.full(count, -np.inf)
        np.maximum.at(delivered, ship_order, np.nan_to_num(shipments["delivered"], nan=np.inf))
        delivered[~np.isfinite(delivered)] = NOT_YET
        expedited = np.bincount(ship_order, shipments["expedited"], minlength=count) > 0
        damaged = np.bincount(ship_order, shipments["damaged"], minlength=count) > 0
        delivered[np.isnan(allocated)] = NOT_YET  # units still backordered: not delivered yet

        def per_order(column: str, dtype: type = float) -> np.ndarray:
            """Each order's sum over its lines (a count: ``dtype`` np.int64)."""
            values = lines[column]
            if is_constant(values) and values[0] == 0:
                return constant(0, count, dtype)  # no line has any: no order has
            if one_line_each and dtype is not float:
                return values  # a count of one line is the line's (a sum would add 0.0)
            summed = np.bincount(order_of_line, values, minlength=count)
            return summed if dtype is float else summed.astype(dtype)

        quantity = per_order("quantity", np.int64)
        filled = per_order("filled", np.int64)
        lost = per_order("lost", np.int64)
        substituted = per_order("substituted", np.int64)
        urgent = flags(self.urgent, count)
        promise = np.where(
            urgent, np.asarray(urgent_promises)[segment], np.asarray(promises)[segment]
        )
        postponed_by = amounts(self.postponed, count)
        if self.requested:  # a requested date is the promise
            asked = np.fromiter(self.requested, dtype=np.int64, count=len(self.requested))
            promise = promise.astype(float)
            promise[asked] = np.fromiter(self.requested.values(), dtype=float) - placed[asked]
        quoted_by = amounts(self.quoted, count)
        first_promise = placed + promise
        orders = Table(
            compacted(
                {
                    "placed": placed,
                    "segment": segment,
                    "promised": first_promise
                    if not (self.postponed or self.quoted)  # the first promise holds
                    else first_promise + postponed_by + quoted_by,
                    "first_promise": first_promise,
                    "urgent": urgent,
                    "lines": np.bincount(order_of_line, minlength=count),
                    "quantity": quantity,
                    "filled": filled,
                    "lost": lost,
                    "substituted": substituted,
                    "backordered": lines["backordered"]
                    if one_line_each
                    else quantity - filled - lost - substituted,
                    "backorder_wait": per_order("backorder_wait"),
                    "postponed": postponed_by > 0,
                    "quoted": quoted_by,
                    "declined": per_order("declined", np.int64),
                    "cancelled": per_order("cancelled") > 0,
                    "allocated": allocated,
                    "delivered": delivered,
                    "shipments": np.bincount(ship_order, minlength=count),
                    "expedited": expedited,
                    "damaged": damaged,
                    "channel": codes(self.channel, count, dtype=np.int32),
                    "wrong_item": flags(self.wrong_item, count),
                    "wrong_invoice": flags(self.wrong_invoice, count),
                    "notices": codes(self.notices, count),
                    "informed": flags(self.informed, count),
                    "replaces": codes(self.replaces, count, missing=-1),
                    "customer": codes(self.customer, count, missing=-1),
                    "withdrawn": flags(self.withdrawn, count),
                }
            ),
            {"segment": segments, "channel": channels},
            index_name="order",
        )
        stock_levels = (
            levels_table(self.levels, skus) if self.network is None else self.network.totals(skus)
        )
        tables = LogTables(
            staff_on_duty=Table(
                {
                    "time": np.asarray(staff_on_duty[0], dtype=float),
                    "staff": np.asarray(staff_on_duty[1], dtype=np.int64),
                }
            ),
            orders=orders,
            lines=lines,
            shipments=shipments,
            replenishments=replenishments_table(
                self.replenishments,
                self.receipts,
                skus,
                self.computed.pop("net_before", None),
                self.computed.pop("lost_before", None),
            ),
            stock_levels=stock_levels,
            complaints=complaints_table(self.complaints, horizon),
            returns=returns_table(self.returns, horizon),
            visits=visits_table(self.visits, horizon),
            restocks=restocks_table(self.restocks, skus),
            customers=customers_table(customers or [], segments),
            judgements=judgements_table(self.judged),
        )
        give_back_freed_memory(count)  # the stock levels' and the order stores are gone too
        return RunLog(
            horizon=horizon,
            warmup=warmup,
            skus=skus,
            tables=tables,
            network=None
            if self.network is None
            else self.network.finish(order_of_line, segment, skus, horizon),
        )

    def _lines_table(self, skus: list[str], horizon: float) -> Table:
        quantity = taken(self.quantity, np.int64)
        filled = taken(self.filled, np.int64)
        lost = taken(self.lost, np.int64)
        backorder_wait = self.computed.pop("backorder_wait", None)
        if backorder_wait is None:
            backorder_wait = np.zeros(quantity.size)
        if self.backorder_wait:
            waits = self.backorder_wait
            backorder_wait[np.fromiter(waits, dtype=np.int64, count=len(waits))] = np.fromiter(
                waits.values(), dtype=float, count=len(waits)
            )
        substituted = np.zeros(quantity.size, dtype=np.int64)
        substitute = np.full(quantity.size, -1, dtype=np.int32)
        if self.substituted:
            offered = np.asarray(list(self.substituted.values()), dtype=np.int64)
            substitute[list(self.substituted)] = offered[:, 0]
            substituted[list(self.substituted)] = offered[:, 1]
        cancelled = np.zeros(quantity.size, dtype=bool)
        cancelled[np.fromiter(self.cancelled, dtype=np.int64, count=len(self.cancelled))] = True
        declined = np.zeros(quantity.size, dtype=np.int64)
        if self.declined:
            declined[list(self.declined)] = list(self.declined.values())
        return Table(
            compacted(
                {
                    "order": taken(self.line_order, np.int64),
                    "sku": taken(self.sku, np.int32),
                    "quantity": quantity,
                    "filled": filled,
                    "lost": lost,
                    "substituted": substituted,
                    "substitute": substitute,
                    "backordered": quantity - filled - lost - substituted,
                    "backorder_wait": backorder_wait,
                    "cancelled": cancelled,
                    "declined": declined,
                    "allocated": until(taken(self.allocated, float), horizon),
                }
            ),
            {"sku": skus, "substitute": skus},
            index_name="line",
        )
