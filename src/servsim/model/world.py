"""The SimPy world of one replication: demand -> stocking -> processing -> delivery.

Built from a Scenario and named random streams, it runs to the horizon and hands back a
RunLog. No I/O, no printing: facts in, facts out. The world owns the order-level rules:
an order ships complete (backorder), or what is there ships now and each backordered line
follows when it arrives (partial and lost).
"""

from __future__ import annotations

import gc
from array import array
from collections.abc import Callable, Iterator

import simpy

from servsim.core.units import HOURS_PER_TIME_UNIT
from servsim.model import array_flow, plain_arrivals
from servsim.model.aftercare import Aftercare
from servsim.model.allocation import Allocation
from servsim.model.array_flow import ArrayFlow
from servsim.model.candidates import Candidates, Place
from servsim.model.customers import customer_bases
from servsim.model.delivery import Carried, Carriers
from servsim.model.demand import EntryBlock, OrderBlock, OrderStream
from servsim.model.judgement import Judgements
from servsim.model.patience import Patience
from servsim.model.processing import (
    Clerks,
    FifoClerkPool,
    NoProcessing,
    PriorityClerkPool,
    follow_calendar,
)
from servsim.model.promises import Promises
from servsim.model.runlog import NOT_YET, CustomerFacts, Recorder, RunLog
from servsim.model.sourcing import Sourcing, regions_of_trace
from servsim.model.stocking import stock_points
from servsim.model.streams import RandomStreams
from servsim.scenario.schema import Scenario
from servsim.scenario.shifts import staff_over_horizon


class World:
    """One replication of a scenario, ready to run."""

    def __init__(
        self,
        scenario: Scenario,
        streams: RandomStreams,
        in_arrays: bool = True,
        every_candidate: bool = False,
    ) -> None:
        """``in_arrays``: a flow without feedback is computed in arrays (``array_flow``: the
        same log, bit for bit); False simulates its events all the same. ``every_candidate``:
        a customer base wakes at each candidate order, even one no active customer can have
        placed (the same log; ``candidates.Candidates``)."""
        self.scenario = scenario
        self._streams = streams
        self.env = simpy.Environment()
        self.record = Recorder()
        self._ship = self.record.shipments.add
        """Record a shipment (bound once: it runs for every order)."""
        self.skus = scenario.skus
        self.segments = list(scenario.demand.segments)
        tiers = [segment.tier for segment in scenario.demand.segments.values()]
        self.modes = list(scenario.delivery.modes)
        self._priority_of_segment = [scenario.all_tiers[tier].priority for tier in tiers]
        self._mode_of_segment = [self.modes.index(scenario.mode_of(tier)) for tier in tiers]
        self._service_of_segment = list(
            zip(self._priority_of_segment, self._mode_of_segment, strict=True)
        )
        """segment -> (priority in processing, carrier mode index)"""
        urgent_tiers = [
            segment.urgent.tier if segment.urgent else segment.tier
            for segment in scenario.demand.segments.values()
        ]
        self.promises = Promises(scenario, self.record, self._service_of, tiers, urgent_tiers)
        self._urgent_service = [
            (scenario.all_tiers[tier].priority, self.modes.index(scenario.mode_of(tier)))
            for tier in urgent_tiers
        ]
        """segment -> (priority, mode) of its urgent orders"""
        self._any_urgent = any(segment.urgent for segment in scenario.demand.segments.values())
        hours_per_unit = HOURS_PER_TIME_UNIT[scenario.time_unit]
        self.carriers = Carriers(
            scenario.delivery, streams, day_length=24 / hours_per_unit, promised=self.promises.due
        )
        self.clerks = self._build_clerks()
        processing = scenario.processing
        self._service = processing.time if processing else None
        self._service_rng = streams.generator("processing")
        self._extra_service = (
            streams.draws("processing/extra", processing.time) if processing else None
        )
        self._service_of_order: array[float] = array("d")
        """each order's processing time, drawn on arrival (8 bytes an order: a typed array)"""
        self.allocation = Allocation(
            scenario, self.record, streams, self._release, self._service_of, lambda: self.env.now
        )
        self.sourcing: Sourcing | None = None
        """A network's routes and legs (the legs' costs are the KPIs')"""
        self._transits_of_shipment: dict[int, list] = {}
        if scenario.network is None:
            self.stock = stock_points(
                scenario, self.env, streams, self.record, self.allocation.line_complete
            )
            self.allocation.use_stock(self.stock)
        else:
            self.sourcing = Sourcing(
                self.env, scenario, streams, self.record, self.allocation, self.carriers
            )
            routes = self.sourcing.routes
            self.stock = routes[0].points[0]
            self.allocation.use_stock(self.stock, routes)
        self.promises.stock = self.stock
        self.customers = customer_bases(self.env, scenario, streams)
        self.judgements = (
            Judgements(self.env, scenario, self.record, self.promises.first, self.customers)
            if self.customers or scenario.has_aftercare
            else None
        )
        self.aftercare = self._build_aftercare(streams)
        self.allocation.aftercare = self.aftercare
        self.patience = Patience(self, streams)
        hours = HOURS_PER_TIME_UNIT[scenario.time_unit]
        self._flow: ArrayFlow | None = None
        for index, (name, segment) in enumerate(scenario.demand.segments.items()):
            customers = self.customers.get(index)
            stream = OrderStream(
                segment,
                name,
                {sku: i for i, sku in enumerate(self.skus)},
                streams,
                hours,
                scenario.horizon,
                scenario.channels,
                scenario.programme_factor("entry_errors"),
                customers.candidate_factor if customers else segment.credit_pull,
            )
            self._flow = array_flow.prepared(self, stream) if in_arrays else None
            if self._flow is not None:
                continue
            if self._plain(index, stream):
                plain_arrivals.start(
                    self.env,
                    plain_arrivals.plain_orders(stream, self._draw_services),
                    self._plain_arrival(index),
                )
            elif customers is not None:
                orders_of = self._orders_of(index, stream)
                Candidates(self.env, customers, stream.blocks(), orders_of, every_candidate)
            else:
                plain_arrivals.follow(self.env, self._arrivals(index, stream))

    def _plain(self, segment: int, stream: OrderStream) -> bool:
        """Orders of the stream need no more than a line placed (the callback stream)."""
        scenario = self.scenario
        return (
            self.aftercare is None
            and self.customers.get(segment) is None
            and not scenario.delivery.quote_from_stock
            and not stream.carries_orders
            and plain_arrivals.handles(stream, bool(scenario.channels))
        )

    def _draw_services(self, count: int) -> list[float]:
        """Processing times of a block of orders, drawn on arrival (common random numbers)."""
        if self._service is None:
            return [0.0] * count
        return self._service.sample(self._service_rng, count).tolist()  # type: ignore[no-any-return]

    def _plain_arrival(self, segment: int) -> plain_arrivals.Arrival:
        """Place a one-line order of the segment now."""
        env = self.env
        placed, segments = self.record.placed, self.record.segment
        services = self._service_of_order
        place_line = self.allocation.place_single_line_order

        def arrive(sku: int, quantity: int, service: float) -> None:
            placed.append(env.now)
            segments.append(segment)
            services.append(service)
            place_line(len(placed) - 1, segment, sku, quantity)

        return arrive

    def _build_aftercare(self, streams: RandomStreams) -> Aftercare | None:
        """The after-sales stage: it follows each order to its customer's judgement."""
        if self.judgements is None:
            return None
        return Aftercare(
            self.env,
            self.scenario,
            streams,
            self.record,
            self.promises.first_and_due,
            self._replace,
            lambda sku, units: self.stock[sku].restock(units),
            self.judgements,
        )

    def _build_clerks(self) -> Clerks:
        processing = self.scenario.processing
        if processing is None:
            return NoProcessing(self.env)
        if processing.shifts is not None:
            pool = PriorityClerkPool(self.env, 0, self._processed, self.record.shipments.started)
            overtime = processing.overtime.limit if processing.overtime else 0.0
            times, staff = staff_over_horizon(
                processing.shifts, self.scenario.horizon, self.scenario.time_unit, overtime
            )
            self.env.process(follow_calendar(self.env, pool, times.tolist(), staff.tolist()))
            return pool
        priorities = {priority for priority, _ in self._service_of_segment + self._urgent_service}
        if len(priorities) > 1:
            clerks: int = processing.staff  # type: ignore[assignment]
            return PriorityClerkPool(
                self.env, clerks, self._processed, self.record.shipments.started
            )
        return FifoClerkPool(self.env, processing.staff)  # type: ignore[arg-type]

    def _arrivals(self, segment: int, stream: OrderStream) -> Iterator[float]:
        """The orders of a segment without a customer base, in arrival order, each after the
        wait it yields (run by ``plain_arrivals.follow``). A bare one-line stream runs as
        plain callbacks instead (``plain_arrivals.start``), a customer base's candidates as
        ``candidates.Candidates``."""
        orders_of = self._orders_of(segment, stream)
        for block in stream.blocks():
            place = orders_of(block)
            position = 0
            for index, (gap, count) in enumerate(zip(block[0], block[1], strict=True)):
                yield gap
                place(index, position, -1)
                position += count

    def _orders_of(self, segment: int, stream: OrderStream) -> Callable[[OrderBlock], Place]:
        """How the segment's orders are placed: for each block, as the stream yields it, a
        function that places the block's order ``index`` (its lines from ``position``) by
        ``customer`` (-1: none picked). Each block draws its orders' processing times when it
        arrives, so that order i is served alike whatever the policy (common random
        numbers)."""
        env = self.env
        record = self.record
        placed, segments = record.placed, record.segment
        services = self._service_of_order
        place_line = self.allocation.place_single_line_order
        place_order = self.allocation.place_order
        aftercare = self.aftercare
        customers = self.customers.get(segment)
        quotes = self.scenario.delivery.quote_from_stock
        requested = record.requested
        patience = self.patience
        watched = patience.watches(segment)
        regions = regions_of_trace(self.scenario, stream)

        def orders_of_block(block: OrderBlock) -> Place:
            _, line_counts, skus, quantities, entry, urgent = block
            drawn = self._draw_services(len(line_counts))
            if entry is not None:  # entry time adds to the processing time
                drawn = [service + time for service, time in zip(drawn, entry[1], strict=True)]
            # a history's facts of the block's orders (set by the stream as it yields a block)
            asked, known = stream.requested, stream.customers
            located = stream.regions if regions else None

            def place(index: int, position: int, customer: int) -> None:
                order = len(placed)
                count = line_counts[index]
                if customer >= 0:
                    assert customers is not None  # only a customer base picks customers
                    record.customer[order] = customer
                    customers.resize(customer, quantities, position, count)
                if asked is not None and asked[index] == asked[index]:
                    requested[order] = env.now + asked[index]
                if known is not None and known[index] >= 0:
                    record.customer[order] = known[index]
                if located is not None and located[index] >= 0:
                    assert self.sourcing is not None  # a history's regions need a network
                    self.sourcing.in_region(order, segment, regions[located[index]])
                placed.append(env.now)
                segments.append(segment)
                services.append(drawn[index])
                first_line = len(record.line_order)
                if entry is not None:
                    self._record_entry(order, entry, index)
                if urgent is not None and urgent[index]:
                    record.urgent.add(order)
                if count == 1:
                    place_line(order, segment, skus[position], quantities[position])
                else:
                    place_order(
                        order,
                        segment,
                        skus[position : position + count],
                        quantities[position : position + count],
                    )
                if quotes:
                    self.promises.quote(order, first_line)
                if aftercare is not None:
                    aftercare.placed(order, first_line)
                if watched:
                    patience.watch(order, first_line)

            return place

        return orders_of_block

    def _replace(self, original: int, first: int, count: int) -> int:
        """A replacement for a wrong or damaged order: the same goods as a new, linked order."""
        record = self.record
        order = len(record.placed)
        lines = range(first, first + count)
        skus = [record.sku[line] for line in lines]
        quantities = [record.quantity[line] - record.lost[line] for line in lines]
        segment = record.segment[original]
        record.placed.append(self.env.now)
        record.segment.append(segment)
        record.replaces[order] = original
        if original in record.urgent:
            record.urgent.add(order)
        if original in record.channel:
            record.channel[order] = record.channel[original]
        if record.network is not None and original in record.network.order_region:
            assert self.sourcing is not None
            self.sourcing.in_region(order, segment, record.network.order_region[original])
        self._service_of_order.append(next(self._extra_service) if self._extra_service else 0.0)
        first_line = len(record.line_order)
        keep = [(sku, q) for sku, q in zip(skus, quantities, strict=True) if q > 0]
        self.allocation.place_order(order, segment, [sku for sku, _ in keep], [q for _, q in keep])
        assert self.aftercare is not None
        self.aftercare.placed(order, first_line)
        return order

    def _record_entry(self, order: int, entry: EntryBlock, index: int) -> None:
        """The channel an order came by, and whether entry got its item or invoice wrong."""
        channels, _, wrong_item, wrong_invoice = entry
        record = self.record
        record.channel[order] = channels[index]
        if wrong_item[index]:
            record.wrong_item.add(order)
        if wrong_invoice[index]:
            record.wrong_invoice.add(order)

    def _release(self, order: int, units: int, first_shipment: bool) -> None:
        """Units of an order are allocated: hand them to processing with the tier's priority."""
        if self.sourcing is not None:
            self._release_from_location(order, units, first_shipment)
            return
        if first_shipment or self._extra_service is None:
            duration = self._service_of_order[order]
        else:
            duration = next(self._extra_service)
        segment = self.record.segment[order]
        if self._any_urgent and order in self.record.urgent:
            priority, mode = self._urgent_service[segment]
        else:
            priority, mode = self._service_of_segment[segment]  # _service_of, inlined: hot
        ship = self._ship
        now = self.env.now
        if self.clerks.immediate:
            start, ready = self.clerks.times(duration)
            if self.carriers.plain:
                delivered = ready + next(self.carriers.transit_draws[mode])
                ship(order, units, now, start, ready, ready, delivered, mode, 0, 0)
                if self.aftercare is not None:
                    self.aftercare.shipped(order, units, ready, delivered, 0)
            else:
                carried = self.carriers.carry(order, mode, ready)
                ship(order, units, now, start, ready, *carried)
                if self.aftercare is not None:
                    self.aftercare.shipped(
                        order, units, carried.dispatched, carried.delivered, carried.damaged
                    )
            return
        shipment = ship(order, units, now, NOT_YET, NOT_YET, NOT_YET, NOT_YET, mode, 0, 0)
        self.clerks.submit(shipment, duration, priority)

    def _release_from_location(self, order: int, units: int, first_shipment: bool) -> None:
        """As ``_release``, on the leg from the order's location to its region."""
        if first_shipment or self._extra_service is None:
            duration = self._service_of_order[order]
        else:
            duration = next(self._extra_service)
        segment = self.record.segment[order]
        priority, mode = self._service_of(order, segment)
        location = self.allocation.served_from[order]
        assert self.sourcing is not None and self.record.network is not None
        self.record.network.shipment_location.append(location)  # this call ships once
        transits = self.sourcing.transits(order, segment, location)
        now = self.env.now
        if self.clerks.immediate:
            start, ready = self.clerks.times(duration)
            if self.carriers.plain:
                delivered = ready + next(transits[mode])
                self._ship(order, units, now, start, ready, ready, delivered, mode, 0, 0)
                if self.aftercare is not None:
                    self.aftercare.shipped(order, units, ready, delivered, 0)
                return
            carried = self.carriers.carry(order, mode, ready, transits)
            self._ship(order, units, now, start, ready, *carried)
            if self.aftercare is not None:
                self.aftercare.shipped(
                    order, units, carried.dispatched, carried.delivered, carried.damaged
                )
            return
        shipment = self._ship(order, units, now, NOT_YET, NOT_YET, NOT_YET, NOT_YET, mode, 0, 0)
        self._transits_of_shipment[shipment] = transits
        self.clerks.submit(shipment, duration, priority)

    def _service_of(self, order: int, segment: int) -> tuple[int, int]:
        """The order's (priority, carrier mode): its tier's, or its segment's urgent tier's."""
        if self._any_urgent and order in self.record.urgent:
            return self._urgent_service[segment]
        return self._service_of_segment[segment]

    def _processed(self, shipment: int, start: float, ready: float) -> None:
        """Processing is done: the carrier of the shipment's mode takes it."""
        shipments = self.record.shipments
        order, units, mode = shipments.released(shipment)
        transits = self._transits_of_shipment.pop(shipment, None) if self.sourcing else None
        if transits is not None:
            carried = self.carriers.carry(order, mode, ready, transits)
        elif self.carriers.plain:
            carried = Carried(ready, ready + self.carriers.transit(mode), mode, 0, 0)
        else:
            carried = self.carriers.carry(order, mode, ready)
        shipments.processed(shipment, start, ready, *carried)
        if self.aftercare is not None:
            self.aftercare.shipped(
                order, units, carried.dispatched, carried.delivered, carried.damaged
            )

    def run(self) -> RunLog:
        """Simulate to the horizon and return the facts recorded."""
        scenario = self.scenario
        collecting = gc.isenabled()
        gc.disable()  # the recorder's growing lists make each collection slower: run without
        try:
            if self._flow is not None:
                array_flow.run(self._flow, self._streams, self.record)
            else:
                self.env.run(until=scenario.horizon)
        finally:
            if collecting:
                gc.enable()
        if self.sourcing is not None:
            self.sourcing.record_flows()
        return self.record.finish(
            horizon=scenario.horizon,
            warmup=scenario.warmup,
            skus=self.skus,
            segments=self.segments,
            promises=self.promises.of_segment,
            urgent_promises=self.promises.urgent_of_segment,
            modes=self.modes,
            staff_on_duty=self._scheduled_staff(),
            channels=list(scenario.channels) or ["any"],
            customers=[
                CustomerFacts(
                    base.name,
                    base.joined,
                    base.left,
                    base.orders,
                    base.trust,
                    base.glitches,
                    base.experiences,
                )
                for base in self.customers.values()
            ],
        )

    def _scheduled_staff(self) -> tuple[list[float], list[int]]:
        """Clerks scheduled over time (without overtime): the paid, available capacity."""
        processing = self.scenario.processing
        if processing is None:
            return [0.0], [0]
        times, staff = processing.on_duty(self.scenario.horizon, self.scenario.time_unit)
        return times.tolist(), staff.tolist()


def run_replication(scenario: Scenario, replication: int, seed: int | None = None) -> RunLog:
    """Run replication ``replication`` of ``scenario`` (seed defaults to the scenario's)."""
    streams = RandomStreams(scenario.seed if seed is None else seed, replication)
    return World(scenario, streams).run()


__all__ = ["World", "run_replication"]
