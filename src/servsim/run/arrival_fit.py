"""The arrivals of a demand history fitted for ``servsim fit``: the rate with hour-of-day and
weekday multipliers (and month of year when the history covers a year), a linear trend when
the weekly counts show one, the day-to-day dispersion of the counts, and a chi-square test of
the orders per clock hour against the fit.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import stats

from servsim.run.fitted_laws import rounded
from servsim.scenario.demand import HOURS_PER_MONTH
from servsim.scenario.history import Trace

HOURS_PER_WEEK = 168.0
TREND_P = 0.05
"""A trend is written only when the weekly counts' slope is significant at this level."""
DISPERSION_P = 0.05
"""Daily counts more dispersed than Poisson at this level are fitted as negative binomial."""


def fit_arrivals(trace: Trace) -> dict[str, Any]:
    """Rate, hour and weekday (and month) multipliers, the trend and the test of fit.

    The trend comes first, from the slope of the weekly counts; each order then counts
    1 / (1 + trend x years) in the profile's multipliers and the rate, so that they are those
    at time 0 and the months are not mistaken for growth."""
    hours = trace.times  # the fit reads in hours
    span = trace.span
    weeks = int(span // HOURS_PER_WEEK)
    trend, trend_p = 0.0, 1.0
    if weeks >= 4:
        counts = np.bincount((hours // HOURS_PER_WEEK).astype(int), minlength=weeks)[:weeks]
        middle = (np.arange(weeks) + 0.5) * HOURS_PER_WEEK
        growth = 0.0
        # a year or more: the season and the growth in turn (backfitting), so that neither is
        # mistaken for the other: the season of detrended orders, the growth of deseasoned weeks
        for _ in range(10 if span >= 365 * 24 else 1):
            weekly = counts.astype(float)
            if span >= 365 * 24:
                detrended = 1 / np.maximum(1 + growth * hours / (365 * 24), 1e-3)
                weekly = weekly / _months(hours, span, detrended)[_month_of(middle)]
            line = stats.linregress(middle / HOURS_PER_WEEK, weekly)
            if line.intercept <= 0:
                break
            growth = float(line.slope * 365 * 24 / HOURS_PER_WEEK / line.intercept)
        if line.pvalue < TREND_P and line.intercept > 0:
            trend = rounded(min(max(growth, -0.99), 100.0), 3)
        trend_p = float(line.pvalue)
    weight = 1 / (1 + trend * hours / (365 * 24)) if trend else np.ones(hours.size)
    exposure_hours = _exposure(span, 24, 1.0)  # hours of each hour of day in the span
    exposure_days = _exposure(span, HOURS_PER_WEEK, 24.0)
    by_hour = np.bincount((hours % 24).astype(int), weight, minlength=24)
    by_day = np.bincount((hours % HOURS_PER_WEEK // 24).astype(int), weight, minlength=7)
    rate = float(weight.sum()) / span
    hour_of_day = by_hour / exposure_hours / rate
    day_of_week = by_day / exposure_days / rate
    hour_of_day *= 24 / hour_of_day.sum()
    day_of_week *= 7 / day_of_week.sum()
    month_of_year = None
    if span >= 365 * 24:
        month_of_year = _months(hours, span, weight)
    hour_of_day = np.asarray([rounded(v, 4) for v in hour_of_day])
    day_of_week = np.asarray([rounded(v, 4) for v in day_of_week])
    if month_of_year is not None:
        month_of_year = np.asarray([rounded(v, 4) for v in month_of_year])
    statistic, p_value, expected = _poisson_cells(
        hours, span, rate, hour_of_day, day_of_week, month_of_year, trend
    )
    clock = np.arange(expected.size) + 0.5
    daily = _daily_dispersion(hours, expected)
    return {
        **daily,
        "rate": rate,
        "hour_of_day": hour_of_day.tolist(),
        "day_of_week": day_of_week.tolist(),
        "month_of_year": None if month_of_year is None else month_of_year.tolist(),
        "trend": trend,
        "trend_p": trend_p,
        "arrival_test": (statistic, p_value),
        "observed_hours": np.bincount((hours % 24).astype(int), minlength=24).tolist(),
        "fitted_hours": np.bincount((clock % 24).astype(int), expected, minlength=24).tolist(),
        "observed_days": np.bincount(
            (hours % HOURS_PER_WEEK // 24).astype(int), minlength=7
        ).tolist(),
        "fitted_days": np.bincount(
            (clock % HOURS_PER_WEEK // 24).astype(int), expected, minlength=7
        ).tolist(),
    }


def _daily_dispersion(hours: np.ndarray, expected: np.ndarray) -> dict[str, Any]:
    """Are the daily counts Poisson about the fitted profile? The dispersion statistic
    sum (n - e)^2 / e over the days is chi-square with days - 1 degrees of freedom if so.
    When it is rejected at 5%, the days are a negative binomial: each day's count Poisson
    with the rate times a gamma factor of mean 1 and cv c, so that Var n = e + c^2 e^2; c^2
    is the moment estimate sum((n - e)^2 - n) / sum(e^2), its standard error the sandwich
    one of the same sums, and the cv's by the delta method."""
    days = expected.size // 24
    if days < 7:
        return {"daily_test": (math.nan, math.nan)}
    expect = expected[: days * 24].reshape(days, 24).sum(axis=1)
    count = np.bincount((hours // 24).astype(int), minlength=days)[:days].astype(float)
    keep = expect > 0
    count, expect = count[keep], expect[keep]
    statistic = float(((count - expect) ** 2 / expect).sum())
    p_value = float(stats.chi2.sf(statistic, max(1, count.size - 1)))
    excess = (count - expect) ** 2 - count
    squared = float(excess.sum() / (expect**2).sum())
    found: dict[str, Any] = {"daily_test": (statistic, p_value)}
    if p_value < DISPERSION_P and squared > 0:
        cv = math.sqrt(squared)
        se_squared = math.sqrt(float(((excess - squared * expect**2) ** 2).sum()))
        se_squared /= float((expect**2).sum())
        found.update(daily_cv=rounded(cv, 4), daily_cv_se=se_squared / (2 * cv))
    return found


def _month_of(hours: np.ndarray) -> np.ndarray:
    return np.minimum((hours % (365 * 24) // HOURS_PER_MONTH).astype(int), 11)


def _months(hours: np.ndarray, span: float, weight: np.ndarray) -> np.ndarray:
    """Month-of-year multipliers (mean 1) of weighted orders over the months' exposure."""
    per_month = np.bincount(_month_of(hours), weight, minlength=12)
    per_month = per_month / _exposure(span, 365 * 24, HOURS_PER_MONTH)
    return per_month * 12 / per_month.sum()


def _exposure(span: float, period: float, width: float) -> np.ndarray:
    """How long the span spends in each slot of a period (hours of the day, days of the week)."""
    slots = int(round(period / width))
    whole, rest = divmod(span, period)
    exposure = np.full(slots, whole * width)
    exposure += np.clip(rest - np.arange(slots) * width, 0, width)
    return np.maximum(exposure, 1e-9)


def _poisson_cells(
    hours: np.ndarray,
    span: float,
    rate: float,
    hour_of_day: np.ndarray,
    day_of_week: np.ndarray,
    month_of_year: np.ndarray | None,
    trend: float,
) -> tuple[float, float, np.ndarray]:
    """Chi-square of the orders in each clock hour of the history against the fitted Poisson
    rate there (rate x hour x weekday x month x trend): it tests the profile and the Poisson
    law at once (overdispersed or clustered orders fail it). Degrees of freedom: the hours
    with a positive rate, less the parameters fitted. Also the expected count of each hour."""
    slots = int(span)
    observed = np.bincount(hours.astype(int), minlength=slots)[:slots].astype(float)
    clock = np.arange(slots) + 0.5
    expected = (
        rate
        * hour_of_day[(clock % 24).astype(int)]
        * day_of_week[(clock % HOURS_PER_WEEK // 24).astype(int)]
        * (1 + trend * clock / (365 * 24))
    )
    fitted = 1 + 23 + 6 + (1 if trend else 0)
    if month_of_year is not None:
        expected = expected * month_of_year[_month_of(clock)]
        fitted += 11
    keep = expected > 0
    statistic = float((((observed - expected) ** 2)[keep] / expected[keep]).sum())
    freedom = max(1, int(keep.sum()) - fitted)
    return statistic, float(stats.chi2.sf(statistic, freedom)), expected
