"""The cues customers perceive the service by (issue 13, item 6), each a mechanism that moves
what customers feel and do: access (stock shown before ordering), trustworthiness (a delivery
guarantee that pays on lateness), competence (a promise based on actual stock).

Effects are paired differences over replications with common random numbers.
"""

from __future__ import annotations

import numpy as np
import pytest

import servsim
from tests.conftest import SMALL_SHOP
from tests.test_aftercare import paired

TIGHT = (
    SMALL_SHOP.replace("horizon: 10d", "horizon: 60d")
    .replace("replications: 2", "replications: 8")
    .replace(
        "A: {policy: base_stock, S: 120, lead_time: 24h}",
        "A: {policy: base_stock, S: 45, lead_time: 48h}",
    )
)
"""The small shop, short of sku A now and then: orders wait for it."""


@pytest.fixture(scope="module")
def tight(tmp_path_factory: pytest.TempPathFactory) -> servsim.Scenario:
    path = tmp_path_factory.mktemp("shop") / "shop.yaml"
    path.write_text(TIGHT, encoding="utf-8")
    return servsim.load_scenario(path)


RUNS: dict[str, servsim.Results] = {}


def run(scenario: servsim.Scenario) -> servsim.Results:
    """The scenario's results, simulated once per test session."""
    key = scenario.model_dump_json()
    if key not in RUNS:
        RUNS[key] = servsim.simulate(scenario)
    return RUNS[key]


def test_the_shop_runs_short_often_enough_to_matter(tight: servsim.Scenario) -> None:
    assert run(tight).summary().loc["order_fill_rate", "mean"] < 0.9


def test_access_customers_who_see_a_stock_out_decide_before_they_order(
    tight: servsim.Scenario,
) -> None:
    """Shown stock: fewer sales (some items are left out) but fewer disappointments."""
    shown = tight.with_overrides({"demand.sees_stock": {"buys_anyway": 0.3}})
    blind, seeing = run(tight), run(shown)
    assert paired(blind, seeing, "lost_sales_rate")[0] > 0
    assert paired(blind, seeing, "satisfaction_mean")[0] > 0
    assert paired(blind, seeing, "trust_mean")[0] > 0
    assert (seeing.orders["declined"] > 0).any()


def test_trustworthiness_a_guarantee_pays_late_orders_back_and_wins_them_back(
    tight: servsim.Scenario,
) -> None:
    late = {"delivery.modes.standard.reliability": 0.6, "delivery.modes.standard.late_by": "2d"}
    unreliable = tight.with_overrides(late)
    guaranteed = unreliable.with_overrides({"delivery.guarantee": {"refund": 0.5}})
    plain, covered = run(unreliable), run(guaranteed)
    assert (plain.kpis["cost_guarantee"] == 0).all()
    assert (covered.kpis["cost_guarantee"] > 0).all()
    assert paired(plain, covered, "satisfaction_mean")[0] > 0
    assert paired(plain, covered, "trust_mean")[0] > 0
    assert paired(plain, covered, "profit")[1] < 0  # the refunds cost money


def test_the_guarantee_pays_its_refund_on_every_late_order(tight: servsim.Scenario) -> None:
    guaranteed = tight.with_overrides(
        {
            "delivery.modes.standard.reliability": 0.6,
            "delivery.modes.standard.late_by": "2d",
            "delivery.guarantee": {"refund": 0.5, "after": "6h"},
        }
    )
    results = servsim.simulate(guaranteed, replications=1)
    orders = results.orders[results.orders["counted"]]
    late = orders[orders["delivered"] - orders["first_promise"] > 6]
    lines = results.lines[results.lines["order"].isin(late["order"])]
    price = lines["sku"].astype(str).map({p.sku: p.price for p in guaranteed.products})
    expected = 0.5 * float((lines["quantity"] * price.astype(float)).sum())
    assert results.kpis["cost_guarantee"].iloc[0] == pytest.approx(expected)


def test_competence_a_promise_from_stock_is_kept_and_told(tight: servsim.Scenario) -> None:
    quoting = tight.with_overrides({"delivery.quote_from_stock": True})
    usual, quoted = run(tight), run(quoting)
    assert paired(usual, quoted, "otif")[0] > 0
    assert paired(usual, quoted, "satisfaction_mean")[0] > 0
    waited = quoted.orders[quoted.orders["backordered"] > 0]
    assert waited["informed"].all()
    assert (waited["quoted"] > 0).mean() > 0.5
    assert np.all(quoted.orders["promised"] >= quoted.orders["first_promise"])
