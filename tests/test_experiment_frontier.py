"""The frontier and the standards check on hand-made summaries, where the answer is known."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from servsim.experiment.adaptive import replications_wanted
from servsim.experiment.frontier import (
    cheapest_meeting,
    check_standards,
    efficient,
    frontier,
    frontier_status,
)
from servsim.experiment.results import SweepResults
from servsim.stats.standards import Standard, parse_standard


def summary_of(rows: list[tuple[float, float, float, float, float]]) -> pd.DataFrame:
    """Points with (cost mean, cost half-width, satisfaction mean, its half-width, otif lo)."""
    records = []
    for point, (cost, cost_half, satisfaction, satisfaction_half, otif_lo) in enumerate(rows):
        records.append(
            {
                "point": point,
                "cost_mean": cost,
                "cost_lo": cost - cost_half,
                "cost_hi": cost + cost_half,
                "satisfaction_mean": satisfaction,
                "satisfaction_lo": satisfaction - satisfaction_half,
                "satisfaction_hi": satisfaction + satisfaction_half,
                "otif_mean": otif_lo + 0.01,
                "otif_lo": otif_lo,
                "otif_hi": otif_lo + 0.02,
            }
        )
    return pd.DataFrame(records)


# cost, its half-width, satisfaction, its half-width, otif lo
HAND_MADE = summary_of(
    [
        (10.0, 0.1, 0.70, 0.01, 0.80),  # 0 efficient: cheapest
        (12.0, 0.1, 0.80, 0.01, 0.90),  # 1 efficient
        (12.5, 0.1, 0.78, 0.01, 0.96),  # 2 dominated by 1; intervals apart on both
        (15.0, 0.1, 0.90, 0.01, 0.94),  # 3 efficient: most satisfying
        (15.0, 0.1, 0.85, 0.01, 0.97),  # 4 dominated by 3 (same cost, less satisfying)
        (12.1, 0.2, 0.795, 0.01, 0.99),  # 5 dominated by 1, but overlaps it on both axes
        (20.0, 0.1, 0.90, 0.01, 0.99),  # 6 dominated by 3 (dearer, as satisfying)
        (11.0, float("nan"), 0.75, float("nan"), 0.5),  # 7 efficient; one run: no interval
    ]
)


def test_efficient_points_on_the_means() -> None:
    flags = efficient(HAND_MADE["cost_mean"], HAND_MADE["satisfaction_mean"])
    assert np.flatnonzero(flags).tolist() == [0, 1, 3, 7]


def test_identical_points_do_not_dominate_each_other() -> None:
    assert efficient(np.array([1.0, 1.0, 2.0]), np.array([0.5, 0.5, 0.5])).tolist() == [
        True,
        True,
        False,
    ]


def test_frontier_status_tells_apart_what_the_intervals_cannot() -> None:
    status = frontier_status(HAND_MADE, "cost", "satisfaction").tolist()
    assert status == [
        "efficient",
        "efficient",
        "dominated",
        "efficient",
        "dominated",
        "indistinguishable",
        "dominated",
        "efficient",
    ]


def test_frontier_table_is_sorted_by_cost() -> None:
    table = frontier(HAND_MADE, "cost", "satisfaction")
    assert table["point"].tolist() == [0, 7, 1, 5, 3]
    assert frontier(HAND_MADE, "cost", "satisfaction", indistinguishable=False)[
        "point"
    ].tolist() == [0, 7, 1, 3]


def test_a_point_without_a_measured_objective_is_left_out() -> None:
    summary = HAND_MADE.copy()
    summary.loc[0, "satisfaction_mean"] = math.nan
    status = frontier_status(summary, "cost", "satisfaction")
    assert status[0] == "unmeasured"
    assert status[7] == "efficient"


@pytest.mark.parametrize(
    ("written", "operator", "target"),
    [
        (">= 0.95", ">=", 0.95),
        ("<=72", "<=", 72.0),
        ("> 95%", ">", 0.95),
        ("< 1e2", "<", 100.0),
        ({"at_least": 0.9}, ">=", 0.9),
        ({"at_most": 48}, "<=", 48.0),
    ],
)
def test_standards_are_read_in_both_forms(written: object, operator: str, target: float) -> None:
    # a rate's target is within 0..1, so the larger ones are a time's
    standard = parse_standard("otif" if target <= 1 else "cycle_p95", written)
    assert (standard.operator, standard.target) == (operator, pytest.approx(target))


@pytest.mark.parametrize("written", ["0.95", ">= ", "=> 0.9", {"at_least": "high"}, 3, None])
def test_unreadable_standards_are_refused(written: object) -> None:
    with pytest.raises(ValueError, match="expected a comparison"):
        parse_standard("otif", written)


def test_met_missed_unclear_by_the_whole_interval() -> None:
    at_least = Standard("otif", ">=", 0.95)
    assert at_least.status(0.95, 0.97) == "met"
    assert at_least.status(0.90, 0.94) == "missed"
    assert at_least.status(0.94, 0.96) == "unclear"
    assert at_least.status(math.nan, math.nan) == "unclear"
    at_most = Standard("cycle_p95", "<=", 72)
    assert at_most.status(60, 72) == "met"
    assert at_most.status(73, 80) == "missed"
    assert Standard("otif", ">", 0.95).status(0.95, 0.97) == "unclear"


def test_check_and_cheapest_point_meeting_the_standards() -> None:
    standards = [parse_standard("otif", ">= 0.95"), parse_standard("satisfaction", ">= 0.7")]
    checks = check_standards(HAND_MADE, standards)
    assert checks["otif >= 0.95"].tolist() == [
        "missed",
        "missed",
        "met",
        "unclear",
        "met",
        "met",
        "met",
        "missed",
    ]
    assert checks["all_met"].tolist() == [False, False, True, False, True, True, True, False]
    best = cheapest_meeting(HAND_MADE, standards, "cost")
    assert best is not None and best["point"] == 5  # 12.1 beats 12.5, 15 and 20
    assert cheapest_meeting(HAND_MADE, [parse_standard("otif", ">= 0.999")], "cost") is None


def test_sweep_results_best_and_check_use_the_experiment_standards() -> None:
    results = SweepResults(
        runs=pd.DataFrame(),
        summary=HAND_MADE,
        parameters=(),
        cost="cost",
        satisfaction="satisfaction",
        standards={"otif": {"at_least": 0.95}},
    )
    best = results.best()
    assert best is not None and best["point"] == 5
    other = results.best({"otif": ">= 0.97"})
    assert other is not None and other["point"] == 5
    assert results.check()["all_met"].sum() == 4
    assert results.frontier()["point"].tolist() == [0, 7, 1, 5, 3]
    with pytest.raises(ValueError, match="no standards given"):
        SweepResults(pd.DataFrame(), HAND_MADE, (), "cost", "satisfaction").best()


def test_adaptive_replications_grow_until_the_half_width_is_met() -> None:
    rng = np.random.default_rng(0)
    runs = pd.DataFrame({"otif": rng.normal(0.9, 0.05, 4)})
    wanted = replications_wanted(runs, {"otif": 0.01}, most=50, confidence=0.95)
    assert 5 <= wanted <= 8  # more, by the square-root law, but at most double
    assert replications_wanted(runs, {"otif": 0.5}, most=50, confidence=0.95) == 4
    assert replications_wanted(runs, {"otif": 0.01}, most=4, confidence=0.95) == 4
    unmeasured = pd.DataFrame({"otif": [0.9, math.nan, math.nan]})
    assert replications_wanted(unmeasured, {"otif": 0.5}, most=50, confidence=0.95) == 6
