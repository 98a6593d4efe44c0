"""The SimPy world of one replication: demand -> stocking -> processing -> delivery.

Built from a Scenario and named random streams, it runs to the horizon and hands back a
RunLog. No I/O, no printing: facts in, facts out.
"""

from __future__ import annotations

import gc

import numpy as np
import simpy

from servsim.model.delivery import Carrier
from servsim.model.processing import ClerkPool, NoProcessing
from servsim.model.runlog import Recorder, RunLog
from servsim.model.stocking import StockPoint, UnlimitedStock
from servsim.model.streams import BLOCK_SIZE, RandomStreams
from servsim.scenario.schema import Scenario


class World:
    """One replication of a scenario, ready to run."""

    def __init__(self, scenario: Scenario, streams: RandomStreams) -> None:
        self.scenario = scenario
        self.env = simpy.Environment()
        self.record = Recorder()
        self.skus = scenario.skus
        processing = scenario.processing
        self.clerks = ClerkPool(processing.staff) if processing else NoProcessing()
        service = processing.time if processing else None
        self._extra_service = streams.draws("processing/extra", service) if service else None
        delivery = scenario.delivery
        self.modes = list(delivery.modes)
        self.carrier = Carrier(
            self.modes.index(delivery.default),
            streams.draws(f"transit/{delivery.default}", delivery.modes[delivery.default].transit),
        )
        self._service_of_order: list[float] = []
        self.stock = self._build_stock(streams)
        self.env.process(self._arrivals(streams))

    def _build_stock(self, streams: RandomStreams) -> list[StockPoint | UnlimitedStock]:
        stocking = self.scenario.stocking
        if stocking is None:
            unlimited = UnlimitedStock(self.record, self._release, lambda: self.env.now)
            return [unlimited] * len(self.skus)
        stock: list[StockPoint | UnlimitedStock] = []
        for index, sku in enumerate(self.skus):
            item = stocking.items.get(sku)
            if item is None:  # a product nobody orders needs no stock point
                stock.append(UnlimitedStock(self.record, self._release, lambda: self.env.now))
                continue
            stock.append(
                StockPoint(
                    self.env,
                    index,
                    item.build(),
                    stocking.stockout_policy,
                    streams.draws(f"lead_time/{sku}", item.lead_time),
                    self.record,
                    self._release,
                )
            )
        return stock

    def _arrivals(self, streams: RandomStreams):  # type: ignore[no-untyped-def]
        """Poisson orders, one line each: sku by the mix weights, quantity by its distribution.

        Variates come in numpy blocks, one block per source, so order ``i`` gets the same
        draws whatever the policy (common random numbers).
        """
        demand = self.scenario.demand
        mix = list(demand.mix.items())
        sku_of = np.asarray([self.skus.index(sku) for sku, _ in mix])
        weights = np.asarray([weight for _, weight in mix])
        gap_rng = streams.generator("arrivals")
        mix_rng = streams.generator("mix")
        quantity_rng = streams.generator("quantity")
        service = self.scenario.processing.time if self.scenario.processing else None
        service_rng = streams.generator("processing")
        mean_gap = 1 / demand.arrivals.rate
        record = self.record
        placed, skus, quantities = record.placed, record.sku, record.quantity
        service_of_order = self._service_of_order
        stock = self.stock
        env = self.env
        timeout = env.timeout
        while True:
            gaps = gap_rng.exponential(mean_gap, BLOCK_SIZE).tolist()
            block_skus = sku_of[mix_rng.choice(len(sku_of), BLOCK_SIZE, p=weights)].tolist()
            block_quantities = demand.quantity.sample(quantity_rng, BLOCK_SIZE).astype(int).tolist()
            if service is not None:
                service_of_order.extend(service.sample(service_rng, BLOCK_SIZE).tolist())
            for gap, sku, quantity in zip(gaps, block_skus, block_quantities, strict=True):
                yield timeout(gap)
                order = len(placed)
                placed.append(env.now)
                skus.append(sku)
                quantities.append(quantity)
                stock[sku].demand(order, quantity)

    def _release(self, order: int, units: int, first_shipment: bool) -> None:
        """Units of an order are allocated: process them, then send them by carrier."""
        now = self.env.now
        if self._extra_service is None:
            duration = 0.0
        elif first_shipment:
            duration = self._service_of_order[order]
        else:
            duration = next(self._extra_service)
        start, ready = self.clerks.serve(now, duration)
        self.record.shipments.extend(
            (order, units, now, start, ready, self.carrier.deliver(ready), self.carrier.index)
        )

    def run(self) -> RunLog:
        """Simulate to the horizon and return the facts recorded."""
        scenario = self.scenario
        collecting = gc.isenabled()
        gc.disable()  # the recorder's growing lists make each collection slower: run without
        try:
            self.env.run(until=scenario.horizon)
        finally:
            if collecting:
                gc.enable()
        return self.record.finish(
            horizon=scenario.horizon,
            warmup=scenario.warmup,
            skus=self.skus,
            modes=self.modes,
            staff=self.clerks.staff,
            promise=scenario.delivery.promise,
        )


def run_replication(scenario: Scenario, replication: int, seed: int | None = None) -> RunLog:
    """Run replication ``replication`` of ``scenario`` (seed defaults to the scenario's)."""
    streams = RandomStreams(scenario.seed if seed is None else seed, replication)
    return World(scenario, streams).run()
