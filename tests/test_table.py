"""The run log's tables of numpy columns: selection, labels, and the DataFrame they become."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import servsim
from servsim.kpis.ratios import sum_by_order
from servsim.model.table import Table, compact, constant, is_constant
from tests.conftest import ROOT


def _orders() -> Table:
    return Table(
        {
            "placed": np.array([0.0, 1.0, 2.0, 3.0]),
            "segment": np.array([0, 1, 1, 0], dtype=np.int32),
            "substitute": np.array([-1, 0, -1, 1], dtype=np.int32),
        },
        {"segment": ["trade", "retail"], "substitute": ["A", "B"]},
        index_name="order",
    )


def test_selected_rows_keep_their_numbers_in_the_whole_log() -> None:
    orders = _orders()
    retail = orders.rows(orders.is_("segment", "retail"))
    assert retail.index.tolist() == [1, 2]
    later = retail.rows(retail["placed"] > 1.5)  # a selection of a selection
    assert later.index.tolist() == [2]
    assert later["placed"].tolist() == [2.0]
    assert len(orders.rows(orders.is_("segment", "nobody"))) == 0


def test_a_label_column_maps_codes_and_none_to_values() -> None:
    orders = _orders()
    price = orders.mapped("substitute", {"A": 10.0, "B": 12.0}, missing=0.0)
    assert price.tolist() == [0.0, 10.0, 0.0, 12.0]
    assert orders.isin("segment", ["trade"]).tolist() == [True, False, False, True]


def test_added_columns_belong_to_the_selected_rows() -> None:
    orders = _orders()
    trade = orders.rows(orders.is_("segment", "trade"))
    scored = trade.with_columns({"score": np.array([0.5, 0.9])})
    assert scored.index.tolist() == [0, 3]
    assert scored.rows(scored["score"] > 0.6).index.tolist() == [3]


def test_a_table_becomes_the_dataframe_it_describes() -> None:
    frame = _orders().frame()
    assert frame.index.name == "order"
    assert isinstance(frame.index, pd.RangeIndex)
    assert frame["segment"].tolist() == ["trade", "retail", "retail", "trade"]
    assert frame["substitute"].isna().tolist() == [True, False, True, False]
    picked = _orders().rows(np.array([3, 1])).frame()
    assert picked.index.tolist() == [3, 1]


def test_a_run_logs_dataframes_hold_its_tables_columns() -> None:
    scenario = servsim.load_scenario(ROOT / "scenarios" / "garden_exceptional.yaml")
    log = servsim.simulate(scenario.with_overrides({"horizon": "20d"}), replications=1).logs[0]
    for name in ("orders", "lines", "shipments", "complaints", "visits", "customers"):
        table, frame = getattr(log.tables, name), getattr(log, name)
        assert list(frame.columns) == table.columns
        assert len(frame) == len(table) > 0
        for column in table.columns:
            values = frame[column]
            if column in table.categories:
                values = values.cat.codes
            np.testing.assert_array_equal(values.to_numpy(), table[column])
    assert log.orders is log.orders  # built once


def test_a_column_of_one_value_is_held_once_and_reads_as_every_row() -> None:
    """A long run's columns of a feature the scenario lacks (channels, returns...) hold no
    memory per row; bits decide, so -0.0 among zeros and NaN among NaNs are told apart."""
    assert is_constant(compact(np.zeros(1000, dtype=np.int64)))
    assert is_constant(compact(np.full(1000, np.nan)))
    assert not is_constant(compact(np.array([0.0, -0.0, 0.0])))
    assert not is_constant(compact(np.array([1, 1, 2])))
    table = Table({"lost": constant(0, 6, np.int64), "placed": np.arange(6.0)})
    picked = table.rows(np.array([False, True, False, True, True, False]))
    assert is_constant(picked["lost"]) and picked["lost"].tolist() == [0, 0, 0]
    assert table.frame()["lost"].tolist() == [0] * 6


def test_a_tables_columns_are_read_only_and_its_frame_is_the_users_to_change() -> None:
    """Tables share columns (an order of one line has its line's quantity): a change made
    through one would change the other and every KPI read after it."""
    scenario = servsim.load_scenario(ROOT / "scenarios" / "webshop.yaml")
    log = servsim.simulate(scenario.with_overrides({"horizon": "20d"}), replications=1).logs[0]
    quantity = log.tables.orders["quantity"]
    with pytest.raises(ValueError, match="read-only"):
        quantity[0] = 99
    frame = log.orders
    frame.loc[0, "quantity"] = 99
    frame.loc[0, "wrong_item"] = True  # a column held as one value in the table
    assert log.tables.orders["quantity"][0] != 99
    assert not log.tables.orders["wrong_item"][0]


def test_orders_of_one_line_share_their_lines_facts_and_equal_the_sums_over_lines() -> None:
    """A web shop's orders have one line each: the order table reads the line table's counts,
    which must equal what summing each order's lines gives."""
    scenario = servsim.load_scenario(ROOT / "scenarios" / "webshop.yaml")
    log = servsim.simulate(scenario.with_overrides({"horizon": "20d"}), replications=1).logs[0]
    orders, lines = log.tables.orders, log.tables.lines
    assert (orders["lines"] == 1).all()
    for column in ("quantity", "filled", "backordered"):
        assert orders[column] is lines[column]
        summed = np.bincount(lines["order"], lines[column], minlength=len(orders))
        np.testing.assert_array_equal(orders[column], summed.astype(np.int64))
    np.testing.assert_array_equal(orders["allocated"], lines["allocated"])


def test_a_sum_per_order_of_one_line_each_is_pandas_group_sum_bit_for_bit() -> None:
    """The shortcut for orders of one line gives what pandas' group sum gives: NaN as 0,
    -0.0 as 0.0, every other value itself; and orders of several lines still group."""
    rng = np.random.default_rng(7)
    values = rng.normal(size=2000)
    values[::7] = np.nan
    values[::11] = -0.0
    values[::13] = np.inf
    single = np.arange(2000) * 3
    several = np.repeat(np.arange(1000), 2)
    for orders in (single, several):
        expected = pd.Series(values).groupby(orders).sum()
        got = sum_by_order(values, orders)
        np.testing.assert_array_equal(got.index, expected.index)
        assert got.to_numpy().tobytes() == expected.to_numpy().tobytes()
