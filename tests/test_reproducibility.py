"""Same scenario and seed, same results; replications and policies share their random numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import servsim
from servsim import Scenario
from tests.conftest import SMALL_SHOP as SCENARIO

DEMAND_COLUMNS = ["replication", "order", "sku", "quantity"]
"""What a customer asked for, line by line (Results.lines); with ORDER_COLUMNS, all of demand."""
ORDER_COLUMNS = ["replication", "order", "placed", "segment", "quantity"]


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    path = tmp_path_factory.mktemp("scenario") / "shop.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    return servsim.load_scenario(path)


def kpi_values(results: servsim.Results) -> pd.DataFrame:
    """The KPIs proper: without the bookkeeping columns replication and seed."""
    return results.kpis.drop(columns=["replication", "seed"])


def test_same_seed_gives_identical_kpis_and_order_logs(scenario: Scenario) -> None:
    first = servsim.simulate(scenario, replications=3, seed=5)
    second = servsim.simulate(scenario, replications=3, seed=5)
    assert first.seed == second.seed == 5
    pd.testing.assert_frame_equal(first.kpis, second.kpis, check_exact=True)
    pd.testing.assert_frame_equal(first.orders, second.orders, check_exact=True)
    assert len(first.orders) > 100  # a real run, not two empty logs


def test_a_reloaded_scenario_gives_identical_results(scenario: Scenario) -> None:
    again = servsim.load_scenario(scenario.source_path)
    assert again == scenario
    pd.testing.assert_frame_equal(
        servsim.simulate(scenario, replications=2, seed=3).kpis,
        servsim.simulate(again, replications=2, seed=3).kpis,
        check_exact=True,
    )


def test_different_seeds_give_different_kpis(scenario: Scenario) -> None:
    five = servsim.simulate(scenario, replications=3, seed=5)
    six = servsim.simulate(scenario, replications=3, seed=6)
    assert (six.kpis["seed"] == 6).all()
    for column in ("orders", "cycle_mean", "cost_total", "processing_wait"):
        assert (five.kpis[column] != six.kpis[column]).all(), column
    assert not np.array_equal(five.orders["placed"], six.orders["placed"])


def test_replications_within_a_run_differ(scenario: Scenario) -> None:
    results = servsim.simulate(scenario, replications=3, seed=5)
    placed = [group["placed"].to_numpy() for _, group in results.orders.groupby("replication")]
    assert len(placed) == 3
    assert results.kpis["cycle_mean"].nunique() == 3
    assert not np.array_equal(placed[0][:50], placed[1][:50])


def test_replication_k_does_not_depend_on_how_many_run(scenario: Scenario) -> None:
    three = servsim.simulate(scenario, replications=3, seed=5)
    five = servsim.simulate(scenario, replications=5, seed=5)
    assert len(three.kpis) == 3
    assert len(five.kpis) == 5
    pd.testing.assert_frame_equal(three.kpis, five.kpis.iloc[:3], check_exact=True)
    for k in range(3):
        pd.testing.assert_series_equal(
            three.kpis.iloc[k], five.kpis.iloc[k], check_exact=True, check_names=False
        )
        pd.testing.assert_frame_equal(
            three.orders[three.orders["replication"] == k].reset_index(drop=True),
            five.orders[five.orders["replication"] == k].reset_index(drop=True),
            check_exact=True,
        )


@pytest.fixture(scope="module")
def fixed(scenario: Scenario) -> Scenario:
    """The shop with demand as a fixed stream: customers who do not respond to the service."""
    return scenario.with_overrides({"demand.customers": "none"})


def test_staffing_changes_see_identical_demand(fixed: Scenario) -> None:
    """Common random numbers: with a fixed demand stream, a policy change leaves the orders
    untouched."""
    scenario = fixed
    one_clerk = scenario.with_overrides({"processing.staff": 1})
    assert one_clerk.processing.staff == 1
    assert scenario.processing.staff == 2
    assert one_clerk.demand == scenario.demand

    two = servsim.simulate(scenario, replications=3, seed=5)
    one = servsim.simulate(one_clerk, replications=3, seed=5)
    pd.testing.assert_frame_equal(
        two.lines[DEMAND_COLUMNS], one.lines[DEMAND_COLUMNS], check_exact=True
    )
    pd.testing.assert_frame_equal(
        two.orders[ORDER_COLUMNS], one.orders[ORDER_COLUMNS], check_exact=True
    )
    # ...while the change itself has an effect: one clerk makes orders wait longer.
    assert (one.kpis["processing_wait"] > two.kpis["processing_wait"]).all()
    assert (one.kpis["staff_utilisation"] > two.kpis["staff_utilisation"]).all()


def test_stock_policy_changes_see_identical_demand(fixed: Scenario) -> None:
    scenario = fixed
    lean = scenario.with_overrides({"stocking.items.A.S": 20})
    full = servsim.simulate(scenario, replications=2, seed=5)
    starved = servsim.simulate(lean, replications=2, seed=5)
    pd.testing.assert_frame_equal(
        full.lines[DEMAND_COLUMNS], starved.lines[DEMAND_COLUMNS], check_exact=True
    )
    pd.testing.assert_frame_equal(
        full.orders[ORDER_COLUMNS], starved.orders[ORDER_COLUMNS], check_exact=True
    )
    assert (starved.kpis["unit_fill_rate"] < full.kpis["unit_fill_rate"]).all()


def test_seed_none_uses_the_scenarios_seed(scenario: Scenario) -> None:
    assert scenario.seed == 11
    default = servsim.simulate(scenario, replications=2, seed=None)
    explicit = servsim.simulate(scenario, replications=2, seed=scenario.seed)
    other = servsim.simulate(scenario, replications=2, seed=12)
    assert default.seed == 11
    assert (default.kpis["seed"] == 11).all()
    pd.testing.assert_frame_equal(default.kpis, explicit.kpis, check_exact=True)
    pd.testing.assert_frame_equal(default.orders, explicit.orders, check_exact=True)
    assert not kpi_values(default).equals(kpi_values(other))


def test_replications_none_uses_the_scenarios_count(scenario: Scenario) -> None:
    results = servsim.simulate(scenario, seed=5)
    assert len(results.kpis) == scenario.replications == 2


def test_zero_replications_are_refused(scenario: Scenario) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        servsim.simulate(scenario, replications=0)


def test_customers_see_the_same_offers_until_the_service_differs(scenario: Scenario) -> None:
    """Common random numbers with a customer base: every policy's customers start alike and
    meet the same candidate orders, so the orders placed before the first delivery are the
    same; after it, what differs is the customers' response to the service."""
    lean = scenario.with_overrides({"stocking.items.A.S": 20})
    full = servsim.simulate(scenario, replications=2, seed=5)
    starved = servsim.simulate(lean, replications=2, seed=5)
    first_delivery = min(full.orders["delivered"].min(), starved.orders["delivered"].min())
    early = [
        results.orders[results.orders["placed"] < first_delivery] for results in (full, starved)
    ]
    assert len(early[0]) > 10
    pd.testing.assert_frame_equal(
        early[0][ORDER_COLUMNS + ["customer"]].reset_index(drop=True),
        early[1][ORDER_COLUMNS + ["customer"]].reset_index(drop=True),
        check_exact=True,
    )
    assert not full.orders["placed"].equals(starved.orders["placed"])
