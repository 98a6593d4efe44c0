"""Every order and every unit is accounted for at the end of every run."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

import servsim
from servsim.kpis.books import unbalanced_books
from tests.conftest import stage_scenario

POLICIES = {
    "base_stock": {
        "policy": "base_stock",
        "S": 6,
        "lead_time": {"dist": "gamma", "mean": 4, "sd": 2},
    },
    "sS": {"policy": "sS", "s": 3, "S": 12, "lead_time": {"dist": "exponential", "mean": 4}},
    "rQ": {"policy": "rQ", "r": 4, "Q": 5, "lead_time": {"dist": "uniform", "low": 1, "high": 8}},
    "RS": {"policy": "RS", "review": 6, "S": 20, "lead_time": 3},
}


def _assert_balanced(results: servsim.Results) -> None:
    for replication, log in enumerate(results.logs):
        problems = unbalanced_books(log, results.scenario)
        assert problems == [], f"replication {replication}: {problems}"


def test_example_scenarios_balance_their_books(example_path: Path) -> None:
    scenario = servsim.load_scenario(example_path)
    _assert_balanced(servsim.simulate(scenario, replications=2))


@pytest.mark.parametrize("stockout", ["backorder", "partial", "lost"])
@pytest.mark.parametrize("policy", list(POLICIES))
def test_every_policy_and_stockout_rule_balances(policy: str, stockout: str) -> None:
    scenario = stage_scenario(
        horizon=400,
        warmup=40,
        demand={
            "arrivals": {"process": "poisson", "rate": 1.0},
            "mix": {"A": 1.0},
            "quantity": {"dist": "poisson", "mean": 1.5, "min": 1},
        },
        stocking={"stockout": stockout, "items": {"A": POLICIES[policy]}},
        processing={"staff": 1, "time": {"dist": "exponential", "mean": 0.8}},
        delivery={
            "promise": 8,
            "default": "van",
            "modes": {"van": {"transit": {"dist": "triangular", "low": 1, "mode": 2, "high": 6}}},
        },
    )
    results = servsim.simulate(scenario, replications=3)
    _assert_balanced(results)
    outcomes = results.orders["outcome"].value_counts()
    assert outcomes.sum() == len(results.orders)
    if stockout == "lost":
        assert results.kpis["lost_sales_rate"].max() > 0  # shortages happened and were lost


def test_partial_shipments_split_orders_that_find_too_little_stock() -> None:
    scenario = stage_scenario(
        horizon=400,
        warmup=0,
        demand={
            "arrivals": {"process": "poisson", "rate": 1.0},
            "mix": {"A": 1.0},
            "quantity": {"dist": "poisson", "mean": 3, "min": 1},
        },
        stocking={"stockout": "partial", "items": {"A": POLICIES["base_stock"]}},
    )
    orders = servsim.simulate(scenario, replications=1).orders
    split = orders[(orders["filled"] > 0) & (orders["backordered"] > 0)]
    assert not split.empty
    assert (split.loc[split["outcome"] == "delivered", "shipments"] == 2).all()


def test_the_books_check_catches_a_missing_shipment() -> None:
    scenario = stage_scenario(
        stocking={"stockout": "backorder", "items": {"A": POLICIES["base_stock"]}}
    )
    log = servsim.simulate(scenario, replications=1).logs[0]
    shipments = log.tables.shipments
    without_first = shipments.rows(np.arange(1, len(shipments)))
    tampered = dataclasses.replace(
        log, tables=dataclasses.replace(log.tables, shipments=without_first)
    )
    assert unbalanced_books(log, scenario) == []
    assert any("shipped" in problem for problem in unbalanced_books(tampered, scenario))
