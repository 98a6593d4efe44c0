"""Stock-out rules: substitutes, postponement, and rules per segment and per sku."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest
import yaml

import servsim
from servsim.kpis.books import unbalanced_books
from tests.conftest import STAGE_BASE, stage_scenario

PRODUCTS = [
    {"sku": "A", "unit_cost": 10, "price": 15},
    {"sku": "A2", "unit_cost": 11, "price": 16},
    {"sku": "B", "unit_cost": 20, "price": 30},
]
LEAN = {"policy": "base_stock", "S": 3, "lead_time": {"dist": "gamma", "mean": 4, "sd": 1}}
AMPLE = {"policy": "base_stock", "S": 12, "lead_time": {"dist": "gamma", "mean": 4, "sd": 1}}


def _shop(stocking_extra: dict, segments: dict | None = None) -> servsim.Scenario:
    demand = segments or {
        "arrivals": {"process": "poisson", "rate": 1.0},
        "mix": {"A": 0.7, "B": 0.3},
    }
    stocking = {"stockout": "lost", "items": {"A": LEAN, "A2": AMPLE, "B": LEAN}}
    stocking.update(stocking_extra)
    return stage_scenario(
        horizon=1500, warmup=100, products=PRODUCTS, demand=demand, stocking=stocking
    )


def _paired_interval(difference: np.ndarray) -> tuple[float, float]:
    half = 2.262 * difference.std(ddof=1) / np.sqrt(difference.size)  # t(0.975, 9)
    return difference.mean() - half, difference.mean() + half


def _balanced(results: servsim.Results) -> None:
    for log in results.logs:
        assert unbalanced_books(log, results.scenario) == []


def test_substitutes_raise_in_full_at_the_price_of_concessions() -> None:
    offer = {"substitutes": {"A": [{"sku": "A2", "acceptance": 0.8, "price_difference": 1.5}]}}
    plain = servsim.simulate(_shop({}))
    offered = servsim.simulate(_shop(offer))
    _balanced(offered)
    assert (offered.kpis["orders"] == plain.kpis["orders"]).all()  # same customers
    low, _ = _paired_interval((offered.kpis["otif"] - plain.kpis["otif"]).to_numpy())
    assert low > 0
    _, high = _paired_interval(
        (offered.kpis["lost_sales_rate"] - plain.kpis["lost_sales_rate"]).to_numpy()
    )
    assert high < 0
    assert (offered.kpis["substitution_rate"] > 0).all()
    assert (offered.kpis["substituted_order_rate"] >= offered.kpis["substitution_rate"]).all()
    assert plain.kpis["substitution_rate"].isna().all()  # no substitutes: not modelled
    lines = offered.lines
    served = lines[lines["substituted"] > 0]
    assert set(served["sku"]) == {"A"} and set(served["substitute"]) == {"A2"}
    expected_cost = 1.5 * offered.lines.groupby("replication")["substituted"].sum()
    counted = offered.kpis.set_index("replication")["cost_substitution"]
    assert (counted <= expected_cost + 1e-9).all() and (counted > 0).all()


def test_postponement_lowers_lost_sales_and_customers_accept_at_the_stated_rate() -> None:
    postpone = {"stockout": "postpone", "postponement": {"acceptance": 0.7, "delay": 48}}
    lost = servsim.simulate(_shop({}))
    asked = servsim.simulate(_shop(postpone))
    _balanced(asked)
    _, high = _paired_interval(
        (asked.kpis["lost_sales_rate"] - lost.kpis["lost_sales_rate"]).to_numpy()
    )
    assert high < 0
    orders = asked.orders
    postponed, cancelled = int(orders["postponed"].sum()), int(orders["cancelled"].sum())
    share = postponed / (postponed + cancelled)
    assert abs(share - 0.7) < 3 * np.sqrt(0.7 * 0.3 / (postponed + cancelled))
    moved = orders[orders["postponed"]]
    assert np.allclose(moved["promised"] - moved["placed"], 24 + 48)
    assert (
        orders.loc[orders["cancelled"] & (orders["lines"] == 1), "outcome"] == "cancelled"
    ).all()


def test_rules_per_segment_and_per_sku() -> None:
    segments = {
        "segments": {
            "consumers": {
                "arrivals": {"process": "poisson", "rate": 0.7},
                "mix": {"A": 0.7, "B": 0.3},
            },
            "key_accounts": {
                "arrivals": {"process": "poisson", "rate": 0.3},
                "mix": {"A": 0.7, "B": 0.3},
                "stockout": "backorder",
            },
        }
    }
    items = {"A": LEAN, "A2": AMPLE, "B": {**LEAN, "stockout": "backorder"}}
    results = servsim.simulate(_shop({"items": items}, segments), replications=4)
    _balanced(results)
    lines = results.lines.merge(
        results.orders[["replication", "order", "segment"]], on=["replication", "order"]
    )
    lost = lines.groupby(["segment", "sku"], observed=True)["lost"].sum()
    assert lost[("consumers", "A")] > 0  # the default rule: lost
    assert lost[("consumers", "B")] == 0  # the sku's rule: backorder
    assert lost[("key_accounts", "A")] == 0  # the segment's rule beats the default


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        (
            {"substitutes": {"A": [{"sku": "Z", "acceptance": 0.5}]}},
            "stocking.substitutes.A.0.sku",
            ["'Z' is not another stocked product"],
        ),
        (
            {"substitutes": {"A": [{"sku": "A2", "acceptance": 1.5}]}},
            "stocking.substitutes.A.0.acceptance",
            ["<= 1", "1.5"],
        ),
        ({"stockout": "postpone"}, "stocking", ["postponement: {acceptance"]),
        (
            {"stockout": "postpone", "postponement": {"acceptance": -0.1, "delay": 24}},
            "stocking.postponement.acceptance",
            [">= 0", "-0.1"],
        ),
    ],
    ids=["unknown-substitute", "acceptance-above-1", "postpone-without-terms", "negative-prob"],
)
def test_bad_stockout_settings_are_located(
    tmp_path: Path, change: dict, path: str, words: list[str]
) -> None:
    document = copy.deepcopy(STAGE_BASE)
    document["products"] = PRODUCTS
    document["demand"] = {"arrivals": {"process": "poisson", "rate": 1.0}, "mix": {"A": 1.0}}
    document["stocking"] = {"stockout": "lost", "items": {"A": LEAN, "A2": AMPLE, "B": LEAN}}
    document["stocking"].update(change)
    file = tmp_path / "shop.yaml"
    file.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    with pytest.raises(servsim.ScenarioError) as caught:
        servsim.load_scenario(file)
    problem = caught.value.problems[0]
    assert problem.path == path, str(caught.value)
    assert problem.line is not None
    for word in words:
        assert word in problem.message, problem.message


def test_reservation_raises_a_tiers_fill_rate_at_the_others_expense() -> None:
    segments = {
        "segments": {
            "consumers": {"arrivals": {"process": "poisson", "rate": 0.7}, "mix": {"A": 1.0}},
            "trade": {
                "arrivals": {"process": "poisson", "rate": 0.3},
                "mix": {"A": 1.0},
                "tier": "exceptional",
            },
        }
    }
    kept = {**AMPLE, "S": 6, "reserve": {"units": 3, "for_tier": "exceptional"}}
    shared = servsim.simulate(_shop({"items": {"A": {**AMPLE, "S": 6}}}, segments))
    reserved = servsim.simulate(_shop({"items": {"A": kept}}, segments))
    _balanced(reserved)

    def fill(results: servsim.Results, segment: str) -> np.ndarray:
        table = results.kpis_by("segment")
        return table.loc[table["segment"] == segment, "unit_fill_rate"].to_numpy()

    trade_low, _ = _paired_interval(fill(reserved, "trade") - fill(shared, "trade"))
    _, consumers_high = _paired_interval(fill(reserved, "consumers") - fill(shared, "consumers"))
    assert trade_low > 0 and consumers_high < 0


def test_emergency_orders_cut_backorders_at_a_premium() -> None:
    slow = {"policy": "base_stock", "S": 10, "lead_time": {"dist": "gamma", "mean": 12, "sd": 3}}
    emergency = {"trigger": 2, "quantity": 6, "lead_time": 1, "order_cost": 25, "unit_premium": 3}
    demand = {"arrivals": {"process": "poisson", "rate": 1.0}, "mix": {"A": 1.0}}
    plain = servsim.simulate(_shop({"stockout": "backorder", "items": {"A": slow}}, demand))
    rushed = servsim.simulate(
        _shop({"stockout": "backorder", "items": {"A": {**slow, "emergency": emergency}}}, demand)
    )
    _balanced(rushed)
    low, _ = _paired_interval(
        (rushed.kpis["unit_fill_rate"] - plain.kpis["unit_fill_rate"]).to_numpy()
    )
    assert low > 0
    assert (rushed.kpis["cost_emergency"] > 0).all() and (plain.kpis["cost_emergency"] == 0).all()
    orders = rushed.replenishments[rushed.replenishments["emergency"]]
    assert (orders["quantity"] == 6).all() and np.allclose(orders["arrives"] - orders["ordered"], 1)
    for _, mine in orders.groupby("replication"):  # one emergency order at a time
        assert (mine["ordered"].to_numpy()[1:] >= mine["arrives"].to_numpy()[:-1]).all()
