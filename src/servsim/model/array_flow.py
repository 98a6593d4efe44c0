"""A flow without feedback computed in arrays instead of events.

One stream of orders with a fixed demand (no customer base, after-sale stage, channels,
urgency or quotes; a replayed history's customers and requested dates are recorded), stock
points that review continuously and backorder every shortage first come first served while
the order waits to ship complete or ships in parts (or no stock limit), first-come-first-
served clerks and plain carriers: nothing that happens to an order changes what happens next
except through the queues, and each queue is a recursion over arrays (the stock in
``array_stock``, the clerks by Kiefer-Wolfowitz). The run draws the same variates from the
same streams as the event model and records the same facts in the same order, so its log is
the event model's, bit for bit (a test compares them); it takes a fraction of the time,
since no event is scheduled.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from servsim.model.array_stock import (
    StockFlow,
    lost_sales_flow,
    replenishment_quantities,
    stock_flow,
)
from servsim.model.demand import OrderStream
from servsim.model.processing import FifoClerkPool, NoProcessing, fifo_times
from servsim.model.runlog import Recorder
from servsim.model.stocking import StockPoint, UnlimitedStock
from servsim.model.streams import RandomStreams

if TYPE_CHECKING:  # the world hands itself in; no import at run time
    from servsim.model.world import World


@dataclass(frozen=True)
class ArrayFlow:
    """What the world hands over to compute its one stream of orders in arrays."""

    stream: OrderStream
    draw_services: Callable[[int], list[float]]
    """processing times of a block of orders, drawn as the event model draws them"""
    stock: list[StockPoint | UnlimitedStock]
    lead_times: list[object | None]
    """per sku: the lead-time distribution of its stock point (None: no stock limit)"""
    skus: list[str]
    staff: int
    """first-come-first-served clerks (0: no processing stage)"""
    extra_service: object | None
    """the processing-time distribution of an order's later shipments (None: no processing)"""
    in_parts: bool
    """orders ship what is there now and each waiting line later (else complete)"""
    lose_shortages: bool
    """what is not on hand is a lost sale; the order ships the rest at once"""
    mode: int
    mode_name: str
    transit: object
    """the carrier mode's transit-time distribution"""
    horizon: float


def prepared(world: World, stream: OrderStream) -> ArrayFlow | None:
    """The world's one stream as a flow computed in arrays, where nothing in it feeds back;
    None where something does (the world then simulates its events)."""
    scenario = world.scenario
    if not (
        len(world.segments) == 1
        and scenario.network is None
        and world.aftercare is None
        and not world.customers
        and not scenario.delivery.quote_from_stock
        and not scenario.channels
        and not stream.segment.urgent
        and isinstance(world.clerks, FifoClerkPool | NoProcessing)
        and world.carriers.plain
        and world.env.peek() == math.inf  # nothing else (a review, a shift...) is scheduled
    ):
        return None
    stocked = [point for point in world.stock if isinstance(point, StockPoint)]
    allocation = world.allocation
    lose = bool(stocked) and allocation.loses_shortages(0)
    if stocked and not (
        (lose or allocation.backorders_in_line(0))
        and all(point.reviews_by_demand for point in stocked)
    ):
        return None
    items = scenario.stocking.items if scenario.stocking else {}
    mode = world._mode_of_segment[0]
    name = world.modes[mode]
    return ArrayFlow(
        stream=stream,
        draw_services=world._draw_services,
        stock=world.stock,
        lead_times=[
            items[sku].lead_time if isinstance(point, StockPoint) else None
            for sku, point in zip(world.skus, world.stock, strict=True)
        ],
        skus=world.skus,
        staff=world.clerks.staff,
        extra_service=scenario.processing.time if scenario.processing else None,
        in_parts=bool(stocked) and not lose and allocation.ships_in_parts(0),
        lose_shortages=lose,
        mode=mode,
        mode_name=name,
        transit=scenario.delivery.modes[name].transit,
        horizon=scenario.horizon,
    )


@dataclass(frozen=True)
class _Orders:
    placed: np.ndarray
    """per order"""
    service: np.ndarray
    """per order: its processing time, drawn on arrival"""
    order: np.ndarray
    """per line: its order (an order's lines one after another)"""
    sku: np.ndarray
    quantity: np.ndarray
    """per line"""
    requested: np.ndarray | None
    """per order, a history's: the delivery asked for, after placement (NaN: none)"""
    customer: np.ndarray | None
    """per order, a history's: its customer (-1: none)"""


def run(flow: ArrayFlow, streams: RandomStreams, record: Recorder) -> None:
    """Compute the flow to the horizon and record its facts as the event model would (each
    set of facts recorded, and its arrays let go, as soon as it is known: a long run's
    peak memory is the log's, not the log's plus its making)."""
    orders = _orders(flow)
    line = np.arange(orders.order.size, dtype=np.int64)
    first = np.searchsorted(orders.order, np.arange(orders.placed.size + 1))
    """each order's first line, and one past the last order's last"""
    # Each event at the stock gets a rank in the order SimPy schedules them: an order's arrival
    # is scheduled while the order before it is placed, its lines meet the stock one after
    # another, and the replenishments they place are scheduled after them, before the next
    # arrival. Order n of lines f..f+k-1 (f = first[n]): line l's demand ranks f + l, the
    # receipt of the replenishment line l placed ranks f + k + l (k lines before the next
    # order's first demand, 2(f + k)). One line per order: 2n and 2n + 1.
    rank = first[orders.order] + line
    receipt_rank = first[orders.order + 1] + line
    filled = orders.quantity.copy()
    lost = np.zeros(line.size, dtype=np.int64)
    allocated = orders.placed[orders.order]
    allocated_rank = rank.copy()
    wait = np.zeros(line.size)
    replenished: list[tuple[np.ndarray, ...]] = []
    levels: list[tuple[np.ndarray, ...]] = []
    for sku, point in enumerate(flow.stock):
        if isinstance(point, UnlimitedStock):
            continue
        mine = np.flatnonzero(orders.sku == sku)
        placed = allocated[mine]
        stock, by, units, arrives = _sku_stock(
            flow, streams, sku, point, placed, rank[mine], orders.quantity[mine], receipt_rank[mine]
        )
        if stock.lost is not None:
            lost[mine] = stock.lost
        filled[mine] = stock.filled
        allocated[mine] = stock.allocated
        allocated_rank[mine] = stock.allocated_rank
        wait[mine] = stock.backorder_wait
        replenished.append(_replenishments(sku, mine[by], placed[by], arrives, units, stock))
        levels.append(_levels(sku, stock))
        del mine, placed, units, by, arrives, stock
    del rank, receipt_rank
    _record_levels(record, levels)
    _record_replenishments(record, replenished)
    _record_shipments(
        record, flow, streams, orders, line, first, filled, lost, allocated, allocated_rank
    )
    del allocated_rank
    _record_orders(record, orders, filled, lost, allocated, wait)


def _sku_stock(
    flow: ArrayFlow,
    streams: RandomStreams,
    sku: int,
    point: StockPoint,
    placed: np.ndarray,
    rank: np.ndarray,
    quantity: np.ndarray,
    receipt_rank: np.ndarray,
) -> tuple[StockFlow, np.ndarray, np.ndarray, np.ndarray]:
    """One sku's stock over its lines, and its replenishments: (the stock, the line that
    placed each, its units, its arrival)."""
    name, lead_time = f"lead_time/{flow.skus[sku]}", flow.lead_times[sku]
    if flow.lose_shortages:
        sales = lost_sales_flow(
            placed, rank, quantity, point.policy, streams.draws(name, lead_time), receipt_rank,
            flow.horizon,
        )  # fmt: skip
        return sales.stock, sales.ordered_by, sales.ordered, sales.arrives
    ordered = replenishment_quantities(point.policy, quantity)
    by = np.flatnonzero(ordered)
    units = ordered[by]
    arrives = placed[by] + streams.variates(name, lead_time, by.size)
    stock = stock_flow(
        placed, rank, quantity, point.policy.initial_stock, units, arrives, receipt_rank[by],
        flow.horizon,
    )  # fmt: skip
    return stock, by, units, arrives


def _orders(flow: ArrayFlow) -> _Orders:
    """The stream's orders before the horizon, block after block as the event model takes
    them: each arrival the last one's time plus its gap (the same sums, in the same order)."""
    placed, services, orders, skus, quantities = [], [], [], [], []
    asked: list[np.ndarray] = []
    known: list[np.ndarray] = []
    last = 0.0
    count = 0
    stream = flow.stream
    for gaps, lines, sku, quantity, _, _ in stream.blocks():
        times = np.cumsum(np.concatenate([[last], gaps]))[1:]
        service = flow.draw_services(len(gaps))
        inside = int(np.searchsorted(times, flow.horizon, side="left"))
        per_order = np.asarray(lines[:inside], dtype=np.int64)
        kept = int(per_order.sum())
        placed.append(times[:inside])
        services.append(np.asarray(service[:inside], dtype=float))
        orders.append(np.repeat(np.arange(count, count + inside, dtype=np.int64), per_order))
        skus.append(np.asarray(sku[:kept], dtype=np.int32))
        quantities.append(np.asarray(quantity[:kept], dtype=np.int64))
        if stream.requested is not None:  # set by the stream as it yields a block
            asked.append(np.asarray(stream.requested[:inside], dtype=float))
        if stream.customers is not None:
            known.append(np.asarray(stream.customers[:inside], dtype=np.int64))
        count += inside
        if inside < times.size or times.size == 0:
            break
        last = float(times[-1])
    return _Orders(
        placed=np.concatenate([*placed, np.empty(0)]),
        service=np.concatenate([*services, np.empty(0)]),
        order=np.concatenate([*orders, np.empty(0, dtype=np.int64)]),
        sku=np.concatenate([*skus, np.empty(0, dtype=np.int32)]),
        quantity=np.concatenate([*quantities, np.empty(0, dtype=np.int64)]),
        requested=np.concatenate(asked) if asked else None,
        customer=np.concatenate(known) if known else None,
    )


def _replenishments(
    sku: int,
    by_line: np.ndarray,
    ordered: np.ndarray,
    arrives: np.ndarray,
    units: np.ndarray,
    stock: StockFlow,
) -> tuple[np.ndarray, ...]:
    """One sku's replenishment orders: the line that placed each, then the log's fields."""
    net_before = np.full(by_line.size, np.nan)
    net_before[stock.received] = stock.net_before
    lost_before = np.full(by_line.size, np.nan)
    lost_before[stock.received] = 0 if stock.lost_before is None else stock.lost_before
    return by_line, np.full(by_line.size, sku), ordered, arrives, units, net_before, lost_before


def _levels(sku: int, stock: StockFlow) -> tuple[np.ndarray, ...]:
    return (
        stock.level_time,
        stock.level_rank,
        np.full(stock.level_time.size, sku, dtype=np.int32),
        stock.on_hand,
        stock.backorders,
    )


def _record_orders(
    record: Recorder,
    orders: _Orders,
    filled: np.ndarray,
    lost: np.ndarray,
    allocated: np.ndarray,
    wait: np.ndarray,
) -> None:
    """The per-order and per-line facts, whole."""
    count = orders.placed.size
    stores: tuple[tuple[array, np.ndarray], ...] = (
        (record.placed, orders.placed),
        (record.segment, np.zeros(count, dtype=np.int32)),
        (record.line_order, orders.order),
        (record.sku, orders.sku),
        (record.quantity, orders.quantity),
        (record.filled, filled),
        (record.lost, lost),
        (record.allocated, allocated),
    )
    for store, column in stores:
        assert column.dtype.itemsize == store.itemsize and column.flags.c_contiguous
        store.frombytes(column.data.cast("B"))
    record.computed["backorder_wait"] = wait
    if orders.requested is not None:  # a requested date is the order's promise
        asking = np.flatnonzero(~np.isnan(orders.requested))
        due = orders.placed[asking] + orders.requested[asking]
        record.requested.update(zip(asking.tolist(), due.tolist(), strict=True))
    if orders.customer is not None:
        known = np.flatnonzero(orders.customer >= 0)
        record.customer.update(zip(known.tolist(), orders.customer[known].tolist(), strict=True))


def _record_replenishments(record: Recorder, replenished: list[tuple[np.ndarray, ...]]) -> None:
    """Replenishment orders numbered as placed: by the line that placed each."""
    if not replenished:
        return
    by_line, sku, ordered, arrives, units, net_before, lost_before = (
        np.concatenate(field) for field in zip(*replenished, strict=True)
    )
    replenished.clear()
    placing = np.argsort(by_line, kind="stable")
    record.replenishments.extend_columns(
        {
            "sku": sku[placing],
            "ordered": ordered[placing],
            "arrives": arrives[placing],
            "quantity": units[placing],
            "emergency": np.zeros(placing.size),
        }
    )
    record.computed["net_before"] = net_before[placing]
    record.computed["lost_before"] = lost_before[placing]


def _record_levels(record: Recorder, levels: list[tuple[np.ndarray, ...]]) -> None:
    """Every sku's stock after each of its events, all skus' events in the order they came."""
    if not levels:
        return
    time, rank, sku, on_hand, backorders = (
        np.concatenate(field) for field in zip(*levels, strict=True)
    )
    levels.clear()
    sequence = np.lexsort((rank, time))
    del rank
    record.levels.extend_columns(
        {
            "time": time[sequence],
            "sku": sku[sequence],
            "on_hand": on_hand[sequence],
            "backorders": backorders[sequence],
        }
    )


def _record_shipments(
    record: Recorder,
    flow: ArrayFlow,
    streams: RandomStreams,
    orders: _Orders,
    line: np.ndarray,
    first: np.ndarray,
    filled: np.ndarray,
    lost: np.ndarray,
    allocated: np.ndarray,
    allocated_rank: np.ndarray,
) -> None:
    """The orders' shipments, released in the order the events released them (by time, rank,
    then line: a receipt serves its waiting lines first come first served), processed by the
    clerks in that order (an order's first shipment takes its processing time drawn on
    arrival, a later one a time of its own), carried by the segment's mode."""
    if flow.in_parts:
        order, units, when = _parts(orders, first, filled, allocated, allocated_rank)
    else:
        order, units, when = _whole(orders, line, first, lost, allocated, allocated_rank)
    sequence = np.lexsort(when[::-1])
    order, units, now = order[sequence], units[sequence], when[0][sequence]
    del sequence, when
    duration = orders.service[order]
    if flow.extra_service is not None:
        later = np.ones(order.size, dtype=bool)
        later[np.unique(order, return_index=True)[1]] = False
        duration[later] = streams.variates("processing/extra", flow.extra_service, int(later.sum()))
    start, ready = fifo_times(now, duration, flow.staff)
    delivered = ready + streams.variates(f"transit/{flow.mode_name}", flow.transit, order.size)
    record.shipments.extend_columns(
        {
            "order": order,
            "units": units,
            "released": now,
            "start": start,
            "ready": ready,
            "dispatched": ready.copy(),  # its own column: a block is a view
            "delivered": delivered,
            "mode": np.full(order.size, float(flow.mode)),
            "expedited": np.zeros(order.size),
            "damaged": np.zeros(order.size),
        }
    )


Released = tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray]]
"""Shipments: (order, units, (time, rank, line) of the event that released each)."""


def _whole(
    orders: _Orders,
    line: np.ndarray,
    first: np.ndarray,
    lost: np.ndarray,
    allocated: np.ndarray,
    allocated_rank: np.ndarray,
) -> Released:
    """Each order ships once, complete, when its last line is allocated (what was not lost:
    an order whose every unit was lost does not ship)."""
    if line.size == orders.placed.size:  # one line each: it is its order's last
        completing = line
    else:  # the line of the greatest (time, rank) (NaN, still waiting, sorts last)
        by_order = np.lexsort((allocated_rank, allocated, orders.order))
        completing = by_order[first[1:] - 1]
        del by_order
    units = np.bincount(orders.order, weights=orders.quantity - lost, minlength=orders.placed.size)
    released = np.flatnonzero(~np.isnan(allocated[completing]) & (units > 0))
    completing = completing[released]
    return (
        released,
        units[released],
        (allocated[completing], allocated_rank[completing], completing),
    )


def _parts(
    orders: _Orders,
    first: np.ndarray,
    filled: np.ndarray,
    allocated: np.ndarray,
    allocated_rank: np.ndarray,
) -> Released:
    """What is there ships on arrival; each line that waited ships when it is allocated."""
    count = orders.placed.size
    ready = np.bincount(orders.order, weights=filled, minlength=count)
    at_once = np.flatnonzero(ready > 0)
    last_line = first[at_once + 1] - 1  # the arrival's release follows its last line
    short = orders.quantity - filled
    later = np.flatnonzero((short > 0) & ~np.isnan(allocated))
    arrival_rank = first[orders.order[last_line]] + last_line
    return (
        np.concatenate([at_once, orders.order[later]]),
        np.concatenate([ready[at_once], short[later]]),
        (
            np.concatenate([orders.placed[at_once], allocated[later]]),
            np.concatenate([arrival_rank, allocated_rank[later]]),
            np.concatenate([last_line, later]),
        ),
    )
