"""Flat logs move their rows into blocks of floats as they grow; what they hold stays the same."""

from __future__ import annotations

import numpy as np
import pytest

import servsim
from servsim.model import records
from servsim.model.records import NOT_YET, ShipmentLog
from tests.conftest import ROOT


def test_rows_moved_into_blocks_are_still_read_and_updated() -> None:
    log = ShipmentLog()
    count = 3 * records.BLOCK_ROWS + 5
    for order in range(count):
        assert log.add(order, 1, float(order), NOT_YET, NOT_YET, NOT_YET, NOT_YET, 0, 0, 0) == order
    log.started(1, 10.0)  # in a block
    log.processed(2, 11.0, 12.0, 13.0, 14.0, 1, 1, 0)  # in a block
    log.processed(count - 1, 21.0, 22.0, 23.0, 24.0, 1, 0, 1)  # not moved yet
    assert len(log) == count
    assert log.released(count - 2) == (count - 2, 1, 0)  # not moved yet
    assert log.released(2) == (2, 1, 1)  # in a block, its mode set when processed
    columns = log.take_columns()
    np.testing.assert_array_equal(columns["order"], np.arange(count))
    assert columns["start"][1] == 10.0 and np.isnan(columns["start"][0])
    assert columns["delivered"][2] == 14.0 and columns["expedited"][2] == 1
    assert columns["damaged"][count - 1] == 1 and columns["ready"][count - 1] == 22.0
    assert len(log) == 0  # taken: the log and its table are not both kept


def test_taking_columns_converts_each_field_it_is_told_to() -> None:
    log = ShipmentLog()
    for order in range(records.BLOCK_ROWS + 3):
        log.add(order, 2, 0.5, 1.0, 2.0, 3.0, 4.0, 1, 0, 1)
    columns = log.take_columns({"order": np.int64, "damaged": bool})
    assert columns["order"].dtype == np.int64 and columns["damaged"].dtype == bool
    assert columns["units"].dtype == float and columns["damaged"].all()
    np.testing.assert_array_equal(columns["order"], np.arange(records.BLOCK_ROWS + 3))


def _tables(name: str) -> dict[str, dict[str, np.ndarray]]:
    scenario = servsim.load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    log = servsim.simulate(
        scenario.with_overrides({"horizon": "40d", "warmup": "5d"}), replications=1
    ).logs[0]
    tables = log.tables
    return {
        table: {column: getattr(tables, table)[column] for column in getattr(tables, table).columns}
        for table in (
            "orders",
            "lines",
            "shipments",
            "replenishments",
            "stock_levels",
            "judgements",
        )
    }


@pytest.mark.parametrize("name", ["garden_exceptional", "network"])
def test_a_run_logs_the_same_facts_whatever_the_block_size(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = _tables(name)
    monkeypatch.setattr(records, "BLOCK_ROWS", 3)
    monkeypatch.setattr(records, "_SHIPMENTS_FULL", 3 * len(records.SHIPMENT_FIELDS))
    monkeypatch.setattr(records, "_LEVELS_FULL", 3 * 4)
    blocked = _tables(name)
    for table, columns in whole.items():
        for column, values in columns.items():
            np.testing.assert_array_equal(blocked[table][column], values, err_msg=table + column)


@pytest.mark.parametrize("first_rows", [0, 3, records.BLOCK_ROWS - 1])
def test_columns_appended_whole_are_the_rows_added_one_by_one(first_rows: int) -> None:
    """A flow computed in arrays appends whole columns: the log holds what adding each row
    would have given, across block boundaries, and updates still reach the right row."""
    rng = np.random.default_rng(3)
    count = 2 * records.BLOCK_ROWS + 17
    values = {name: rng.uniform(size=first_rows + count) for name in records.LevelLog.FIELDS}
    by_row, by_column = records.LevelLog(), records.LevelLog()
    for row in range(first_rows + count):
        by_row.add(*(float(values[name][row]) for name in records.LevelLog.FIELDS))
    for row in range(first_rows):
        by_column.add(*(float(values[name][row]) for name in records.LevelLog.FIELDS))
    given = {name: values[name][first_rows:].copy() for name in records.LevelLog.FIELDS}
    by_column.extend_columns(given)
    assert given == {}  # taken: the caller's arrays may go
    assert len(by_column) == len(by_row)
    for log in (by_row, by_column):
        log.set(first_rows + records.BLOCK_ROWS + 5, 2, -1.0)
    one, other = by_row.take_columns(), by_column.take_columns()
    for name in records.LevelLog.FIELDS:
        np.testing.assert_array_equal(one[name], other[name])
