"""A customer base's stream sleeps through candidates no active customer can have placed
(``servsim.model.candidates``) and records exactly what one event per candidate records:
every table of the run log, bit for bit, however customers join and leave during the run."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import servsim
from servsim.model import candidates
from servsim.model.runlog import RunLog
from servsim.model.streams import RandomStreams
from servsim.model.world import World

ROOT = Path(__file__).resolve().parent.parent
TABLES = (
    "orders",
    "lines",
    "shipments",
    "replenishments",
    "stock_levels",
    "complaints",
    "returns",
    "visits",
    "restocks",
    "customers",
    "judgements",
)
GROWING = {
    "horizon": 1200.0,
    "warmup": 0.0,
    # a small base in a large market: nine candidates in ten fall past the active customers,
    # and customers join every hour or so, each waking candidates the stream slept through
    "demand.customers": {"base": 150, "market": 1500, "acquisition": {"rate": 1.5}},
}


def _example(name: str, **overrides: object) -> servsim.Scenario:
    scenario = servsim.load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    return scenario.with_overrides({"horizon": min(scenario.horizon, 720.0), **overrides})


CASES = {
    "garden_exceptional": _example("garden_exceptional"),
    "webshop": _example("webshop"),
    "b2b_distributor": _example("b2b_distributor"),
    "webshop, a base that grows": _example("webshop", **GROWING),
}


def _run(scenario: servsim.Scenario, every: bool, replication: int = 0) -> RunLog:
    streams = RandomStreams(scenario.seed, replication)
    return World(scenario, streams, every_candidate=every).run()


def _assert_same(left: RunLog, right: RunLog) -> None:
    for table in TABLES:
        pd.testing.assert_frame_equal(getattr(left, table), getattr(right, table), check_exact=True)


@pytest.mark.parametrize("scenario", CASES.values(), ids=CASES.keys())
def test_sleeping_through_thinned_candidates_records_what_one_event_each_records(
    scenario: servsim.Scenario,
) -> None:
    slept, every = _run(scenario, every=False), _run(scenario, every=True)
    assert len(slept.orders) > 500
    _assert_same(slept, every)


def test_every_replication_agrees_when_customers_join_and_leave() -> None:
    scenario = CASES["webshop, a base that grows"]
    for replication in (1, 2):
        _assert_same(_run(scenario, False, replication), _run(scenario, True, replication))


def test_a_join_wakes_the_stream_earlier_and_without_it_the_log_would_differ(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The re-planning on a join is exercised and needed: without it the newcomers' first
    candidates go unplaced and the run takes another course (the test could fail)."""
    scenario = CASES["webshop, a base that grows"]
    woken = []
    real = candidates.Candidates._wake

    def wake(self, candidate: int, at: float) -> None:  # type: ignore[no-untyped-def]
        woken.append(candidate < self._woken and self._waking is not None)
        real(self, candidate, at)

    monkeypatch.setattr(candidates.Candidates, "_wake", wake)
    every = _run(scenario, every=True)
    slept = _run(scenario, every=False)
    _assert_same(slept, every)
    assert sum(woken) > 50, "joins should move the stream's wake earlier many times"
    monkeypatch.setattr(candidates.Candidates, "_joined", lambda self: None)
    deaf = _run(scenario, every=False).orders
    placed = every.orders
    assert len(deaf) != len(placed) or not deaf["customer"].equals(placed["customer"])


def test_the_stream_sleeps_through_most_thinned_candidates(monkeypatch) -> None:
    """Fewer wakes than candidates: one per candidate an active customer may place (and one
    at each block's end, and one a join made stale), not one per candidate of the market.
    The base grows from a tenth of the market to most of it, so about half the candidates fall
    past the active customers."""
    scenario = CASES["webshop, a base that grows"]
    wakes = {True: 0, False: 0}
    real = candidates.Candidates._decide

    def decide(self, event) -> None:  # type: ignore[no-untyped-def]
        wakes[self._every] += 1
        real(self, event)

    monkeypatch.setattr(candidates.Candidates, "_decide", decide)
    log = _run(scenario, every=False)
    _run(scenario, every=True)
    assert wakes[False] < 0.6 * wakes[True]
    assert wakes[False] >= len(log.orders)


def test_a_wake_lands_on_the_candidates_time_where_now_plus_a_delay_cannot() -> None:
    """now + (at - now) is not always ``at`` in floating point, and for some pairs no delay
    gives ``at``: the wake is queued at the candidate's time itself (the very time one event
    per candidate gives), in turn with events queued at that time by SimPy."""
    import math

    import simpy

    now, at = 93.32239002254337, 487.67376580172987
    delay = at - now
    for _ in range(4):
        delay = math.nextafter(delay, -math.inf)
    near = [delay := math.nextafter(delay, math.inf) for _ in range(8)]
    assert all(now + delay != at for delay in near), "no delay from now reaches the time"
    env = simpy.Environment(initial_time=now)
    seen: list[float] = []
    candidates._event_at(env, at, lambda _: seen.append(env.now))
    env.run()
    assert seen == [at]
    env = simpy.Environment()  # from 0 a timeout reaches the time: queued in turn with it
    order: list[str] = []
    env.timeout(at).callbacks.append(lambda _: order.append("timeout before"))
    candidates._event_at(env, at, lambda _: order.append("wake"))
    env.timeout(at).callbacks.append(lambda _: order.append("timeout after"))
    env.run()
    assert order == ["timeout before", "wake", "timeout after"]
