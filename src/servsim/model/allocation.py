"""An order meets the stock: each line is filled from what is on hand, served by a substitute,
backordered, postponed, or lost, as its segment's and sku's stock-out rule says; the order then
ships what is there now, or waits to ship complete. The world hands each allocated part on to
processing (``release``).
"""

from __future__ import annotations

from collections.abc import Callable

from servsim.model.aftercare import Aftercare
from servsim.model.runlog import Recorder
from servsim.model.stocking import StockPoint, UnlimitedStock
from servsim.model.streams import RandomStreams
from servsim.policies import Backorder, Fate, LoseSale, PartialShipment, StockoutPolicy
from servsim.scenario.distribution_families import Uniform
from servsim.scenario.schema import Scenario

Release = Callable[[int, int, bool], None]
"""Hand ``units`` of ``order`` to processing (True: its first shipment)."""

Points = list[StockPoint | UnlimitedStock]
"""The stock point of each sku at one place."""


class Route:
    """Where a segment's orders find their stock: its region's locations, the primary first,
    and the sourcing rule (see :class:`servsim.scenario.network.Region`)."""

    def __init__(
        self,
        rule: str,
        locations: list[int],
        points: list[Points],
        transship: Callable[[int, StockPoint, int], None] | None = None,
        vendor_managed: list[bool] | None = None,
    ) -> None:
        self.rule = rule
        self.locations = locations
        self.points = points
        self.transship = transship
        self.vendor_managed = vendor_managed or [False] * len(locations)
        """Per location: the customer's own stock (a shortage there is a lost sale)"""
        """Move units from another location to the primary's stock point (it counts them
        on order until they arrive)."""


class Allocation:
    """The stock-out rules of one replication, and the orders waiting for stock."""

    def __init__(
        self,
        scenario: Scenario,
        record: Recorder,
        streams: RandomStreams,
        release: Release,
        service_of: Callable[[int, int], tuple[int, int]],
        now: Callable[[], float],
    ) -> None:
        self.record = record
        self.now = now
        self.skus = scenario.skus
        self.release = release
        self.service_of = service_of
        self.stock: Points = []
        """The stock point of each sku (set once the world has built them)."""
        self._stocks: list[Points] = []
        """Per segment, the stock point of each sku it draws on first."""
        self._routes: list[Route | None] = [None] * len(scenario.demand.segments)
        self.route_of_order: dict[int, Route] = {}
        """order -> its route, for an order served in a region other than its segment's (a
        history's region column)"""
        self._line_points: dict[int, StockPoint | UnlimitedStock] = {}
        """line -> its stock point, where it is not its segment's first"""
        self.served_from: dict[int, int] = {}
        """order -> location it ships from (networks only; a split order's part: the location
        of the part being released)"""
        self._split_orders: dict[int, range] = {}
        """order -> its lines, for a split order whose lines are at several locations: each
        location's part ships on its own leg"""
        self.aftercare: Aftercare | None = None
        self._waiting_orders: dict[int, list[int]] = {}
        """order -> [lines still backordered, units to ship] (ship-complete orders only)"""
        self._shipped: set[int] = set()
        """orders with a shortage that have already sent a shipment"""
        self._rules(scenario, streams)

    def _rules(self, scenario: Scenario, streams: RandomStreams) -> None:
        """Per segment and sku, the stock-out policy; per sku, the substitutes to offer."""
        stocking = scenario.stocking
        names = list(scenario.demand.segments)
        self._reserved = [
            [scenario.reserved_against(name, sku) for sku in self.skus] for name in names
        ]
        self._sees_stock = [segment.sees_stock for segment in scenario.demand.segments.values()]
        if stocking is None:
            self._ships_now = [True] * len(names)
            self._policy_of: list[list[StockoutPolicy]] = []
            self._substitutes: dict[int, list[tuple[int, float]]] = {}
            return
        self._ships_now = [
            stocking.policy(scenario.shipping_rule(name)).ships_available_now for name in names
        ]
        self._policy_of = [
            [stocking.policy(scenario.stockout_rule(name, sku)) for sku in self.skus]
            for name in names
        ]
        self._substitutes = {
            self.skus.index(sku): [(self.skus.index(o.sku), o.acceptance) for o in offers]
            for sku, offers in stocking.substitutes.items()
        }
        self._answers = streams.draws("customer answers", Uniform(dist="uniform", low=0, high=1))

    def backorders_in_line(self, segment: int) -> bool:
        """Whether every short line of the segment waits, first come first served, for its
        sku's next units (backordered: the order ships complete or in parts, ``ships_in_parts``)
        and nothing else is decided on a shortage (``_shortage_is_the_rule``)."""
        return self._shortage_is_the_rule(segment, (Backorder, PartialShipment))

    def loses_shortages(self, segment: int) -> bool:
        """Whether every short line of the segment loses what is not on hand (a lost sale)
        and the order ships the rest at once, nothing else decided on a shortage."""
        return self._shortage_is_the_rule(segment, (LoseSale,))

    def _shortage_is_the_rule(self, segment: int, rules: tuple[type, ...]) -> bool:
        """Every sku's stock-out rule for the segment is one of ``rules``, and a shortage meets
        no substitutes, reserved stock or customers who look at the stock first."""
        return (
            not self._substitutes
            and self._sees_stock[segment] is None
            and not any(self._reserved[segment])
            and all(type(rule) in rules for rule in self._policy_of[segment])
        )

    def ships_in_parts(self, segment: int) -> bool:
        """Whether the segment's orders ship what is there now and each waiting line later."""
        return self._ships_now[segment]

    def use_stock(self, stock: Points, routes: list[Route] | None = None) -> None:
        """The stock points (one per sku), or each segment's route through a network."""
        self.stock = stock
        if routes is None:
            self._stocks = [stock] * len(self._routes)
            return
        self._routes = list(routes)
        self._stocks = [route.points[0] for route in routes]

    def point_of(self, line: int) -> StockPoint | UnlimitedStock:
        """The stock point a line was placed at."""
        point = self._line_points.get(line)
        if point is not None:
            return point
        record = self.record
        return self._stocks[record.segment[record.line_order[line]]][record.sku[line]]

    def place_single_line_order(self, order: int, segment: int, sku: int, quantity: int) -> None:
        """The common case, kept short: one line."""
        route = self._routes[segment]
        if route is not None:
            if self.route_of_order:
                route = self.route_of_order.get(order, route)
            self._place_routed_line(order, segment, sku, quantity, route)
            return
        record = self.record
        line = len(record.line_order)
        record.line_order.append(order)
        record.sku.append(sku)
        record.quantity.append(quantity)
        stock = self._stocks[segment][sku]
        if quantity <= stock.on_hand - self._reserved[segment][sku]:
            stock.demand(line, quantity, False)
            self.release(order, quantity, True)
        elif self._short_line(order, segment, line, sku, quantity, self._stocks[segment]):
            units = quantity - record.lost[line]
            self._short_order(order, segment, 1, self._ready_units(line), units)
        elif quantity - record.lost[line]:
            self.release(order, quantity - record.lost[line], True)

    def place_order(self, order: int, segment: int, skus: list[int], quantities: list[int]) -> None:
        route = self._routes[segment]
        if route is not None:
            if self.route_of_order:
                route = self.route_of_order.get(order, route)
            self._place_routed(order, segment, skus, quantities, route)
            return
        record = self.record
        short_lines = units = ready = 0
        points = self._stocks[segment]
        for sku, quantity in zip(skus, quantities, strict=True):
            line = len(record.line_order)
            record.line_order.append(order)
            record.sku.append(sku)
            record.quantity.append(quantity)
            stock = points[sku]
            if quantity <= stock.on_hand - self._reserved[segment][sku]:
                stock.demand(line, quantity, False)
            elif self._short_line(order, segment, line, sku, quantity, points):
                short_lines += 1
            units += quantity - record.lost[line]
            ready += self._ready_units(line)
        self._settle(order, segment, short_lines, ready, units)

    def _place_routed(
        self, order: int, segment: int, skus: list[int], quantities: list[int], route: Route
    ) -> None:
        """An order in a network: each line at the location its segment's rule picks."""
        record = self.record
        network = record.network
        assert network is not None
        points = route.points
        rule = route.rule
        wanted = list(zip(skus, quantities, strict=True))
        if rule == "complete":
            at = next(
                (
                    k
                    for k, stock in enumerate(points)
                    if all(q <= stock[sku].on_hand for sku, q in wanted)
                ),
                0,
            )
            places = [at] * len(wanted)
        elif rule == "split":
            places = [
                next((k for k, stock in enumerate(points) if q <= stock[sku].on_hand), 0)
                for sku, q in wanted
            ]
        else:
            places = [0] * len(wanted)
        self.served_from[order] = route.locations[places[0]]
        if rule == "split" and len(set(places)) > 1:
            first = len(record.line_order)
            self._split_orders[order] = range(first, first + len(wanted))
        short_lines = units = ready = 0
        for (sku, quantity), place in zip(wanted, places, strict=True):
            line = self._new_line(order, sku, quantity)
            network.line_location.append(route.locations[place])
            here = points[place]
            stock = here[sku]
            if place or route is not self._routes[segment]:
                self._line_points[line] = stock
            if quantity <= stock.on_hand:
                stock.demand(line, quantity, False)
            elif route.vendor_managed[place]:  # the customer's shelf is empty: a lost sale
                stock.demand(line, quantity, True)
            elif (
                rule == "transship" and self._transship(order, segment, line, sku, quantity, route)
            ) or self._short_line(order, segment, line, sku, quantity, here):
                short_lines += 1
            units += quantity - record.lost[line]
            ready += self._ready_units(line)
        self._settle(order, segment, short_lines, ready, units)

    def _place_routed_line(
        self, order: int, segment: int, sku: int, quantity: int, route: Route
    ) -> None:
        """One line in a network: what the primary has on hand it serves, whatever the rule."""
        stock = route.points[0][sku]
        if quantity > stock.on_hand:
            self._place_routed(order, segment, [sku], [quantity], route)
            return
        line = self._new_line(order, sku, quantity)
        primary = route.locations[0]
        self.record.network.line_location.append(primary)  # type: ignore[union-attr]
        self.served_from[order] = primary
        if route is not self._routes[segment]:
            self._line_points[line] = stock
        stock.demand(line, quantity, False)
        self.release(order, quantity, True)

    def _new_line(self, order: int, sku: int, quantity: int) -> int:
        record = self.record
        line = len(record.line_order)
        record.line_order.append(order)
        record.sku.append(sku)
        record.quantity.append(quantity)
        return line

    def _settle(self, order: int, segment: int, short_lines: int, ready: int, units: int) -> None:
        """Every line is placed: ship the order now, or what is there, or hold it complete."""
        if short_lines == 0:
            if order in self._split_orders:
                self._release_parts(order, True, self._kept_units)
            elif units:
                self.release(order, units, True)
        else:
            self._short_order(order, segment, short_lines, ready, units)

    def _release_parts(self, order: int, first: bool, units_of: Callable[[int], int]) -> None:
        """A split order's units, ``units_of`` each line, released per location: each part
        is its own shipment on its location's leg (the first part is the order's first)."""
        record = self.record
        assert record.network is not None
        located = record.network.line_location
        parts: dict[int, int] = {}
        for line in self._split_orders[order]:
            units = units_of(line)
            if units:
                parts[located[line]] = parts.get(located[line], 0) + units
        for location, units in parts.items():
            self.served_from[order] = location
            self.release(order, units, first)
            first = False

    def _kept_units(self, line: int) -> int:
        """Units of a line the customer still takes (not lost)."""
        return self.record.quantity[line] - self.record.lost[line]

    def _transship(
        self, order: int, segment: int, line: int, sku: int, quantity: int, route: Route
    ) -> bool:
        """The primary is short: the first other location with the short units sends them;
        the line waits at the primary for them (False: none has them)."""
        primary = route.points[0][sku]
        short = quantity - max(0, int(primary.on_hand))
        lender = next(
            (k for k in range(1, len(route.points)) if route.points[k][sku].on_hand >= short),
            None,
        )
        if lender is None or route.transship is None:
            return False
        taken = route.points[lender][sku].take(short)  # type: ignore[union-attr]
        network = self.record.network
        assert network is not None
        network.transshipped[line] = (route.locations[lender], taken)
        priority = self.service_of(order, segment)[0]
        route.transship(taken, primary, sku)  # type: ignore[arg-type]
        primary.demand(line, quantity, False, 0, priority)
        return True

    def _short_line(
        self, order: int, segment: int, line: int, sku: int, quantity: int, points: Points
    ) -> int:
        """Stock cannot fill a line: offer substitutes, then the rule decides; units backordered."""
        stock = points[sku]
        reserved = self._reserved[segment][sku]
        remaining = quantity
        offers = self._substitutes.get(sku)
        if offers:
            available = max(0, int(stock.on_hand) - reserved)
            remaining -= self._substitute(line, offers, quantity - available, points)
            if remaining <= stock.on_hand - reserved:
                return stock.demand(line, remaining, False, reserved)
        looks = self._sees_stock[segment]
        if looks is not None:  # the customer saw the item out of stock before ordering
            if next(self._answers) >= looks.buys_anyway:
                self.record.declined[line] = remaining
                return stock.demand(line, remaining, True, reserved)
            self.record.informed.add(order)
        policy = self._policy_of[segment][sku]
        fate = policy.fate(next(self._answers) if policy.asks_customer else 0.0)
        if fate is Fate.POSTPONE:
            self.record.postponed[order] = policy.delay  # type: ignore[attr-defined]
        elif fate is Fate.CANCEL:
            self.record.cancelled.add(line)
        lose = fate is Fate.LOSE or fate is Fate.CANCEL
        priority = self.service_of(order, segment)[0]
        return stock.demand(line, remaining, lose, reserved, priority)

    def _substitute(
        self, line: int, offers: list[tuple[int, float]], short: int, points: Points
    ) -> int:
        """Offer the substitutes in rank order; the first in stock that is accepted serves."""
        for substitute, acceptance in offers:
            stock = points[substitute]
            if stock.on_hand > 0 and next(self._answers) < acceptance:
                taken = stock.take_substitute(short)  # type: ignore[union-attr]
                self.record.substituted[line] = (substitute, taken)
                return taken
        return 0

    def _ready_units(self, line: int) -> int:
        """Units of a line allocated on arrival: from its own stock or a substitute."""
        record = self.record
        taken = record.substituted.get(line)
        return record.filled[line] + (taken[1] if taken else 0)

    def _short_order(
        self, order: int, segment: int, short_lines: int, ready: int, units: int
    ) -> None:
        """Some lines wait for stock: ship what is there now, or hold the order complete."""
        if self._ships_now[segment]:
            if order in self._split_orders:
                if ready:
                    self._release_parts(order, True, self._ready_units)
                    self._shipped.add(order)
            elif ready:
                self.release(order, ready, True)
                self._shipped.add(order)
        else:
            self._waiting_orders[order] = [short_lines, units]

    def line_complete(self, line: int) -> None:
        """A backordered line has all its units: ship it, or the order if it was the last."""
        record = self.record
        order = record.line_order[line]
        if self._ships_now[record.segment[order]]:
            first = order not in self._shipped
            self._shipped.add(order)
            if order in self._split_orders:  # the line's part, from the line's location
                self.served_from[order] = record.network.line_location[line]  # type: ignore[union-attr]
            self.release(order, record.quantity[line] - self._ready_units(line), first)
            return
        waiting = self._waiting_orders[order]
        waiting[0] -= 1
        if waiting[0] == 0:
            del self._waiting_orders[order]
            if order in self._split_orders:
                self._release_parts(order, True, self._kept_units)
            else:
                self.release(order, waiting[1], True)

    def withdraw(self, order: int, lines: range, waiting: list[int]) -> None:
        """The customer cancels what the order still waits for; what was set aside for it
        goes back on the shelf, and for an order that ships complete that is everything."""
        record = self.record
        now = self.now()
        complete = order in self._waiting_orders
        gone = 0
        for line in waiting:
            point = self.point_of(line)
            missing = point.withdraw(line)
            given = record.quantity[line] - self._ready_units(line) - record.lost[line] - missing
            record.lost[line] += missing
            record.cancelled.add(line)
            record.allocated[line] = now
            if given and not complete:
                point.restock(given)
            gone += missing + given
        record.withdrawn.add(order)
        if complete:
            del self._waiting_orders[order]
            gone = 0
            for line in lines:
                kept = record.quantity[line] - record.lost[line]
                taken = record.substituted.get(line)
                own = kept - (taken[1] if taken else 0)
                if own:
                    self.point_of(line).restock(own)
                if taken and taken[1]:
                    routed = self.route_of_order.get(order)
                    points = routed.points[0] if routed else self._stocks[record.segment[order]]
                    points[taken[0]].restock(taken[1])
                gone += kept
        if self.aftercare is not None:
            self.aftercare.withdrawn(order, gone)
