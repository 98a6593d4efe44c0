"""Order streams: one per customer segment, drawn in numpy blocks.

Arrivals with a rate profile are made by thinning (Lewis and Shedler 1979): candidates at
the peak rate, each kept with probability rate(t) / peak. A block of candidates that keeps
none still moves the clock to its last candidate, so a closed stretch longer than a block
(a weekend at hundreds of orders an hour) is crossed block by block, never redrawn. An
order's lines are distinct skus drawn by weight (Gumbel top-k, i.e. weighted sampling
without replacement).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from servsim.model.streams import BLOCK_SIZE, RandomStreams
from servsim.scenario.demand import (
    BatchArrivals,
    Channel,
    NegativeBinomialArrivals,
    PoissonArrivals,
    RenewalArrivals,
    Segment,
)
from servsim.scenario.history import Trace

OrderBlock = tuple[
    list[float], list[int], list[int], list[int], "EntryBlock | None", "list[bool] | None"
]
"""(gaps between arrivals, lines per order, skus of all lines, quantities of all lines,
order entry facts if the scenario has channels, urgent or not if the segment has urgency)"""
EntryBlock = tuple[list[int], list[float], list[bool], list[bool]]
"""Per order: (channel, entry time, wrong item, wrong invoice)"""


class OrderStream:
    """The orders of one segment: arrival gaps, lines, skus and quantities, block by block."""

    def __init__(
        self,
        segment: Segment,
        name: str,
        sku_index: dict[str, int],
        streams: RandomStreams,
        hours_per_time_unit: float,
        horizon: float,
        channels: dict[str, Channel] | None = None,
        entry_error_factor: float = 1.0,
        rate_factor: float = 1.0,
    ) -> None:
        """``entry_error_factor`` scales the channels' error rates (education programmes);
        ``rate_factor`` scales the arrival rate (candidates for a whole market of customers)."""
        self.segment = segment
        self._entry_error_factor = entry_error_factor
        self._rate_factor = rate_factor
        mix = [(sku, weight) for sku, weight in segment.weights.items() if weight > 0]
        self._skus = np.asarray([sku_index[sku] for sku, _ in mix])
        self._weights = np.asarray([weight for _, weight in mix])
        self._hours_per_unit = hours_per_time_unit
        self._horizon = horizon
        profile = segment.arrivals.profile if segment.arrivals is not None else None
        self._peak = profile.peak(horizon * hours_per_time_unit) if profile else 1.0
        self._replay = (
            Replay(
                segment.history.trace,
                sku_index,
                streams.replication,
                streams.generator(f"history/{name}"),
                horizon,
            )
            if segment.history is not None
            else None
        )
        self._arrival_rng = streams.generator(f"arrivals/{name}")
        self._mix_rng = streams.generator(f"mix/{name}")
        self._lines_rng = streams.generator(f"lines/{name}")
        self._quantity_rng = streams.generator(f"quantity/{name}")
        self._channels = channels or {}
        shares = segment.channels or {}
        self._channel_index = np.asarray([list(self._channels).index(c) for c in shares], dtype=int)
        self._channel_shares = np.asarray(list(shares.values()), dtype=float)
        self._entry_rng = streams.generator(f"order entry/{name}")
        self._urgent_rng = streams.generator(f"urgent/{name}")
        trace = segment.history.trace if segment.history is not None else None
        self.carries_orders = trace is not None and (
            trace.requested is not None or trace.customer is not None or trace.region is not None
        )
        """The orders come with a requested date, a customer or a region (a history's
        columns)."""
        self.requested: list[float] | None = None
        """The last block's orders' requested delivery, time units after placement (NaN:
        none), when the history has a ``requested`` column."""
        self.customers: list[int] | None = None
        """The last block's orders' customers (-1: none), with a ``customer`` column."""
        self.regions: list[int] | None = None
        """The last block's orders' regions, indices into the trace's ``regions`` (-1: none,
        the segment's own), with a ``region`` column."""

    def blocks(self) -> Iterator[OrderBlock]:
        """Endless blocks of orders; gaps are in the scenario's time unit."""
        if self._replay is not None:
            yield from self._replayed(self._replay)
            return
        last = 0.0  # the last order's time: gaps count from it
        for times in self._times():
            gaps = np.diff(times, prepend=last)
            last = float(times[-1])
            count = times.size
            if self.segment.single_line:
                lines = np.ones(count, dtype=int)
                skus = self._skus[self._mix_rng.choice(self._skus.size, count, p=self._weights)]
            else:
                lines = self.segment.lines.sample(self._lines_rng, count).astype(int)
                skus = self._distinct_skus(lines)
            quantities = self.segment.quantity.sample(self._quantity_rng, int(lines.sum()))
            entry = self._order_entry(count) if self._channels else None
            urgent = self.segment.urgent
            asks = (
                (self._urgent_rng.uniform(size=count) < urgent.share).tolist() if urgent else None
            )
            yield (
                gaps.tolist(),
                lines.tolist(),
                skus.tolist(),
                quantities.astype(int).tolist(),
                entry,
                asks,
            )

    def _replayed(self, replay: Replay) -> Iterator[OrderBlock]:
        """The history's orders (replayed or resampled): only entry and urgency are drawn."""
        last = 0.0
        urgent = self.segment.urgent
        for times, lines, skus, quantities, requested, customers, regions in replay.blocks():
            self.requested = requested.tolist() if requested is not None else None
            self.customers = customers.tolist() if customers is not None else None
            self.regions = regions.tolist() if regions is not None else None
            count = times.size
            gaps = np.diff(times, prepend=last)
            last = float(times[-1])
            entry = self._order_entry(count) if self._channels else None
            asks = (
                (self._urgent_rng.uniform(size=count) < urgent.share).tolist() if urgent else None
            )
            yield gaps.tolist(), lines.tolist(), skus.tolist(), quantities.tolist(), entry, asks

    def _order_entry(self, count: int) -> EntryBlock:
        """Each order's channel, its entry time and whether entry went wrong (item, invoice)."""
        rng = self._entry_rng
        picked = self._channel_index[
            rng.choice(self._channel_index.size, count, p=self._channel_shares)
        ]
        specs = list(self._channels.values())
        entry = np.zeros(count)
        for index, spec in enumerate(specs):
            times = spec.entry_time.sample(rng, count)
            entry = np.where(picked == index, times, entry)
        chance = rng.uniform(size=(2, count))
        factor = self._entry_error_factor
        wrong_item = chance[0] < factor * np.asarray([s.wrong_item for s in specs])[picked]
        wrong_invoice = chance[1] < factor * np.asarray([s.wrong_invoice for s in specs])[picked]
        return picked.tolist(), entry.tolist(), wrong_item.tolist(), wrong_invoice.tolist()

    def _times(self) -> Iterator[np.ndarray]:
        """Blocks of arrival times (none empty), in the scenario's time unit."""
        arrivals = self.segment.arrivals
        assert arrivals is not None  # a segment without arrivals replays a history
        if not isinstance(arrivals, PoissonArrivals):
            yield from OperationalTime(
                arrivals, self._arrival_rng, self._hours_per_unit, self._horizon, self._rate_factor
            ).blocks()
            return
        now = 0.0  # where the next block of candidates starts
        while True:
            times, reached = self._arrival_times(now)
            if times.size == 0:
                if reached > self._horizon:
                    return  # closed from here to past the horizon: no order can still come
                now = reached  # a closed stretch: cross it rather than redraw it
                continue
            now = float(times[-1])
            yield times

    def _arrival_times(self, now: float) -> tuple[np.ndarray, float]:
        """The kept arrival times of one block of candidates, and the last candidate's time."""
        arrivals = self.segment.arrivals
        assert arrivals is not None
        rate = arrivals.rate * self._peak * self._rate_factor
        times = now + np.cumsum(self._arrival_rng.exponential(1 / rate, BLOCK_SIZE))
        profile = arrivals.profile
        if profile is None:
            return times, float(times[-1])
        keep = self._arrival_rng.uniform(0, 1, BLOCK_SIZE) * self._peak
        return times[keep < profile.multiplier(times * self._hours_per_unit)], float(times[-1])

    def _distinct_skus(self, lines: np.ndarray) -> np.ndarray:
        """For each order, ``lines[i]`` distinct skus, drawn by weight without replacement."""
        gumbel = self._mix_rng.gumbel(size=(lines.size, self._skus.size))
        ranked = np.argsort(-(np.log(self._weights) + gumbel), axis=1)
        chosen = ranked[:, : int(lines.max())]
        mask = np.arange(chosen.shape[1]) < lines[:, None]
        return self._skus[chosen[mask]]


class OperationalTime:
    """Arrivals of the renewal, batch and negative binomial processes, drawn in operational
    time and mapped to clock time through the profile's cumulative rate (Gerhardt and Nelson
    2009): operational time runs at the profile's multiplier (times the rate factor), so a
    closed stretch takes none of it and a peak hour several hours' worth. The cumulative rate
    is tabulated hour by hour over the horizon (the multiplier of each hour taken at its
    middle) and interpolated linearly within an hour."""

    def __init__(
        self,
        arrivals: RenewalArrivals | BatchArrivals | NegativeBinomialArrivals,
        rng: np.random.Generator,
        hours_per_unit: float,
        horizon: float,
        rate_factor: float,
    ) -> None:
        self.arrivals = arrivals
        self._rng = rng
        self._hours_per_unit = hours_per_unit
        self._horizon = horizon
        hours = int(np.ceil(horizon * hours_per_unit)) + 1
        self._clock = np.arange(hours + 1, dtype=float)  # clock hours of the table
        profile = arrivals.profile
        middles = self._clock[:-1] + 0.5
        per_hour = profile.multiplier(middles) if profile is not None else np.ones(hours)
        per_hour = np.maximum(per_hour, 0.0) * rate_factor
        # operational time, in the scenario's time unit, elapsed at each clock hour
        self._operational = np.concatenate([[0.0], np.cumsum(per_hour)]) / hours_per_unit

    @property
    def end(self) -> float:
        """Operational time at the end of the table (just past the horizon)."""
        return float(self._operational[-1])

    def to_clock(self, operational: np.ndarray) -> np.ndarray:
        """Clock times (scenario time unit) of operational times within the table."""
        hours = np.interp(operational, self._operational, self._clock)
        return hours / self._hours_per_unit

    def blocks(self) -> Iterator[np.ndarray]:
        """Blocks of clock arrival times up to just past the horizon."""
        arrivals = self.arrivals
        if isinstance(arrivals, NegativeBinomialArrivals):
            draw = self._day_by_day(arrivals)
        else:
            draw = self._by_gaps(arrivals)
        for operational in draw:
            inside = operational[operational < self.end]
            clock = self.to_clock(inside)
            for start in range(0, clock.size, BLOCK_SIZE):  # the world takes blocks of this
                yield clock[start : start + BLOCK_SIZE]
            if inside.size < operational.size:
                return

    def _by_gaps(self, arrivals: RenewalArrivals | BatchArrivals) -> Iterator[np.ndarray]:
        """Renewal: interarrival draws; batch: Poisson batches, each repeated size times."""
        rng, now = self._rng, 0.0
        while True:
            if isinstance(arrivals, RenewalArrivals):
                times = now + np.cumsum(arrivals.interarrival.sample(rng, BLOCK_SIZE))
            else:
                mean_gap = arrivals.size.mean / arrivals.rate
                batches = now + np.cumsum(rng.exponential(mean_gap, BLOCK_SIZE))
                sizes = arrivals.size.sample(rng, BLOCK_SIZE).astype(int)
                times = np.repeat(batches, sizes)
                now = float(batches[-1])
            if times.size:
                now = float(times[-1])
                yield times

    def _day_by_day(self, arrivals: NegativeBinomialArrivals) -> Iterator[np.ndarray]:
        """Each clock day a gamma factor (mean 1, cv daily_cv) on its rate; the day's count
        Poisson given it, placed uniformly in the day's operational time."""
        rng = self._rng
        shape = 1 / arrivals.daily_cv**2
        days_per_block = max(1, int(BLOCK_SIZE / max(arrivals.rate * 24 / self._hours_per_unit, 1)))
        day_hours = np.arange(0.0, self._clock[-1] + 24, 24)
        starts = np.interp(day_hours, self._clock, self._operational)
        for first in range(0, starts.size - 1, days_per_block):
            low = starts[first : first + days_per_block + 1]
            length = np.diff(low)
            factor = rng.gamma(shape, 1 / shape, length.size)
            counts = rng.poisson(arrivals.rate * factor * length)
            offsets = rng.uniform(0, 1, int(counts.sum()))
            times = np.sort(np.repeat(low[:-1], counts) + offsets * np.repeat(length, counts))
            if times.size:
                yield times
        yield np.asarray([np.inf])  # past the table: the stream ends


class Replay:
    """A history's orders for one replication. Replication 0 replays them exactly (with
    ``repeat``, its whole weeks again and again past the history's end); replication k >= 1 is
    a block bootstrap: block j of the run (a week, or a day) is a block of the history drawn
    uniformly with replacement (for days, among the days of the same weekday), its orders
    moved from their block to block j."""

    def __init__(
        self,
        trace: Trace,
        sku_index: dict[str, int],
        replication: int,
        rng: np.random.Generator,
        horizon: float,
    ) -> None:
        self.trace = trace
        self._skus = np.asarray([sku_index[sku] for sku in trace.skus], dtype=np.int64)
        self._first_line = np.concatenate([[0], np.cumsum(trace.lines)[:-1]]).astype(np.int64)
        self._copy: np.ndarray | None = None
        """each chosen order's copy of its block: 0 the first time the block is drawn"""
        self.orders, self.times = self._chosen(replication, rng, horizon)

    def _chosen(
        self, replication: int, rng: np.random.Generator, horizon: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """The orders of the history placed in this replication, and when."""
        trace = self.trace
        if replication == 0 and (horizon <= trace.span or not trace.repeat):
            return np.arange(trace.times.size), trace.times
        blocks = trace.orders_per_block
        slots = int(np.ceil(horizon / trace.block))
        if replication == 0:  # repeat the history's whole weeks, so that weekdays align
            per_week = 7 if trace.daily else 1
            whole = len(blocks) - len(blocks) % per_week or len(blocks)
            picks = np.arange(slots) % whole
        elif trace.daily and len(blocks) >= 7:
            picks = self._same_weekday(slots, len(blocks), rng)
        else:
            picks = rng.integers(0, len(blocks), slots)
        orders = [blocks[pick] for pick in picks]
        if trace.customer is not None:  # a block drawn again brings new customers (see blocks)
            seen: dict[int, int] = {}
            copies = []
            for pick, block in zip(picks.tolist(), orders, strict=True):
                copies.append(np.full(block.size, seen.get(pick, 0), dtype=np.int64))
                seen[pick] = seen.get(pick, 0) + 1
            self._copy = np.concatenate(copies) if copies else np.zeros(0, dtype=np.int64)
        shifts = [
            np.full(block.size, (slot - pick) * trace.block)
            for slot, (pick, block) in enumerate(zip(picks, orders, strict=True))
        ]
        chosen = np.concatenate(orders) if orders else np.zeros(0, dtype=np.int64)
        moved = np.concatenate(shifts) if shifts else np.zeros(0)
        return chosen, trace.times[chosen] + moved

    @staticmethod
    def _same_weekday(slots: int, days: int, rng: np.random.Generator) -> np.ndarray:
        """For each day of the run, a day of the history of the same weekday."""
        weekday = np.arange(slots) % 7
        per_weekday = (days - weekday + 6) // 7  # history days d < days with d % 7 == weekday
        return weekday + 7 * rng.integers(0, np.maximum(per_weekday, 1))

    def blocks(
        self,
    ) -> Iterator[
        tuple[
            np.ndarray,
            np.ndarray,
            np.ndarray,
            np.ndarray,
            np.ndarray | None,
            np.ndarray | None,
            np.ndarray | None,
        ]
    ]:
        """(times, lines per order, skus of the lines, quantities of the lines, the orders'
        requested delivery after placement or None, their customers or None, their regions or
        None), block by block."""
        trace = self.trace
        for start in range(0, self.orders.size, BLOCK_SIZE):
            orders = self.orders[start : start + BLOCK_SIZE]
            lines = trace.lines[orders]
            total = int(lines.sum())
            within = np.arange(total) - np.repeat(np.cumsum(lines) - lines, lines)
            position = np.repeat(self._first_line[orders], lines) + within
            yield (
                self.times[start : start + BLOCK_SIZE],
                lines,
                self._skus[trace.line_sku[position]],
                trace.quantity[position],
                trace.requested[orders] if trace.requested is not None else None,
                self._customers(orders, start) if trace.customer is not None else None,
                trace.region[orders] if trace.region is not None else None,
            )

    def _customers(self, orders: np.ndarray, start: int) -> np.ndarray:
        """The orders' customers: the history's, except that the second, third, ... copy of a
        block drawn more than once is placed by new customers (numbered past the history's),
        so that a week drawn twice does not make its customers order twice as often."""
        customer = self.trace.customer[orders]  # type: ignore[index]
        if self._copy is None:
            return customer
        copy = self._copy[start : start + orders.size]
        known = len(self.trace.customers)
        return np.where(customer >= 0, customer + copy * known, customer)
