"""The simulation agrees with queueing and inventory theory, within confidence intervals.

Each test isolates one stage (the others switched off) so that a closed form applies, runs
independent replications, and checks that the theoretical value lies inside the 99%
Student-t interval of the replication means.
"""

from __future__ import annotations

import numpy as np
import pytest

import servsim
from servsim.stats import theory
from tests.conftest import assert_agrees, stage_scenario


@pytest.mark.parametrize(("staff", "arrival_rate"), [(1, 0.7), (3, 2.4)], ids=["M/M/1", "M/M/3"])
def test_processing_wait_matches_erlang_c(staff: int, arrival_rate: float) -> None:
    scenario = stage_scenario(
        horizon=6000,
        warmup=500,
        demand={"arrivals": {"process": "poisson", "rate": arrival_rate}, "mix": {"A": 1.0}},
        processing={"staff": staff, "time": {"dist": "exponential", "mean": 1.0}},
    )
    results = servsim.simulate(scenario)
    assert_agrees(results, "processing_wait", theory.mmc_mean_wait(arrival_rate, 1.0, staff))
    assert_agrees(results, "staff_utilisation", theory.mmc_utilisation(arrival_rate, 1.0, staff))


def _base_stock(stockout: str, order_up_to: int, lead_time: object = 2.0) -> servsim.Scenario:
    return stage_scenario(
        time_unit="days",
        horizon=3000,
        warmup=100,
        demand={"arrivals": {"process": "poisson", "rate": 5.0}, "mix": {"A": 1.0}},
        stocking={
            "stockout": stockout,
            "items": {"A": {"policy": "base_stock", "S": order_up_to, "lead_time": lead_time}},
        },
    )


def test_base_stock_with_backorders_matches_poisson_lead_time_demand() -> None:
    results = servsim.simulate(_base_stock("backorder", 12))
    expected = theory.base_stock_poisson(12, lead_time_demand=10.0)
    for kpi in ("unit_fill_rate", "ready_rate", "avg_backorders", "avg_on_hand"):
        assert_agrees(results, kpi, expected[kpi])
    # Little's law on the backorder queue: level log against per-unit waiting times.
    assert_agrees(
        results,
        "avg_backorders",
        float(
            (
                results.kpis["avg_backorder_delay"] * (1 - results.kpis["unit_fill_rate"]) * 5.0
            ).mean()
        ),
        slack=0.02 * expected["avg_backorders"],
    )


@pytest.mark.parametrize(
    "lead_time", [2.0, {"dist": "gamma", "mean": 2.0, "sd": 1.0}], ids=["constant", "gamma"]
)
def test_base_stock_with_lost_sales_matches_erlang_b(lead_time: object) -> None:
    """Erlang B holds for any lead-time distribution with the same mean (insensitivity)."""
    results = servsim.simulate(_base_stock("lost", 12, lead_time))
    expected = theory.base_stock_lost_sales_poisson(12, lead_time_demand=10.0)
    assert_agrees(results, "lost_sales_rate", expected["lost_fraction"])
    assert_agrees(results, "unit_fill_rate", expected["unit_fill_rate"])
    assert_agrees(results, "avg_on_hand", expected["avg_on_hand"])


def test_reorder_point_quantity_matches_theory() -> None:
    scenario = stage_scenario(
        time_unit="days",
        horizon=3000,
        warmup=100,
        demand={"arrivals": {"process": "poisson", "rate": 5.0}, "mix": {"A": 1.0}},
        stocking={
            "stockout": "backorder",
            "items": {"A": {"policy": "rQ", "r": 8, "Q": 6, "lead_time": 2.0}},
        },
    )
    results = servsim.simulate(scenario)
    expected = theory.rq_poisson(8, 6, lead_time_demand=10.0)
    for kpi in ("unit_fill_rate", "cycle_service_level", "avg_backorders", "avg_on_hand"):
        assert_agrees(results, kpi, expected[kpi])


def test_littles_law_holds_for_the_whole_system() -> None:
    """Time-average orders in the system = arrival rate x mean time in the system.

    Orders open across the window's edges make the two sides differ by about one mean
    sojourn's worth of orders over the window (< 1% here); that is the slack allowed.
    """
    scenario = stage_scenario(
        horizon=3000,
        warmup=200,
        demand={"arrivals": {"process": "poisson", "rate": 2.0}, "mix": {"A": 1.0}},
        stocking={
            "stockout": "backorder",
            "items": {
                "A": {
                    "policy": "base_stock",
                    "S": 8,
                    "lead_time": {"dist": "gamma", "mean": 3.0, "sd": 1.5},
                }
            },
        },
        processing={"staff": 2, "time": {"dist": "exponential", "mean": 0.6}},
        delivery={
            "promise": 24,
            "default": "road",
            "modes": {"road": {"transit": {"dist": "lognormal", "mean": 5, "sd": 2}}},
        },
    )
    results = servsim.simulate(scenario)
    rows = []
    for log in results.logs:
        orders = log.orders
        ends = orders["delivered"].fillna(log.horizon).to_numpy()
        times = np.concatenate([orders["placed"].to_numpy(), ends])
        steps = np.concatenate([np.ones(len(orders)), -np.ones(len(orders))])
        order = np.argsort(times, kind="stable")
        in_system = np.cumsum(steps[order])
        window = (times[order] >= log.warmup) & (times[order] < log.horizon)
        durations = np.diff(np.append(times[order], log.horizon))
        level = float(np.dot(in_system[window], durations[window]) / (log.horizon - log.warmup))
        counted = orders[orders["placed"] >= log.warmup]
        rate = len(counted) / (log.horizon - log.warmup)
        sojourn = float((counted["delivered"] - counted["placed"]).mean())
        rows.append(level - rate * sojourn)
    difference = np.asarray(rows)
    half = 2.82 * difference.std(ddof=1) / np.sqrt(len(rows))  # t(0.995, 9)
    mean_level = 2.0 * float(results.kpis["cycle_mean"].mean())
    assert abs(difference.mean()) <= half + 0.01 * mean_level, (
        f"L - lambda W = {difference.mean():.4f} +- {half:.4f} (L about {mean_level:.2f})"
    )
