"""The figures of a network of stock locations: where orders were served from, how the
suppliers delivered, how long they were down, and the costs of the legs and transshipments;
per location, its stock and the service of the lines it served.

Only a scenario with a network has them; every other scenario's KPIs are unchanged.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from servsim.core.units import per_year_to_per_time_unit
from servsim.kpis.ratios import count, ratio
from servsim.kpis.timeavg import overlap, time_average
from servsim.model.network_log import NetworkLog
from servsim.model.runlog import RunLog
from servsim.model.table import Table
from servsim.scenario.network import Network
from servsim.scenario.schema import Scenario


def _network(log: RunLog, scenario: Scenario) -> tuple[NetworkLog, Network]:
    assert log.network is not None and scenario.network is not None
    return log.network, scenario.network


def network_kpis(log: RunLog, lines: Table, scenario: Scenario) -> dict[str, float]:
    """Transshipment rate, share served from the primary, supplier on time and in full,
    supplier availability and time down; ``lines`` are the counted orders' lines."""
    facts, network = _network(log, scenario)
    counted = lines.index
    moved = np.zeros(len(log.tables.lines), dtype=bool)
    moved[facts.transshipments["line"].to_numpy()] = True
    elsewhere = (facts.line_location != facts.primary) | moved
    by_order = pd.Series(elsewhere[counted]).groupby(lines["order"]).any()
    start, end = log.warmup, log.horizon
    supplies = facts.supplies
    placed = supplies[(supplies["ordered"] >= start) & supplies["arrives"].notna()]
    in_full = placed["received"] == placed["quantity"]
    outages = facts.outages
    down = overlap(outages["start"].to_numpy(), outages["end"].to_numpy(), start, end)
    suppliers = len(facts.suppliers)
    return {
        "transshipment_rate": ratio(moved[counted].sum(), len(counted)),
        "primary_share": ratio((~by_order).sum(), len(by_order)),
        "supplier_on_time": ratio(placed["on_time"].sum(), len(placed)),
        "supplier_in_full": ratio(in_full.sum(), len(placed)),
        "supplier_otif": ratio((placed["on_time"] & in_full).sum(), len(placed)),
        "supplier_availability": 1.0 - down / (suppliers * (end - start))
        if suppliers
        else float("nan"),
        "disruption_time": down,
    }


def network_costs(log: RunLog, lines: Table, scenario: Scenario) -> dict[str, float]:
    """The legs' transport cost of the shipments dispatched in the window, and the cost of the
    counted lines' transshipments."""
    facts, network = _network(log, scenario)
    return {
        "cost_legs": float(_leg_costs(log, scenario).sum()),
        "cost_transshipment": _transshipment_cost(log, lines, network),
    }


def _leg_costs(log: RunLog, scenario: Scenario) -> np.ndarray:
    """Per location: units dispatched in the window x the cost per unit of their leg."""
    facts, network = _network(log, scenario)
    shipments = log.tables.shipments
    shipped = shipments["dispatched"]
    window = shipments.rows((shipped >= log.warmup) & (shipped <= log.horizon))
    located = facts.shipment_location
    modes = list(scenario.delivery.modes)
    rate = np.zeros((len(network.regions), len(facts.locations), len(modes)))
    for r, region in enumerate(network.regions.values()):
        for name, legs in region.legs.items():
            for mode, leg in legs.items():
                rate[r, facts.locations.index(name), modes.index(mode)] = leg.cost_per_unit
    region = facts.order_region[window["order"]]
    where = located[window.index]
    cost = window["units"] * rate[region, where, window["mode"]]
    return np.bincount(where, cost, minlength=len(facts.locations))


def _transshipment_cost(log: RunLog, lines: Table, network: Network) -> float:
    """What moving the short units of ``lines`` cost (their region's cost per unit)."""
    facts = log.network
    assert facts is not None
    moved = facts.transshipments[facts.transshipments["line"].isin(lines.index)]
    if moved.empty:
        return 0.0
    order = log.tables.lines["order"][moved["line"].to_numpy()]
    rate = np.asarray(
        [
            region.transshipment.cost_per_unit if region.transshipment else 0.0
            for region in network.regions.values()
        ]
    )
    return float(np.sum(moved["units"].to_numpy() * rate[facts.order_region[order]]))


def kpis_by_location(log: RunLog, scenario: Scenario) -> list[dict[str, object]]:
    """One row per location: the lines it served and their fill, its stock over time, what it
    owed the locations below it, the units transshipped to and from it, and its holding, leg
    and transshipment costs (a transshipment is the receiving location's cost)."""
    facts, network = _network(log, scenario)
    all_lines = log.tables.lines
    in_window = (log.tables.orders["placed"] >= log.warmup)[all_lines["order"]]
    unit_cost = {product.sku: product.unit_cost for product in scenario.products}
    holding = per_year_to_per_time_unit(scenario.costs.holding_rate, scenario.time_unit)
    start, end = log.warmup, log.horizon
    levels = facts.location_levels
    legs = _leg_costs(log, scenario)
    moved = facts.transshipments[in_window[facts.transshipments["line"].to_numpy()]]
    receiver = facts.line_location[moved["line"].to_numpy()]
    places = len(facts.locations)
    units = moved["units"].to_numpy().astype(float)
    moved_in = np.bincount(receiver, units, minlength=places)
    moved_out = np.bincount(moved["source"].to_numpy(), units, minlength=places)
    rows = []
    for index, name in enumerate(facts.locations):
        mine = all_lines.rows(in_window & (facts.line_location == index))
        here = levels[levels["location"] == name]
        on_hand = backorders = owed = value = 0.0
        for sku in network.locations[name].items:
            rows_of = here[here["sku"] == sku]
            if rows_of.empty:
                continue
            times = rows_of["time"].to_numpy()
            average = time_average(times, rows_of["on_hand"].to_numpy(), start, end)
            on_hand += average
            value += average * unit_cost[sku]
            backorders += time_average(times, rows_of["backorders"].to_numpy(), start, end)
            owed += time_average(times, rows_of["owed"].to_numpy(), start, end)
        rows.append(
            {
                "location": name,
                "lines": float(len(mine)),
                "unit_fill_rate": ratio(mine["filled"].sum(), mine["quantity"].sum()),
                "line_fill_rate": ratio(count(mine["filled"] == mine["quantity"]), len(mine)),
                "avg_on_hand": on_hand,
                "avg_backorders": backorders,
                "avg_owed": owed,
                "transshipped_in": float(moved_in[index]),
                "transshipped_out": float(moved_out[index]),
                "cost_holding": holding * value * (end - start),
                "cost_legs": float(legs[index]),
                "cost_transshipment": _transshipment_cost(log, mine, network),
            }
        )
    return rows


def region_column(
    log: RunLog, scenario: Scenario
) -> tuple[dict[str, np.ndarray], dict[str, list[str]]]:
    """Each order's region (its history row's, else its segment's), as a column of codes and
    its labels."""
    facts, network = _network(log, scenario)
    return {"region": facts.order_region.astype(np.int32)}, {"region": list(network.regions)}
