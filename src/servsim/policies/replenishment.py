"""Replenishment policies: each answers "how much to order now, given the inventory position".

Inventory position = on hand + on order - backorders. Continuous-review policies are asked
after every demand; a periodic-review policy only at its reviews.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, Protocol


class ReplenishmentPolicy(Protocol):
    @property
    def review_period(self) -> float | None:
        """None for continuous review; otherwise the time between reviews."""
        ...

    @property
    def initial_stock(self) -> int:
        """On-hand units at the start of a run: the policy's order-up-to level."""
        ...

    def order_quantity(self, position: int) -> int:
        """Units to order now, given the inventory position."""
        ...


@dataclass(frozen=True)
class BaseStock:
    """Order what was demanded: keep the inventory position at ``order_up_to`` (S)."""

    order_up_to: int
    review_period: float | None = None

    @property
    def initial_stock(self) -> int:
        return self.order_up_to

    def order_quantity(self, position: int) -> int:
        return self.order_up_to - position if position < self.order_up_to else 0


@dataclass(frozen=True)
class MinMax:
    """(s,S): when the position falls to ``reorder_point`` (s) or below, order up to S."""

    reorder_point: int
    order_up_to: int
    review_period: float | None = None

    @property
    def initial_stock(self) -> int:
        return self.order_up_to

    def order_quantity(self, position: int) -> int:
        return self.order_up_to - position if position <= self.reorder_point else 0


@dataclass(frozen=True)
class ReorderPointQuantity:
    """(r,Q): when the position falls to ``reorder_point`` (r) or below, order batches of Q
    until it is above r again."""

    reorder_point: int
    batch_size: int
    review_period: float | None = None

    @property
    def initial_stock(self) -> int:
        return self.reorder_point + self.batch_size

    def order_quantity(self, position: int) -> int:
        if position > self.reorder_point:
            return 0
        batches = (self.reorder_point - position) // self.batch_size + 1
        return batches * self.batch_size


@dataclass(frozen=True)
class PeriodicReview:
    """(R,S): every ``review_period`` (R), order up to S."""

    review_period: float
    order_up_to: int

    @property
    def initial_stock(self) -> int:
        return self.order_up_to

    def order_quantity(self, position: int) -> int:
        return self.order_up_to - position if position < self.order_up_to else 0


ForecastMethod = Literal["moving_average", "exponential", "holt", "holt_winters"]
SeasonKind = Literal["additive", "multiplicative"]


class ForecastOrderUpTo:
    """(R,S) with S recomputed at every review from a rolling forecast of the demand per
    review period: S = mu x P + z x sigma x sqrt(P), P = (R + mean lead time) / R periods of
    protection, mu the forecast per period, sigma the spread of the forecast's errors, z the
    normal quantile of the target cycle service level. Forecasts: the moving average of the
    last ``window`` periods (sigma their sd), simple exponential smoothing (``alpha``; sigma
    the root of the smoothed squared one-step errors) or Holt's linear trend (``alpha``,
    ``beta``: the next P periods' level plus trend) or Holt-Winters with trend and a
    ``season`` of that many periods (statsmodels' ExponentialSmoothing, additive or
    multiplicative season, smoothing ``alpha``, ``beta``, ``gamma`` fixed, or, with
    ``optimize``, fitted by statsmodels once a season and kept fixed in between; sigma the
    root mean squared one-step error of the fit). Holt-Winters needs two whole seasons (and
    10 + 2 x (season // 2) periods) to start: until then it forecasts as Holt's trend does.
    Sigma is never below the Poisson spread sqrt(mu). Until two periods are seen S stays at
    ``initial``. One object per stock point and replication: it keeps the demand it saw."""

    def __init__(
        self,
        review_period: float,
        initial: int,
        lead_time_mean: float,
        z: float,
        method: ForecastMethod = "moving_average",
        window: int = 4,
        alpha: float = 0.3,
        beta: float = 0.1,
        gamma: float = 0.1,
        season: int = 0,
        season_kind: SeasonKind = "multiplicative",
        optimize: bool = False,
    ) -> None:
        self.review_period = review_period
        self.initial_stock = initial
        self.order_up_to = initial
        self._protection = (review_period + lead_time_mean) / review_period
        self._z = z
        self._method = method
        self._window = window
        self._alpha = alpha
        self._beta = beta
        self._this_period = 0
        self._periods: list[float] = []
        self._level: float | None = None
        self._trend = 0.0
        self._squared_error = 0.0
        self._gamma = gamma
        self._season = season
        self._season_kind: SeasonKind = season_kind
        self._optimize = optimize
        self._seasonal_start = max(2 * season, 10 + 2 * (season // 2))
        """Periods seen before the season is used: statsmodels' heuristic start needs them."""
        self._fitted_at = -(10**9)
        """The period count when statsmodels last optimised the smoothing (``optimize``)."""

    def observe(self, units: int) -> None:
        """A demand of ``units`` (called by the stock point on every line)."""
        self._this_period += units

    def order_quantity(self, position: int) -> int:
        """At a review: close the period, update the forecast and S, order up to S."""
        self._close_period()
        return self.order_up_to - position if position < self.order_up_to else 0

    def _close_period(self) -> None:
        demand = float(self._this_period)
        self._this_period = 0
        self._periods.append(demand)
        if self._level is None:
            self._level, self._squared_error = demand, max(demand, 1.0)
        else:
            error = demand - (self._level + self._trend)
            self._squared_error += self._alpha * (error * error - self._squared_error)
            previous = self._level
            self._level = self._level + self._trend + self._alpha * error
            if self._method in ("holt", "holt_winters"):
                self._trend += self._beta * (self._level - previous - self._trend)
        if len(self._periods) < 2:
            return
        periods = self._protection
        if self._method == "holt_winters" and len(self._periods) >= self._seasonal_start:
            demand_over, spread = self._holt_winters(periods)
        elif self._method == "moving_average":
            recent = self._periods[-self._window :]
            mean = sum(recent) / len(recent)
            spread = math.sqrt(sum((d - mean) ** 2 for d in recent) / max(len(recent) - 1, 1))
            demand_over = mean * periods
        else:
            spread = math.sqrt(self._squared_error)
            demand_over = self._level * periods + self._trend * periods * (periods + 1) / 2
        # never less spread than a Poisson count of the forecast (a short window's sd can be 0)
        spread = max(spread, math.sqrt(max(demand_over / periods, 0.0)))
        self.order_up_to = max(0, math.ceil(demand_over + self._z * spread * math.sqrt(periods)))

    def _holt_winters(self, periods: float) -> tuple[float, float]:
        """Demand over the next ``periods`` (a fraction of the last one counted pro rata) and
        the root mean squared one-step error, from statsmodels' Holt-Winters on every period
        seen (imported here: only a run with this method pays for statsmodels)."""
        import warnings

        import numpy as np
        from statsmodels.tsa.holtwinters import ExponentialSmoothing

        history = np.asarray(self._periods, dtype=float)
        kind = self._season_kind
        if kind == "multiplicative":
            history = np.maximum(history, 0.5)  # a multiplicative season needs positive data
        model = ExponentialSmoothing(
            history,
            trend="add",
            seasonal="mul" if kind == "multiplicative" else "add",
            seasonal_periods=self._season,
            initialization_method="heuristic",
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence chatter: the fit is checked below
            if self._optimize and len(self._periods) - self._fitted_at >= self._season:
                fit = model.fit()
                params = fit.params
                self._alpha = float(params["smoothing_level"])
                self._beta = float(params["smoothing_trend"])
                self._gamma = float(params["smoothing_seasonal"])
                self._fitted_at = len(self._periods)
            else:
                fit = model.fit(
                    smoothing_level=self._alpha,
                    smoothing_trend=self._beta,
                    smoothing_seasonal=self._gamma,
                    optimized=False,
                )
        whole = math.ceil(periods)
        ahead = fit.forecast(whole)
        demand_over = float(ahead[: whole - 1].sum() + ahead[whole - 1] * (periods - whole + 1))
        spread = math.sqrt(float(fit.sse) / len(history))
        if not (math.isfinite(demand_over) and math.isfinite(spread)):
            return self._level * periods, math.sqrt(self._squared_error)  # type: ignore[operator]
        return max(demand_over, 0.0), spread
