"""Where a network's orders are served from: each segment's route through its region's
locations, the legs each location ships on, moves between locations (transshipment), and
history rows that name a region other than their segment's.

The world builds one per replication when the scenario has a network, and asks it, order by
order, for the route and, shipment by shipment, for the transit draws of the leg it travels.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import simpy

from servsim.model.allocation import Allocation, Points, Route
from servsim.model.delivery import Carriers
from servsim.model.demand import OrderStream
from servsim.model.network import NetworkStockPoint, NotHeld, Source, Supplier
from servsim.model.runlog import NetworkRecord, Recorder
from servsim.model.stocking import StockPoint
from servsim.model.streams import RandomStreams
from servsim.scenario.network import Region, Transshipment
from servsim.scenario.schema import Scenario

Legs = dict[int, list[Iterator[float]]]
"""location index -> the transit draws of each carrier mode on its leg to the region"""


class Sourcing:
    """A network's stock points, upstream first, and each segment's route and legs."""

    def __init__(
        self,
        env: simpy.Environment,
        scenario: Scenario,
        streams: RandomStreams,
        record: Recorder,
        allocation: Allocation,
        carriers: Carriers,
    ) -> None:
        network = scenario.network
        assert network is not None
        self.env = env
        self.allocation = allocation
        skus = scenario.skus
        locations, suppliers = list(network.locations), list(network.suppliers)
        facts = NetworkRecord(locations, suppliers)
        record.network = facts
        self.facts = facts
        outside = {
            name: Supplier(env, index, name, spec, streams, scenario.horizon, facts.supplies)
            for index, (name, spec) in enumerate(network.suppliers.items())
        }
        for supplier in outside.values():
            facts.outages += [(supplier.index, a, b) for a, b in supplier.outages]
        missing = NotHeld()
        points: dict[str, Points] = {}
        for name in network.upstream_first():
            location = network.locations[name]
            here: Points = [missing] * len(skus)  # type: ignore[list-item]
            for sku, item in location.items.items():
                index = skus.index(sku)
                source: Source = (
                    outside[location.source]
                    if location.source in outside
                    else points[location.source][index]  # type: ignore[assignment]
                )
                here[index] = NetworkStockPoint(
                    env,
                    index,
                    locations.index(name),
                    item.build(),
                    streams.draws(f"lead_time/{name}/{sku}", item.lead_time),
                    record,
                    allocation.line_complete,
                    source,
                    facts.location_levels,
                    item.emergency,
                    streams.draws(f"emergency lead time/{name}/{sku}", item.emergency.lead_time)
                    if item.emergency
                    else None,
                )
            points[name] = here
        self.points = [
            point
            for here in points.values()
            for point in here
            if isinstance(point, NetworkStockPoint)
        ]
        """Every location's stock points (their flows go into the log at the end)"""
        self.routes: list[Route] = []
        """Per segment, its route through its region"""
        self.legs: list[Legs] = []
        """Per segment, the legs of its region"""
        self.order_legs: dict[int, Legs] = {}
        """order -> the legs of its region, for an order whose history row names a region
        other than its segment's"""
        self.region_routes: dict[tuple[int, int], tuple[Route, Legs]] = {}
        """(segment, region) -> the segment's route and legs in that region (histories with a
        region column)"""
        by_region: dict[str, Legs] = {}
        movers: dict[str, Callable[[int, StockPoint, int], None]] = {}
        modes = list(scenario.delivery.modes)

        def route_in(region_name: str, region: Region, segment: str) -> Route:
            """The segment's route through the region's locations, primary first, under its
            rule there (its own, else the region's); one transshipment stream per region."""
            if region.transshipment is not None and region_name not in movers:
                movers[region_name] = self._transshipper(region_name, region.transshipment, streams)
            return Route(
                region.rules.get(segment, region.rule),
                [locations.index(name) for name in region.locations],
                [points[name] for name in region.locations],
                movers.get(region_name),
                [network.locations[name].vendor_managed for name in region.locations],
            )

        for segment in scenario.demand.segments:
            region_name, region = network.region_of(segment)
            self.routes.append(route_in(region_name, region, segment))
            if region_name not in by_region:  # a region's draws, shared by its segments
                own = region.legs
                by_region[region_name] = {
                    locations.index(name): [
                        streams.draws(f"leg/{region_name}/{name}/{mode}", own[name][mode].transit)
                        if mode in own.get(name, {})
                        else carriers.transit_draws[index]
                        for index, mode in enumerate(modes)
                    ]
                    for name in region.locations
                }
            self.legs.append(by_region[region_name])
        regions = list(network.regions)
        facts.region_of_segment = [
            regions.index(network.region_of(segment)[0]) for segment in scenario.demand.segments
        ]
        facts.primary_of_region = [
            locations.index(region.locations[0]) for region in network.regions.values()
        ]
        segment_names = list(scenario.demand.segments)
        for s, spec in enumerate(scenario.demand.segments.values()):
            history = spec.history
            if history is None or history.trace.region is None:
                continue
            for r, (region_name, region) in enumerate(network.regions.items()):
                if r != facts.region_of_segment[s]:
                    route = route_in(region_name, region, segment_names[s])
                    self.region_routes[s, r] = (route, by_region[region_name])

    def in_region(self, order: int, segment: int, region: int) -> None:
        """The order's history row names a region: unless it is its segment's, the order is
        served under that region's sourcing, on its legs."""
        if region == self.facts.region_of_segment[segment]:
            return
        route, legs = self.region_routes[segment, region]
        self.facts.order_region[order] = region
        self.allocation.route_of_order[order] = route
        self.order_legs[order] = legs

    def transits(self, order: int, segment: int, location: int) -> list[Iterator[float]]:
        """The transit draws of each carrier mode on the leg the order's shipment from
        ``location`` travels."""
        legs = self.order_legs.get(order) if self.order_legs else None
        return (legs or self.legs[segment])[location]

    def record_flows(self) -> None:
        """Each stock point's units received and sent, into the log."""
        facts = self.facts
        for point in self.points:
            facts.received[point.location, point.sku_index] = point.received_units
            facts.sent[point.location, point.sku_index] = point.sent_units

    def _transshipper(
        self, region: str, spec: Transshipment, streams: RandomStreams
    ) -> Callable[[int, StockPoint, int], None]:
        """Move units to a stock point after the region's transshipment time."""
        times = streams.draws(f"transshipment/{region}", spec.time)
        env = self.env

        def transship(units: int, point: StockPoint, sku: int) -> None:
            assert isinstance(point, NetworkStockPoint)
            point.on_order += units

            def arrive(_: object) -> None:
                point.receive_moved(units)

            env.timeout(next(times)).callbacks.append(arrive)

        return transship


def regions_of_trace(scenario: Scenario, stream: OrderStream) -> list[int]:
    """Index in the network's regions of each region of the stream's history (none: no region
    column, or no network)."""
    history = stream.segment.history
    network = scenario.network
    if network is None or history is None or history.trace.region is None:
        return []
    names = list(network.regions)
    return [names.index(name) for name in history.trace.regions]
