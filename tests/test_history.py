"""Trace-driven demand: a segment replays (and resamples) the planner's own order history."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import servsim
from servsim.cli import main
from servsim.core.errors import ScenarioError
from tests.conftest import ROOT

EXAMPLE = ROOT / "scenarios" / "webshop_history.yaml"
ORDERS = ROOT / "scenarios" / "data" / "webshop_orders.csv"
WEEK = 168.0


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    """The example history read independently: hours after Monday 6 January 2025 00:00."""
    frame = pd.read_csv(ORDERS)
    frame["hours"] = (pd.to_datetime(frame["created_at"]) - pd.Timestamp("2025-01-06")) / (
        pd.Timedelta(hours=1)
    )
    return frame


@pytest.fixture(scope="module")
def replayed() -> servsim.Results:
    scenario = servsim.load_scenario(EXAMPLE).with_overrides({"replications": 21})
    return servsim.simulate(scenario)


def test_replication_0_replays_the_history_exactly(
    history: pd.DataFrame, replayed: servsim.Results
) -> None:
    orders = replayed.orders[replayed.orders["replication"] == 0]
    first = history.groupby("order_id")["hours"].min().sort_values()
    assert len(orders) == len(first)
    np.testing.assert_allclose(orders["placed"].to_numpy(), first.to_numpy(), atol=1e-9)
    per_hour = np.bincount((orders["placed"] // 1).astype(int), minlength=91 * 24)
    expected = np.bincount((first.to_numpy() // 1).astype(int), minlength=91 * 24)
    assert (per_hour == expected).all()
    assert orders["quantity"].sum() == history["quantity"].sum()
    assert orders["lines"].sum() == len(history)
    lines = replayed.lines
    mine = lines[lines["replication"] == 0]
    by_sku = mine.groupby("sku")["quantity"].sum().to_dict()
    assert by_sku == history.groupby("sku")["quantity"].sum().to_dict()


def weekday_hour_counts(placed: np.ndarray) -> np.ndarray:
    """Orders per (hour of the week), 168 cells."""
    return np.bincount((placed % WEEK).astype(int), minlength=168)


def test_resampled_replications_keep_the_weekday_hour_profile(
    history: pd.DataFrame, replayed: servsim.Results
) -> None:
    """Each replication >= 1 is 13 weeks drawn from the history's 13: a cell's count has mean
    13 x its mean over the weeks and variance 13 x its variance over them; the replications'
    mean must lie within 4.5 standard errors (168 cells at once), and a cell never seen in the
    history stays empty."""
    first = history.groupby("order_id")["hours"].min().to_numpy()
    week = (first // WEEK).astype(int)
    per_week = np.stack([weekday_hour_counts(first[week == w]) for w in range(13)])
    expected, spread = 13 * per_week.mean(axis=0), 13 * per_week.var(axis=0)
    orders = replayed.orders
    resampled = np.stack(
        [
            weekday_hour_counts(orders.loc[orders["replication"] == k, "placed"].to_numpy())
            for k in range(1, 21)
        ]
    )
    assert not (resampled == weekday_hour_counts(first)).all(axis=1).any(), "no resampling"
    mean = resampled.mean(axis=0)
    error = np.sqrt(spread / resampled.shape[0])
    varied = spread > 0
    assert np.all(np.abs(mean - expected)[varied] <= 4.5 * error[varied])
    assert np.all(resampled[:, ~varied] == expected[~varied])


def test_resampling_by_day_keeps_each_weekday(tmp_path: Path, history: pd.DataFrame) -> None:
    path = copy_example(tmp_path, "resample: week", "resample: day")
    scenario = servsim.load_scenario(path).with_overrides({"replications": 6})
    orders = servsim.simulate(scenario).orders
    first = history.groupby("order_id")["hours"].min().to_numpy()
    by_day = np.bincount((first % WEEK // 24).astype(int), minlength=7) / 13
    for k in range(1, 6):
        placed = orders.loc[orders["replication"] == k, "placed"].to_numpy()
        days = np.bincount((placed % WEEK // 24).astype(int), minlength=7) / 13
        assert np.all(np.abs(days / by_day - 1) < 0.2), days  # Monday stays busy, Saturday quiet
        assert not np.array_equal(placed, orders.loc[orders["replication"] == 0, "placed"])


def copy_example(tmp_path: Path, old: str = "", new: str = "", data: str | None = None) -> Path:
    """The example scenario (and its history, or ``data`` instead) in ``tmp_path``, edited."""
    (tmp_path / "data").mkdir(exist_ok=True)
    target = tmp_path / "data" / "webshop_orders.csv"
    if data is None:
        shutil.copy(ORDERS, target)
    else:
        target.write_text(data)
    text = EXAMPLE.read_text()
    assert old in text
    path = tmp_path / "scenario.yaml"
    path.write_text(text.replace(old, new))
    return path


def test_same_seed_same_replay_and_a_new_seed_keeps_replication_0(
    replayed: servsim.Results,
) -> None:
    scenario = servsim.load_scenario(EXAMPLE).with_overrides({"replications": 3})
    again = servsim.simulate(scenario)
    first = replayed.orders[replayed.orders["replication"] < 3].reset_index(drop=True)
    assert again.orders["placed"].equals(first["placed"])
    other = servsim.simulate(scenario.with_overrides({"seed": 99})).orders
    zero = first[first["replication"] == 0]["placed"].to_numpy()
    assert np.array_equal(other[other["replication"] == 0]["placed"].to_numpy(), zero)
    assert not np.array_equal(
        other[other["replication"] == 1]["placed"].to_numpy(),
        first[first["replication"] == 1]["placed"].to_numpy(),
    )


def test_a_horizon_longer_than_the_history_names_both(tmp_path: Path) -> None:
    path = copy_example(tmp_path, "horizon: 91d", "horizon: 120d")
    with pytest.raises(ScenarioError) as caught:
        servsim.load_scenario(path)
    message = str(caught.value)
    assert "91 days (2025-01-06 to 2025-04-06)" in message
    assert "horizon (120 days)" in message and "repeat: true" in message
    assert message.count("\n") == 0


def test_repeat_replays_the_history_again(tmp_path: Path, history: pd.DataFrame) -> None:
    path = copy_example(tmp_path, "resample: week ", "resample: week\n    repeat: true\n#")
    scenario = servsim.load_scenario(path).with_overrides({"horizon": "182d", "replications": 1})
    orders = servsim.simulate(scenario).orders
    placed = orders["placed"].to_numpy()
    half = placed[placed < 91 * 24]
    np.testing.assert_allclose(placed[placed >= 91 * 24] - 91 * 24, half)
    assert len(placed) == 2 * history["order_id"].nunique()


def test_a_later_start_leaves_the_earlier_orders_out(tmp_path: Path, history: pd.DataFrame) -> None:
    path = copy_example(tmp_path, "resample: week ", "resample: week\n    start: 2025-01-13\n#")
    path.write_text(path.read_text().replace("horizon: 91d", "horizon: 84d"))
    scenario = servsim.load_scenario(path).with_overrides({"replications": 1})
    orders = servsim.simulate(scenario).orders
    first = history.groupby("order_id")["hours"].min()
    assert len(orders) == int((first >= WEEK).sum())
    np.testing.assert_allclose(orders["placed"].min(), first[first >= WEEK].min() - WEEK)


def test_the_time_zone_moves_the_clock(tmp_path: Path, history: pd.DataFrame) -> None:
    """Timestamps written in UTC (with +00:00) land an hour later in Amsterdam's winter."""
    frame = history.drop(columns="hours").copy()
    frame["created_at"] = pd.to_datetime(frame["created_at"]).dt.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    frame = frame[frame["created_at"] < "2025-03-30"]  # before summer time
    path = copy_example(tmp_path, "horizon: 91d", "horizon: 83d", data=frame.to_csv(index=False))
    zoned = servsim.simulate(servsim.load_scenario(path).with_overrides({"replications": 1}))
    (tmp_path / "utc").mkdir()
    utc_path = copy_example(
        tmp_path / "utc", "horizon: 91d", "horizon: 83d", data=frame.to_csv(index=False)
    )
    utc_path.write_text(utc_path.read_text().replace("Europe/Amsterdam", "UTC"))
    utc = servsim.load_scenario(utc_path).with_overrides({"replications": 1})
    local = zoned.orders["placed"].to_numpy()
    written = servsim.simulate(utc).orders["placed"].to_numpy()
    assert written.size - local.size == 1  # the last order falls past the horizon in Amsterdam
    np.testing.assert_allclose(local - written[: local.size], 1.0)


def test_parquet_replays_like_csv(tmp_path: Path, history: pd.DataFrame) -> None:
    path = copy_example(tmp_path, "webshop_orders.csv", "webshop_orders.parquet")
    frame = history.drop(columns="hours").assign(
        created_at=lambda f: pd.to_datetime(f["created_at"])
    )
    frame.to_parquet(tmp_path / "data" / "webshop_orders.parquet")
    scenario = servsim.load_scenario(path).with_overrides({"replications": 1})
    example = servsim.load_scenario(EXAMPLE).with_overrides({"replications": 1})
    assert servsim.simulate(scenario).orders.equals(servsim.simulate(example).orders)


def test_more_units_per_order_line_lower_the_fill_rate(tmp_path: Path) -> None:
    frame = pd.read_csv(ORDERS)
    frame["quantity"] *= 2
    path = copy_example(tmp_path, data=frame.to_csv(index=False))
    doubled = servsim.simulate(servsim.load_scenario(path)).summary(0.99)
    example = servsim.simulate(servsim.load_scenario(EXAMPLE)).summary(0.99)
    assert doubled.loc["unit_fill_rate", "hi"] < example.loc["unit_fill_rate", "lo"]


BAD_HISTORY = """\
created_at,order_id,customer,sku,quantity
2025-01-06 08:00:00,W1,C1,A,1
2025-13-06 09:00:00,W2,C1,A,1
2025-01-06 10:00:00,W3,C2,Z9,2
2025-01-06 11:00:00,W4,C2,B,-3
2025-01-06 12:00:00,W5,C3,A,two
"""


def test_every_bad_row_is_reported_in_one_pass(tmp_path: Path) -> None:
    path = copy_example(tmp_path, data=BAD_HISTORY)
    with pytest.raises(ScenarioError) as caught:
        servsim.load_scenario(path)
    said = str(caught.value).splitlines()
    data = tmp_path / "data" / "webshop_orders.csv"
    assert said == [
        f"{data}:3: placed: '2025-13-06 09:00:00' is not a timestamp; allowed: ISO 8601, e.g. "
        "2025-01-06 08:30 or 2025-01-06T08:30:00+01:00",
        f"{data}:4: sku: 'Z9' is not a product; allowed: A, B",
        f"{data}:5: quantity: '-3' is not a whole number of units; allowed: 1, 2, ...",
        f"{data}:6: quantity: 'two' is not a whole number of units; allowed: 1, 2, ...",
    ]


def test_missing_columns_each_get_a_line(tmp_path: Path) -> None:
    path = copy_example(tmp_path, data="when,order_id,item,quantity\n2025-01-06 08:00,W1,A,1\n")
    with pytest.raises(ScenarioError) as caught:
        servsim.load_scenario(path)
    said = str(caught.value).splitlines()
    assert len(said) == 2
    assert said[0].endswith(
        ":1: placed: missing column 'created_at'; columns found: when, order_id, item, "
        "quantity; map yours with columns: {placed: <your column>}"
    )
    assert ":1: sku: missing column 'sku'" in said[1]


def test_the_command_line_says_it_without_a_traceback(tmp_path: Path) -> None:
    path = copy_example(tmp_path, data=BAD_HISTORY)
    result = CliRunner().invoke(main, ["run", str(path)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert result.output.count("webshop_orders.csv:") == 4


def test_a_missing_history_file_is_located_in_the_scenario(tmp_path: Path) -> None:
    path = copy_example(tmp_path, "data/webshop_orders.csv", "data/nowhere.csv")
    with pytest.raises(ScenarioError) as caught:
        servsim.load_scenario(path)
    (problem,) = caught.value.problems
    assert problem.line == 19 and problem.path == "demand.history.file"
    assert "history file not found" in problem.message


def test_history_leaves_no_room_for_a_mix(tmp_path: Path) -> None:
    path = copy_example(tmp_path, "  history:\n", "  mix: {A: 1}\n  history:\n")
    with pytest.raises(ScenarioError) as caught:
        servsim.load_scenario(path)
    assert "the history gives it" in str(caught.value)


def test_a_reloaded_history_scenario_is_equal_and_survives_pickling() -> None:
    import pickle

    scenario = servsim.load_scenario(EXAMPLE)
    assert pickle.loads(pickle.dumps(scenario)) == scenario
    assert scenario.with_overrides({"demand.history.resample": "day"}) != scenario


def test_one_file_feeds_several_segments_by_its_segment_column(
    tmp_path: Path, history: pd.DataFrame
) -> None:
    frame = history.drop(columns="hours").copy()
    business = frame["customer"].str[-1].isin(list("01234"))
    frame["segment"] = np.where(business, "trade", "consumer")
    path = copy_example(tmp_path, data=frame.to_csv(index=False))
    text = path.read_text()
    block = text[text.index("demand:\n") : text.index("\nstocking:")]
    segments = "demand:\n  segments:\n"
    for name in ("trade", "consumer"):
        segments += (
            f"    {name}:\n      history:\n        file: data/webshop_orders.csv\n"
            "        columns: {placed: created_at, order: order_id}\n"
            f"        timezone: Europe/Amsterdam\n        segment: {name}\n"
        )
    path.write_text(text.replace(block, segments))
    scenario = servsim.load_scenario(path).with_overrides({"replications": 1})
    orders = servsim.simulate(scenario).orders
    counts = orders.groupby("segment").size()
    expected = frame.groupby("segment")["order_id"].nunique()
    assert counts.to_dict() == expected.to_dict()
    wrong = path.read_text().replace("segment: trade", "segment: wholesale")
    path.write_text(wrong)
    with pytest.raises(ScenarioError) as caught:
        servsim.load_scenario(path)
    assert "no row has segment 'wholesale'; allowed: consumer, trade" in str(caught.value)


def test_a_history_that_is_a_fifo_is_refused_at_once(tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "orders.csv"
    os.mkfifo(fifo)
    path = copy_example(tmp_path, "data/webshop_orders.csv", str(fifo))
    with pytest.raises(ScenarioError) as caught:
        servsim.load_scenario(path)
    assert "is not a regular file; give a CSV or Parquet file" in str(caught.value)
