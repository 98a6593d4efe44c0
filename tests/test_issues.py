"""Regression tests named for the items of filed issues (stockpyl's test_issues.py habit)."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pytest

import servsim
from tests.conftest import stage_scenario


@contextmanager
def deadline(seconds: int) -> Iterator[None]:
    """Fail rather than hang: a run that does not return in ``seconds`` raises."""

    def expired(signum: int, frame: object) -> None:
        raise TimeoutError(f"did not return within {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


WEEKDAYS_8_TO_18 = {
    "hour_of_day": [0.0] * 8 + [1.0] * 10 + [0.0] * 6,
    "day_of_week": [1.0] * 5 + [0.0, 0.0],
}


@pytest.mark.parametrize(
    ("rate", "profile"),
    [
        (300.0, WEEKDAYS_8_TO_18),
        (80.0, WEEKDAYS_8_TO_18),
        (400.0, {"hour_of_day": [0.0] * 8 + [1.0] * 8 + [0.0] * 8}),
    ],
    ids=["300/h weekdays 8-18", "80/h weekdays 8-18", "400/h daily 8-16"],
)
def test_issue_14_item_1_closed_stretch_at_a_high_rate_returns(
    rate: float, profile: dict[str, list[float]]
) -> None:
    """A weekend (62 closed hours) holds more candidates than a block at the peak rate: the
    thinning must cross it, and the orders kept must follow the profile's rate."""
    scenario = stage_scenario(
        horizon=21 * 24,
        warmup=0,
        replications=2,
        demand={
            "arrivals": {"process": "poisson", "rate": rate, "profile": profile},
            "mix": {"A": 1.0},
        },
    )
    with deadline(60):
        results = servsim.simulate(scenario)
    orders = results.orders
    assert (factor(profile, orders["placed"].to_numpy()) > 0).all(), "an order placed while closed"
    per_replication = orders.groupby("replication").size().to_numpy()
    expected = rate * factor(profile, np.arange(21 * 24) + 0.5).sum()
    # Poisson counts: within 4 standard deviations of the expected number of orders
    assert np.all(np.abs(per_replication - expected) < 4 * np.sqrt(expected))


def factor(profile: dict[str, list[float]], hours: np.ndarray) -> np.ndarray:
    """The profile's multiplier at each time in hours (time 0 is Monday 00:00)."""
    by_hour = np.asarray(profile.get("hour_of_day") or [1.0] * 24)
    by_day = np.asarray(profile.get("day_of_week") or [1.0] * 7)
    return by_hour[(hours % 24).astype(int)] * by_day[(hours % 168 // 24).astype(int)]
