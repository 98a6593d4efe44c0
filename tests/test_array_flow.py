"""A flow without feedback computed in arrays (``servsim.model.array_flow``) records exactly
what simulating its events records: every table of the run log, bit for bit, including ties
between arrivals and receipts, lines served by several receipts, orders still waiting at the
horizon, and stock points of every continuous-review policy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import servsim
from servsim.kpis.metrics import compute_kpis
from servsim.model.streams import RandomStreams
from servsim.model.world import World

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "benchmarks" / "reference_flow.yaml"
TABLES = ("orders", "lines", "shipments", "replenishments", "stock_levels")


def _reference(**overrides: object) -> servsim.Scenario:
    return servsim.load_scenario(REFERENCE).with_overrides({"horizon": 600.0, **overrides})


def _runs(scenario: servsim.Scenario, replication: int = 0):  # type: ignore[no-untyped-def]
    """The run log computed in arrays and simulated event by event."""
    arrays = World(scenario, RandomStreams(scenario.seed, replication))
    assert arrays._flow is not None, "the scenario should be computed in arrays"
    events = World(scenario, RandomStreams(scenario.seed, replication), in_arrays=False)
    assert events._flow is None
    return arrays.run(), events.run()


def _assert_same_log(scenario: servsim.Scenario, replication: int = 0) -> None:
    computed, simulated = _runs(scenario, replication)
    assert len(simulated.orders) > 100
    for table in TABLES:
        pd.testing.assert_frame_equal(
            getattr(computed, table), getattr(simulated, table), check_exact=True
        )


def _three_products(
    lines: object, lead_time: object, arrivals: object = None, stockout: str = "backorder"
) -> servsim.Scenario:
    """Multi-line orders (distinct products) against (s,S), (r,Q) and base stock."""
    document = servsim.load_scenario(REFERENCE).model_dump(by_alias=True, exclude_unset=True)
    return servsim.Scenario.model_validate(
        {
            **document,
            "horizon": 500.0,
            "products": [{"sku": sku, "unit_cost": 10, "price": 20} for sku in "ABC"],
            "demand": {
                "arrivals": arrivals or {"process": "poisson", "rate": 20},
                "customers": "none",
                "mix": {"A": 0.5, "B": 0.3, "C": 0.2},
                "lines": lines,
                "quantity": {"dist": "poisson", "mean": 2, "min": 1},
            },
            "stocking": {
                "stockout": stockout,
                "items": {
                    "A": {"policy": "sS", "s": 30, "S": 80, "lead_time": lead_time},
                    "B": {"policy": "rQ", "r": 20, "Q": 30, "lead_time": lead_time},
                    "C": {"policy": "base_stock", "S": 15, "lead_time": lead_time},
                },
            },
        }
    )


CASES = {
    "reference flow": _reference(),
    "web shop, (r,Q) and (s,S) with gamma lead times": servsim.load_scenario(
        ROOT / "scenarios" / "webshop.yaml"
    ).with_overrides({"horizon": 1200.0, "demand.customers": "none"}),
    "Poisson quantities: lines served by several receipts": _reference(
        **{"demand.quantity": {"dist": "poisson", "mean": 2.5, "min": 1}}
    ),
    "random lead times: replenishments overtake one another": _reference(
        **{"stocking.items.A.lead_time": {"dist": "exponential", "mean": 2}}
    ),
    "orders every hour and a 3-hour lead time: receipts tie with arrivals": _reference(
        **{
            "demand.arrivals": {"process": "renewal", "interarrival": 0.05},
            "stocking.items.A": {"policy": "base_stock", "S": 2, "lead_time": 0.15},
        }
    ),
    "orders in batches: arrivals tie with one another": _reference(
        **{"demand.arrivals": {"process": "batch", "rate": 20, "size": 3}}
    ),
    "no lead time": _reference(**{"stocking.items.A.lead_time": 0}),
    "a base stock of 0": _reference(**{"stocking.items.A.S": 0}),
    "the horizon cuts long waits": _reference(
        horizon=150.0, **{"stocking.items.A": {"policy": "base_stock", "S": 5, "lead_time": 40}}
    ),
    "(s,S) and (r,Q) side by side, a product nobody orders": servsim.Scenario.model_validate(
        {
            **servsim.load_scenario(REFERENCE).model_dump(by_alias=True, exclude_unset=True),
            "horizon": 800.0,
            "products": [
                {"sku": "A", "unit_cost": 10, "price": 20},
                {"sku": "B", "unit_cost": 10, "price": 20},
                {"sku": "C", "unit_cost": 10, "price": 20},
            ],
            "demand": {
                "arrivals": {"process": "poisson", "rate": 20},
                "customers": "none",
                "mix": {"A": 0.6, "B": 0.4},
                "quantity": {"dist": "poisson", "mean": 2, "min": 1},
            },
            "stocking": {
                "stockout": "backorder",
                "items": {
                    "A": {"policy": "sS", "s": 20, "S": 60, "lead_time": 3},
                    "B": {
                        "policy": "rQ",
                        "r": 10,
                        "Q": 25,
                        "lead_time": {"dist": "gamma", "mean": 3, "sd": 2},
                    },
                },
            },
        }
    ),
    "no stocking and no processing": _reference(stocking=None, processing=None),
    "orders of one to three lines, three policies": _three_products(
        {"dist": "empirical", "values": [1, 2, 3], "weights": [0.3, 0.4, 0.3]},
        {"dist": "gamma", "mean": 3, "sd": 2},
    ),
    "orders of several lines every 3 minutes, no lead time: receipts tie with arrivals": (
        _three_products(3, 0, {"process": "renewal", "interarrival": 0.05})
    ),
    "a history of multi-line orders with customers, replayed": servsim.load_scenario(
        ROOT / "scenarios" / "webshop_history.yaml"
    ),
    "partial shipments: what is there now, each waiting line later": _reference(
        **{
            "stocking.stockout": "partial",
            "stocking.items.A.S": 125,  # the lead time's 120 units: often a few on the shelf
            "demand.quantity": {"dist": "poisson", "mean": 3, "min": 1},
        }
    ),
    "partial shipments of orders of several lines": _three_products(
        {"dist": "empirical", "values": [1, 2, 3], "weights": [0.3, 0.4, 0.3]}, 2, None, "partial"
    ),
    "partial shipments without processing": _reference(
        processing=None,
        **{
            "stocking.stockout": "partial",
            "stocking.items.A.S": 85,
            "demand.quantity": 2,
        },
    ),
    "lost sales": _reference(**{"stocking.stockout": "lost"}),
    "lost sales, SupplyNetPy's retailer: (s,S) over ten years": servsim.load_scenario(
        ROOT / "benchmarks" / "supplynetpy_retailer.yaml"
    ),
    "lost sales of orders of several lines, overtaking lead times": _three_products(
        {"dist": "empirical", "values": [1, 2, 3], "weights": [0.3, 0.4, 0.3]},
        {"dist": "exponential", "mean": 3},
        None,
        "lost",
    ),
    "lost sales, an order every 3 minutes, receipts two orders later: ties decide": _reference(
        **{
            "stocking.stockout": "lost",
            "demand.arrivals": {"process": "renewal", "interarrival": 0.05},
            "stocking.items.A": {"policy": "base_stock", "S": 1, "lead_time": 0.1},
        }
    ),
}


@pytest.mark.parametrize("scenario", CASES.values(), ids=CASES.keys())
def test_a_flow_computed_in_arrays_records_what_its_events_record(scenario) -> None:
    _assert_same_log(scenario)


@pytest.mark.parametrize(
    "case",
    [
        "Poisson quantities: lines served by several receipts",
        "orders of one to three lines, three policies",
        "a history of multi-line orders with customers, replayed",
    ],
)
def test_every_replication_and_seed_agrees(case: str) -> None:
    for replication, seed in ((1, 1), (2, 99)):
        _assert_same_log(CASES[case].with_overrides({"seed": seed}), replication)


def test_the_kpis_of_both_are_identical() -> None:
    scenario = CASES["web shop, (r,Q) and (s,S) with gamma lead times"]
    computed, simulated = _runs(scenario)
    kpis = compute_kpis(computed, scenario)
    assert len(kpis) > 20
    assert _same_bits(kpis, compute_kpis(simulated, scenario))


def test_the_reference_flow_agrees_with_base_stock_theory() -> None:
    """Base stock S, a constant lead time L, Poisson orders of one unit: the units on order
    are Poisson(lambda L) at any moment, so an order waits with probability P(N >= S)
    (Hadley and Whitin), inside a 99% batch-means interval of one long run."""
    from scipy.stats import poisson, t

    scenario = _reference(horizon=20000.0)
    log = World(scenario, RandomStreams(1, 0)).run()
    waited = log.tables.orders["filled"] == 0
    batches = waited[: waited.size // 20 * 20].reshape(20, -1).mean(axis=1)
    half_width = t.ppf(0.995, 19) * batches.std(ddof=1) / np.sqrt(20)
    expected = poisson.sf(30 - 1, 20 * 2.0)  # P(N >= 30), N ~ Poisson(40)
    assert abs(batches.mean() - expected) < half_width


def _same_bits(left: dict, right: dict) -> bool:
    """Equal where both are numbers, NaN where one is (NaN != NaN)."""
    return left.keys() == right.keys() and all(
        np.array_equal(left[k], right[k], equal_nan=True) for k in left
    )


@pytest.mark.parametrize(
    "overrides",
    [
        {"stocking.items.A": {"policy": "RS", "review": 4, "S": 90, "lead_time": 2}},
        {
            "processing.staff": None,
            "processing.shifts": [
                {"days": ["mon", "tue", "wed"], "start": "8:00", "end": "16:00", "staff": 3}
            ],
        },
        {"delivery.modes.standard.reliability": 0.9, "delivery.modes.standard.late_by": 24},
    ],
    ids=["periodic review", "shifts", "late carriers"],
)
def test_a_flow_with_feedback_is_simulated(overrides) -> None:
    scenario = _reference(**overrides)
    assert World(scenario, RandomStreams(1, 0))._flow is None


def test_a_history_with_requested_dates_records_what_its_events_record(tmp_path: Path) -> None:
    """A replayed history's requested dates (some orders without one) set the promises alike."""
    from tests.test_history_columns import with_requested

    path = with_requested(tmp_path, pd.Timedelta(hours=30), rows=slice(0, None, 2))
    scenario = servsim.load_scenario(path)
    _assert_same_log(scenario)
    computed, _ = _runs(scenario)
    promise = computed.tables.orders["first_promise"] - computed.tables.orders["placed"]
    assert np.isclose(promise, 30.0).any() and np.isclose(promise, 48.0).any()


@pytest.mark.parametrize("case", [name for name in CASES if name.startswith("partial")])
def test_the_partial_cases_do_split_orders(case: str) -> None:
    """The cases above compare orders shipped in parts, not only orders shipped whole."""
    computed, _ = _runs(CASES[case])
    assert (computed.tables.orders["shipments"] > 1).sum() > 100


@pytest.mark.parametrize("case", [name for name in CASES if name.startswith("lost")])
def test_the_lost_sales_cases_do_lose_sales(case: str) -> None:
    """The lost-sales cases above compare lines that lost units, not only lines filled."""
    computed, _ = _runs(CASES[case])
    assert (computed.tables.lines["lost"] > 0).sum() > 50


@pytest.mark.parametrize(
    "distribution",
    [
        {"dist": "lognormal", "mean": 24, "sd": 6},
        {"dist": "poisson", "mean": 1.2, "min": 1},
        {"dist": "constant", "value": 2},
    ],
    ids=["lognormal", "truncated Poisson", "constant"],
)
def test_variates_are_the_first_draws_of_the_same_stream(distribution) -> None:
    from itertools import islice

    from pydantic import TypeAdapter

    from servsim.scenario.distributions import Distribution

    spec = TypeAdapter(Distribution).validate_python(distribution)
    streams = RandomStreams(3, 1)
    count = 2 * 4096 + 17
    drawn = np.fromiter(islice(streams.draws("x", spec), count), dtype=float, count=count)
    np.testing.assert_array_equal(streams.variates("x", spec, count), drawn)
