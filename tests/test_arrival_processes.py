"""General arrival processes (renewal, batch, negative binomial) against their theory.

Each statistic is computed per replication, and the theoretical value must lie in the 99%
Student-t interval of the replications' values; a parameter's effect on the KPIs it should
move must show beyond the replications' noise.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from scipy import stats

import servsim
from servsim.model.demand import OperationalTime
from servsim.model.streams import RandomStreams
from servsim.stats import theory
from tests.conftest import assert_agrees, stage_scenario


def interval(values: np.ndarray, confidence: float = 0.99) -> tuple[float, float]:
    """The Student-t interval for the mean of independent replications' values."""
    mean, half = values.mean(), stats.t.ppf((1 + confidence) / 2, values.size - 1)
    half *= values.std(ddof=1) / np.sqrt(values.size)
    return float(mean - half), float(mean + half)


def assert_inside(values: np.ndarray, expected: float, what: str) -> None:
    low, high = interval(values)
    assert low <= expected <= high, f"{what}: {expected:.4g} outside [{low:.4g}, {high:.4g}]"


def segment_arrivals(arrivals: dict[str, Any]) -> Any:
    """The validated arrival process, as a scenario file would give it."""
    scenario = stage_scenario(demand={"arrivals": arrivals, "mix": {"A": 1.0}})
    return scenario.demand.segments["all"].arrivals


def counts(
    arrivals: dict[str, Any], window: tuple[float, float], replications: int = 2000
) -> np.ndarray:
    """Arrivals in ``window`` (hours), one count per replication: the kernel's own arrival
    stream (the world places exactly these orders: see the test below), many replications."""
    spec = segment_arrivals(arrivals)
    found = []
    for replication in range(replications):
        rng = RandomStreams(2024, replication).generator("arrivals/all")
        times = np.concatenate(list(OperationalTime(spec, rng, 1.0, window[1], 1.0).blocks()))
        found.append(((times >= window[0]) & (times < window[1])).sum())
    return np.asarray(found, dtype=float)


def test_the_world_places_the_arrival_streams_orders() -> None:
    arrivals = {"process": "batch", "rate": 3, "size": {"dist": "poisson", "mean": 2, "min": 1}}
    scenario = stage_scenario(
        horizon=300, warmup=0, replications=2, demand={"arrivals": arrivals, "mix": {"A": 1.0}}
    )
    orders = servsim.simulate(scenario).orders
    for replication in range(2):
        rng = RandomStreams(scenario.seed, replication).generator("arrivals/all")
        stream = OperationalTime(segment_arrivals(arrivals), rng, 1.0, 300.0, 1.0)
        times = np.concatenate(list(stream.blocks()))
        placed = orders.loc[orders["replication"] == replication, "placed"].to_numpy()
        np.testing.assert_allclose(placed, times[times < 300], rtol=1e-12)


def squared_deviations(values: np.ndarray, mean: float) -> np.ndarray:
    """Each replication's squared deviation from the known mean: its mean is the variance."""
    return (values - mean) ** 2


@pytest.mark.parametrize(
    "interarrival",
    [
        {"dist": "gamma", "mean": 0.5, "sd": 1.0},
        {"dist": "lognormal", "mean": 0.5, "sd": 0.2},
        {"dist": "weibull", "shape": 0.7, "mean": "30min"},
        {"dist": "empirical", "values": [0.1, 0.4, 1.5], "weights": [3, 2, 1]},
    ],
    ids=["gamma", "lognormal", "weibull", "empirical"],
)
def test_renewal_counts_have_renewal_theorys_mean_and_variance(
    interarrival: dict[str, Any],
) -> None:
    spec = segment_arrivals({"process": "renewal", "interarrival": interarrival}).interarrival
    window = (200.0, 1200.0)
    observed = counts({"process": "renewal", "interarrival": interarrival}, window)
    mean, variance = theory.renewal_count_moments(
        window[1] - window[0], spec.mean, spec.variance**0.5
    )
    assert_inside(observed, mean, "mean count")
    assert_inside(squared_deviations(observed, mean), variance, "count variance")


def test_gamma_arrivals_to_one_clerk_match_gim1_theory() -> None:
    mean, sd = 1 / 0.7, 0.5 / 0.7
    scenario = stage_scenario(
        horizon=6000,
        warmup=500,
        demand={
            "arrivals": {
                "process": "renewal",
                "interarrival": {"dist": "gamma", "mean": mean, "sd": sd},
            },
            "mix": {"A": 1.0},
        },
        processing={"staff": 1, "time": {"dist": "exponential", "mean": 1.0}},
    )
    results = servsim.simulate(scenario)
    expected = theory.gim1_mean_wait(theory.gamma_transform(mean, sd), 1.0)
    assert_agrees(results, "processing_wait", expected)


def test_exponential_interarrivals_give_the_mm1_wait() -> None:
    """The GI/M/1 formula with exponential arrivals is M/M/1's: the theory checks itself."""
    wait = theory.gim1_mean_wait(lambda theta: 0.7 / (0.7 + theta), 1.0)
    assert wait == pytest.approx(theory.mmc_mean_wait(0.7, 1.0, 1), rel=1e-9)


def test_batch_counts_are_compound_poisson() -> None:
    size = {"dist": "poisson", "mean": 2, "min": 1}
    law = stats.poisson(2)
    k = np.arange(1, 60)
    p = law.pmf(k) / law.sf(0)
    first, second = (k * p).sum(), (k * k * p).sum()
    window = (100.0, 1100.0)
    observed = counts({"process": "batch", "rate": 3, "size": size}, window)
    batches = 3 / first * (window[1] - window[0])
    assert_inside(observed, 3 * (window[1] - window[0]), "mean count")
    assert_inside(
        squared_deviations(observed, 3 * (window[1] - window[0])), batches * second, "variance"
    )


def daily_counts(arrivals: dict[str, Any], days: int, replications: int) -> np.ndarray:
    """Orders per day: one row per replication, one column per day."""
    scenario = stage_scenario(
        horizon=days * 24,
        warmup=0,
        replications=replications,
        demand={"arrivals": arrivals, "mix": {"A": 1.0}},
    )
    orders = servsim.simulate(scenario).orders
    day = (orders["placed"] // 24).astype(int)
    table = orders.groupby([orders["replication"], day]).size().unstack(fill_value=0)
    return table.reindex(columns=range(days), fill_value=0).to_numpy(dtype=float)


def test_negative_binomial_daily_counts_have_its_variance() -> None:
    rate, cv = 5.0, 0.3
    table = daily_counts({"process": "negative_binomial", "rate": rate, "daily_cv": cv}, 200, 20)
    mean = rate * 24
    assert_inside(table.mean(axis=1), mean, "mean daily count")
    assert_inside(table.var(axis=1, ddof=1), mean + (cv * mean) ** 2, "daily count variance")
    # the negative binomial that scipy knows: n = 1 / cv^2, p = n / (n + mean)
    n = 1 / cv**2
    assert stats.nbinom(n, n / (n + mean)).var() == pytest.approx(mean + (cv * mean) ** 2)


def test_profiles_shape_every_process() -> None:
    """Closed hours get no orders; open hours' counts follow the multipliers (1 : 3)."""
    profile = {"hour_of_day": [0.0] * 8 + [1.0] * 4 + [3.0] * 4 + [0.0] * 8}
    for arrivals in (
        {"process": "renewal", "interarrival": {"dist": "gamma", "mean": 0.25, "sd": 0.1}},
        {"process": "batch", "rate": 4, "size": 2},
        {"process": "negative_binomial", "rate": 4, "daily_cv": 0.2},
    ):
        scenario = stage_scenario(
            horizon=100 * 24,
            warmup=0,
            replications=2,
            demand={"arrivals": {**arrivals, "profile": profile}, "mix": {"A": 1.0}},
        )
        hours = (servsim.simulate(scenario).orders["placed"] % 24).astype(int)
        by_hour = np.bincount(hours, minlength=24)
        assert by_hour[:8].sum() == 0 and by_hour[16:].sum() == 0, arrivals["process"]
        expected = 4 * 100 * 2 * 4 * np.asarray([1.0, 3.0])  # rate x days x runs x hours
        observed = np.asarray([by_hour[8:12].sum(), by_hour[12:16].sum()])
        assert np.all(np.abs(observed / expected - 1) < 0.1), (arrivals["process"], observed)


def wait(arrivals: dict[str, Any]) -> tuple[float, float]:
    """The 99% interval of the mean processing wait with one clerk at 70% load."""
    scenario = stage_scenario(
        horizon=3000,
        warmup=300,
        demand={"arrivals": arrivals, "mix": {"A": 1.0}},
        processing={"staff": 1, "time": {"dist": "exponential", "mean": 1.0}},
    )
    row = servsim.simulate(scenario).summary(0.99).loc["processing_wait"]
    return float(row["lo"]), float(row["hi"])


@pytest.mark.parametrize(
    ("regular", "bursty"),
    [
        (
            {"process": "renewal", "interarrival": {"dist": "gamma", "mean": 1 / 0.7, "sd": 0.5}},
            {"process": "renewal", "interarrival": {"dist": "gamma", "mean": 1 / 0.7, "sd": 3}},
        ),
        (
            {
                "process": "renewal",
                "interarrival": {"dist": "weibull", "shape": 3, "mean": 1 / 0.7},
            },
            {
                "process": "renewal",
                "interarrival": {"dist": "weibull", "shape": 0.6, "mean": 1 / 0.7},
            },
        ),
        (
            {"process": "batch", "rate": 0.7, "size": 1},
            {"process": "batch", "rate": 0.7, "size": {"dist": "poisson", "mean": 4, "min": 1}},
        ),
    ],
    ids=["interarrival sd", "weibull shape", "batch size"],
)
def test_burstier_arrivals_wait_longer(regular: dict[str, Any], bursty: dict[str, Any]) -> None:
    assert wait(regular)[1] < wait(bursty)[0]


def test_day_to_day_spread_lowers_the_fill_rate() -> None:
    def fill(cv: float) -> tuple[float, float]:
        scenario = stage_scenario(
            horizon=24 * 300,
            warmup=24 * 10,
            demand={
                "arrivals": {"process": "negative_binomial", "rate": 2.0, "daily_cv": cv},
                "mix": {"A": 1.0},
            },
            stocking={
                "stockout": "backorder",
                "items": {"A": {"policy": "base_stock", "S": 110, "lead_time": 48}},
            },
        )
        row = servsim.simulate(scenario).summary(0.99).loc["unit_fill_rate"]
        return float(row["lo"]), float(row["hi"])

    assert fill(0.8)[1] < fill(0.1)[0]


def test_same_seed_same_renewal_orders() -> None:
    scenario = stage_scenario(
        horizon=500,
        replications=2,
        demand={
            "arrivals": {"process": "negative_binomial", "rate": 3, "daily_cv": 0.5},
            "mix": {"A": 1.0},
        },
    )
    first, second = servsim.simulate(scenario).orders, servsim.simulate(scenario).orders
    assert first["placed"].equals(second["placed"])
