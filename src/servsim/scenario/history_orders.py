"""A history's order lines grouped into orders: the arrays of a :class:`Trace`, with times in
the scenario's unit from the run's time 0 and the blocks of the bootstrap.
"""

from __future__ import annotations

import math
from datetime import datetime

import numpy as np

from servsim.core.errors import Problem
from servsim.core.units import HOURS_PER_TIME_UNIT
from servsim.scenario.history import History, Trace

BLOCK_HOURS = {"week": 168.0, "day": 24.0}
"""The length of a resampled block."""


def orders_of_lines(
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
