"""The trade-off in money (issue 13): revenue, margin and profit add up, credit terms cost and
pull orders, and sweeps, the optimizer and the exchange curve take profit as the objective to
raise."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest

import servsim
from servsim import report
from servsim.core.kpi_columns import COST_TERMS
from servsim.kpis.profit import NOT_PAID_IN_THE_WINDOW
from tests.conftest import SMALL_SHOP, STAGE_BASE
from tests.sweep_helpers import write_experiment
from tests.test_aftercare import paired


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> servsim.Scenario:
    path = tmp_path_factory.mktemp("shop") / "shop.yaml"
    path.write_text(SMALL_SHOP, encoding="utf-8")
    return servsim.load_scenario(path)


def test_profit_is_the_margin_less_every_cost_paid_in_the_window(shop: servsim.Scenario) -> None:
    kpis = servsim.simulate(shop, replications=2).kpis
    paid = sum(kpis[term] for term in COST_TERMS if term not in NOT_PAID_IN_THE_WINDOW)
    np.testing.assert_allclose(kpis["profit"], kpis["gross_margin"] - paid)
    np.testing.assert_allclose(kpis["profit_per_order"], kpis["profit"] / kpis["orders"])
    assert (kpis["revenue"] > kpis["gross_margin"]).all()
    assert (kpis["gross_margin"] > 0).all()


def credit(days: float, bad_debt: float = 0.0, pull: float = 0.0) -> servsim.Scenario:
    document = copy.deepcopy(STAGE_BASE) | {"horizon": 4000, "warmup": 400, "replications": 6}
    document["demand"] = {
        "arrivals": {"process": "poisson", "rate": 2.0},
        "mix": {"A": 1.0},
        "payment": {"days": days, "bad_debt": bad_debt, "frequency_per_day": pull},
        "customers": {"order_interval": "20d"},
    }
    document["costs"] = {"cost_of_capital": 0.1}
    return servsim.load_scenario(document)


def test_credit_days_cost_the_capital_they_tie_up_and_bad_debts() -> None:
    cash = servsim.simulate(credit(0)).kpis
    thirty = servsim.simulate(credit(30, bad_debt=0.01)).kpis
    expected = thirty["revenue"] * (30 * 0.1 / 365 + 0.01)
    np.testing.assert_allclose(thirty["cost_credit"], expected)
    assert (cash["cost_credit"] == 0).all()


def test_longer_terms_pull_more_orders_when_customers_value_them() -> None:
    plain = servsim.simulate(credit(30))
    pulling = servsim.simulate(credit(30, pull=0.01))
    assert paired(plain, pulling, "orders")[0] > 0
    assert paired(plain, pulling, "revenue")[0] > 0


# --- profit as the objective ----------------------------------------------------------------
PROFIT_SWEEP = """\
name: profit sweep
scenario: shop.yaml
parameters:
  processing.staff: [1, 2, 3]
  stocking.items.A.S: [40, 120]
replications: 3
seed: 5
objectives: {profit: profit_per_order, satisfaction: satisfaction_mean}
standards: {otif: {at_least: 0.5}}
out: results
"""


def test_a_sweep_raises_profit_when_it_is_the_objective(tmp_path: Any) -> None:
    results = servsim.sweep(write_experiment(tmp_path, PROFIT_SWEEP), executor="serial")
    assert results.cost == "profit_per_order"
    summary = results.summary
    best = results.best()
    assert best is not None
    checks = results.check()
    meeting = summary[checks["all_met"]]
    assert best["profit_per_order_mean"] == meeting["profit_per_order_mean"].max()
    frontier = results.frontier(indistinguishable=False)
    profits = frontier["profit_per_order_mean"].to_numpy()
    assert (np.diff(profits) <= 0).all()  # most profitable first
    assert frontier["profit_per_order_mean"].iloc[0] == summary["profit_per_order_mean"].max()
    figure = report.exchange_curve(results)
    assert "better is right" in figure.layout.title.text or "right" in str(figure.layout)


def test_the_optimizer_finds_the_most_profitable_point_a_grid_finds(tmp_path: Any) -> None:
    path = write_experiment(tmp_path, PROFIT_SWEEP)
    grid = servsim.sweep(path, executor="serial", out=tmp_path / "grid")
    best = grid.best()
    assert best is not None
    result = servsim.optimize(
        {
            "scenario": str(tmp_path / "shop.yaml"),
            "parameters": {
                "processing.staff": {"range": [1, 3], "integer": True},
                "stocking.items.A.S": [40, 120],
            },
            "objectives": {"profit": "profit_per_order"},
            "standards": {"otif": ">= 0.5"},
            "search": {"budget": 40, "replications": {"min": 3, "max": 3}, "final_check": 3},
            "seed": 5,
        },
        executor="serial",
    )
    assert result.winner is not None
    assert result.winner.parameters == {
        "processing.staff": int(best["processing.staff"]),
        "stocking.items.A.S": int(best["stocking.items.A.S"]),
    }


def test_an_objective_that_is_neither_a_cost_nor_a_profit_is_refused(tmp_path: Any) -> None:
    text = PROFIT_SWEEP.replace("profit: profit_per_order", "profit: orders")
    with pytest.raises(servsim.ScenarioError, match="neither better higher nor lower"):
        servsim.load_experiment(write_experiment(tmp_path, text))
