"""Forecast-driven replenishment: under a seasonal year the adaptive (R,S) meets a fill-rate
target in every quarter, where the static (R,S) of the same average stock misses the peak."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import servsim
from servsim.policies import ForecastOrderUpTo
from tests.conftest import stage_scenario

# a seasonal year: demand from 0.3 to 1.7 times the mean, highest in July (the third quarter)
MONTHS = [round(1 + 0.7 * float(np.sin(2 * np.pi * (m - 3) / 12)), 3) for m in range(12)]
TARGET = 0.95


def last_year(item: dict[str, Any], years: int) -> tuple[np.ndarray, list[float]]:
    """Each replication's average on hand and the unit fill rate of each quarter of the last
    of ``years`` years, the earlier ones warm-up (10 runs, common random numbers: the same
    demand for every policy)."""
    warmup = 365 * (years - 1)
    scenario = stage_scenario(
        time_unit="days",
        horizon=365 * years,
        warmup=warmup,
        demand={
            "arrivals": {"process": "poisson", "rate": 20, "profile": {"month_of_year": MONTHS}},
            "mix": {"A": 1.0},
        },
        stocking={"stockout": "backorder", "items": {"A": item}},
    )
    results = servsim.simulate(scenario)
    placed = results.orders.set_index(["replication", "order"])["placed"]
    lines = results.lines
    when = placed.loc[list(zip(lines["replication"], lines["order"], strict=True))].to_numpy()
    counted = when >= warmup
    quarter = ((when[counted] - warmup) // (365 / 4)).astype(int)
    filled, wanted = lines["filled"].to_numpy()[counted], lines["quantity"].to_numpy()[counted]
    fills = [float(filled[quarter == q].sum() / wanted[quarter == q].sum()) for q in range(4)]
    stock = results.kpis.sort_values("replication")["avg_on_hand"].to_numpy()
    return stock, fills


def seasonal(item: dict[str, Any]) -> tuple[float, list[float]]:
    """Average on hand and the unit fill rate of each quarter of the second year (10 runs)."""
    stock, fills = last_year(item, 2)
    return float(stock.mean()), fills


@pytest.fixture(scope="module")
def adaptive() -> tuple[float, list[float]]:
    item = {
        "policy": "forecast",
        "review": 7,
        "S": 400,
        "service_level": 0.99,
        "method": "exponential",
        "alpha": 0.3,
        "lead_time": 7,
    }
    return seasonal(item)


def test_the_forecast_policy_meets_the_target_in_every_quarter(
    adaptive: tuple[float, list[float]],
) -> None:
    _, fills = adaptive
    assert min(fills) >= TARGET, fills


def test_the_static_policy_of_equal_stock_misses_the_peak(
    adaptive: tuple[float, list[float]],
) -> None:
    """The static S whose average stock is closest to the adaptive policy's (above it, so
    the static policy has the more stock) still misses the target in the peak quarter."""
    stock, _ = adaptive
    for order_up_to in range(340, 480, 10):
        static_stock, fills = seasonal(
            {"policy": "RS", "review": 7, "S": order_up_to, "lead_time": 7}
        )
        if static_stock >= stock:
            break
    assert static_stock >= stock
    assert fills[2] < TARGET, fills  # the third quarter, the peak
    assert min(fills[0], fills[3]) >= TARGET  # ... with stock to spare in the quiet quarters


def test_a_higher_service_level_holds_more_stock_and_fills_more() -> None:
    def item(level: float) -> dict[str, Any]:
        return {"policy": "forecast", "review": 7, "S": 400, "service_level": level, "lead_time": 7}

    low_stock, low = seasonal(item(0.8))
    high_stock, high = seasonal(item(0.99))
    assert high_stock > low_stock and min(high) > min(low)


@pytest.mark.parametrize("method", ["moving_average", "exponential", "holt"])
def test_each_forecast_follows_a_step_in_demand(method: str) -> None:
    """Demand of 10 a period, then 30: S moves from about 2 x 10 to about 2 x 30 (plus the
    safety stock) within a few periods."""
    policy = ForecastOrderUpTo(7, 0, 7, 1.645, method, 4, 0.5, 0.2)  # type: ignore[arg-type]
    for demand in [10] * 8 + [30] * 10:
        policy.observe(demand)
        policy.order_quantity(10**6)
    assert 60 <= policy.order_up_to <= 60 + 1.645 * np.sqrt(60) * 1.5 + 10


def test_the_policy_file_keys_are_validated() -> None:
    with pytest.raises(servsim.ScenarioError) as caught:
        stage_scenario(
            time_unit="days",
            stocking={
                "stockout": "backorder",
                "items": {
                    "A": {
                        "policy": "forecast",
                        "review": 7,
                        "S": 10,
                        "service_level": 1.2,
                        "method": "arima",
                        "lead_time": 7,
                    }
                },
            },
        )
    said = str(caught.value)
    assert "service_level" in said and "method" in said


def forecast(**keys: Any) -> dict[str, Any]:
    return {
        "policy": "forecast",
        "review": 7,
        "S": 400,
        "service_level": 0.95,
        "lead_time": 7,
        **keys,
    }


def test_a_longer_window_lags_the_rising_season() -> None:
    """A quarter-long moving average is still at spring's demand in the second quarter: it
    fills less there than a two-period one, though it holds more stock over the year."""
    short_stock, short = seasonal(forecast(method="moving_average", window=2))
    long_stock, long = seasonal(forecast(method="moving_average", window=13))
    assert long[1] < short[1] - 0.1 and long_stock > short_stock


def test_faster_smoothing_needs_less_stock_for_the_same_service() -> None:
    slow_stock, slow = seasonal(forecast(method="exponential", alpha=0.1))
    fast_stock, fast = seasonal(forecast(method="exponential", alpha=0.6))
    assert fast_stock < 0.7 * slow_stock and fast[1] > slow[1]


def test_a_faster_trend_follows_the_rise() -> None:
    """Holt's trend with beta 0.5 sees the spring rise sooner than with 0.05: the first two
    quarters fill better, with less stock."""
    slow_stock, slow = seasonal(forecast(method="holt", alpha=0.3, beta=0.05))
    fast_stock, fast = seasonal(forecast(method="holt", alpha=0.3, beta=0.5))
    assert fast[0] > slow[0] + 0.03 and fast[1] > slow[1] + 0.02 and fast_stock < slow_stock


# --- Holt-Winters: a forecast that knows the season ---------------------------------------
# Holt-Winters needs two whole seasons before its season is used, so these runs are three
# years long and count the third.


def third_year(item: dict[str, Any]) -> tuple[np.ndarray, list[float]]:
    return last_year(item, 3)


def weekly() -> dict[str, Any]:
    return {"policy": "forecast", "review": 7, "S": 400, "service_level": 0.99, "lead_time": 7}


@pytest.fixture(scope="module")
def smoothing() -> tuple[np.ndarray, list[float]]:
    return third_year({**weekly(), "method": "exponential", "alpha": 0.3})


@pytest.fixture(scope="module")
def yearly_season() -> tuple[np.ndarray, list[float]]:
    return third_year({**weekly(), "method": "holt_winters", "season": 52})


def paired_interval(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """The 95% interval of the mean paired difference a - b."""
    from scipy import stats

    differences = a - b
    half = stats.t.ppf(0.975, len(differences) - 1) * differences.std(ddof=1)
    half /= np.sqrt(len(differences))
    return float(differences.mean() - half), float(differences.mean() + half)


def test_the_seasonal_forecast_meets_the_target_with_less_stock(
    smoothing: tuple[np.ndarray, list[float]], yearly_season: tuple[np.ndarray, list[float]]
) -> None:
    """Holt-Winters with the year's season meets the fill-rate target in every quarter and
    holds less stock than simple smoothing, beyond noise on paired replications: smoothing
    lags the season, so its errors (and its safety stock) are the season's swing, where the
    seasonal forecast's are close to the Poisson noise."""
    seasonal_stock, seasonal_fills = yearly_season
    smooth_stock, smooth_fills = smoothing
    assert min(seasonal_fills) >= TARGET, seasonal_fills
    assert min(seasonal_fills) >= min(smooth_fills), (seasonal_fills, smooth_fills)
    _, upper = paired_interval(seasonal_stock, smooth_stock)
    assert upper < 0, (seasonal_stock.mean(), smooth_stock.mean())


def test_the_wrong_season_needs_more_stock(
    yearly_season: tuple[np.ndarray, list[float]],
) -> None:
    """A half-year season does not fit a yearly swing: the one-step errors grow, and with
    them the stock, beyond noise; a season given as a duration (364 days of weekly reviews)
    is the 52-review season."""
    right_stock, _ = yearly_season
    wrong_stock, _ = third_year({**weekly(), "method": "holt_winters", "season": 26})
    lower, _ = paired_interval(wrong_stock, right_stock)
    assert lower > 0, (wrong_stock.mean(), right_stock.mean())
    as_duration, _ = third_year({**weekly(), "method": "holt_winters", "season": "364d"})
    assert np.array_equal(as_duration, right_stock)


def test_an_additive_season_also_follows_the_year() -> None:
    stock, fills = third_year(
        {**weekly(), "method": "holt_winters", "season": 52, "seasonality": "additive"}
    )
    assert min(fills) >= TARGET, fills


def test_holt_winters_follows_a_seasonal_sequence() -> None:
    """Demand alternating 10 and 50 with a season of 2: once two seasons are seen, S for a
    protection of 2 periods is about 10 + 50 = 60 plus safety stock, not the mean path of a
    forecast blind to the season."""
    policy = ForecastOrderUpTo(7, 0, 7, 1.645, "holt_winters", 4, 0.3, 0.05, 0.3, 2)
    for demand in [10, 50] * 10:
        policy.observe(demand)
        policy.order_quantity(10**6)
    assert 60 <= policy.order_up_to <= 60 + 1.645 * np.sqrt(60) * np.sqrt(2) + 2


@pytest.mark.parametrize(
    ("keys", "said"),
    [
        ({"method": "holt_winters"}, "holt_winters needs a season"),
        ({"method": "exponential", "season": 52}, "only the holt_winters method"),
        ({"method": "holt_winters", "season": 1}, "2 to 520 reviews"),
        ({"method": "holt_winters", "season": "10d"}, "not a whole number of reviews"),
        ({"method": "holt_winters", "season": 52, "seasonality": "cubic"}, "seasonality"),
    ],
)
def test_a_bad_season_is_refused(keys: dict[str, Any], said: str) -> None:
    with pytest.raises(servsim.ScenarioError) as caught:
        stage_scenario(
            time_unit="days",
            stocking={"stockout": "backorder", "items": {"A": {**weekly(), **keys}}},
        )
    assert said in str(caught.value), str(caught.value)


def test_statsmodels_is_imported_only_when_holt_winters_runs(tmp_path: Any) -> None:
    import subprocess
    import sys

    probe = (
        "import sys, servsim\n"
        "from servsim.policies import ForecastOrderUpTo\n"
        "p = ForecastOrderUpTo(7, 0, 7, 1.6, 'holt_winters', season=2)\n"
        "[p.observe(3) or p.order_quantity(0) for _ in range(11)]\n"
        "print('statsmodels' in sys.modules)\n"
        "[p.observe(3) or p.order_quantity(0) for _ in range(1)]\n"
        "print('statsmodels' in sys.modules)\n"
    )
    said = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert said.stdout.split() == ["False", "True"], said.stderr


def test_optimized_smoothing_is_fitted_once_a_season_and_follows_the_season() -> None:
    """With ``optimize`` statsmodels fits the smoothing (away from the starting 0.3, 0.05,
    0.3) and S covers the next two periods of the season (10 + 30 = 40, plus the safety of a
    Poisson spread), well below the 60 of the season's mean path."""
    policy = ForecastOrderUpTo(
        7, 0, 7, 1.645, "holt_winters", 4, 0.3, 0.05, 0.3, 4, "additive", optimize=True
    )
    rng = np.random.default_rng(3)
    for period in range(4 * 8):  # ends with a whole season: next 10, then 30
        policy.observe(int([10, 30, 50, 30][period % 4] + rng.integers(-1, 2)))
        policy.order_quantity(10**6)
    fitted = (policy._alpha, policy._beta, policy._gamma)
    assert fitted != (0.3, 0.05, 0.3)
    assert 40 - 3 <= policy.order_up_to <= 40 + 1.645 * np.sqrt(20) * np.sqrt(2) + 3
