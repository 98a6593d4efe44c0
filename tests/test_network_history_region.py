"""A history's ``region`` column in a network: each replayed order is served under the sourcing
of the region its row names (else its segment's); a bad region is one located line."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import servsim
from servsim.cli import main
from servsim.core.errors import ScenarioError
from servsim.model.world import run_replication
from tests.test_history import copy_example

SCENARIO = """\
name: two regions replayed
time_unit: days
horizon: 14d
warmup: 0d
replications: {replications}
seed: 3
products:
  - {{sku: A, unit_cost: 10, price: 20}}
  - {{sku: B, unit_cost: 30, price: 50}}
demand:
  segments:
    shop:
      tier: basic
      history:
        file: orders.csv
        columns: {{placed: created_at, order: order_id{region}}}
    kiosk: {{tier: basic, arrivals: {{process: poisson, rate: 0.2}}, mix: {{A: 1}}, quantity: 1}}
stocking:
  stockout: backorder
network:
  suppliers:
    maker: {{}}
  locations:
    east_wh:
      source: maker
      items:
        A: {{policy: base_stock, S: 4, lead_time: 2d}}
        B: {{policy: base_stock, S: 3, lead_time: 2d}}
    west_wh:
      source: maker
      items:
        A: {{policy: base_stock, S: 3, lead_time: 3d}}
        B: {{policy: base_stock, S: 2, lead_time: 3d}}
  regions:
    east:
      segments: [shop]
      locations: [east_wh, west_wh]
      legs:
        east_wh: {{standard: {{transit: 1d, cost_per_unit: 1}}}}
        west_wh: {{standard: {{transit: 2d, cost_per_unit: 4}}}}
    west:
      segments: [kiosk]
      locations: [west_wh, east_wh]
      legs:
        west_wh: {{standard: {{transit: 1d, cost_per_unit: 2}}}}
processing: none
delivery:
  promise: 3d
  modes:
    standard: {{transit: 2d}}
  default: standard
"""

REGIONS = ["east", "west", "west", "east", "west", "east", "", "west", "east", "west"]
"""Each row's region (empty: the segment's, east); rows 4 and 5 are one order of two lines,
in its first line's region (west)."""


def history(regions: list[str] | None = None, column: str = "area") -> str:
    """Ten lines (nine orders) over two weeks, in time order, with a region column."""
    rows = [
        (f"2025-01-{6 + day:02d} 09:00:00", f"W{order}", sku, quantity)
        for day, order, sku, quantity in [
            (0, 1, "A", 1),
            (1, 2, "A", 2),
            (2, 3, "B", 1),
            (3, 4, "A", 1),
            (4, 5, "A", 1),
            (4, 5, "B", 1),
            (6, 6, "B", 2),
            (8, 7, "A", 1),
            (10, 8, "B", 1),
            (13, 9, "A", 3),
        ]
    ]
    frame = pd.DataFrame(rows, columns=["created_at", "order_id", "sku", "quantity"])
    if regions is not None:
        frame[column] = regions
    return frame.to_csv(index=False)


def scenario_file(
    tmp_path: Path,
    regions: list[str] | None = REGIONS,
    mapped: bool = True,
    replications: int = 1,
    data: str | None = None,
) -> Path:
    (tmp_path / "orders.csv").write_text(data if data is not None else history(regions))
    path = tmp_path / "scenario.yaml"
    path.write_text(
        SCENARIO.format(replications=replications, region=", region: area" if mapped else "")
    )
    return path


def shop_lines(path: Path) -> tuple[list[str], pd.DataFrame]:
    """The location of each line of the shop's orders (the history's rows, in order) in
    replication 0, and the KPIs by region."""
    scenario = servsim.load_scenario(path)
    log = run_replication(scenario, 0)
    assert log.network is not None
    order = log.lines["order"].to_numpy()
    shop = log.orders["segment"].to_numpy()[order] == "shop"
    located = [log.network.locations[i] for i in log.network.line_location[shop]]
    return located, servsim.simulate(scenario).kpis_by("region")


def test_each_order_is_served_from_its_rows_region(tmp_path: Path) -> None:
    located, by_region = shop_lines(scenario_file(tmp_path))
    primary = {"east": "east_wh", "west": "west_wh", "": "east_wh"}
    of_order = [*REGIONS[:5], REGIONS[4], *REGIONS[6:]]  # an order is in its first line's
    assert located == [primary[region] for region in of_order]
    assert located[5] == "west_wh" != primary[REGIONS[5]]
    orders = by_region.set_index("region")["orders"]
    kiosk = servsim.simulate(servsim.load_scenario(scenario_file(tmp_path))).orders
    kiosk_orders = int((kiosk["segment"] == "kiosk").sum())
    # east: orders 1, 4, 6, 8 (order 6's row has no region: its segment's); west: 2, 3, 5, 7, 9
    assert orders["east"] == 4
    assert orders["west"] == 5 + kiosk_orders
    results = servsim.simulate(servsim.load_scenario(scenario_file(tmp_path)))
    assert results.kpis["primary_share"].iloc[0] == 1.0  # each from its own region's primary


def test_changing_a_rows_region_moves_its_line(tmp_path: Path) -> None:
    (tmp_path / "before").mkdir()
    (tmp_path / "after").mkdir()
    before, _ = shop_lines(scenario_file(tmp_path / "before"))
    moved = list(REGIONS)
    moved[0] = "west"
    after, _ = shop_lines(scenario_file(tmp_path / "after", moved))
    assert before[0] == "east_wh" and after[0] == "west_wh"
    assert before[1:] == after[1:]
    lines = {}
    for name in ("before", "after"):
        table = servsim.simulate(servsim.load_scenario(tmp_path / name / "scenario.yaml"))
        lines[name] = table.kpis_by("location").set_index("location")["lines"]
    assert lines["after"]["east_wh"] == lines["before"]["east_wh"] - 1
    assert lines["after"]["west_wh"] == lines["before"]["west_wh"] + 1


def test_the_legs_and_their_costs_follow_the_rows_region(tmp_path: Path) -> None:
    """West orders of the shop travel on the west region's leg (1 day at 2 per unit)."""
    (tmp_path / "east").mkdir()
    (tmp_path / "mixed").mkdir()
    east = servsim.simulate(servsim.load_scenario(scenario_file(tmp_path / "east", ["east"] * 10)))
    mixed = servsim.simulate(servsim.load_scenario(scenario_file(tmp_path / "mixed")))
    assert east.kpis["cost_legs"].iloc[0] != mixed.kpis["cost_legs"].iloc[0]
    by_location = mixed.kpis_by("location").set_index("location")["cost_legs"]
    assert by_location["west_wh"] > 0


def test_without_a_region_column_the_run_is_the_segments_region(tmp_path: Path) -> None:
    """No column, or a column naming each row's segment's region (or none): the same KPIs,
    digit for digit, in replication 0 and in the bootstrap's replications."""
    runs = {}
    for name, regions, mapped in [
        ("none", None, False),
        ("east", ["east"] * 10, True),
        ("blank", [""] * 10, True),
        ("unmapped", ["west"] * 10, False),  # a column named area is not read unless mapped
    ]:
        (tmp_path / name).mkdir()
        path = scenario_file(tmp_path / name, regions, mapped=mapped, replications=3)
        runs[name] = servsim.simulate(servsim.load_scenario(path))
    for name in ("east", "blank", "unmapped"):
        pd.testing.assert_frame_equal(runs[name].kpis, runs["none"].kpis)
        pd.testing.assert_frame_equal(runs[name].orders, runs["none"].orders)
        pd.testing.assert_frame_equal(
            runs[name].kpis_by("location"), runs["none"].kpis_by("location")
        )


# --- bad input --------------------------------------------------------------------------------
def test_unknown_regions_are_each_reported_with_the_other_bad_rows(tmp_path: Path) -> None:
    regions = list(REGIONS)
    regions[2] = "north"
    regions[8] = "West"
    data = history(regions).replace("W8,B,1", "W8,B,two")
    path = scenario_file(tmp_path, data=data)
    with pytest.raises(ScenarioError) as caught:
        servsim.load_scenario(path)
    said = str(caught.value).splitlines()
    assert len(said) == 3, said
    csv = str((tmp_path / "orders.csv").resolve())
    assert f"{csv}:10: quantity: 'two' is not a whole number" in said[0] or any(
        f"{csv}:10: quantity: 'two'" in line for line in said
    )
    north = [line for line in said if f"{csv}:4: region: " in line]
    assert north and "'north' is not a region of the network; allowed: east, west" in north[0]
    west = [line for line in said if f"{csv}:10: region: " in line]
    assert west and "'West' is not a region" in west[0]


def test_a_missing_region_column_is_said(tmp_path: Path) -> None:
    path = scenario_file(tmp_path, data=history(REGIONS, column="zone"))
    with pytest.raises(ScenarioError) as caught:
        servsim.load_scenario(path)
    said = str(caught.value).splitlines()
    assert len(said) == 1
    assert ":1: region: missing column 'area'" in said[0]
    assert "columns found: created_at, order_id, sku, quantity, zone" in said[0]


def test_a_region_column_without_a_network_is_one_located_error(tmp_path: Path) -> None:
    frame = pd.read_csv(Path(__file__).parent.parent / "scenarios/data/webshop_orders.csv")
    frame["area"] = "east"
    frame.loc[3, "quantity"] = 0
    path = copy_example(
        tmp_path,
        "columns: {placed: created_at, order: order_id}",
        "columns: {placed: created_at, order: order_id, region: area}",
        data=frame.to_csv(index=False),
    )
    result = CliRunner().invoke(main, ["run", str(path)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    said = [line for line in result.output.splitlines() if "webshop_orders.csv:" in line]
    assert len(said) == 2, result.output
    region = [line for line in said if ":1: region: " in line]
    assert region and "the scenario has no network" in region[0] and "allowed" in region[0]
    assert any(":5: quantity: " in line for line in said)


def test_the_command_line_says_a_bad_region_without_a_traceback(tmp_path: Path) -> None:
    regions = list(REGIONS)
    regions[0] = "south"
    path = scenario_file(tmp_path, regions)
    result = CliRunner().invoke(main, ["run", str(path)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "orders.csv:2: region: 'south' is not a region of the network" in result.output


def test_a_column_named_region_is_read_without_a_mapping(tmp_path: Path) -> None:
    (tmp_path / "mapped").mkdir()
    (tmp_path / "named").mkdir()
    mapped, _ = shop_lines(scenario_file(tmp_path / "mapped"))
    path = scenario_file(tmp_path / "named", mapped=False, data=history(REGIONS, "region"))
    named, _ = shop_lines(path)
    assert named == mapped and "west_wh" in named
