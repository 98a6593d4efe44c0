"""Arrival streams as chains of timeouts: the commonest (one-line orders, nothing else to
decide) as plain callbacks, any other as a generator of waits (``follow``).

A SimPy process pays ``Process._resume`` on every order; a timeout whose callback places the
order and schedules the next one does the same work for less. Events are scheduled in the same
sequence as the process would (its start at the same moment and priority, each next arrival
after the order is placed), so every result is the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import simpy
from simpy.events import URGENT, Timeout

from servsim.model.demand import OrderStream

Arrival = Callable[[int, int, float], None]
"""Place one order: (sku, quantity, its processing time drawn on arrival)."""


def handles(stream: OrderStream, has_channels: bool) -> bool:
    """Whether every block of the stream is plain: one line per order, no entry facts, no
    urgency (the rest of the plain case, no customer base, after-sales or quotes, the world
    decides)."""
    segment = stream.segment
    return segment.single_line and not has_channels and not segment.urgent


def plain_orders(
    stream: OrderStream, draw_services: Callable[[int], list[float]]
) -> Iterator[tuple[float, int, int, float]]:
    """(gap, sku, quantity, processing time) per order, block after block."""
    for gaps, _, skus, quantities, _, _ in stream.blocks():
        yield from zip(gaps, skus, quantities, draw_services(len(gaps)), strict=False)


def start(
    env: simpy.Environment, orders: Iterator[tuple[float, int, int, float]], arrive: Arrival
) -> None:
    """Run the stream: its start is scheduled now, as a process's would be."""

    def next_order(_: object) -> None:
        for gap, sku, quantity, service in orders:  # one order, if any is left
            Timeout(env, gap, (sku, quantity, service)).callbacks.append(on_arrival)
            return

    def on_arrival(event: simpy.Event) -> None:
        sku, quantity, service = event.value  # type: ignore[misc]
        arrive(sku, quantity, service)
        next_order(None)

    at_start(env, next_order)


def follow(env: simpy.Environment, waits: Iterator[float]) -> None:
    """Run ``waits`` as a process that only ever waits for timeouts would run: it yields how
    long to wait, and is resumed (to do its work and yield the next wait) when that is over."""

    def resume(_: object) -> None:
        for wait in waits:  # resumed until its next wait, if it has one
            Timeout(env, wait).callbacks.append(resume)
            return

    at_start(env, resume)


def at_start(env: simpy.Environment, callback: Callable[[simpy.Event], None]) -> None:
    """Call ``callback`` from an event scheduled now, as a process's start would be."""
    begin = simpy.Event(env)
    begin._ok = True  # a triggered event, scheduled like a process's Initialize (urgent)
    begin._value = None
    begin.callbacks.append(callback)
    env.schedule(begin, URGENT)
