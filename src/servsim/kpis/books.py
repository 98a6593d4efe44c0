"""The books of a run: every order and every unit accounted for at the horizon.

A run whose books do not balance is a bug in the model; tests call this on every example.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from servsim.kpis.outcomes import OUTCOMES, classify_orders
from servsim.model.runlog import RunLog
from servsim.scenario.schema import Scenario


def unbalanced_books(log: RunLog, scenario: Scenario) -> list[str]:
    """What does not add up in ``log`` (an empty list when the books balance)."""
    problems: list[str] = []
    orders = classify_orders(log).frame()
    if orders["outcome"].isna().any() or not set(orders["outcome"]).issubset(OUTCOMES):
        problems.append("an order has no outcome")
    split = orders["filled"] + orders["substituted"] + orders["lost"] + orders["backordered"]
    if not (split == orders["quantity"]).all():
        problems.append("filled + substituted + lost + backordered differs from the quantity")

    lines = log.lines
    stocking = scenario.stocking
    ships_early = {
        name: stocking is None or stocking.policy(scenario.shipping_rule(name)).ships_available_now
        for name in scenario.demand.segments
    }
    order_ships_early = orders["segment"].map(ships_early).astype(bool).to_numpy()
    early = order_ships_early[lines["order"].to_numpy()]
    ready = lines["filled"] + lines["substituted"]
    line_done = lines["allocated"].notna().to_numpy()
    # each line of an early-shipping order ships what it has, the rest when complete
    released_early = np.where(line_done, lines["quantity"] - lines["lost"], ready)[early].sum()
    # an order that ships complete ships once, when its last line is complete
    complete = orders["allocated"].notna().to_numpy() & ~order_ships_early
    released = int(released_early + (orders["quantity"] - orders["lost"])[complete].sum())
    shipped = int(log.shipments["units"].sum())
    if released != shipped:
        problems.append(f"units shipped ({shipped}) differ from units released ({released})")
    problems.extend(_stock_balances(log, scenario, orders))
    problems.extend(_returned_units(log, scenario))
    return problems


def _returned_units(log: RunLog, scenario: Scenario) -> list[str]:
    """Every returned unit is back on the shelf, scrapped, or still on its way back; only
    delivered orders are returned, and each replacement is a new order of the same goods."""
    returns = log.returns[log.returns["requested"].notna()]
    if returns.empty:
        return []
    problems: list[str] = []
    delivered = log.orders["delivered"].to_numpy()[returns["order"].to_numpy()]
    if (np.isnan(delivered) | (delivered > returns["requested"].to_numpy())).any():
        problems.append("an order was returned before it was delivered")
    lines = log.lines
    units = (lines["quantity"] - lines["lost"]).groupby(lines["order"]).sum()
    returned = returns["order"].map(units)
    back = returns["received"].notna()
    shelved = int(returned[back & returns["restocked"]].sum())
    if scenario.stocking is not None and shelved != int(log.restocks["units"].sum()):
        problems.append(
            f"returned units restocked ({int(log.restocks['units'].sum())}) differ from the "
            f"units of returns that passed inspection ({shelved})"
        )
    replaced = returns[returns["replacement"] >= 0]
    ordered = lines["quantity"].groupby(lines["order"]).sum()
    again = ordered.reindex(replaced["replacement"]).to_numpy()
    if (again != returned[replaced.index].to_numpy()).any():
        problems.append("a replacement order differs from the goods it replaces")
    return problems


def _stock_balances(log: RunLog, scenario: Scenario, orders: pd.DataFrame) -> list[str]:
    """Per sku: start + received = on hand at the end + allocated units; likewise on order."""
    problems: list[str] = []
    stocking = scenario.stocking
    if stocking is None:
        return problems
    if log.network is not None:
        return _network_balances(log, scenario)
    for sku, item in stocking.items.items():
        levels = log.stock_levels[log.stock_levels["sku"] == sku]
        if levels.empty:
            continue
        final = levels.iloc[-1]
        mine = log.lines[log.lines["sku"] == sku]
        lent = log.lines.loc[log.lines["substitute"] == sku, "substituted"].sum()
        allocated = int(
            mine["filled"].sum() + mine["backordered"].sum() - final["backorders"] + lent
        )
        replenishments = log.replenishments[log.replenishments["sku"] == sku]
        received = int(
            replenishments.loc[replenishments["arrives"] <= log.horizon, "quantity"].sum()
        )
        start = item.build().initial_stock
        restocked = int(log.restocks.loc[log.restocks["sku"] == sku, "units"].sum())
        if start + received + restocked != int(final["on_hand"]) + allocated:
            problems.append(
                f"{sku}: start {start} + received {received} + restocked {restocked} != on hand "
                f"{int(final['on_hand'])} + allocated {allocated}"
            )
        waiting = mine.loc[mine["allocated"].isna(), "backordered"]
        if not 0 < int(final["backorders"]) <= int(waiting.sum()) and not (
            waiting.empty and final["backorders"] == 0
        ):
            problems.append(
                f"{sku}: {int(final['backorders'])} units backordered at the end, but "
                f"{len(waiting)} orders wait for {int(waiting.sum())} units"
            )
    return problems


def _network_balances(log: RunLog, scenario: Scenario) -> list[str]:
    """Per location and sku: start + received = on hand at the end + allocated to its
    customers + sent to other locations."""
    facts = log.network
    network = scenario.network
    assert facts is not None and network is not None
    problems: list[str] = []
    levels = facts.location_levels
    lines = log.lines
    for index, name in enumerate(facts.locations):
        for sku, item in network.locations[name].items.items():
            here = levels[(levels["location"] == name) & (levels["sku"] == sku)]
            final = here.iloc[-1]
            code = log.skus.index(sku)
            mine = lines[(facts.line_location == index) & (lines["sku"] == sku).to_numpy()]
            allocated = int(mine["filled"].sum() + mine["backordered"].sum() - final["backorders"])
            start = item.build().initial_stock
            received = facts.received.get((index, code), 0)
            sent = facts.sent.get((index, code), 0)
            if start + received != int(final["on_hand"]) + allocated + sent:
                problems.append(
                    f"{name}/{sku}: start {start} + received {received} != on hand "
                    f"{int(final['on_hand'])} + allocated {allocated} + sent {sent}"
                )
    return problems
