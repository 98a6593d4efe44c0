"""After the sale: theory where it has an answer, each mechanism's direction beyond noise,
and the books with returns and replacements (issue 4)."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import servsim
from servsim.kpis.books import unbalanced_books
from servsim.stats import theory
from tests.conftest import STAGE_BASE, assert_agrees

# A shop with every after-sale part switched on, small enough to run in a second or two.
RICH: dict[str, Any] = {
    "name": "after-sales shop",
    "time_unit": "hours",
    "horizon": "40d",
    "warmup": "5d",
    "replications": 8,
    "seed": 5,
    "products": [
        {"sku": "A", "unit_cost": 20, "price": 35},
        {
            "sku": "B",
            "unit_cost": 300,
            "price": 500,
            "install": True,
            "warranty": {"period": "90d", "failure": 0.2},
        },
    ],
    "channels": {"web": {"wrong_item": 0.03, "wrong_invoice": 0.04}},
    "demand": {
        "segments": {
            "homes": {
                "arrivals": {"process": "poisson", "rate": 2},
                "mix": {"A": 0.8, "B": 0.2},
                "quantity": {"dist": "poisson", "mean": 1.5, "min": 1},
                "channels": {"web": 1},
                "customers": {
                    "base": 400,
                    "defection": {"dissatisfied": 0.4, "satisfied": 0.01},
                    "acquisition": {"rate": 0.05, "word_of_mouth": 2, "reference": 0.8},
                },
            }
        }
    },
    "stocking": {
        "stockout": "backorder",
        "items": {
            "A": {"policy": "base_stock", "S": 160, "lead_time": "24h"},
            "B": {"policy": "base_stock", "S": 30, "lead_time": "48h"},
        },
    },
    "processing": {"staff": 2, "time": {"dist": "exponential", "mean": "0.3h"}},
    "delivery": {
        "promise": "48h",
        "modes": {
            "standard": {
                "transit": {"dist": "lognormal", "mean": "24h", "sd": "6h"},
                "cost_per_shipment": 6,
                "reliability": 0.8,
                "late_by": {"dist": "exponential", "mean": "24h"},
                "damage": 0.05,
                "damage_cost": 10,
            }
        },
        "default": "standard",
    },
    "notices": {"policy": "none", "cost": 0.1},
    "complaints": {
        "chance": {
            "base": 0.01,
            "late": 0.3,
            "per_day_late": 0.1,
            "incomplete": 0.2,
            "damaged": 0.5,
            "wrong_item": 0.6,
            "wrong_invoice": 0.3,
            "uninformed": 0.2,
        },
        "after": {"dist": "exponential", "mean": "6h"},
        "support": {"staff": 1, "wage": 25},
        "time": {"dist": "exponential", "mean": "1h"},
        "claims": {"share": 0.3, "compensation": 10, "of_order_value": 0.1},
    },
    "returns": {
        "base": 0.03,
        "after": {"dist": "exponential", "mean": "2d"},
        "transit": {"dist": "lognormal", "mean": "3d", "sd": "1d"},
        "restock": 0.8,
        "cost_per_return": 8,
    },
    "installation": {
        "technicians": {"staff": 2, "wage": 30},
        "travel": {"dist": "exponential", "mean": "1h"},
        "work": {"dist": "exponential", "mean": "2h"},
        "snag": 0.15,
        "repair_cost": 40,
    },
    "costs": {"holding_rate": 0.25, "order_cost": 40, "staff_wage": 30},
}


def rich(**changes: Any) -> servsim.Scenario:
    """The after-sales shop with dotted-path changes."""
    return servsim.load_scenario(copy.deepcopy(RICH)).with_overrides(changes)


def paired(low: servsim.Results, high: servsim.Results, kpi: str) -> tuple[float, float]:
    """95% interval of the mean paired difference high - low over replications."""
    difference = high.kpis[kpi] - low.kpis[kpi]
    half = stats.t.ppf(0.975, len(difference) - 1) * difference.std(ddof=1)
    half /= np.sqrt(len(difference))
    return difference.mean() - half, difference.mean() + half


@pytest.fixture(scope="module")
def baseline() -> servsim.Results:
    return servsim.simulate(rich())


# --- the books ------------------------------------------------------------------------------
@pytest.mark.parametrize("stockout", ["backorder", "partial", "lost"])
def test_books_balance_with_returns_replacements_and_restocking(stockout: str) -> None:
    scenario = rich(**{"stocking.stockout": stockout, "returns.base": 0.2})
    results = servsim.simulate(scenario, replications=2)
    for log in results.logs:
        assert unbalanced_books(log, scenario) == []
        assert (log.returns["replacement"] >= 0).any()
        assert log.restocks["units"].sum() > 0
        assert (~log.returns["restocked"]).any()  # some scrapped


def test_every_after_sale_kpi_and_cost_is_measured(baseline: servsim.Results) -> None:
    means = baseline.kpis.mean()
    for kpi in ("complaint_rate", "claim_rate", "return_rate", "snag_rate", "repair_rate"):
        assert 0 < means[kpi] < 1, kpi
    for kpi in ("resolution_time_mean", "resolution_time_p90", "install_wait_mean"):
        assert means[kpi] > 0, kpi
    for cost in ("cost_returns_claims", "cost_aftercare_labour", "cost_goodwill"):
        assert means[cost] > 0, cost
    assert means["retention_rate"] > 0 and means["churned_customers"] > 0


def test_shortfalls_add_up_to_what_each_order_lost(baseline: servsim.Results) -> None:
    orders = baseline.orders.dropna(subset=["satisfaction"])
    lost = orders.filter(like="shortfall_").sum(axis=1)
    np.testing.assert_allclose(lost, 1 - orders["satisfaction"], atol=1e-12)
    assert (orders["shortfall_tangibles"][orders["damaged"]] > 0).all()


# --- theory ---------------------------------------------------------------------------------
def _support_desk(staff: int) -> servsim.Scenario:
    """Poisson orders, each complained of with probability 0.5 at delivery: Poisson
    complaints at rate 2 per hour to ``staff`` agents with exponential handling (mean 1h)."""
    document = copy.deepcopy(STAGE_BASE)
    document["demand"]["arrivals"]["rate"] = 4.0
    document["complaints"] = {
        "chance": {"base": 0.5},
        "support": {"staff": staff},
        "time": {"dist": "exponential", "mean": 1.0},
    }
    return servsim.load_scenario(document)


def test_a_support_pool_with_poisson_complaints_agrees_with_erlang_c() -> None:
    results = servsim.simulate(_support_desk(staff=3))
    wait = theory.mmc_mean_wait(2.0, 1.0, 3)
    assert_agrees(results, "resolution_time_mean", wait + 1.0)
    assert_agrees(results, "complaint_rate", 0.5)


def test_more_support_staff_resolve_complaints_sooner() -> None:
    three = servsim.simulate(_support_desk(staff=3), replications=6)
    four = servsim.simulate(_support_desk(staff=4), replications=6)
    assert paired(three, four, "resolution_time_mean")[1] < 0
    assert paired(three, four, "resolution_time_p90")[1] < 0


def test_a_constant_defection_chance_gives_a_geometric_customer_lifetime() -> None:
    """Each order ends a customer's life with p = 0.2: orders per customer ~ Geometric(0.2),
    mean 5; the horizon (40 lifetimes) sees out every customer of the first day."""
    document = copy.deepcopy(STAGE_BASE)
    document["demand"]["arrivals"]["rate"] = 20.0
    document["demand"]["customers"] = {
        "base": 200,
        "defection": {"dissatisfied": 0.2, "satisfied": 0.2},
        "acquisition": {"rate": 0},
    }
    results = servsim.simulate(servsim.load_scenario(document))
    lifetimes = [log.customers["orders"] for log in results.logs]
    assert all(log.customers["left"].notna().all() for log in results.logs)
    means = pd.Series([orders.mean() for orders in lifetimes])
    half = stats.t.ppf(0.995, len(means) - 1) * means.std(ddof=1) / np.sqrt(len(means))
    assert abs(means.mean() - 5.0) <= half
    singles = pd.Series([(orders == 1).mean() for orders in lifetimes])
    half = stats.t.ppf(0.995, len(singles) - 1) * singles.std(ddof=1) / np.sqrt(len(singles))
    assert abs(singles.mean() - 0.2) <= half


# --- each mechanism in its direction, beyond noise ------------------------------------------
def test_notices_of_delay_lower_complaints_and_inform_the_customer(
    baseline: servsim.Results,
) -> None:
    told = servsim.simulate(rich(**{"notices.policy": "on_delay"}))
    assert paired(baseline, told, "complaint_rate")[1] < 0
    # without notices no customer can be told: not modelled, so NaN rather than 0
    assert baseline.kpis["notified_delay_rate"].isna().all()
    assert told.summary().at["notified_delay_rate", "lo"] > 0.5
    assert paired(baseline, told, "cost_service_programs")[0] > 0
    assert paired(baseline, told, "satisfaction_mean")[0] > 0


def test_poorer_packaging_raises_damage_returns_and_complaints(
    baseline: servsim.Results,
) -> None:
    poorer = servsim.simulate(rich(**{"delivery.modes.standard.damage": 0.2}))
    for kpi in ("damage_rate", "return_rate", "complaint_rate", "cost_returns_claims"):
        assert paired(baseline, poorer, kpi)[0] > 0, kpi
    assert paired(baseline, poorer, "satisfaction_mean")[1] < 0


def test_education_lowers_entry_errors_complaints_and_snags(baseline: servsim.Results) -> None:
    taught = servsim.simulate(
        rich(
            programs={
                "training": {
                    "cost": 100,
                    "period": "7d",
                    "entry_errors": 0.3,
                    "complaints": 0.5,
                    "snags": 0.3,
                }
            }
        )
    )
    for kpi in ("wrong_item_rate", "invoice_error_rate", "complaint_rate", "snag_rate"):
        assert paired(baseline, taught, kpi)[1] < 0, kpi
    expected = 100 * (taught.logs[0].horizon - taught.logs[0].warmup) / 168
    assert taught.kpis["cost_service_programs"].min() >= expected


def test_poorer_service_loses_customers_and_later_demand(baseline: servsim.Results) -> None:
    late = {"dist": "exponential", "mean": "5d"}  # 70% of deliveries late, days late
    poorer = servsim.simulate(
        rich(
            **{"delivery.modes.standard.reliability": 0.3, "delivery.modes.standard.late_by": late}
        )
    )
    assert paired(baseline, poorer, "satisfaction_mean")[1] < 0
    assert paired(baseline, poorer, "retention_rate")[1] < 0
    assert paired(baseline, poorer, "churned_customers")[0] > 0
    assert paired(baseline, poorer, "cost_goodwill")[0] > 0
    assert paired(baseline, poorer, "orders")[1] < 0  # fewer orders later in the run
