"""The satisfaction model on hand-made orders: broken promises, zones of tolerance, relief by
notice, every after-sale episode, service recovery, per-segment settings, and the customers'
relationship rules (loss aversion, tolerance running out, the defection curve)."""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np
import pytest

import servsim
from servsim.model.experience import Experience, experience_scores, failure_score
from servsim.scenario.customers import CustomerBase, Defection
from servsim.scenario.perception import SatisfactionModel
from tests.conftest import STAGE_BASE

MODEL = SatisfactionModel.model_validate(
    {
        "weights": {"reliability": 1, "responsiveness": 1, "information": 1, "tangibles": 1},
        "lateness": {"grace": 2, "intolerable": 12},
        "resolution": {"grace": 10, "intolerable": 30},
        "installation": {"grace": 10, "intolerable": 30},
        "refund": {"grace": 10, "intolerable": 30},
        "replacement": {"grace": 10, "intolerable": 30},
        "repair": {"grace": 10, "intolerable": 30},
    }
)
DIMENSIONS = ("reliability", "responsiveness", "information", "tangibles")


def score(**facts: Any) -> tuple[float, dict[str, float]]:
    value, parts = experience_scores(MODEL, 0.5, Experience(**facts))
    return float(value), {name: float(part) for name, part in parts.items()}


def test_an_order_that_went_right_scores_one() -> None:
    assert score(late_by=-1.0) == (1.0, dict.fromkeys(DIMENSIONS, 0.0))


def test_lateness_within_the_grace_is_no_broken_promise() -> None:
    assert score(late_by=1.5) == (1.0, dict.fromkeys(DIMENSIONS, 0.0))


def test_lateness_past_the_grace_costs_reliability_and_grows_across_the_zone() -> None:
    _, halfway = score(late_by=7.0)  # (7 - 2) / (12 - 2) = 0.5 of the zone
    assert halfway["reliability"] == pytest.approx(0.25 * MODEL.losses.late * 0.5)
    assert halfway["responsiveness"] == pytest.approx(0.25 * 0.5)
    assert halfway["information"] == 0.25
    _, told = score(late_by=7.0, informed=True)
    assert told["responsiveness"] == pytest.approx(0.25 * 0.25)
    assert told["information"] == 0.0
    _, beyond = score(late_by=40.0)
    assert beyond["responsiveness"] == pytest.approx(0.25)


def test_any_missing_unit_costs_at_least_the_incomplete_loss() -> None:
    incomplete = MODEL.losses.incomplete
    assert score(lost_share=0.01)[1]["reliability"] == pytest.approx(
        0.25 * (incomplete + (1 - incomplete) * 0.01)
    )
    assert score(lost_share=1.0)[1]["reliability"] == pytest.approx(0.25)


def test_reliability_counts_its_worst_failure_once() -> None:
    losses = MODEL.losses
    _, parts = score(substituted=True, wrong_invoice=True)
    assert parts["reliability"] == pytest.approx(0.25 * max(losses.substitution, 0.5))
    assert score(wrong_item=True)[0] < score(wrong_invoice=True)[0] < 1.0
    assert score(snag=True)[1]["reliability"] == pytest.approx(0.25 * losses.snag)


def test_every_wait_after_delivery_counts_against_its_zone() -> None:
    for wait in ("install_wait", "refund_delay", "replacement_delay", "resolution_time"):
        within, _ = score(**{wait: 9.0})
        halfway, parts = score(**{wait: 20.0})
        beyond, _ = score(**{wait: 99.0})
        assert within >= halfway > beyond, wait
        if wait != "resolution_time":  # a complaint also earns its recovery
            assert parts["responsiveness"] == pytest.approx(0.25 * 0.5), wait


def test_a_complaint_handled_fast_and_compensated_restores_part_of_the_loss() -> None:
    late, _ = score(late_by=7.0)
    slow, _ = score(late_by=7.0, resolution_time=40.0)
    fast, _ = score(late_by=7.0, resolution_time=5.0)
    paid, _ = score(late_by=7.0, resolution_time=5.0, compensation_share=1.0)
    assert slow < late < fast < paid < 1.0
    recovery = MODEL.recovery
    assert 1 - paid == pytest.approx(
        (1 - late) * (1 - recovery.by_speed - recovery.by_compensation)
    )


def test_an_order_that_got_nothing_scores_zero() -> None:
    value, parts = score(got_nothing=True, lost_share=1.0)
    assert value == 0.0 and parts["reliability"] == 1.0


def test_a_warranty_failure_scores_its_failure_and_its_repair_time() -> None:
    quick, slow = failure_score(MODEL, 5.0), failure_score(MODEL, 99.0)
    assert quick == pytest.approx(1 - 0.25 * MODEL.losses.failure)
    assert slow == pytest.approx(quick - 0.25)


def test_scores_work_on_arrays_as_on_single_orders() -> None:
    facts = {
        "late_by": [-1.0, 7.0],
        "lost_share": [0.0, 0.5],
        "wrong_item": [False, True],
        "damaged": [False, True],
        "informed": [False, True],
        "resolution_time": [np.nan, 20.0],
        "compensation_share": [0.0, 0.2],
    }
    values, _ = experience_scores(
        MODEL, 0.5, Experience(**{key: np.array(value) for key, value in facts.items()})
    )
    single, _ = score(**{key: value[1] for key, value in facts.items()})
    assert values[0] == 1.0 and values[1] == pytest.approx(single)


def test_a_segment_judges_by_its_own_settings_over_the_scenarios() -> None:
    document = copy.deepcopy(STAGE_BASE)
    document["satisfaction"] = {
        "lateness": {"grace": "1h", "intolerable": "1d"},
        "segments": {"all": {"lateness": {"grace": "4h"}, "threshold": 0.9}},
    }
    model = servsim.load_scenario(document).satisfaction.for_segment("all")
    assert (model.lateness.grace, model.lateness.intolerable, model.threshold) == (4, 24, 0.9)


def test_defection_follows_the_logistic_curve_through_its_two_points() -> None:
    defection = Defection(dissatisfied=0.3, satisfied=0.02)
    assert defection.chance(0.0) == pytest.approx(0.3)
    assert defection.chance(1.0) == pytest.approx(0.02)
    middle = defection.chance(0.5)
    assert 0.02 < middle < 0.3
    assert math.log(middle / (1 - middle)) == pytest.approx(
        (math.log(0.3 / 0.7) + math.log(0.02 / 0.98)) / 2
    )


def test_a_default_base_is_sized_from_the_rate_and_the_order_interval() -> None:
    base = CustomerBase.model_validate({"order_interval": 240}, context={"time_unit": "hours"})
    assert base.customers_at_start(2.5) == 600
    assert base.most(2.5) == 1200


def test_default_zones_of_tolerance_are_in_the_scenarios_time_unit() -> None:
    """Regression: the default satisfaction model was built once, in hours, so a scenario
    counting in days took "14d" of lateness as 336 days."""
    document = copy.deepcopy(STAGE_BASE) | {"time_unit": "days", "horizon": 100, "warmup": 10}
    model = servsim.load_scenario(document).satisfaction.for_segment("all")
    assert (model.lateness.intolerable, model.resolution.grace) == (14, 1)


def test_open_orders_scored_in_blocks_score_as_when_scored_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from servsim.kpis import satisfaction
    from tests.conftest import ROOT

    scenario = servsim.load_scenario(ROOT / "scenarios" / "garden_exceptional.yaml")
    log = servsim.simulate(scenario.with_overrides({"horizon": "30d"}), replications=1).logs[0]
    whole = satisfaction.scored_orders(log, scenario)
    monkeypatch.setattr(satisfaction, "_SCORED_AT_ONCE", 7)
    blocked = satisfaction.scored_orders(log, scenario)
    scored_so_far = whole["known"].copy()
    scored_so_far[log.tables.judgements["order"]] = False  # settled: scored in the run
    assert np.count_nonzero(scored_so_far) > 3 * 7  # several blocks of open orders
    for column in ("satisfaction", "satisfied", "shortfall_reliability", "shortfall_tangibles"):
        np.testing.assert_array_equal(blocked[column], whole[column])


@pytest.mark.parametrize(
    "document",
    [
        {"lateness": {"grace": 2, "intolerable": 30}},
        {"lateness": {"grace": 0, "intolerable": 30}, "losses": {"late": 0}},
    ],
)
def test_one_order_scored_inside_the_model_agrees_bit_for_bit_with_the_array_scorer(
    document: dict[str, Any],
) -> None:
    """The model judges an order in plain float arithmetic (Scorer), the KPIs score open
    orders as arrays (experience_scores): they must give the same bits, flawless orders,
    signed zeros and missing waits included."""
    import struct

    from servsim.model.experience import DIMENSIONS, Scorer

    rng = np.random.default_rng(5)
    n = 20_000

    def flag() -> np.ndarray:
        return rng.uniform(size=n) < 0.05

    def sometimes(values: np.ndarray) -> np.ndarray:
        return np.where(rng.uniform(size=n) < 0.95, np.nan, values)

    special = np.choose(
        rng.integers(0, 4, n), [np.zeros(n), -np.zeros(n), np.full(n, 2.0), rng.normal(0, 1, n)]
    )
    facts = {
        "late_by": np.where(rng.uniform(size=n) < 0.3, special, rng.normal(-10, 20, n)),
        "lost_share": np.where(flag(), rng.uniform(size=n), 0.0),
        "substituted": flag(),
        "wrong_item": flag(),
        "wrong_invoice": flag(),
        "damaged": flag(),
        "informed": rng.uniform(size=n) < 0.5,
        "resolution_time": sometimes(rng.exponential(100, n)),
        "compensation_share": np.where(
            flag(), rng.uniform(0, 1.5, n), np.where(rng.uniform(size=n) < 0.5, -0.0, 0.0)
        ),
        "install_wait": sometimes(rng.exponential(300, n)),
        "snag": flag(),
        "refund_delay": sometimes(rng.exponential(500, n)),
        "replacement_delay": sometimes(rng.exponential(300, n)),
        "got_nothing": flag(),
    }
    model = SatisfactionModel.model_validate(document)
    score, parts = experience_scores(model, 0.4, Experience(**facts))
    scorer = Scorer(model, 0.4)
    expected = np.column_stack([score, *(parts[name] for name in DIMENSIONS)])
    flawless = 0
    for i in range(n):
        got = scorer.scores(**{name: values[i].item() for name, values in facts.items()})
        flawless += got == (1.0, 0.0, 0.0, 0.0, 0.0)
        bits = [struct.pack("d", value) for value in got]
        assert bits == [struct.pack("d", float(value)) for value in expected[i]], (i, got)
    assert 0 < flawless < n  # both ways through the scorer were taken
