"""A history's optional columns: ``requested`` sets each order's promise, ``customer`` ties the
replayed orders to their customers (the order log's ``customer`` and the repeat-order KPIs)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import servsim
from servsim.core.errors import ScenarioError
from tests.test_history import ORDERS, copy_example


def with_requested(tmp_path: Path, after: pd.Timedelta | None, rows: slice | None = None) -> Path:
    """The example with a requested column, ``after`` each line's placement (empty: none)."""
    frame = pd.read_csv(ORDERS)
    placed = pd.to_datetime(frame["created_at"])
    frame["requested"] = "" if after is None else (placed + after).dt.strftime("%Y-%m-%d %H:%M:%S")
    if rows is not None:
        frame.loc[frame.index[rows], "requested"] = ""
    return copy_example(tmp_path, data=frame.to_csv(index=False))


def replay(path: Path) -> servsim.Results:
    return servsim.simulate(servsim.load_scenario(path))


def test_a_requested_date_is_the_promise(tmp_path: Path) -> None:
    results = replay(with_requested(tmp_path, pd.Timedelta(hours=96)))
    orders = results.orders
    np.testing.assert_allclose(orders["promised"] - orders["placed"], 96.0, atol=1e-6)
    np.testing.assert_allclose(orders["first_promise"] - orders["placed"], 96.0, atol=1e-6)


def test_earlier_requested_dates_lower_otif(tmp_path: Path) -> None:
    """The scenario promises 48 h; customers who ask for 30 h are let down more often than
    those who ask for 96 h, beyond the 99% intervals of both."""
    for name in ("soon", "late", "example"):
        (tmp_path / name).mkdir()
    soon = replay(with_requested(tmp_path / "soon", pd.Timedelta(hours=30))).summary(0.99)
    late = replay(with_requested(tmp_path / "late", pd.Timedelta(hours=96))).summary(0.99)
    example = replay(copy_example(tmp_path / "example")).summary(0.99)
    assert soon.loc["otif", "hi"] < example.loc["otif", "lo"]
    assert example.loc["otif", "mean"] < late.loc["otif", "mean"]
    assert soon.loc["unit_fill_rate", "mean"] == example.loc["unit_fill_rate", "mean"]


def test_an_order_without_a_requested_date_keeps_the_scenario_promise(tmp_path: Path) -> None:
    frame = pd.read_csv(ORDERS)
    half = len(frame) // 2
    results = replay(with_requested(tmp_path, pd.Timedelta(hours=96), slice(half, None)))
    first = results.orders[results.orders["replication"] == 0]
    lead = (first["promised"] - first["placed"]).round(6)
    asked = set(frame["order_id"].iloc[:half]) - set(frame["order_id"].iloc[half:])
    assert set(lead.unique()) == {48.0, 96.0}
    assert (lead == 96.0).sum() == len(asked)


def test_a_date_asks_for_the_end_of_that_day(tmp_path: Path) -> None:
    frame = pd.read_csv(ORDERS)
    placed = pd.to_datetime(frame["created_at"])
    frame["requested"] = (placed + pd.Timedelta(days=3)).dt.strftime("%Y-%m-%d")
    results = replay(copy_example(tmp_path, data=frame.to_csv(index=False)))
    first = results.orders[results.orders["replication"] == 0]
    days = first["placed"].to_numpy() // 24
    np.testing.assert_allclose(first["promised"].to_numpy(), (days + 4) * 24, atol=1e-6)


def test_bad_requested_dates_are_each_reported(tmp_path: Path) -> None:
    data = (
        "created_at,order_id,customer,sku,quantity,requested\n"
        "2025-01-06 08:00:00,W1,C1,A,1,2025-01-08\n"
        "2025-01-06 09:00:00,W2,C1,A,1,soon\n"
        "2025-01-06 10:00:00,W3,C2,B,2,2025-01-06 09:00\n"
        "2025-01-06 11:00:00,W4,C2,B,3,\n"
    )
    path = copy_example(tmp_path, data=data)
    with pytest.raises(ScenarioError) as caught:
        servsim.load_scenario(path)
    said = str(caught.value).splitlines()
    file = tmp_path / "data" / "webshop_orders.csv"
    assert len(said) == 2, said
    assert said[0].startswith(f"{file}:3: requested: 'soon' is not a date or timestamp")
    assert said[1] == (
        f"{file}:4: requested: '2025-01-06 09:00' is not after the line was placed; "
        "allowed: a later date, or empty"
    )


def history_repeat_rate(frame: pd.DataFrame, warmup_hours: float, horizon_hours: float) -> float:
    """The share of customers with two or more orders among those with one, counting the
    orders placed in the run's window (hours after Monday 6 January 2025, Amsterdam time)."""
    hours = (pd.to_datetime(frame["created_at"]) - pd.Timestamp("2025-01-06")) / pd.Timedelta(
        hours=1
    )
    first = (
        frame.assign(hours=hours)
        .groupby("order_id")
        .agg(hours=("hours", "min"), customer=("customer", "first"))
    )
    counted = first[(first["hours"] >= warmup_hours) & (first["hours"] <= horizon_hours)]
    per_customer = counted.groupby("customer").size()
    return float((per_customer >= 2).mean())


def test_replication_0_carries_the_history_customers(tmp_path: Path) -> None:
    frame = pd.read_csv(ORDERS)
    results = replay(copy_example(tmp_path))
    first = results.orders[results.orders["replication"] == 0]
    assert (first["customer"] >= 0).all()
    assert first["customer"].nunique() == frame["customer"].nunique()
    kpis = results.kpis.set_index("replication")
    expected = history_repeat_rate(frame, 7 * 24, 91 * 24)
    assert kpis.loc[0, "repeat_order_rate"] == pytest.approx(expected, abs=1e-12)
    assert np.isnan(kpis.loc[0, "retention_rate"])  # no customer base: not measured


def test_every_order_its_own_customer_has_no_repeat_orders(tmp_path: Path) -> None:
    """... in every replication: a week the bootstrap draws twice is placed the second time by
    new customers, so its customers do not seem to come back."""
    frame = pd.read_csv(ORDERS)
    frame["customer"] = frame["order_id"]
    results = replay(copy_example(tmp_path, data=frame.to_csv(index=False)))
    assert (results.kpis["repeat_order_rate"] == 0).all()
    assert (results.kpis["orders_per_customer"] == 1).all()


def test_without_a_customer_column_orders_have_no_customer(tmp_path: Path) -> None:
    frame = pd.read_csv(ORDERS).drop(columns=["customer"])
    results = replay(copy_example(tmp_path, data=frame.to_csv(index=False)))
    assert (results.orders["customer"] == -1).all()
    assert results.kpis["repeat_order_rate"].isna().all()
