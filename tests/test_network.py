"""A network of stock locations: two-echelon theory, risk pooling, supplier disruptions, every
network parameter moving its KPIs, the sourcing rules, and bad input reported in one pass."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner

import servsim
from servsim.cli import main
from servsim.stats import theory
from tests.conftest import ROOT, assert_agrees, stage_scenario

RATE = 2.0
"""Orders (of one unit) a day at each retailer."""


def _network_scenario(
    retailers: int = 1,
    warehouse_up_to: int = 8,
    retailer_up_to: int = 3,
    warehouse_lead_time: float = 4.0,
    transit: float = 1.0,
    supplier: dict[str, Any] | None = None,
    horizon: float = 3000,
    **extra: Any,
) -> servsim.Scenario:
    """One warehouse (dc) fed by a supplier, ``retailers`` shops fed by it, each serving its
    own segment (region) of Poisson demand: the textbook one-warehouse N-retailer system."""
    names = [f"shop{i}" for i in range(retailers)]
    segments = {
        f"seg{i}": {
            "arrivals": {"process": "poisson", "rate": RATE},
            "mix": {"A": 1.0},
            "quantity": 1,
            "customers": "none",
        }
        for i in range(retailers)
    }
    locations: dict[str, Any] = {
        "dc": {
            "source": "maker",
            "items": {
                "A": {
                    "policy": "base_stock",
                    "S": warehouse_up_to,
                    "lead_time": warehouse_lead_time,
                }
            },
        }
    }
    for name in names:
        locations[name] = {
            "source": "dc",
            "items": {"A": {"policy": "base_stock", "S": retailer_up_to, "lead_time": transit}},
        }
    regions = {
        f"r{i}": {"segments": [f"seg{i}"], "locations": [name]} for i, name in enumerate(names)
    }
    network = {"suppliers": {"maker": supplier or {}}, "locations": locations, "regions": regions}
    document: dict[str, Any] = {
        "time_unit": "days",
        "horizon": horizon,
        "warmup": 100,
        "demand": {"segments": segments},
        "stocking": {"stockout": "backorder"},
        "network": network,
    }
    for path, value in extra.items():
        _put(document, path.split("__"), value)
    return stage_scenario(**document)


def _put(document: dict[str, Any], path: list[str], value: Any) -> None:
    for key in path[:-1]:
        document = document.setdefault(key, {})
    document[path[-1]] = value


def _location(results: servsim.Results, location: str) -> servsim.Results:
    """Results whose summary is one location's (for assert_agrees)."""
    table = results.kpis_by("location")
    rows = table[table["location"] == location].reset_index(drop=True)
    rows = rows.drop(columns=["location"]).assign(seed=0)
    return _Summary(results, rows)  # type: ignore[return-value]


class _Summary:
    def __init__(self, results: servsim.Results, kpis: Any) -> None:
        self._results = results
        self.kpis = kpis

    def summary(self, confidence: float = 0.95) -> Any:
        from servsim.stats.confidence import summarize

        return summarize(self.kpis.drop(columns=["replication", "seed"]), confidence)


# --- theory ---------------------------------------------------------------------------------
def test_serial_two_echelon_base_stock_matches_the_exact_evaluation() -> None:
    """Retailer fill rate, backorders and on hand agree with the exact serial result: the
    warehouse's backorders delay the retailer's orders (net inventory S1 - B0 - D1)."""
    results = servsim.simulate(_network_scenario())
    exact = theory.one_warehouse_retailers_poisson(8, 3, RATE, 1, 4.0, 1.0)
    assert_agrees(results, "unit_fill_rate", exact["unit_fill_rate"])
    assert_agrees(results, "avg_backorders", exact["avg_backorders"])
    assert_agrees(_location(results, "shop0"), "avg_on_hand", exact["avg_on_hand"])
    assert_agrees(_location(results, "dc"), "avg_owed", exact["warehouse_backorders"])
    # the upstream shortage matters: without it the retailer would fill far more
    alone = theory.base_stock_poisson(3, RATE * 1.0)["unit_fill_rate"]
    assert results.summary().loc["unit_fill_rate", "hi"] < alone - 0.05


def test_one_warehouse_three_retailers_matches_axsater_and_metric_errs_low() -> None:
    """N identical retailers: each retailer's backorders agree with the exact evaluation;
    METRIC (mean warehouse delay only) understates them, outside the interval."""
    scenario = _network_scenario(retailers=3, warehouse_up_to=20, retailer_up_to=4)
    results = servsim.simulate(scenario)
    exact = theory.one_warehouse_retailers_poisson(20, 4, RATE, 3, 4.0, 1.0)
    metric = theory.metric_retailer_backorders(4, RATE, 1.0, exact["warehouse_delay"])
    assert_agrees(results, "unit_fill_rate", exact["unit_fill_rate"])
    for shop in ("shop0", "shop1", "shop2"):
        here = _location(results, shop)
        assert_agrees(here, "avg_backorders", exact["avg_backorders"])
        assert metric < here.summary().loc["avg_backorders", "lo"]


def test_risk_pooling_lowers_safety_stock_by_the_square_root_of_n() -> None:
    """Four regions with their own stock against one central stock at the same fill rate:
    the safety stock (mean net inventory) falls by about sqrt(4) = 2."""
    mean, z, regions = 100.0, 1.3, 4  # lead-time demand of a region: Poisson(100), near normal
    own = round(mean + z * math.sqrt(mean))
    central = round(regions * mean + z * math.sqrt(regions * mean))

    def configuration(up_to: list[int], served_by: list[str]) -> servsim.Scenario:
        locations = {
            f"wh{i}": {
                "source": "maker",
                "items": {"A": {"policy": "base_stock", "S": s, "lead_time": mean / RATE}},
            }
            for i, s in enumerate(up_to)
        }
        return stage_scenario(
            time_unit="days",
            horizon=2500,
            warmup=100,
            demand={
                "segments": {
                    f"seg{i}": {
                        "arrivals": {"process": "poisson", "rate": RATE},
                        "mix": {"A": 1.0},
                        "quantity": 1,
                    }
                    for i in range(regions)
                }
            },
            stocking={"stockout": "backorder"},
            network={
                "suppliers": {"maker": {}},
                "locations": locations,
                "regions": {
                    f"r{i}": {"segments": [f"seg{i}"], "locations": [served_by[i]]}
                    for i in range(regions)
                },
            },
        )

    apart = servsim.simulate(configuration([own] * regions, [f"wh{i}" for i in range(4)]))
    pooled = servsim.simulate(configuration([central], ["wh0"] * regions))
    fill = [r.summary().loc["unit_fill_rate", "mean"] for r in (apart, pooled)]
    assert abs(fill[0] - fill[1]) < 0.02
    safety = [(r.kpis["avg_on_hand"] - r.kpis["avg_backorders"]).mean() for r in (apart, pooled)]
    assert safety[0] / safety[1] == pytest.approx(math.sqrt(regions), rel=0.15)


def test_supplier_outages_match_the_two_state_availability_and_lower_the_fill_rate() -> None:
    up, down = 30.0, 10.0
    outages = {
        "outages": {
            "time_to_failure": {"dist": "exponential", "mean": up},
            "duration": {"dist": "exponential", "mean": down},
        }
    }
    steady = servsim.simulate(_network_scenario(), seed=5)
    faltering = servsim.simulate(_network_scenario(supplier=outages), seed=5)
    assert_agrees(faltering, "supplier_availability", up / (up + down))
    assert_agrees(faltering, "disruption_time", 2900 * down / (up + down))
    assert steady.summary().loc["supplier_availability", "mean"] == 1.0
    _moves(steady, faltering, "unit_fill_rate", -1)


# --- every parameter moves the KPIs it should -------------------------------------------------
def _moves(before: servsim.Results, after: servsim.Results, kpi: str, sign: int) -> None:
    """``kpi`` moved in the direction ``sign`` beyond noise: the paired replication
    differences (common random numbers) have a 99% interval on the right side of 0."""
    difference = (after.kpis[kpi] - before.kpis[kpi]).dropna()
    n = len(difference)
    assert n >= 5, kpi
    mean = float(difference.mean())
    spread = float(difference.std(ddof=1)) / math.sqrt(n)
    assert sign * mean > 3.25 * spread and sign * mean > 0, (
        f"{kpi}: moved by {mean:.5g} (se {spread:.3g}), expected sign {sign}"
    )


SHORT = {"horizon": 800}
LATE = {"late": 0.5, "delay": 3.0}
SHORTFALL = {"short": 0.5, "missing": {"dist": "uniform", "low": 0.3, "high": 0.7}}
DATED = {"dated_outages": [{"start": 200, "end": 260}, {"start": 500, "end": 540}]}


@pytest.mark.parametrize(
    ("before", "after", "kpi", "sign"),
    [
        ({}, {"retailer_up_to": 5}, "unit_fill_rate", 1),
        ({}, {"warehouse_up_to": 11}, "unit_fill_rate", 1),
        ({}, {"transit": 1.5}, "unit_fill_rate", -1),
        ({}, {"warehouse_lead_time": 6.0}, "unit_fill_rate", -1),
        ({}, {"supplier": {"capacity": {"units": 5, "period": 3}}}, "supplier_on_time", -1),
        ({}, {"supplier": {"capacity": {"units": 5, "period": 3}}}, "unit_fill_rate", -1),
        ({}, {"supplier": {"reliability": LATE}}, "supplier_on_time", -1),
        ({}, {"supplier": {"reliability": LATE}}, "unit_fill_rate", -1),
        (
            {"supplier": {"reliability": LATE}},
            {"supplier": {"reliability": {"late": 0.5, "delay": 6.0}}},
            "unit_fill_rate",
            -1,
        ),
        ({}, {"supplier": {"reliability": SHORTFALL}}, "supplier_in_full", -1),
        ({}, {"supplier": {"reliability": SHORTFALL}}, "supplier_otif", -1),
        (
            {"supplier": {"reliability": {**SHORTFALL, "missing": 0.2}}},
            {"supplier": {"reliability": {**SHORTFALL, "missing": 0.8}}},
            "unit_fill_rate",
            -1,
        ),
        ({}, {"supplier": DATED}, "disruption_time", 1),
        ({}, {"supplier": DATED}, "unit_fill_rate", -1),
        (
            {"supplier": {"outages": {"time_to_failure": 40.0, "duration": 5.0}}},
            {"supplier": {"outages": {"time_to_failure": 40.0, "duration": 10.0}}},
            "supplier_availability",
            -1,
        ),
        (
            {"supplier": {"outages": {"time_to_failure": 40.0, "duration": 5.0}}},
            {"supplier": {"outages": {"time_to_failure": 20.0, "duration": 5.0}}},
            "unit_fill_rate",
            -1,
        ),
    ],
)
def test_each_echelon_and_supplier_parameter_moves_its_kpis(
    before: dict[str, Any], after: dict[str, Any], kpi: str, sign: int
) -> None:
    base = servsim.simulate(_network_scenario(horizon=1500, **before), replications=8)
    moved = servsim.simulate(_network_scenario(horizon=1500, **after), replications=8)
    _moves(base, moved, kpi, sign)


# --- the sourcing rules -----------------------------------------------------------------------
def _two_locations(**region: Any) -> servsim.Scenario:
    """One region served by a near, thinly stocked warehouse and a far, well stocked one."""
    return stage_scenario(
        time_unit="days",
        horizon=1500,
        warmup=100,
        demand={
            "segments": {
                "shop": {
                    "arrivals": {"process": "poisson", "rate": RATE},
                    "mix": {"A": 0.5, "B": 0.5},
                    "lines": {"dist": "empirical", "values": [1, 2], "weights": [1, 1]},
                    "quantity": 1,
                }
            }
        },
        products=[
            {"sku": "A", "unit_cost": 10, "price": 15},
            {"sku": "B", "unit_cost": 10, "price": 15},
        ],
        stocking={"stockout": "backorder"},
        delivery={"promise": 3, "modes": {"standard": {"transit": 1}}, "default": "standard"},
        network={
            "suppliers": {"maker": {}},
            "locations": {
                "near": {
                    "source": "maker",
                    "items": {
                        sku: {"policy": "base_stock", "S": 4, "lead_time": 3} for sku in "AB"
                    },
                },
                "far": {
                    "source": "maker",
                    "items": {
                        sku: {"policy": "base_stock", "S": 12, "lead_time": 3} for sku in "AB"
                    },
                },
            },
            "regions": {
                "all": {
                    "segments": ["shop"],
                    "locations": ["near", "far"],
                    "transshipment": {"time": 0.5, "cost_per_unit": 2},
                    "legs": {"far": {"standard": {"transit": 2, "cost_per_unit": 1}}},
                    **region,
                }
            },
        },
    )


TRANSSHIP = {"rule": "transship"}


@pytest.mark.parametrize(
    ("before", "after", "kpi", "sign"),
    [
        ({}, TRANSSHIP, "transshipment_rate", 1),
        ({}, TRANSSHIP, "stock_wait_mean", -1),
        ({}, TRANSSHIP, "primary_share", -1),
        ({}, {"rule": "complete"}, "unit_fill_rate", 1),
        ({}, {"rule": "complete"}, "primary_share", -1),
        ({}, {"rule": "complete"}, "cost_legs", 1),
        ({}, {"rules": {"shop": "complete"}}, "unit_fill_rate", 1),
        ({}, {"rule": "split"}, "unit_fill_rate", 1),
        (
            TRANSSHIP,
            {**TRANSSHIP, "transshipment": {"time": 2.0, "cost_per_unit": 2}},
            "cycle_mean",
            1,
        ),
        (
            TRANSSHIP,
            {**TRANSSHIP, "transshipment": {"time": 0.5, "cost_per_unit": 5}},
            "cost_transshipment",
            1,
        ),
        (
            {"rule": "complete"},
            {"rule": "complete", "legs": {"far": {"standard": {"transit": 4, "cost_per_unit": 1}}}},
            "cycle_mean",
            1,
        ),
        (
            {"rule": "complete"},
            {"rule": "complete", "legs": {"far": {"standard": {"transit": 2, "cost_per_unit": 3}}}},
            "cost_legs",
            1,
        ),
    ],
)
def test_each_sourcing_parameter_moves_its_kpis(
    before: dict[str, Any], after: dict[str, Any], kpi: str, sign: int
) -> None:
    base = servsim.simulate(_two_locations(**before), replications=8)
    moved = servsim.simulate(_two_locations(**after), replications=8)
    _moves(base, moved, kpi, sign)


def test_without_a_network_the_network_figures_are_nan_and_its_costs_0() -> None:
    """One catalogue, one set of columns: a part the scenario lacks is NaN (issue 14 item 7)."""
    results = servsim.simulate(_network_scenario(horizon=300), replications=2)
    assert {"transshipment_rate", "supplier_otif", "cost_legs"} <= set(results.kpis.columns)
    plain = servsim.load_scenario(ROOT / "scenarios" / "webshop.yaml").with_overrides(
        {"horizon": "12d", "warmup": "1d"}
    )
    kpis = servsim.simulate(plain, replications=1).kpis
    assert kpis[["transshipment_rate", "supplier_otif", "disruption_time"]].isna().all(axis=None)
    assert (kpis[["cost_legs", "cost_transshipment"]] == 0).all(axis=None)


# --- bad input ----------------------------------------------------------------------------------
BAD = """\
name: broken network
time_unit: days
horizon: 100
products: [{sku: A, unit_cost: 1, price: 2}, {sku: B, unit_cost: 1, price: 2}]
demand:
  segments:
    north: {arrivals: {process: poisson, rate: 1}, mix: {A: 0.5, B: 0.5}, quantity: 1}
    south: {arrivals: {process: poisson, rate: 1}, mix: {A: 1.0}, quantity: 1}
    west: {arrivals: {process: poisson, rate: 1}, mix: {A: 1.0}, quantity: 1}
stocking: {stockout: backorder}
processing: none
delivery: {promise: 2, modes: {standard: {transit: 1}}, default: standard}
network:
  suppliers:
    maker: {}
  locations:
    dc:
      source: hub
      items: {A: {policy: base_stock, S: 5, lead_time: 2}}
    hub:
      source: dc
      items: {A: {policy: base_stock, S: 5, lead_time: 2}}
    north_wh:
      source: nowhere
      items: {A: {policy: base_stock, S: 5, lead_time: 2}}
    south_wh:
      source: dc
      items:
        A: {policy: base_stock, S: 5, lead_time: 2}
        B: {policy: base_stock, S: 5, lead_time: 2}
  regions:
    north:
      segments: [north]
      locations: [north_wh]
    south:
      segments: [south]
      locations: [east_wh]
"""


def _refused(tmp_path: Path, text: str, command: str) -> tuple[Path, list[str], str]:
    """The file written, the problems ``servsim COMMAND`` said about it (exit 2, no
    traceback), and its whole output."""
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, [command, str(path)], prog_name="servsim")
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    problems = [line for line in result.output.splitlines() if line.startswith(str(path))]
    return path, problems, result.output


def test_bad_networks_get_one_clear_error_each_in_one_pass(tmp_path: Path) -> None:
    path, problems, output = _refused(tmp_path, BAD, "run")
    expected = {
        # a cycle of echelons, reported once
        "network.locations.dc.source": (18, "cycle (dc -> hub -> dc)"),
        # a location replenished from an unknown location
        "network.locations.north_wh.source": (24, "unknown source 'nowhere'"),
        # a location stocking a sku its source does not hold
        "network.locations.south_wh.items.B": (30, "its source 'dc' does not hold B"),
        # a region with no (known) location
        "network.regions.south.locations.0": (37, "unknown location 'east_wh'"),
        # a sku a segment orders that its region's primary does not hold
        "network.regions.north.segments.0": (33, "north orders B"),
        # a segment in no region
        "network.regions": (31, "segment west is in no region"),
    }
    assert len(problems) == len(expected), output
    for field, (line, words) in expected.items():
        found = [p for p in problems if f":{line}: {field}: " in p]
        assert found and words in found[0], (field, output)
        assert (
            "allowed" in found[0]
            or "locations are" in found[0]
            or "holds" in found[0]
            or ("say which" in found[0])
        )


# --- reproducibility --------------------------------------------------------------------------
def test_a_network_sweep_is_identical_on_every_executor(tmp_path: Path) -> None:
    """Same scenario and seed, the same table bit for bit, serially, in processes or on a
    local Dask cluster."""
    from tests.sweep_helpers import assert_same_table

    (tmp_path / "network.yaml").write_text(
        (ROOT / "scenarios" / "network.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    path = tmp_path / "experiment.yaml"
    path.write_text(
        "name: network on executors\n"
        "scenario: network.yaml\n"
        "parameters:\n"
        "  horizon: [60d]\n"
        "  network.locations.north_wh.items.A.S: [8, 16]\n"
        "  network.regions.north.rule: [primary, transship]\n"
        "design: grid\n"
        "replications: 2\n"
        "seed: 4\n",
        encoding="utf-8",
    )
    serial = servsim.sweep(path, executor="serial", chunk=1, force=True)
    processes = servsim.sweep(path, executor="processes", workers=2, force=True)
    dask = servsim.sweep(path, executor="dask", workers=2, chunk=3, force=True)
    for other in (processes, dask):
        assert_same_table(other.runs, serial.runs)
        assert_same_table(other.summary, serial.summary)
    assert serial.runs["transshipment_rate"].notna().all()


@pytest.mark.parametrize("rule", ["primary", "complete", "split", "transship"])
def test_every_unit_is_accounted_for_at_every_location(rule: str) -> None:
    """Start + received = on hand + allocated + sent, per location and sku, under every rule,
    with a faltering supplier (capacity, outages, late and short orders)."""
    from servsim.kpis.books import unbalanced_books
    from servsim.model import run_replication

    scenario = _two_locations(rule=rule).with_overrides(
        {
            "network.suppliers.maker": {
                "capacity": {"units": 3, "period": 1},
                "reliability": {**LATE, **SHORTFALL},
                "outages": {"time_to_failure": 30.0, "duration": 4.0},
            },
            "horizon": 400,
        }
    )
    for replication in range(3):
        log = run_replication(scenario, replication)
        assert unbalanced_books(log, scenario) == []
        assert log.network is not None and sum(log.network.received.values()) > 0


def test_a_vendor_managed_location_loses_what_its_shelf_lacks() -> None:
    """VMI: the customer's own stock, watched and replenished by the firm; a unit short there
    is the customer's lost sale (it does not wait) and counts against the firm's service."""
    watched = {"network.locations.near.vendor_managed": True}
    own = servsim.simulate(_two_locations(), replications=8)
    managed = servsim.simulate(_two_locations().with_overrides(watched), replications=8)
    _moves(own, managed, "lost_sales_rate", 1)
    _moves(own, managed, "avg_backorders", -1)
    assert managed.summary().loc["unit_fill_rate", "mean"] < 1.0


def test_the_locations_costs_add_up_to_the_runs() -> None:
    """Per location: holding, legs and transshipments; added up, the run's cost terms."""
    scenario = servsim.load_scenario(ROOT / "scenarios" / "network.yaml").with_overrides(
        {"horizon": "80d"}
    )
    results = servsim.simulate(scenario, replications=2)
    by_location = results.kpis_by("location").groupby("replication").sum(numeric_only=True)
    for term in ("cost_holding", "cost_legs", "cost_transshipment"):
        assert by_location[term].to_numpy() == pytest.approx(results.kpis[term].to_numpy())
    assert (by_location["transshipped_in"] == by_location["transshipped_out"]).all()
    assert (by_location["transshipped_in"] > 0).all()


def test_the_segments_of_a_region_draw_their_legs_from_one_stream() -> None:
    """Two segments sharing a region share its legs' transit draws, one after another (not
    each the same sequence again)."""
    from servsim.model import run_replication

    scenario = _network_scenario(horizon=200)
    document = scenario.model_dump(by_alias=True)
    document["demand"]["segments"]["other"] = document["demand"]["segments"]["seg0"]
    document["network"]["regions"]["r0"]["segments"] = ["seg0", "other"]
    document["network"]["regions"]["r0"]["legs"] = {
        "shop0": {"standard": {"transit": {"dist": "exponential", "mean": 1.0}}}
    }
    twin = servsim.Scenario.model_validate(document, context={"time_unit": "days"})
    log = run_replication(twin, 0)
    transit = log.shipments["delivered"] - log.shipments["ready"]
    segment = log.orders["segment"].to_numpy()[log.shipments["order"].to_numpy()]
    first = transit[segment == "seg0"].to_numpy()[:30]
    second = transit[segment == "other"].to_numpy()[:30]
    assert len(set(first) & set(second)) == 0


MORE_BAD = """\
name: more mistakes
time_unit: days
horizon: 100
products: [{sku: A, unit_cost: 1, price: 2}]
demand:
  segments:
    north: {arrivals: {process: poisson, rate: 1}, mix: {A: 1.0}, quantity: 1}
stocking: {stockout: backorder, items: {A: {policy: base_stock, S: 5, lead_time: 2}}}
processing: none
delivery: {promise: 2, modes: {standard: {transit: 1}}, default: standard}
network:
  locations:
    dc: {source: maker, items: {A: {policy: base_stock, S: 5, lead_time: 2}}}
  regions:
    north:
      segments: [north]
      locations: [dc]
      rule: transship
      rules: {south: split}
      legs: {dc: {express: {transit: 1}}}
    again:
      segments: [north]
      locations: [dc]
"""


def test_more_network_mistakes_are_each_said_once(tmp_path: Path) -> None:
    _, problems, output = _refused(tmp_path, MORE_BAD, "validate")
    expected = [
        "stocking.items: with a network the locations hold the skus",
        "network.locations.dc.source: unknown source 'maker'",
        "network.regions.north.rules.south: 'south' is not a segment of this region",
        "network.regions.north.legs.dc.express: unknown carrier mode 'express'",
        "network.regions.north: the transship rule needs transshipment",
        "network.regions.again.segments.0: north is already in region north",
    ]
    assert len(problems) == len(expected), output
    for words in expected:
        assert any(words in problem for problem in problems), (words, output)


def test_by_location_and_region_on_the_command_line(tmp_path: Path) -> None:
    short = tmp_path / "network.yaml"
    text = (ROOT / "scenarios" / "network.yaml").read_text(encoding="utf-8")
    short.write_text(text.replace("horizon: 200d", "horizon: 40d"), encoding="utf-8")
    out = tmp_path / "out"
    arguments = ["run", str(short), "--replications", "2", "--by", "location", "--by", "region"]
    result = CliRunner().invoke(main, [*arguments, "--out", str(out)], prog_name="servsim")
    assert result.exit_code == 0, result.output
    assert "north_wh" in result.output
    assert (out / "kpis_by_location.csv").is_file() and (out / "kpis_by_region.csv").is_file()
    plain = ["run", str(ROOT / "scenarios" / "webshop.yaml"), "--by", "region"]
    refused = CliRunner().invoke(main, plain, prog_name="servsim")
    assert refused.exit_code == 2
    assert "no network" in refused.output and "Traceback" not in refused.output


def test_a_split_orders_parts_travel_on_their_own_legs() -> None:
    """The near warehouse holds only A, the far one only B (ample): an order of both splits,
    each part its own shipment on its location's leg. Its cycle time is the far leg's mean
    (uniform 2 to 4, always after the near leg's 1 day), an order of A alone the near one's;
    the leg costs per order are E[units of A] x 0.5 + E[units of B] x 2 (0.75 units of each:
    one or two lines of distinct skus), at each location and in all."""
    from servsim.stats.confidence import summarize

    near, far = 0.5, 2.0
    legs = {
        "near": {"standard": {"transit": 1, "cost_per_unit": near}},
        "far": {
            "standard": {"transit": {"dist": "uniform", "low": 2, "high": 4}, "cost_per_unit": far}
        },
    }
    stock = {"near.items.A.S": 40, "near.items.B.S": 0, "far.items.A.S": 0, "far.items.B.S": 40}
    scenario = _two_locations(rule="split", legs=legs).with_overrides(
        {f"network.locations.{path}": value for path, value in stock.items()}
    )
    results = servsim.simulate(scenario, replications=6, seed=2)
    orders, lines = results.orders, results.lines
    counted = orders[orders["counted"]]
    kinds = lines.groupby(["replication", "order"])["sku"].agg(lambda s: "".join(sorted(set(s))))
    kind = kinds.loc[list(zip(counted["replication"], counted["order"], strict=True))].to_numpy()
    assert (counted.loc[kind == "AB", "shipments"] == 2).all()
    per_replication = {
        name: counted[kind == wanted].groupby("replication")["cycle_time"].mean()
        for name, wanted in (("split_cycle", "AB"), ("a_cycle", "A"), ("b_cycle", "B"))
    }
    kpis = results.kpis.set_index("replication")
    by_location = results.kpis_by("location").set_index(["replication", "location"])["cost_legs"]
    table = pd.DataFrame(
        {
            **per_replication,
            "legs_per_order": kpis["cost_legs"] / kpis["orders"],
            "near_per_order": by_location.xs("near", level="location") / kpis["orders"],
            "far_per_order": by_location.xs("far", level="location") / kpis["orders"],
        }
    )
    summary = summarize(table, 0.99)
    expected = {
        "split_cycle": 3.0,
        "a_cycle": 1.0,
        "b_cycle": 3.0,
        "legs_per_order": 0.75 * near + 0.75 * far,
        "near_per_order": 0.75 * near,
        "far_per_order": 0.75 * far,
    }
    for name, value in expected.items():
        row = summary.loc[name]
        slack = 0.005 * value  # orders placed near the window's ends ship across its edges
        assert row["lo"] - slack <= value <= row["hi"] + slack, (name, value, row["mean"])


def test_a_locations_stockout_rule_per_sku_applies_to_the_region_it_answers_for() -> None:
    """Issue 17 item 2: a location's stock-out policy per sku still applies. Two shops, the
    same demand; shop1 loses its short units of A, shop0 (the default) backorders them."""
    backorder = _network_scenario(retailers=2, horizon=1500)
    losing = _network_scenario(
        retailers=2, horizon=1500, network__locations__shop1__items__A__stockout="lost"
    )
    plain = servsim.simulate(backorder, replications=4).kpis_by("segment")
    lost = servsim.simulate(losing, replications=4).kpis_by("segment").set_index("segment")
    assert (lost.loc["seg1", "lost_sales_rate"] > 0.05).all()
    assert (lost.loc["seg0", "lost_sales_rate"] == 0).all()
    assert (plain["lost_sales_rate"] == 0).all()
    assert "lost" in losing.stockout_rules


def test_reserve_per_sku_in_a_network_is_one_clear_line() -> None:
    with pytest.raises(servsim.ScenarioError, match=r"items\.A\.reserve: reserve per sku"):
        _network_scenario(
            network__locations__shop0__items__A__reserve={"units": 1, "for_tier": "x"}
        )
