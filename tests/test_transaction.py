"""Transaction phase: segments and tiers, priority processing, time-varying demand, order lines.

Exact checks where theory gives one (Cobham's priority waits, thinning counts), direction
checks elsewhere, and the books balance in every run.
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import servsim
from servsim.kpis.books import unbalanced_books
from servsim.kpis.labour import overtime_clerk_time
from servsim.stats import theory
from tests.conftest import STAGE_BASE, stage_scenario

ONE_CLERK = {"staff": 1, "time": {"dist": "exponential", "mean": 1.0}}


def _two_segments(
    urgent_tier: str, normal_rate: float = 0.45, **sections: object
) -> servsim.Scenario:
    """Orders of one unit from an "urgent" segment of ``urgent_tier`` (0.3 an hour) and a
    "normal" one of the basic tier, served by one clerk unless ``sections`` say otherwise."""
    settings: dict[str, object] = {
        "horizon": 8000,
        "warmup": 500,
        "processing": ONE_CLERK,
        **sections,
    }
    segments = {
        name: {"arrivals": {"process": "poisson", "rate": rate}, "mix": {"A": 1.0}, "tier": tier}
        for name, rate, tier in (("urgent", 0.3, urgent_tier), ("normal", normal_rate, "basic"))
    }
    return stage_scenario(demand={"segments": segments}, **settings)


def test_priority_waits_match_cobham_for_two_classes() -> None:
    results = servsim.simulate(_two_segments("exceptional"))
    waits = theory.mm1_priority_waits([0.3, 0.45], 1.0)
    expected = dict(zip(["urgent", "normal"], waits, strict=True))
    summary = results.summary_by("segment", confidence=0.99)
    for segment, wait in expected.items():
        row = summary.loc[(segment, "processing_wait")]
        assert row["lo"] <= wait <= row["hi"], (segment, wait, row.to_dict())


def test_priority_lowers_the_favoured_tiers_wait_beyond_noise() -> None:
    same = servsim.simulate(_two_segments("basic"), replications=5).summary_by("segment")
    favoured = servsim.simulate(_two_segments("exceptional"), replications=5).summary_by("segment")
    assert (
        favoured.loc[("urgent", "processing_wait"), "hi"]
        < same.loc[("urgent", "processing_wait"), "lo"]
    )
    assert (
        favoured.loc[("normal", "processing_wait"), "lo"]
        > same.loc[("normal", "processing_wait"), "hi"]
    )


def test_without_priorities_both_segments_wait_like_one_fifo_queue() -> None:
    summary = servsim.simulate(_two_segments("basic")).summary_by("segment", confidence=0.99)
    fifo = theory.mmc_mean_wait(0.75, 1.0, 1)
    for segment in ("urgent", "normal"):
        row = summary.loc[(segment, "processing_wait")]
        assert row["lo"] <= fifo <= row["hi"]


def _backordering_segments(favoured_tier: str) -> servsim.Scenario:
    """A third of the demand from a segment of ``favoured_tier``; base stock S = 20 against a
    lead-time demand of 21.6 units, so most units wait for stock."""
    return _two_segments(
        favoured_tier,
        normal_rate=0.6,
        horizon=3000,
        warmup=200,
        replications=5,
        processing="none",
        stocking={
            "stockout": "backorder",
            "items": {"A": {"policy": "base_stock", "S": 20, "lead_time": 24}},
        },
    )


def _stock_wait_by_segment(results: servsim.Results) -> pd.DataFrame:
    """Mean wait for stock per order (one unit each), by replication (rows) and segment."""
    counted = results.orders[results.orders["counted"]]
    table = counted.pivot_table("backorder_wait", "replication", "segment", "mean", observed=True)
    return table


def test_arriving_stock_fills_the_favoured_tiers_backorders_first() -> None:
    fifo = servsim.simulate(_backordering_segments("basic"))
    favoured = servsim.simulate(_backordering_segments("exceptional"))
    # Who gets an arriving unit does not change how many units wait: demand and replenishments
    # are the same, so the stock levels are the same at every moment, and so is every shortage.
    pd.testing.assert_frame_equal(fifo.stock_levels, favoured.stock_levels)
    short = [r.lines.groupby("replication")["backordered"].sum() for r in (fifo, favoured)]
    pd.testing.assert_series_equal(short[0], short[1])
    assert short[0].min() > 1000  # plenty of waiting to share out
    change = _stock_wait_by_segment(favoured) - _stock_wait_by_segment(fifo)
    for segment, sign in (("urgent", -1), ("normal", 1)):
        lo, hi = paired_interval(change[segment])
        assert (hi < 0) if sign < 0 else (lo > 0), (segment, lo, hi)


def paired_interval(differences: pd.Series, confidence: float = 0.99) -> tuple[float, float]:
    """The t interval of the mean of paired differences (common random numbers)."""
    half = stats.t.ppf((1 + confidence) / 2, len(differences) - 1) * differences.sem()
    return differences.mean() - half, differences.mean() + half


HOURS = [0.2] * 6 + [1.0] * 3 + [2.5] * 8 + [1.0] * 4 + [0.5] * 3
DAYS = [1.2, 1.0, 1.0, 1.0, 1.3, 0.6, 0.2]


def test_thinning_gives_the_expected_count_per_hour_and_weekday() -> None:
    scenario = stage_scenario(
        horizon="28d",
        warmup=0,
        replications=4,
        demand={
            "arrivals": {
                "process": "poisson",
                "rate": 3.0,
                "profile": {"hour_of_day": HOURS, "day_of_week": DAYS},
            },
            "mix": {"A": 1.0},
        },
    )
    placed = servsim.simulate(scenario).orders["placed"].to_numpy()
    hour, weekday = (placed % 24).astype(int), ((placed % 168) // 24).astype(int)
    counts = np.zeros((7, 24))
    np.add.at(counts, (weekday, hour), 1)
    expected = 3.0 * np.outer(DAYS, HOURS) * 4 * 4  # rate x multipliers x 4 weeks x 4 reps
    z = (counts - expected) / np.sqrt(expected)
    assert np.abs(z).max() < 4.0, f"worst cell z = {np.abs(z).max():.2f}"
    assert abs(counts.sum() - expected.sum()) < 3.3 * np.sqrt(expected.sum())


def test_a_trend_grows_demand_as_stated() -> None:
    scenario = stage_scenario(
        time_unit="days",
        horizon="730d",
        warmup=0,
        replications=3,
        demand={
            "arrivals": {"process": "poisson", "rate": 20.0, "profile": {"trend": 0.5}},
            "mix": {"A": 1.0},
        },
    )
    placed = servsim.simulate(scenario).orders["placed"].to_numpy()
    first, second = (placed < 365).sum(), (placed >= 365).sum()
    # year 1: 20 x 365 x (1 + 0.25) on average; year 2: 20 x 365 x 1.75; three replications
    for observed, expected in ((first, 3 * 20 * 365 * 1.25), (second, 3 * 20 * 365 * 1.75)):
        assert abs(observed - expected) < 4 * np.sqrt(expected)


def _multi_line(stockout: str) -> servsim.Scenario:
    return stage_scenario(
        horizon=1500,
        warmup=100,
        replications=4,
        products=[{"sku": s, "unit_cost": 10, "price": 15} for s in "ABCD"],
        demand={
            "arrivals": {"process": "poisson", "rate": 1.0},
            "mix": {"A": 0.4, "B": 0.3, "C": 0.2, "D": 0.1},
            "lines": {"dist": "empirical", "values": [1, 2, 3], "weights": [0.5, 0.3, 0.2]},
            "quantity": {"dist": "poisson", "mean": 1.0, "min": 1},
        },
        stocking={
            "stockout": stockout,
            "items": {
                s: {
                    "policy": "base_stock",
                    "S": 4,
                    "lead_time": {"dist": "gamma", "mean": 6, "sd": 2},
                }
                for s in "ABCD"
            },
        },
        processing={"staff": 1, "time": {"dist": "exponential", "mean": 0.3}},
    )


@pytest.mark.parametrize("stockout", ["backorder", "partial", "lost"])
def test_orders_with_several_lines_balance_and_are_in_full_only_when_every_line_is(
    stockout: str,
) -> None:
    results = servsim.simulate(_multi_line(stockout))
    for log in results.logs:
        assert unbalanced_books(log, results.scenario) == []
    lines = results.lines
    per_order = lines.groupby(["replication", "order"])
    assert (per_order["sku"].nunique() == per_order.size()).all()  # distinct skus per order
    assert abs(per_order.size().mean() - 1.7) < 0.05
    kpis = results.kpis
    assert (kpis["order_fill_rate"] < kpis["line_fill_rate"]).all()
    if stockout == "partial":
        assert (results.orders["shipments"] > 1).any()
    if stockout == "backorder":
        assert (results.orders["shipments"] <= 1).all()


def test_a_tier_sets_the_promise_and_the_carrier_mode() -> None:
    scenario = _two_segments(
        "express",
        tiers={"express": {"priority": 1, "promise": 2, "mode": "air"}},
        delivery={
            "promise": 30,
            "default": "road",
            "modes": {
                "road": {"transit": 20, "cost_per_shipment": 5},
                "air": {"transit": 1, "cost_per_shipment": 25},
            },
        },
    )
    results = servsim.simulate(scenario, replications=2)
    orders, shipments = results.orders, results.shipments
    urgent = orders["segment"] == "urgent"
    assert np.allclose((orders["promised"] - orders["placed"])[urgent], 2)
    assert np.allclose((orders["promised"] - orders["placed"])[~urgent], 30)
    mode = shipments.merge(orders[["replication", "order", "segment"]], on=["replication", "order"])
    assert set(mode.loc[mode["segment"] == "urgent", "mode"]) == {"air"}
    assert set(mode.loc[mode["segment"] == "normal", "mode"]) == {"road"}


WEEKDAY_SHIFT = {
    "days": ["mon", "tue", "wed", "thu", "fri"],
    "start": "8:00",
    "end": "17h",
    "staff": 2,
}


def _shifted(overtime: dict | None = None) -> servsim.Scenario:
    processing = {
        "shifts": [WEEKDAY_SHIFT, {"days": ["sat"], "start": 9, "end": 13, "staff": 1}],
        "time": {"dist": "exponential", "mean": 0.5},
    }
    if overtime:
        processing["overtime"] = overtime
    return stage_scenario(
        horizon="6w",
        warmup="1w",
        replications=3,
        demand={"arrivals": {"process": "poisson", "rate": 1.0}, "mix": {"A": 1.0}},
        processing=processing,
        costs={"staff_wage": 20},
    )


def _clock(times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return (times % 168) // 24, times % 24


def test_no_processing_starts_outside_working_hours() -> None:
    results = servsim.simulate(_shifted())
    day, hour = _clock(results.shipments["start"].dropna().to_numpy())
    weekday_work = (day <= 4) & (hour >= 8) & (hour < 17)
    saturday_work = (day == 5) & (hour >= 9) & (hour < 13)
    assert (weekday_work | saturday_work).all()
    # orders keep arriving at night and on Sunday: they wait for the next shift
    placed_day, placed_hour = _clock(results.orders["placed"].to_numpy())
    assert ((placed_day == 6) | (placed_hour < 8)).any()
    waits = results.summary().loc["processing_wait", "mean"]
    assert waits > 5  # hours: a night's wait dominates
    # utilisation is measured against the scheduled clerk time: 2 x 9h x 5 + 4h a week
    scheduled = (2 * 9 * 5 + 4) / 168
    busy = 1.0 * 0.5  # offered load: rate x mean time
    assert abs(results.kpis["staff_utilisation"].mean() - busy / scheduled) < 0.05


def test_overtime_lets_clerks_start_work_after_the_shift_at_a_cost() -> None:
    plain = servsim.simulate(_shifted())
    overtime = servsim.simulate(_shifted({"limit": "2h", "wage": 45}))
    day, hour = _clock(overtime.shipments["start"].dropna().to_numpy())
    weekday = (day <= 4) & (hour >= 8) & (hour < 19)
    saturday = (day == 5) & (hour >= 9) & (hour < 15)
    assert (weekday | saturday).all()
    assert ((day <= 4) & (hour >= 17)).any()  # work did start in overtime
    assert (overtime.kpis["cost_overtime"] > 0).all()
    # without an overtime wage, the job in hand at a shift's end is finished at the staff wage
    finishing = [20 * overtime_clerk_time(log) for log in plain.logs]
    assert plain.kpis["cost_overtime"].tolist() == pytest.approx(finishing)
    assert all(cost > 0 for cost in finishing)
    assert (
        overtime.summary().loc["processing_wait", "hi"]
        < plain.summary().loc["processing_wait", "lo"]
    )


def test_a_shift_that_ends_before_it_starts_is_refused(tmp_path: Path) -> None:
    import yaml

    document = copy.deepcopy(STAGE_BASE)
    document["processing"] = {
        "shifts": [{**WEEKDAY_SHIFT, "end": "7:00"}],
        "time": {"dist": "exponential", "mean": 0.5},
    }
    path = tmp_path / "night.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    with pytest.raises(servsim.ScenarioError) as caught:
        servsim.load_scenario(path)
    (problem,) = caught.value.problems
    assert problem.path == "processing.shifts.0"
    assert problem.line is not None and "ends (7h) before it starts (8h)" in problem.message


def _carried(**delivery: object) -> servsim.Scenario:
    modes = {
        "road": {"transit": {"dist": "lognormal", "mean": 20, "sd": 6}, "cost_per_shipment": 5},
        "air": {"transit": 4, "cost_per_shipment": 30},
    }
    return stage_scenario(
        horizon=2000,
        warmup=100,
        demand={"arrivals": {"process": "poisson", "rate": 1.0}, "mix": {"A": 1.0}},
        processing={"staff": 1, "time": {"dist": "exponential", "mean": 0.8}},
        delivery={"promise": 24, "default": "road", "modes": modes, **delivery},
    )


def test_expediting_raises_on_time_rate_and_transport_cost() -> None:
    plain = servsim.simulate(_carried())
    rushed = servsim.simulate(_carried(expedite={"to": "air", "when_left": 18}))
    for log in rushed.logs:
        assert unbalanced_books(log, rushed.scenario) == []
    on_time = (rushed.kpis["on_time_rate"] - plain.kpis["on_time_rate"]).to_numpy()
    assert on_time.mean() - 2.262 * on_time.std(ddof=1) / np.sqrt(on_time.size) > 0
    assert (rushed.kpis["cost_expedite"] > 0).all() and (plain.kpis["cost_expedite"] == 0).all()
    assert (rushed.kpis["expedited_rate"] > 0).all()
    shipments = rushed.shipments.merge(rushed.orders[["replication", "order", "promised"]])
    left = shipments["promised"] - shipments["ready"]
    assert (shipments.loc[left < 18, "mode"] == "air").all()
    assert (shipments.loc[left >= 18, "mode"] == "road").all()


def test_unreliable_and_damaging_carriers_and_capacity() -> None:
    road = {
        "transit": 10,
        "cost_per_shipment": 5,
        "reliability": 0.8,
        "late_by": 30,
        "damage": 0.05,
        "damage_cost": 40,
        "capacity": 26,
    }
    results = servsim.simulate(_carried(modes={"road": road}, default="road"), replications=4)
    for log in results.logs:
        assert unbalanced_books(log, results.scenario) == []
    shipments = results.shipments.dropna(subset=["delivered"])
    transit = shipments["delivered"] - shipments["dispatched"]
    late = np.isclose(transit, 40)
    assert np.isclose(transit[~late], 10).all()
    assert abs(late.mean() - 0.2) < 4 * np.sqrt(0.2 * 0.8 / late.size)
    assert abs(shipments["damaged"].mean() - 0.05) < 4 * np.sqrt(0.05 * 0.95 / len(shipments))
    per_day = shipments.groupby(["replication", (shipments["dispatched"] // 24)]).size()
    assert per_day.max() <= 26 and (shipments["dispatched"] > shipments["ready"]).any()
    kpis = results.kpis
    assert (kpis["perfect_order_rate"] < kpis["otif"]).all() and (kpis["cost_damage"] > 0).all()


def test_order_entry_channels_add_their_time_and_their_errors() -> None:
    channels = {
        "edi": {"entry_time": 0, "wrong_item": 0.0, "wrong_invoice": 0.0},
        "phone": {"entry_time": 0.5, "wrong_item": 0.04, "wrong_invoice": 0.08},
    }
    scenario = stage_scenario(
        horizon=3000,
        warmup=100,
        replications=4,
        channels=channels,
        demand={
            "arrivals": {"process": "poisson", "rate": 0.5},
            "mix": {"A": 1.0},
            "channels": {"edi": 0.6, "phone": 0.4},
        },
        processing={"staff": 2, "time": 0.2},
    )
    results = servsim.simulate(scenario)
    orders = results.orders
    phone = orders["channel"] == "phone"
    assert abs(phone.mean() - 0.4) < 4 * np.sqrt(0.24 / len(orders))
    assert not orders.loc[~phone, ["wrong_item", "wrong_invoice"]].any().any()
    for column, rate in (("wrong_item", 0.04), ("wrong_invoice", 0.08)):
        observed = orders.loc[phone, column].mean()
        assert abs(observed - rate) < 4 * np.sqrt(rate * (1 - rate) / phone.sum())
    shipments = results.shipments.merge(orders[["replication", "order", "channel"]])
    work = (shipments["ready"] - shipments["start"]).groupby(shipments["channel"]).mean()
    assert np.isclose(work["edi"], 0.2) and np.isclose(work["phone"], 0.7)
    summary = results.summary_by("channel")
    assert (
        summary.loc[("phone", "perfect_order_rate"), "hi"]
        < summary.loc[("edi", "perfect_order_rate"), "lo"]
    )


def test_a_segment_must_say_how_its_orders_come_in() -> None:
    with pytest.raises(servsim.ScenarioError, match="say how this segment's orders come in"):
        stage_scenario(channels={"web": {}})


def test_urgent_orders_get_the_urgent_tiers_promise_mode_and_priority() -> None:
    scenario = stage_scenario(
        horizon=4000,
        warmup=200,
        replications=4,
        tiers={"rush": {"priority": 3, "promise": 6, "mode": "air"}},
        demand={
            "arrivals": {"process": "poisson", "rate": 0.75},
            "mix": {"A": 1.0},
            "urgent": {"share": 0.2, "tier": "rush"},
        },
        processing=ONE_CLERK,
        delivery={
            "promise": 30,
            "default": "road",
            "modes": {
                "road": {"transit": 20, "cost_per_shipment": 5},
                "air": {"transit": 2, "cost_per_shipment": 25},
            },
        },
    )
    results = servsim.simulate(scenario)
    orders = results.orders
    urgent = orders["urgent"]
    assert abs(urgent.mean() - 0.2) < 4 * np.sqrt(0.16 / len(orders))
    assert np.allclose((orders["promised"] - orders["placed"])[urgent], 6)
    assert np.allclose((orders["promised"] - orders["placed"])[~urgent], 30)
    shipments = results.shipments.merge(orders[["replication", "order", "urgent"]])
    assert set(shipments.loc[shipments["urgent"], "mode"]) == {"air"}
    assert set(shipments.loc[~shipments["urgent"], "mode"]) == {"road"}
    wait = (shipments["start"] - shipments["released"]).groupby(shipments["urgent"]).mean()
    expected = dict(zip([True, False], theory.mm1_priority_waits([0.15, 0.6], 1.0), strict=True))
    for flag, value in expected.items():
        assert abs(wait[flag] - value) < 0.15 * value
