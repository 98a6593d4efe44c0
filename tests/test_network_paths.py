"""Every location's parameters by dotted path: a sweep over a location's S moves its stock and
the fill rate as the exact two-echelon evaluation says, the optimizer finds the DC's cheapest S
meeting a standard (the one a grid and theory find), and a path the network lacks is refused."""

from __future__ import annotations

from typing import Any

import pytest

import servsim
from servsim.core.errors import ScenarioError
from servsim.stats import theory
from tests.test_network import RATE, _network_scenario

DC_LEAD_TIME, TRANSIT = 4.0, 1.0  # _network_scenario's defaults: the supplier's, the DC's leg


def _serial(**changes: Any) -> servsim.Scenario:
    """The serial DC -> shop system, with holding costs (the optimizer's objective)."""
    return _network_scenario(costs={"holding_rate": 1.0}, **changes)


def test_a_sweep_over_the_dcs_s_moves_stock_and_fill_rate_as_theory_says() -> None:
    """network.locations.dc.items.A.S swept: at every point the shop's fill rate and the
    network's on-hand (shop + DC) lie in their intervals around the exact values, which
    rise with the DC's S."""
    shop = 3
    values = [4, 8, 12]
    document = {
        "scenario": _serial(retailer_up_to=shop),
        "parameters": {"network.locations.dc.items.A.S": values},
        "replications": 8,
        "seed": 5,
        "confidence": 0.99,
    }
    summary = servsim.sweep(document).summary.set_index("network.locations.dc.items.A.S")
    expected: dict[str, list[float]] = {"unit_fill_rate": [], "avg_on_hand": []}
    for dc in values:
        exact = theory.one_warehouse_retailers_poisson(dc, shop, RATE, 1, DC_LEAD_TIME, TRANSIT)
        at_dc = theory.base_stock_poisson(dc, RATE * DC_LEAD_TIME)["avg_on_hand"]
        expected["unit_fill_rate"].append(exact["unit_fill_rate"])
        expected["avg_on_hand"].append(exact["avg_on_hand"] + at_dc)
    for kpi, wanted in expected.items():
        assert wanted == sorted(wanted) and wanted[0] < wanted[-1]  # more stock, more of both
        for dc, value in zip(values, wanted, strict=True):
            row = summary.loc[dc]
            assert row[f"{kpi}_lo"] <= value <= row[f"{kpi}_hi"], (
                kpi,
                dc,
                value,
                row[f"{kpi}_mean"],
            )
        means = [summary.loc[dc, f"{kpi}_mean"] for dc in values]
        assert summary.loc[values[0], f"{kpi}_hi"] < summary.loc[values[-1], f"{kpi}_lo"], means


def test_a_sweep_over_a_shops_s_and_a_regions_rule_by_dotted_path() -> None:
    """The shop's S moves the shop's on-hand and the fill rate up; the region's rule is set
    by its dotted path (split with a single location ships as primary: the same runs)."""
    document = {
        "scenario": _serial(warehouse_up_to=20, horizon=1500),
        "parameters": {
            "network.locations.shop0.items.A.S": [1, 4],
            "network.regions.r0.rule": ["primary", "split"],
        },
        "replications": 5,
        "seed": 7,
    }
    result = servsim.sweep(document)
    summary = result.summary.set_index(
        ["network.locations.shop0.items.A.S", "network.regions.r0.rule"]
    )
    for rule in ("primary", "split"):
        low, high = summary.loc[(1, rule)], summary.loc[(4, rule)]
        for kpi in ("unit_fill_rate", "avg_on_hand"):
            assert low[f"{kpi}_hi"] < high[f"{kpi}_lo"], kpi
        # the DC holds ample stock: the shop is a base stock with lead time TRANSIT
        for stock, row in ((1, low), (4, high)):
            fill = theory.base_stock_poisson(stock, RATE * TRANSIT)["unit_fill_rate"]
            assert row["unit_fill_rate_lo"] - 0.01 <= fill <= row["unit_fill_rate_hi"] + 0.01
    runs = result.runs.sort_values(["network.locations.shop0.items.A.S", "replication"])
    primary = runs[runs["network.regions.r0.rule"] == "primary"]["unit_fill_rate"].to_numpy()
    split = runs[runs["network.regions.r0.rule"] == "split"]["unit_fill_rate"].to_numpy()
    assert (primary == split).all()


def test_the_optimizer_finds_the_dcs_cheapest_s_that_a_grid_and_theory_find() -> None:
    """The DC's S searched for the cheapest holding cost with the shop's fill rate >= 0.74:
    theory's answer (10; 9 fills 0.717, 10 fills 0.772), the grid's, and the optimizer's."""
    shop, target = 4, 0.74

    def fill(dc: int) -> float:
        exact = theory.one_warehouse_retailers_poisson(dc, shop, RATE, 1, DC_LEAD_TIME, TRANSIT)
        return exact["unit_fill_rate"]

    answer = next(dc for dc in range(0, 15) if fill(dc) >= target)
    assert fill(answer) - target > 0.02 and target - fill(answer - 1) > 0.02  # a fair test
    scenario = _serial(retailer_up_to=shop, horizon=1500)
    parameter = "network.locations.dc.items.A.S"
    common: dict[str, Any] = {
        "scenario": scenario,
        "standards": {"unit_fill_rate": f">= {target}"},
        "objectives": {"cost": "cost_holding"},
        "seed": 9,
    }
    grid = servsim.sweep(
        {**common, "parameters": {parameter: list(range(6, 15))}, "replications": 6}
    )
    best = grid.best()
    assert best is not None and best[parameter] == answer
    found = servsim.optimize(
        {
            **common,
            "parameters": {parameter: {"range": [0, 14], "integer": True}},
            "search": {"budget": 80, "replications": {"min": 3, "max": 8}, "final_check": 6},
        },
        workers=1,
    )
    assert found.winner is not None, found.message()
    assert found.winner.parameters == {parameter: answer}
    assert found.runs_spent < 15 * 8


@pytest.mark.parametrize(
    ("path", "said"),
    [
        ("network.locations.DC.items.A.S", "no location 'DC' (did you mean 'dc'?); it has dc"),
        ("network.locations.dc.items.Z.S", "network.locations.dc.items has no sku 'Z'; it has A"),
        ("network.regions.r9.rule", "network.regions has no region 'r9'; it has r0"),
        ("network.suppliers.acme.capacity", "network.suppliers has no supplier 'acme'"),
    ],
)
def test_a_path_the_network_lacks_is_one_clear_error(path: str, said: str) -> None:
    with pytest.raises(ScenarioError) as raised:
        _serial().with_overrides({path: 5})
    assert len(raised.value.problems) == 1
    problem = raised.value.problems[0]
    assert problem.path == path and said in problem.message, problem.message
