"""Shared test helpers: small single-stage scenarios and theory-vs-simulation checks."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

import servsim

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))

STAGE_BASE: dict[str, Any] = {
    "name": "one stage under study",
    "time_unit": "hours",
    "horizon": 2000,
    "warmup": 200,
    "replications": 10,
    "seed": 2024,
    "products": [{"sku": "A", "unit_cost": 10, "price": 15}],
    # demand as a fixed stream (customers: none): theory's arrivals ignore the service
    "demand": {
        "arrivals": {"process": "poisson", "rate": 1.0},
        "mix": {"A": 1.0},
        "quantity": 1,
        "customers": "none",
    },
    "stocking": "none",
    "processing": "none",
    "delivery": {"promise": 24, "modes": {"standard": {"transit": 0}}, "default": "standard"},
}


# A two-product shop, small enough for tests of the CLI and of reproducibility.
SMALL_SHOP = """\
name: Small test shop
time_unit: hours
horizon: 10d
warmup: 1d
replications: 2
seed: 11
products:
  - {sku: A, unit_cost: 20, price: 35}
  - {sku: B, unit_cost: 50, price: 80}
demand:
  arrivals: {process: poisson, rate: 2}
  mix: {A: 0.6, B: 0.4}
  quantity: {dist: poisson, mean: 1.5, min: 1}
stocking:
  stockout: backorder
  items:
    A: {policy: base_stock, S: 120, lead_time: 24h}
    B: {policy: sS, s: 60, S: 150, lead_time: {dist: gamma, mean: 2d, sd: 12h}}
processing:
  staff: 2
  time: {dist: exponential, mean: 0.3h}
delivery:
  promise: 48h
  modes:
    standard: {transit: {dist: lognormal, mean: 24h, sd: 6h}, cost_per_shipment: 6}
  default: standard
costs:
  holding_rate: 0.25
  order_cost: 40
  backorder_penalty: 2
  staff_wage: 30
"""


def stage_scenario(**sections: Any) -> servsim.Scenario:
    """A one-product scenario with every stage switched off except those given; its demand is
    a fixed stream (``customers: none``) unless a segment says otherwise, as theory assumes."""
    document = copy.deepcopy(STAGE_BASE)
    document.update(copy.deepcopy(sections))
    return servsim.load_scenario(fixed_demand(document))


def fixed_demand(document: dict[str, Any]) -> dict[str, Any]:
    """The scenario document with every segment that names no customers given none."""
    demand = document["demand"]
    for segment in demand.get("segments", {"all": demand}).values():
        segment.setdefault("customers", "none")
    return document


def assert_agrees(
    results: servsim.Results, kpi: str, theory: float, confidence: float = 0.99, slack: float = 0.0
) -> None:
    """The theoretical value lies in the replications' confidence interval for ``kpi``.

    ``slack`` widens the interval for a known, bounded bias (stated where it is used).
    """
    row = results.summary(confidence).loc[kpi]
    assert row["n"] >= 5, f"{kpi}: only {row['n']} replications measured it"
    assert row["lo"] - slack <= theory <= row["hi"] + slack, (
        f"{kpi}: theory {theory:.5f} outside the {confidence:.0%} interval "
        f"[{row['lo']:.5f}, {row['hi']:.5f}] (mean {row['mean']:.5f})"
    )


@pytest.fixture(params=SCENARIOS, ids=[path.stem for path in SCENARIOS])
def example_path(request: pytest.FixtureRequest) -> Path:
    return request.param
