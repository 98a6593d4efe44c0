"""One sku's stock computed in arrays, for a flow without feedback.

Under continuous review by base stock, (s,S) or (r,Q), with every shortage backordered and
served first come first served, the inventory position moves with the demand alone: when
replenishments are ordered follows from the sequence of demands, each line's fill from
cumulative demand against cumulative receipts, and its allocation from the receipt that
brings its last unit. No event has to be simulated. With lost sales what is on hand decides
each fill and so each replenishment: one loop over the sku's lines (``lost_sales_flow``).

Events are put in the order SimPy processes them: by time, then by when each was scheduled
(the ``rank``, one number per event that happens to the stock: see ``array_flow``), so a
tie goes the event model's way and every result is its result, bit for bit.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from servsim.model.records import NOT_YET
from servsim.policies import ReplenishmentPolicy
from servsim.policies.replenishment import BaseStock, MinMax, ReorderPointQuantity

REVIEWED_BY_DEMAND = (BaseStock, MinMax, ReorderPointQuantity)
"""Continuous-review policies whose orders depend on the inventory position alone."""


def replenishment_quantities(policy: ReplenishmentPolicy, quantities: np.ndarray) -> np.ndarray:
    """Units the policy orders after each demand (0: none), as its review after every demand
    orders them; with backorders the position falls by each demand whatever is on hand."""
    if type(policy) is BaseStock:  # the position is S before every demand: order what went
        return np.where(quantities > 0, quantities, 0)
    if type(policy) is ReorderPointQuantity:  # position r + Q - D: a batch per Q demanded
        batches = np.cumsum(quantities) // policy.batch_size
        return np.diff(batches, prepend=0) * policy.batch_size
    ordered = np.zeros(quantities.size, dtype=np.int64)
    position = policy.initial_stock
    order_quantity = policy.order_quantity
    for line, quantity in enumerate(quantities.tolist()):
        position -= quantity
        units = order_quantity(position)
        if units > 0:
            ordered[line] = units
            position += units
    return ordered


@dataclass(frozen=True)
class StockFlow:
    """What happened at one sku's stock point, line by line and event by event."""

    filled: np.ndarray
    """per line: units allocated from stock on arrival"""
    allocated: np.ndarray
    """per line: when its last unit was allocated (NaN: not by the horizon)"""
    allocated_rank: np.ndarray
    """per line: the rank of the event that allocated its last unit"""
    backorder_wait: np.ndarray
    """per line: unit-time its backordered units waited (by the horizon)"""
    received: np.ndarray
    """the replenishments (by number among this sku's) received by the horizon"""
    net_before: np.ndarray
    """per received replenishment: net inventory just before it came"""
    level_time: np.ndarray
    level_rank: np.ndarray
    on_hand: np.ndarray
    backorders: np.ndarray
    """after each event (a demand or a receipt), in the order they happened"""
    lost: np.ndarray | None = None
    """per line: units lost (lost sales only)"""
    lost_before: np.ndarray | None = None
    """per received replenishment: units lost before it came (lost sales only)"""


@dataclass(frozen=True)
class LostSales:
    """One sku's stock when every shortage is a lost sale, and the replenishments it placed."""

    stock: StockFlow
    ordered_by: np.ndarray
    """the line (among the sku's) that placed each replenishment"""
    ordered: np.ndarray
    arrives: np.ndarray


def stock_flow(
    placed: np.ndarray,
    rank: np.ndarray,
    quantity: np.ndarray,
    initial: int,
    ordered: np.ndarray,
    arrives: np.ndarray,
    receipt_rank: np.ndarray,
    horizon: float,
) -> StockFlow:
    """The sku's lines (``placed``, ``rank``, ``quantity``, in arrival order) against its
    replenishments (``ordered`` units arriving at ``arrives``, their receipts of rank
    ``receipt_rank``); only events before the horizon happen."""
    lines = placed.size
    received = np.flatnonzero(arrives < horizon)
    received = received[np.lexsort((receipt_rank[received], arrives[received]))]
    came, came_rank, units = arrives[received], receipt_rank[received], ordered[received]
    times = np.concatenate([placed, came])
    ranks = np.concatenate([rank, came_rank])
    sequence = np.lexsort((ranks, times))
    net = initial + np.cumsum(np.concatenate([-quantity, units])[sequence])
    net_after = np.empty_like(net)
    net_after[sequence] = net
    filled = np.minimum(quantity, np.maximum(net_after[:lines] + quantity, 0))
    demanded = np.cumsum(quantity)
    supplied = initial + np.cumsum(units)
    short = quantity - filled
    waiting = np.flatnonzero(short > 0)
    completing = np.searchsorted(supplied, demanded[waiting], side="left")
    done = completing < supplied.size
    allocated = placed.copy()
    allocated[waiting] = NOT_YET
    allocated[waiting[done]] = came[completing[done]]
    allocated_rank = rank.copy()
    allocated_rank[waiting[done]] = came_rank[completing[done]]
    return StockFlow(
        filled=filled,
        allocated=allocated,
        allocated_rank=allocated_rank,
        backorder_wait=_backorder_wait(
            placed, demanded, short, waiting, completing, supplied, came, initial
        ),
        received=received,
        net_before=net_after[lines:] - units,
        level_time=times[sequence],
        level_rank=ranks[sequence],
        on_hand=np.maximum(net, 0),
        backorders=np.maximum(-net, 0),
    )


def _backorder_wait(
    placed: np.ndarray,
    demanded: np.ndarray,
    short: np.ndarray,
    waiting: np.ndarray,
    completing: np.ndarray,
    supplied: np.ndarray,
    came: np.ndarray,
    initial: int,
) -> np.ndarray:
    """Units given times their wait, summed over the receipts that served each short line, in
    the order they came (``np.add.at`` adds in index order, as the event model does)."""
    wait = np.zeros(placed.size)
    if waiting.size == 0 or supplied.size == 0:
        return wait
    first_unit = (demanded - short)[waiting]  # the line's short units: (first_unit, demanded]
    first = np.searchsorted(supplied, first_unit, side="right")
    last = np.minimum(completing, supplied.size - 1)
    count = np.maximum(last - first + 1, 0)
    line = np.repeat(waiting, count)
    start = np.repeat(np.cumsum(count) - count, count)
    receipt = np.repeat(first, count) + (np.arange(line.size) - start)
    before = np.concatenate([[initial], supplied[:-1]])
    given = np.minimum(supplied[receipt], demanded[line]) - np.maximum(
        before[receipt], np.repeat(first_unit, count)
    )
    np.add.at(wait, line, given * (came[receipt] - placed[line]))
    return wait


def lost_sales_flow(
    placed: np.ndarray,
    rank: np.ndarray,
    quantity: np.ndarray,
    policy: ReplenishmentPolicy,
    lead_times: Iterator[float],
    receipt_rank: np.ndarray,
    horizon: float,
) -> LostSales:
    """The sku's lines against its stock when a shortage is lost: what is on hand then
    decides the fill, so the position (on hand + on order) and with it every replenishment
    depends on the receipts before each line: a loop over the lines, the receipts due before
    each taken from a heap by (time, rank), as the events would come."""
    on_hand, on_order, lost_units = policy.initial_stock, 0, 0
    order_quantity = policy.order_quantity
    due: list[tuple[float, int, int, int]] = []
    """receipts on their way: (arrival, rank, units, replenishment)"""
    filled: list[int] = []
    lost: list[int] = []
    ordered_by: list[int] = []
    ordered: list[int] = []
    arrives: list[float] = []
    received: list[int] = []
    net_before: list[int] = []
    lost_before: list[int] = []
    level_time: list[float] = []
    level_rank: list[int] = []
    level_on_hand: list[int] = []
    take, give = heapq.heappop, heapq.heappush

    def receive(at: float, at_rank: int, units: int, number: int) -> None:
        nonlocal on_hand, on_order
        received.append(number)
        net_before.append(on_hand)
        lost_before.append(lost_units)
        on_hand += units
        on_order -= units
        level_time.append(at)
        level_rank.append(at_rank)
        level_on_hand.append(on_hand)

    rows = zip(
        placed.tolist(), rank.tolist(), quantity.tolist(), receipt_rank.tolist(), strict=True
    )
    for line, (now, now_rank, units, coming_rank) in enumerate(rows):
        while due and (due[0][0] < now or (due[0][0] == now and due[0][1] < now_rank)):
            receive(*take(due))
        given = units if units <= on_hand else on_hand
        on_hand -= given
        lost_units += units - given
        filled.append(given)
        lost.append(units - given)
        level_time.append(now)
        level_rank.append(now_rank)
        level_on_hand.append(on_hand)
        more = order_quantity(on_hand + on_order)
        if more > 0:
            arrival = now + next(lead_times)
            on_order += more
            give(due, (arrival, coming_rank, more, len(ordered)))
            ordered_by.append(line)
            ordered.append(more)
            arrives.append(arrival)
    while due and due[0][0] < horizon:
        receive(*take(due))
    count = placed.size
    return LostSales(
        stock=StockFlow(
            filled=np.asarray(filled, dtype=np.int64).reshape(count),
            allocated=placed.copy(),
            allocated_rank=rank.copy(),
            backorder_wait=np.zeros(count),
            received=np.asarray(received, dtype=np.int64),
            net_before=np.asarray(net_before, dtype=np.int64),
            level_time=np.asarray(level_time, dtype=float),
            level_rank=np.asarray(level_rank, dtype=np.int64),
            on_hand=np.asarray(level_on_hand, dtype=np.int64),
            backorders=np.zeros(len(level_time), dtype=np.int64),
            lost=np.asarray(lost, dtype=np.int64).reshape(count),
            lost_before=np.asarray(lost_before, dtype=np.int64),
        ),
        ordered_by=np.asarray(ordered_by, dtype=np.int64),
        ordered=np.asarray(ordered, dtype=np.int64),
        arrives=np.asarray(arrives, dtype=float),
    )
