"""After the sale: status notices, complaints to a support pool, claims, returns through a
reverse flow, installation and warranty visits by technicians: the episodes that follow an
order's delivery, each ended in the order's judgement (``servsim.model.judgement``).

The world tells this stage when an order is placed and when each shipment is carried; the
stage schedules what follows the order's delivery. It records facts only; KPIs come later.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import simpy
from simpy.events import Timeout

from servsim.core.units import HOURS_PER_TIME_UNIT
from servsim.model.customers import UNIT
from servsim.model.judgement import Failure, Judgements, TrackedOrder
from servsim.model.processing import PriorityClerkPool, follow_calendar
from servsim.model.runlog import Complaint, Recorder, Return, Visit
from servsim.model.streams import RandomStreams
from servsim.scenario.aftercare import Staffing
from servsim.scenario.schema import Scenario


def people_pool(
    env: simpy.Environment,
    staffing: Staffing,
    scenario: Scenario,
    done: Callable[[int, float, float], None],
    started: Callable[[int, float], None],
) -> PriorityClerkPool:
    """A first-come-first-served pool of people on ``staffing``'s calendar."""
    pool = PriorityClerkPool(env, staffing.staff or 0, done, started)
    if staffing.shifts is not None:
        times, staff = staffing.on_duty(scenario.horizon, scenario.time_unit)
        env.process(follow_calendar(env, pool, times.tolist(), staff.tolist()))
    return pool


class Aftercare:
    """The post-transaction stage of one replication."""

    def __init__(
        self,
        env: simpy.Environment,
        scenario: Scenario,
        streams: RandomStreams,
        record: Recorder,
        promised: Callable[[int], tuple[float, float]],
        replace: Callable[[int, int, int], int],
        restock: Callable[[int, int], None],
        judgements: Judgements,
    ) -> None:
        self.env = env
        self.scenario = scenario
        self.record = record
        self._promised = promised
        """order -> (when first promised, when due): ``Promises.first_and_due``"""
        self._replace = replace
        self._restock = restock
        self.judgements = judgements
        self._open: dict[int, TrackedOrder] = {}
        """order -> its tracked experience, until its last unit is carried"""
        self._tracked_complaints: dict[int, TrackedOrder] = {}
        """complaint -> its order, until resolved"""
        self._replacing: dict[int, tuple[TrackedOrder, float]] = {}
        """replacement order -> the order it replaces and when the return was asked for"""
        self._visiting: dict[int, TrackedOrder] = {}
        """installation visit -> its order, until the installation is done"""
        self._failed_at: dict[int, Failure] = {}
        """warranty repair visit -> the failure it repairs"""
        self._shipped_while_placing: dict[int, list[tuple[int, float, float, int]]] = {}
        """order -> shipments carried while it was being placed"""
        policy = scenario.notices.policy
        self._dispatch_notices = policy in ("on_dispatch", "always")
        self._delay_notices = policy in ("on_delay", "always")
        self._day = 24.0 / HOURS_PER_TIME_UNIT[scenario.time_unit]
        """time units in a day"""
        self._chance = {
            name: streams.draws(f"aftercare/{name}", UNIT)
            for name in ("complaint", "claim", "return", "restock", "snag", "failure")
        }
        self._complaints = scenario.complaints
        if self._complaints is not None:
            self._complaint_after = streams.draws("complaint after", self._complaints.after)
            self._handling = streams.draws("complaint handling", self._complaints.time)
            self.support = people_pool(
                env, self._complaints.support, scenario, self._resolved, self._started_complaint
            )
        self._returns = scenario.returns
        if self._returns is not None:
            self._return_after = streams.draws("return after", self._returns.after)
            self._return_transit = streams.draws("return transit", self._returns.transit)
        installation = scenario.installation
        if installation is not None:
            self._travel = streams.draws("technician travel", installation.travel)
            self._work = streams.draws("technician work", installation.work)
            self.technicians = people_pool(
                env, installation.technicians, scenario, self._visit_done, self._visit_started
            )
        products = {product.sku: product for product in scenario.products}
        self._installed = [products[sku].install for sku in scenario.skus]
        self._warranty = [products[sku].warranty for sku in scenario.skus]
        self._price = [products[sku].price for sku in scenario.skus]
        self._serviced_sku = [
            installed or warranty is not None
            for installed, warranty in zip(self._installed, self._warranty, strict=True)
        ]
        """sku -> whether it is installed or under warranty: technicians may call"""
        self._serviced = any(self._serviced_sku)
        self._factors = {
            effect: scenario.programme_factor(effect)
            for effect in ("complaints", "returns", "snags")
        }

    # --- the order's way to the customer -------------------------------------------------
    def placed(self, order: int, first_line: int) -> None:
        """An order's lines are all placed: track it until its last unit is delivered."""
        record = self.record
        end = len(record.line_order)
        left_out = record.declined
        one_line = end == first_line + 1 and not left_out
        if one_line:  # its own facts, no sums
            quantity = record.quantity[first_line]
            lost = record.lost[first_line]
            value = self._price[record.sku[first_line]] * quantity
        else:
            quantities = record.quantity[first_line:end]
            declined = (
                sum(left_out.get(line, 0) for line in range(first_line, end)) if left_out else 0
            )
            quantity = sum(quantities) - declined  # what the customer chose to order
            lost = sum(record.lost[first_line:end]) - declined
            skus, price = record.sku[first_line:end], self._price
            value = sum([price[sku] * q for sku, q in zip(skus, quantities, strict=True)])
        promise, due = self._promised(order)
        tracked = TrackedOrder(order, first_line, end - first_line, quantity, lost, value, due)
        if self._delay_notices and (
            order in record.postponed
            or (
                math.isnan(record.allocated[first_line])
                if one_line
                else any(map(math.isnan, record.allocated[first_line:end]))
            )
        ):
            self._notify(order, informs=self.env.now < due)
        if quantity == 0:  # the customer saw everything out of stock and ordered nothing
            return
        if tracked.left == 0:  # nothing to deliver: the experience is settled now
            self.judgements.settle(tracked, got_nothing=True)
            return
        self._open[order] = tracked
        if order not in record.replaces:  # a replacement's waits count for the order it replaces
            self.judgements.watch_delivery(tracked, promise)
        if self._shipped_while_placing:
            for shipment in self._shipped_while_placing.pop(order, ()):
                self.shipped(order, *shipment)

    def shipped(
        self, order: int, units: int, dispatched: float, delivered: float, damaged: int
    ) -> None:
        """A shipment of the order is carried; its last one schedules the delivery."""
        tracked = self._open.get(order)
        if tracked is None:  # shipped at once, while the order is still being placed
            self._shipped_while_placing.setdefault(order, []).append(
                (units, dispatched, delivered, damaged)
            )
            return
        due = tracked.due
        late = delivered > due and dispatched < due
        if self._dispatch_notices:
            self._notify(order, informs=late)
        elif self._delay_notices and late and order not in self.record.informed:
            self._notify(order, informs=True)
        tracked.left -= units
        if delivered > tracked.delivered:
            tracked.delivered = delivered
        if damaged:
            tracked.damaged = True
        if tracked.left == 0:
            self._all_carried(tracked)

    def withdrawn(self, order: int, units: int) -> None:
        """The customer cancelled ``units`` still waiting for stock (its patience ran out)."""
        tracked = self._open.get(order)
        if tracked is None:
            return
        tracked.lost += units
        tracked.left -= units
        if tracked.left == 0:
            if tracked.lost == tracked.quantity:
                del self._open[order]
                self.judgements.settle(tracked, got_nothing=True)
            else:
                self._all_carried(tracked)

    def _all_carried(self, tracked: TrackedOrder) -> None:
        """The order's last unit is on its way: its delivery is an event at its arrival."""
        del self._open[tracked.order]
        self.judgements.carried(tracked)
        wait = max(tracked.delivered - self.env.now, 0.0)
        Timeout(self.env, wait, tracked).callbacks.append(self._delivered)

    def _notify(self, order: int, informs: bool) -> None:
        notices = self.record.notices
        notices[order] = notices.get(order, 0) + 1
        if informs:
            self.record.informed.add(order)

    def _delivered(self, event: simpy.Event) -> None:
        """The last unit arrives: complaint, return, installation and warranty follow, each
        an episode of the order's experience."""
        tracked: TrackedOrder = event.value  # type: ignore[assignment]
        order = tracked.order
        replaced = self._replacing.pop(order, None)
        if replaced is not None:  # a replacement's experience belongs to the order it replaces
            original, requested = replaced
            original.replacement_delay = self.env.now - requested
            self.judgements.episode_ended(original)
            return
        if order in self.record.replaces:
            return
        if self._complaints is not None and self._maybe_complain(order, tracked):
            tracked.pending += 1
        if self._returns is not None and self._maybe_return(order, tracked):
            tracked.pending += 1
        if self._serviced:
            self._field_service(order, tracked)
        self.judgements.episode_ended(tracked)

    # --- complaints ------------------------------------------------------------------------
    def complaint_chance(self, order: int, tracked: TrackedOrder) -> float:
        """1 - the product of (1 - chance) over what went wrong, times the programmes' factor."""
        chance = self._complaints.chance  # type: ignore[union-attr]
        record = self.record
        late_by = tracked.delivered - tracked.due
        informed = order in record.informed
        calm = 1.0 - chance.base  # the chance no cause makes the customer complain
        if late_by > 0:
            late = min(1.0, chance.late + chance.per_day_late * late_by / self._day)
            calm *= 1.0 - late * (self.scenario.notices.complaint_factor if informed else 1.0)
            if not informed:
                calm *= 1.0 - chance.uninformed
        if tracked.lost:
            calm *= 1.0 - chance.incomplete
        if tracked.damaged:
            calm *= 1.0 - chance.damaged
        if order in record.wrong_item:
            calm *= 1.0 - chance.wrong_item
        if order in record.wrong_invoice:
            calm *= 1.0 - chance.wrong_invoice
        return min(1.0, (1.0 - calm) * self._factors["complaints"])

    def _maybe_complain(self, order: int, tracked: TrackedOrder) -> bool:
        if next(self._chance["complaint"]) >= self.complaint_chance(order, tracked):
            return False
        complaints = self._complaints
        assert complaints is not None
        claims = complaints.claims
        claim = next(self._chance["claim"]) < claims.share
        compensation = claims.compensation + claims.of_order_value * tracked.value if claim else 0.0
        opened = self.env.now + next(self._complaint_after)
        complaints_made = self.record.complaints
        number = len(complaints_made)
        complaints_made.append(Complaint(order, opened, claim, compensation))
        self._tracked_complaints[number] = tracked
        self.judgements.judge_by(
            tracked,
            opened + self.judgements.tolerance(tracked, "resolution"),
            lambda late: setattr(late, "resolution_time", self.env.now - opened),
        )
        opening = self.env.timeout(opened - self.env.now, value=number)
        opening.callbacks.append(self._open_complaint)
        return True

    def _open_complaint(self, event: simpy.Event) -> None:
        self.support.submit(event.value, next(self._handling), 0)  # type: ignore[arg-type]

    def _started_complaint(self, number: int, start: float) -> None:
        self.record.complaints[number].started = start

    def _resolved(self, number: int, start: float, end: float) -> None:
        complaint = self.record.complaints[number]
        complaint.resolved = end
        tracked = self._tracked_complaints.pop(number)
        tracked.resolution_time = end - complaint.opened
        tracked.compensation = complaint.compensation
        self.judgements.episode_ended(tracked)

    # --- returns ---------------------------------------------------------------------------
    def _maybe_return(self, order: int, tracked: TrackedOrder) -> bool:
        returns = self._returns
        assert returns is not None
        if order in self.record.wrong_item:
            reason, chance = "wrong_item", returns.wrong_item
        elif tracked.damaged:
            reason, chance = "damaged", returns.damaged
        else:
            reason, chance = "no_fault", returns.base
        if next(self._chance["return"]) >= chance * self._factors["returns"]:
            return False
        requested = self.env.now + next(self._return_after)
        received = requested + next(self._return_transit)
        restocked = next(self._chance["restock"]) < returns.restock
        sent_back = self.record.returns
        sent_back.append(Return(order, reason, requested, received, restocked))
        request = self.env.timeout(requested - self.env.now, value=(len(sent_back) - 1, tracked))
        request.callbacks.append(self._return_requested)
        return True

    def _return_requested(self, event: simpy.Event) -> None:
        """The customer sends the goods back; a wrong or damaged order is replaced at once."""
        number, tracked = event.value  # type: ignore[misc]
        sent_back = self.record.returns[number]
        requested = sent_back.requested
        if sent_back.reason != "no_fault":
            replacement = self._replace(sent_back.order, tracked.first_line, tracked.lines)
            sent_back.replacement = replacement
            self._replacing[replacement] = (tracked, requested)
            self.judgements.judge_by(
                tracked,
                requested + self.judgements.tolerance(tracked, "replacement"),
                lambda late: setattr(late, "replacement_delay", self.env.now - requested),
            )
        else:
            self.judgements.judge_by(
                tracked,
                requested + self.judgements.tolerance(tracked, "refund"),
                lambda late: setattr(late, "refund_delay", self.env.now - requested),
            )
        back = self.env.timeout(sent_back.received - self.env.now, value=(number, tracked))
        back.callbacks.append(self._return_received)

    def _return_received(self, event: simpy.Event) -> None:
        """The goods are inspected: back on the shelf, or scrapped."""
        number, tracked = event.value  # type: ignore[misc]
        sent_back = self.record.returns[number]
        if sent_back.reason == "no_fault":  # refunded when the goods are back
            tracked.refund_delay = self.env.now - sent_back.requested
            self.judgements.episode_ended(tracked)
        if not sent_back.restocked:
            return
        record = self.record
        for line in range(tracked.first_line, tracked.first_line + tracked.lines):
            taken = record.substituted.get(line)
            own = record.quantity[line] - record.lost[line] - (taken[1] if taken else 0)
            if own:
                self._restock(record.sku[line], own)
            if taken and taken[1]:
                self._restock(taken[0], taken[1])

    # --- installation and warranty -----------------------------------------------------------
    def _field_service(self, order: int, tracked: TrackedOrder) -> None:
        record = self.record
        if tracked.lines == 1 and not self._serviced_sku[record.sku[tracked.first_line]]:
            return  # most orders: nothing to do
        skus = record.sku[tracked.first_line : tracked.first_line + tracked.lines]
        if not any([self._serviced_sku[sku] for sku in skus]):
            return
        if any(self._installed[sku] for sku in skus):
            tracked.pending += 1
            self._visiting[self._request_visit(order, "install")] = tracked
            self.judgements.judge_by(
                tracked,
                self.env.now + self.judgements.tolerance(tracked, "installation"),
                lambda late: setattr(late, "install_wait", self.env.now - late.delivered),
            )
        for sku in dict.fromkeys(skus):
            warranty = self._warranty[sku]
            if warranty is not None and next(self._chance["failure"]) < warranty.failure:
                failure = self.env.timeout(next(self._chance["failure"]) * warranty.period, order)
                failure.callbacks.append(self._failed)

    def _failed(self, event: simpy.Event) -> None:
        """A product fails under warranty: a technician comes to repair it; its customer
        judges the failure when it is repaired, or when the repair outlasts its tolerance."""
        order: int = event.value  # type: ignore[assignment]
        failure = self.judgements.failed(order)
        self._failed_at[self._request_visit(order, "repair")] = failure

    def _request_visit(self, order: int, kind: str) -> int:
        """Ask for a technician's visit; its number."""
        visits = self.record.visits
        travel = next(self._travel)
        visits.append(Visit(order, kind, self.env.now, travel))
        self.technicians.submit(len(visits) - 1, travel + next(self._work), 0)
        return len(visits) - 1

    def _visit_started(self, number: int, start: float) -> None:
        self.record.visits[number].started = start

    def _visit_done(self, number: int, start: float, end: float) -> None:
        visit = self.record.visits[number]
        visit.finished = end
        if visit.kind == "repair":
            self.judgements.repaired(self._failed_at.pop(number))
            return
        tracked = self._visiting.pop(number)
        snag = self.scenario.installation.snag * self._factors["snags"]  # type: ignore[union-attr]
        if next(self._chance["snag"]) < snag:
            visit.snag = True
            tracked.snag = True
            self._visiting[self._request_visit(visit.order, "revisit")] = tracked
            return
        tracked.install_wait = end - tracked.delivered
        self.judgements.episode_ended(tracked)


__all__ = ["Aftercare", "people_pool"]
