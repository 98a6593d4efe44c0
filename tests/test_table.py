"""The run log's tables of numpy columns: selection, labels, and the DataFrame they become."""

from __future__ import annotations

import numpy as np
import pandas as pd

import servsim
from servsim.model.table import Table
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
