"""A scenario's demand (and lead times) fitted to the planner's own data: ``servsim fit``.

From an order history (the same file a scenario's ``history:`` replays) it estimates the
arrival rate with hour-of-day and weekday multipliers (and month of year when the history
covers a year), a linear trend when the weekly counts show one, the sku mix, lines per order
and units per line; from purchase orders and their receipts, each sku's lead time.

This module holds what the fit found (``Fit``, and the scenario it writes) and reads the
files; the arrivals are fitted in ``servsim.run.arrival_fit``, the units per line in
``servsim.run.quantity_fit`` and the lead times in ``servsim.run.lead_time_fit``, each law
of the last two as a ``servsim.run.fitted_laws.Candidate`` with its AIC and goodness of fit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from servsim.core.errors import Problem, ScenarioError
from servsim.run.arrival_fit import fit_arrivals
from servsim.run.fitted_laws import Choice, rounded
from servsim.run.lead_time_fit import fit_lead_times
from servsim.run.quantity_fit import fit_quantities
from servsim.scenario.history import History, Trace
from servsim.scenario.history_reading import read_history


@dataclass
class Fit:
    """Everything ``servsim fit`` found."""

    trace: Trace
    rate: float
    """orders per hour at multiplier 1"""
    hour_of_day: list[float]
    day_of_week: list[float]
    month_of_year: list[float] | None
    trend: float
    trend_p: float
    mix: dict[str, float]
    lines: Any
    quantity: Choice
    lead_times: dict[str, Choice] = field(default_factory=dict)
    arrival_test: tuple[float, float] = (math.nan, math.nan)
    """chi-square statistic and p-value of the orders per clock hour against the fit"""
    daily_cv: float = 0.0
    """the day-to-day coefficient of variation of the rate (0: Poisson days)"""
    daily_cv_se: float = math.nan
    """its standard error (of the moment estimate of daily_cv^2, by the delta method)"""
    daily_test: tuple[float, float] = (math.nan, math.nan)
    """chi-square statistic and p-value of the dispersion of the daily counts (Poisson)"""
    segments: dict[str, Fit] = field(default_factory=dict)
    """with a segment column: each segment's own fit (this one is of all the rows)"""
    observed_hours: list[float] = field(default_factory=list)
    fitted_hours: list[float] = field(default_factory=list)
    observed_days: list[float] = field(default_factory=list)
    fitted_days: list[float] = field(default_factory=list)

    def scenario(self, name: str) -> dict[str, Any]:
        """A whole scenario (products and costs to fill in) holding the fitted demand: one
        segment, or one per value of the history's segment column."""
        segment: dict[str, Any] = self._segment()
        if self.segments:
            segment = {"segments": {name: fit._segment() for name, fit in self.segments.items()}}
        skus = list(self.mix)
        stocking: Any = "none"
        if self.lead_times:
            stocking = {
                "stockout": "backorder",
                "items": {
                    sku: {
                        "policy": "base_stock",
                        "S": self._base_stock(sku),
                        "lead_time": c.best.spec,
                    }
                    for sku, c in self.lead_times.items()
                    if sku in self.mix
                },
            }
        return {
            "name": name,
            "time_unit": "hours",
            "horizon": f"{max(7, round(self.trace.span / 24))}d",
            "warmup": "0d" if stocking == "none" else "7d",
            "replications": 10,
            "seed": 1,
            "products": [{"sku": sku, "unit_cost": 1, "price": 2} for sku in skus],
            "demand": segment,
            "stocking": stocking,
            "processing": "none",
            "delivery": {
                "promise": "48h",
                "modes": {"standard": {"transit": 0}},
                "default": "standard",
            },
        }

    def _segment(self) -> dict[str, Any]:
        """The fitted demand of one segment: arrivals with their profile, mix, lines and
        quantities."""
        profile: dict[str, Any] = {
            "hour_of_day": self.hour_of_day,
            "day_of_week": self.day_of_week,
        }
        if self.month_of_year is not None:
            profile["month_of_year"] = self.month_of_year
        if self.trend:
            profile["trend"] = self.trend
        arrivals: dict[str, Any] = {"process": "poisson", "rate": rounded(self.rate)}
        if self.daily_cv > 0:
            arrivals = {**arrivals, "process": "negative_binomial", "daily_cv": self.daily_cv}
        return {
            "arrivals": {**arrivals, "profile": profile},
            "mix": self.mix,
            "lines": self.lines,
            "quantity": self.quantity.best.spec,
            "customers": "none",
        }

    def _base_stock(self, sku: str) -> int:
        """Units to cover the mean lead-time demand plus two standard deviations of a Poisson
        count of it: a starting point for the planner, said in the file's comments."""
        units_per_hour = self.rate * self.mix[sku] * self.quantity.best.mean
        demand = units_per_hour * self.lead_times[sku].best.mean
        return max(1, math.ceil(demand + 2 * math.sqrt(demand * self.quantity.best.mean)))


def fit_history(
    path: Path,
    columns: dict[str, str] | None = None,
    timezone: str | None = None,
    receipts: Path | None = None,
) -> Fit:
    """Fit demand (and lead times) to the files; ScenarioError naming every bad row."""
    fit = _fit_one(path, columns, timezone)
    names = _segment_values(path, (columns or {}).get("segment", "segment"))
    if len(names) >= 2:
        fit.segments = {name: _fit_one(path, columns, timezone, name) for name in names}
    if receipts is not None:
        fit.lead_times = fit_lead_times(receipts, fit.trace.skus)
    return fit


def _segment_values(path: Path, column: str) -> list[str]:
    """The distinct values of the history's segment column, sorted (none without one)."""
    import pandas as pd

    try:
        if path.suffix.lower() == ".parquet":
            values = pd.read_parquet(path, columns=[column])[column]
        else:
            values = pd.read_csv(path, usecols=[column], dtype=str, keep_default_na=False)[column]
    except (KeyError, ValueError):  # no such column
        return []
    return sorted({str(value).strip() for value in values} - {""})


def _fit_one(
    path: Path, columns: dict[str, str] | None, timezone: str | None, segment: str | None = None
) -> Fit:
    """The fit of the history's rows (of one segment, if given)."""
    spec = History.model_validate(
        {"file": str(path), "columns": columns or {}, "timezone": timezone, "segment": segment}
    )
    trace, problems = read_history(path.resolve(), spec, None, "hours")
    if problems or trace is None:
        raise ScenarioError(problems or [Problem(str(path), None, "", "no orders")])
    found = fit_arrivals(trace)
    counts = np.bincount(trace.line_sku, minlength=len(trace.skus))
    mix = _shares({sku: int(c) for sku, c in zip(trace.skus, counts, strict=True)})
    lines: Any = 1
    if not trace.single_line:
        values, weights = np.unique(trace.lines, return_counts=True)
        lines = {"dist": "empirical", "values": values.tolist(), "weights": weights.tolist()}
    fit = Fit(
        trace=trace,
        mix=mix,
        lines=lines,
        quantity=fit_quantities(trace.quantity),
        **found,
    )
    return fit


def _shares(counts: dict[str, int]) -> dict[str, float]:
    """Shares rounded to 6 digits that still sum to 1 (the largest takes the remainder)."""
    total = sum(counts.values())
    shares = {key: round(count / total, 6) for key, count in counts.items()}
    largest = max(shares, key=lambda key: shares[key])
    shares[largest] = round(1 - sum(v for k, v in shares.items() if k != largest), 9)
    return shares
