"""The satisfaction model on hand-made orders: zones of tolerance, relief by notice,
shortfalls per dimension, per-segment settings, and the defection curve."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import servsim
from servsim.model.customers import defection_chance
from servsim.model.experience import experience_scores
from servsim.scenario.perception import CustomerBase, SatisfactionModel
from tests.conftest import STAGE_BASE

MODEL = SatisfactionModel.model_validate(
    {
        "weights": {"reliability": 1, "responsiveness": 1, "information": 1, "tangibles": 1},
        "lateness": {"grace": 2, "intolerable": 12},
        "resolution": {"grace": 10, "intolerable": 30},
    }
)


def score(**experience: object) -> tuple[float, dict[str, float]]:
    facts: dict[str, object] = {
        "late_by": -1.0,
        "delivered_share": 1.0,
        "wrong_item": False,
        "wrong_invoice": False,
        "damaged": False,
        "informed": False,
        "resolution_time": np.nan,
        "got_nothing": False,
    }
    facts.update(experience)
    value, parts = experience_scores(MODEL, 0.5, **facts)  # type: ignore[arg-type]
    return float(value), {name: float(part) for name, part in parts.items()}


def test_an_order_that_went_right_scores_one() -> None:
    assert score() == (
        1.0,
        dict.fromkeys(("reliability", "responsiveness", "information", "tangibles"), 0.0),
    )


def test_lateness_within_the_grace_costs_only_punctuality_and_information() -> None:
    value, parts = score(late_by=1.5)
    assert parts["responsiveness"] == 0.0
    assert parts["reliability"] == pytest.approx(0.25 / 3)  # on time is one of three
    assert parts["information"] == 0.25


def test_lateness_loss_rises_linearly_across_the_zone_and_a_notice_halves_it() -> None:
    _, halfway = score(late_by=7.0)  # (7 - 2) / (12 - 2) = 0.5 of the zone
    assert halfway["responsiveness"] == pytest.approx(0.25 * 0.5)
    _, told = score(late_by=7.0, informed=True)
    assert told["responsiveness"] == pytest.approx(0.25 * 0.25)
    assert told["information"] == 0.0
    _, beyond = score(late_by=40.0)
    assert beyond["responsiveness"] == pytest.approx(0.25)


def test_slow_complaint_resolution_and_damage_cost_their_dimensions() -> None:
    _, parts = score(resolution_time=20.0, damaged=True)
    assert parts["responsiveness"] == pytest.approx(0.25 * 0.5)
    assert parts["tangibles"] == 0.25


def test_a_wrong_item_costs_more_than_a_wrong_invoice() -> None:
    assert score(wrong_item=True)[0] < score(wrong_invoice=True)[0] < 1.0


def test_an_order_that_got_nothing_scores_zero() -> None:
    value, parts = score(got_nothing=True, delivered_share=0.0)
    assert value == 0.0 and parts["reliability"] == 1.0


def test_scores_work_on_arrays_as_on_single_orders() -> None:
    values, _ = experience_scores(
        MODEL,
        0.5,
        late_by=np.array([-1.0, 7.0]),
        delivered_share=np.array([1.0, 0.5]),
        wrong_item=np.array([False, True]),
        wrong_invoice=np.array([False, False]),
        damaged=np.array([False, True]),
        informed=np.array([False, True]),
        resolution_time=np.array([np.nan, 20.0]),
        got_nothing=np.array([False, False]),
    )
    single, _ = score(
        late_by=7.0,
        delivered_share=0.5,
        wrong_item=True,
        damaged=True,
        informed=True,
        resolution_time=20.0,
    )
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
    base = CustomerBase.model_validate(
        {"base": 10, "defection": {"dissatisfied": 0.3, "satisfied": 0.02}}
    )
    assert defection_chance(base, 0.0) == pytest.approx(0.3)
    assert defection_chance(base, 1.0) == pytest.approx(0.02)
    middle = defection_chance(base, 0.5)
    assert 0.02 < middle < 0.3
    assert np.log(middle / (1 - middle)) == pytest.approx(
        (np.log(0.3 / 0.7) + np.log(0.02 / 0.98)) / 2
    )
