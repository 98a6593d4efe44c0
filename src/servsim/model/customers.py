"""Finite customer bases: who places each order, who defects, who joins (retention).

A segment with ``customers`` has ``base`` customers at the start, each ordering at
``arrivals.rate / base``. Its order stream offers candidates at the rate of a full market
(``market`` customers); a candidate is an order of active customer ``int(u * market)`` when
that index is below the number active, else no order (thinning: exact for a Poisson rate
proportional to the active customers, however they change). After each order's experience
is settled the customer leaves with a chance that falls with the order's satisfaction.
New customers join at a rate moved by word of mouth (recent scores).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Generator

import simpy

from servsim.model.streams import RandomStreams
from servsim.scenario.distributions import Uniform
from servsim.scenario.perception import CustomerBase

UNIT = Uniform(dist="uniform", low=0, high=1)


def defection_chance(base: CustomerBase, score: float) -> float:
    """The logistic curve through (0, dissatisfied) and (1, satisfied)."""
    low, high = base.defection.dissatisfied, base.defection.satisfied
    logit = (
        math.log(low / (1 - low))
        + (math.log(high / (1 - high)) - math.log(low / (1 - low))) * score
    )
    return 1.0 / (1.0 + math.exp(-logit))


class SegmentCustomers:
    """The customers of one segment: active ones, their facts, and the decisions they take."""

    def __init__(
        self,
        env: simpy.Environment,
        segment: int,
        name: str,
        base: CustomerBase,
        streams: RandomStreams,
    ) -> None:
        self.env = env
        self.segment = segment
        self.name = name
        self.spec = base
        self.most = base.most
        self.active: list[int] = list(range(base.base))
        self._position: dict[int, int] = {customer: i for i, customer in enumerate(self.active)}
        self.joined: list[float] = [0.0] * base.base
        self.left: dict[int, float] = {}
        self.orders: list[int] = [0] * base.base
        self._picks = streams.draws(f"customers/{name}", UNIT)
        self._leaves = streams.draws(f"defection/{name}", UNIT)
        self._recent: deque[float] = deque(maxlen=base.acquisition.recent)
        acquisition = base.acquisition
        if acquisition.rate > 0:
            self._joins = streams.draws(f"acquisition/{name}", UNIT)
            env.process(self._acquisition())

    def pick(self) -> int:
        """The customer placing a candidate order, or -1 if the candidate is thinned away."""
        index = int(next(self._picks) * self.most)
        if index >= len(self.active):
            return -1
        customer = self.active[index]
        self.orders[customer] += 1
        return customer

    def settled(self, customer: int, score: float) -> None:
        """An order's experience is settled: the score is heard of, the customer may leave."""
        self._recent.append(score)
        if customer in self.left:
            return
        if next(self._leaves) < defection_chance(self.spec, score):
            self._leave(customer)

    def _leave(self, customer: int) -> None:
        index = self._position.pop(customer)
        last = self.active.pop()
        if last != customer:
            self.active[index] = last
            self._position[last] = index
        self.left[customer] = self.env.now

    def word_of_mouth(self) -> float:
        """The acquisition rate's factor from recent scores (1 until any is heard)."""
        acquisition = self.spec.acquisition
        recent = sum(self._recent) / len(self._recent) if self._recent else acquisition.reference
        return max(0.0, 1.0 + acquisition.word_of_mouth * (recent - acquisition.reference))

    def _acquisition(self) -> Generator[simpy.Event, None, None]:
        """New customers by thinning a Poisson stream at the highest rate word of mouth gives."""
        acquisition = self.spec.acquisition
        highest = max(1.0, 1.0 + acquisition.word_of_mouth * (1.0 - acquisition.reference))
        rate = acquisition.rate * highest
        while True:
            yield self.env.timeout(-math.log(1.0 - next(self._joins)) / rate)
            if next(self._joins) * highest < self.word_of_mouth() and len(self.active) < self.most:
                customer = len(self.joined)
                self.joined.append(self.env.now)
                self.orders.append(0)
                self._position[customer] = len(self.active)
                self.active.append(customer)
