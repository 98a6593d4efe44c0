"""A segment's customers: who places each order, how each remembers the service, who leaves,
who joins.

The segment's order stream offers candidates at the rate of a full market of customers at the
highest trust; a candidate is an order of active customer ``int(u * market)`` when that index
is below the number active, kept with probability (that customer's rate) / (the highest rate).
This is thinning: exact for a Poisson stream whose rate is the sum of the active customers'
current rates, however trust, defection and acquisition change them during the run.

Each customer's trust moves with every settled experience (``CustomerBase.relationship``): it
sets the customer's order rate and order size, its chance of leaving, and whether it is a
promoter or a detractor.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Generator
from itertools import islice

import simpy

from servsim.model.streams import RandomStreams
from servsim.scenario.customers import CustomerBase
from servsim.scenario.demand import customer_base
from servsim.scenario.distribution_families import Uniform
from servsim.scenario.schema import Scenario

UNIT = Uniform(dist="uniform", low=0, high=1)

PROMOTER = 0.9
"""Trust from which a customer recommends the firm (9 or 10 on the 0-10 scale of a
net promoter survey, read as 10 x trust)."""
DETRACTOR = 0.7
"""Trust below which a customer speaks against it (0 to 6 on that scale)."""


class SegmentCustomers:
    """The customers of one segment: their trust, who is active, and what they decide."""

    def __init__(
        self,
        env: simpy.Environment,
        segment: int,
        name: str,
        spec: CustomerBase,
        rate: float,
        threshold: float,
        streams: RandomStreams,
        pull: float = 1.0,
    ) -> None:
        """``rate``: the segment's order rate at the start, which sizes the base; ``pull``:
        how much more often its customers order for their credit terms; ``threshold``: the
        score below which an experience is a glitch (the segment's satisfaction threshold)."""
        self.env = env
        self.segment = segment
        self.name = name
        self.spec = spec
        self.relationship = spec.relationship
        self.threshold = threshold
        count = spec.customers_at_start(rate)
        self.base = count
        self.pull = pull
        self.most = spec.most(rate)
        start = self.relationship.start
        self.highest = self.relationship.rate_factor(1.0)
        """The rate factor at full trust: candidates come at the market's rate times this."""
        self._start = start
        self._frequency = self.relationship.frequency
        self._sizing = self.relationship.size
        self._low_logit, self._logit_rise = spec.defection.logits()
        """The relationship's rate and size factors and the defection curve of trust, as
        numbers: ``judge`` computes them inline (run per order)"""
        self.trust: list[float] = [start] * count
        self.glitches: list[float] = [0.0] * count
        self.experiences: list[int] = [0] * count
        """Experiences each customer has judged."""
        self._factor: list[float] = [1.0] * count
        self._size: list[float] = [1.0] * count
        """Each customer's order size relative to its size at the start (from its trust)."""
        self.active: list[int] = list(range(count))
        self._position: dict[int, int] = {customer: i for i, customer in enumerate(self.active)}
        self.joined: list[float] = [0.0] * count
        self.left: dict[int, float] = {}
        self.orders: list[int] = [0] * count
        self._picks = streams.draws(f"customers/{name}", UNIT)
        self._accepts = streams.draws(f"customer rates/{name}", UNIT)
        self._leaves = streams.draws(f"defection/{name}", UNIT)
        self._roundings = streams.draws(f"order size/{name}", UNIT)
        self._recent: deque[float] = deque(maxlen=spec.acquisition.recent)
        acquisition = spec.acquisition
        self.joining = (
            acquisition.rate
            if acquisition.rate is not None
            else rate * pull * spec.defection.chance(start)  # as many join as leave at first
        )
        self.on_join: Callable[[], None] = _nobody
        """Told when a customer joins (the candidates' stream re-plans its sleep)."""
        if self.joining > 0:
            self._joins = streams.draws(f"acquisition/{name}", UNIT)
            env.process(self._acquisition())

    @property
    def candidate_factor(self) -> float:
        """The order stream's rate relative to the segment's rate at the start."""
        return self.pull * self.most / self.base * self.highest

    def candidate_indices(self, count: int) -> list[int]:
        """The indices among the customers of the next ``count`` candidate orders, in turn:
        one past the active customers is thinned away (``candidates.Candidates``)."""
        most = self.most
        return [int(pick * most) for pick in islice(self._picks, count)]

    def accept(self, index: int) -> int:
        """The customer placing the candidate of ``index``, or -1 if it is thinned away."""
        if index >= len(self.active):
            return -1
        customer = self.active[index]
        factor = self._factor[customer]
        if factor < self.highest and next(self._accepts) * self.highest >= factor:
            return -1
        self.orders[customer] += 1
        return customer

    def resize(self, customer: int, quantities: list[int], first: int, count: int) -> None:
        """Scale the quantities of an order's lines (``count`` from ``first``) by how much more
        or less than usual the customer orders now, rounding at random so the mean is kept."""
        factor = self._size[customer]
        if factor == 1.0:
            return
        for position in range(first, first + count):
            scaled = quantities[position] * factor
            whole = int(scaled)
            whole += next(self._roundings) < scaled - whole
            quantities[position] = max(1, whole)

    def judge(self, customer: int, score: float) -> None:
        """A settled experience scored ``score``: trust moves, word of mouth hears of it, and
        the customer may leave."""
        self._recent.append(score)
        if customer in self.left:
            return
        relationship = self.relationship
        self.experiences[customer] += 1
        trust = self.trust[customer]
        glitches = self.glitches[customer]
        if score >= trust:
            trust += relationship.learning * (score - trust)
        else:
            weight = relationship.loss_aversion * (1.0 + relationship.strain * glitches)
            trust -= min(relationship.learning * weight, 1.0) * (trust - score)
        self.glitches[customer] = relationship.glitch_memory * glitches + (
            1.0 if score < self.threshold else 0.0
        )
        self.trust[customer] = trust
        moved = trust - self._start  # Relationship.rate_factor and size_factor, inlined
        self._factor[customer] = math.exp(self._frequency * moved)
        self._size[customer] = math.exp(self._sizing * moved)
        leaving = 1.0 / (1.0 + math.exp(-(self._low_logit + self._logit_rise * trust)))
        if next(self._leaves) < leaving:  # Defection.chance, inlined
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
        rate = self.joining * highest
        start = self.relationship.start
        while True:
            yield self.env.timeout(-math.log(1.0 - next(self._joins)) / rate)
            if next(self._joins) * highest < self.word_of_mouth() and len(self.active) < self.most:
                customer = len(self.joined)
                self.joined.append(self.env.now)
                self.orders.append(0)
                self.trust.append(start)
                self.glitches.append(0.0)
                self.experiences.append(0)
                self._factor.append(1.0)
                self._size.append(1.0)
                self._position[customer] = len(self.active)
                self.active.append(customer)
                self.on_join()


def _nobody() -> None:
    """No one to tell."""


def customer_bases(
    env: simpy.Environment, scenario: Scenario, streams: RandomStreams
) -> dict[int, SegmentCustomers]:
    """Segment index -> its customers, for every segment with a customer base."""
    customers = {}
    for index, (name, segment) in enumerate(scenario.demand.segments.items()):
        base = customer_base(segment)
        if base is None:
            continue
        threshold = scenario.satisfaction.for_segment(name).threshold
        customers[index] = SegmentCustomers(
            env,
            index,
            name,
            base,
            segment.order_rate,
            threshold,
            streams,
            segment.credit_pull,
        )
    return customers
