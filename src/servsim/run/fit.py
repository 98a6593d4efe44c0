"""A scenario's demand (and lead times) fitted to the planner's own data: ``servsim fit``.

From an order history (the same file a scenario's ``history:`` replays) it estimates the
arrival rate with hour-of-day and weekday multipliers (and month of year when the history
covers a year), a linear trend when the weekly counts show one, the sku mix, lines per order
and units per line; from purchase orders and their receipts, each sku's lead time.

Quantities: the zero-truncated Poisson, the zero-truncated negative binomial, the geometric
and the empirical law are fitted by maximum likelihood (scipy.stats' pmfs, maximised by
scipy.optimize on the count of each value, which is the same likelihood as over every line and
takes milliseconds for a million lines), and the one of lowest AIC is written, saying so.
Lead times: the gamma and the lognormal by ``scipy.stats.<dist>.fit`` (location 0), and the
empirical; lowest AIC again. Each fitted law gets a goodness-of-fit statistic and p-value: a
chi-square test on the counts of each value for quantities (bins of fewer than 5 expected
pooled), Kolmogorov-Smirnov for lead times and a chi-square for the hour and weekday counts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy import optimize, stats

from servsim.core.errors import Problem, ScenarioError
from servsim.scenario.demand import HOURS_PER_MONTH
from servsim.scenario.history import History, Trace
from servsim.scenario.history_reading import read_history

HOURS_PER_WEEK = 168.0
TREND_P = 0.05
"""A trend is written only when the weekly counts' slope is significant at this level."""


@dataclass
class Candidate:
    """One law fitted to some data: its parameters, AIC and goodness of fit."""

    name: str
    spec: Any
    """the servsim distribution, as written in a scenario"""
    mean: float
    """the law's mean (units; hours for lead times)"""
    parameters: int
    log_likelihood: float
    statistic: float
    p_value: float
    test: str
    quantiles: tuple[list[float], list[float]] = ((), ())  # type: ignore[assignment]
    """(observed, fitted) quantiles at the same probabilities, for the QQ plot"""

    @property
    def aic(self) -> float:
        return 2 * self.parameters - 2 * self.log_likelihood


@dataclass
class Choice:
    """The candidates for one quantity, best (lowest AIC) first."""

    what: str
    candidates: list[Candidate]

    @property
    def best(self) -> Candidate:
        return self.candidates[0]


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
        arrivals: dict[str, Any] = {"process": "poisson", "rate": _round(self.rate)}
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


DISPERSION_P = 0.05
"""Daily counts more dispersed than Poisson at this level are fitted as negative binomial."""


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
    found = _arrivals(trace)
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


def _round(value: float, digits: int = 6) -> float:
    return float(f"{value:.{digits}g}")


def _shares(counts: dict[str, int]) -> dict[str, float]:
    """Shares rounded to 6 digits that still sum to 1 (the largest takes the remainder)."""
    total = sum(counts.values())
    shares = {key: round(count / total, 6) for key, count in counts.items()}
    largest = max(shares, key=lambda key: shares[key])
    shares[largest] = round(1 - sum(v for k, v in shares.items() if k != largest), 9)
    return shares


def _arrivals(trace: Trace) -> dict[str, Any]:
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
            trend = _round(min(max(growth, -0.99), 100.0), 3)
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
    hour_of_day = np.asarray([_round(v, 4) for v in hour_of_day])
    day_of_week = np.asarray([_round(v, 4) for v in day_of_week])
    if month_of_year is not None:
        month_of_year = np.asarray([_round(v, 4) for v in month_of_year])
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
        found.update(daily_cv=_round(cv, 4), daily_cv_se=se_squared / (2 * cv))
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


# --- quantities -------------------------------------------------------------------------------
def fit_quantities(quantity: np.ndarray) -> Choice:
    """Units per line (whole numbers >= 1): four laws by maximum likelihood, best AIC first."""
    values, counts = np.unique(quantity, return_counts=True)
    mean = float(quantity.mean())
    candidates: list[Candidate] = []

    def truncated(frozen: Any) -> np.ndarray:
        return frozen.pmf(values) / frozen.sf(0)

    def loglik(pmf: np.ndarray) -> float:
        return float((counts * np.log(np.maximum(pmf, 1e-300))).sum())

    # zero-truncated Poisson: the mean of the truncated law matches the data's (the MLE)
    if mean > 1:
        lam = optimize.brentq(lambda m: m / -np.expm1(-m) - mean, 1e-9, mean + 10)
        spec = {"dist": "poisson", "mean": _round(lam), "min": 1}
        pmf = truncated(stats.poisson(lam))
        candidates.append(_discrete("poisson", spec, 1, mean, pmf, values, counts))
    # geometric on 1, 2, ...: p = 1 / mean (the MLE)
    spec = {"dist": "geometric", "mean": _round(mean)}
    pmf = stats.geom(1 / mean).pmf(values)
    candidates.append(_discrete("geometric", spec, 1, mean, pmf, values, counts))
    # zero-truncated negative binomial: (n, p) by scipy.optimize on the likelihood
    if values.size > 2 and quantity.var() > 0:

        def negative(theta: np.ndarray) -> float:
            n, p = np.exp(theta[0]), 1 / (1 + np.exp(-theta[1]))
            return -loglik(truncated(stats.nbinom(n, p)))

        best = optimize.minimize(negative, x0=[0.0, 0.0], method="Nelder-Mead")
        n, p = float(np.exp(best.x[0])), float(1 / (1 + np.exp(-best.x[1])))
        frozen = stats.nbinom(n, p)
        nb_mean, nb_sd = float(frozen.mean()), float(frozen.std())
        if nb_sd**2 > nb_mean * (1 + 1e-6) and 1e-6 < nb_sd / nb_mean < 1e3:
            spec = {
                "dist": "negative_binomial",
                "mean": _round(nb_mean),
                "sd": _round(nb_sd),
                "min": 1,
            }
            pmf = truncated(frozen)
            candidates.append(_discrete("negative_binomial", spec, 2, mean, pmf, values, counts))
    # empirical: the observed frequencies
    spec = {"dist": "empirical", "values": values.tolist(), "weights": counts.tolist()}
    candidates.append(
        _discrete(
            "empirical", spec, max(1, values.size - 1), mean, counts / counts.sum(), values, counts
        )
    )
    candidates.sort(key=lambda c: c.aic)
    return Choice("quantity", candidates)


def _discrete(
    name: str,
    spec: dict[str, Any],
    parameters: int,
    mean: float,
    pmf: np.ndarray,
    values: np.ndarray,
    counts: np.ndarray,
) -> Candidate:
    """A discrete candidate: its likelihood, chi-square and QQ points, from its pmf at the
    observed values."""
    statistic, p_value = _binned_chi_square(values, counts, pmf, parameters)
    probabilities = np.arange(1, 20) / 20
    observed = np.quantile(np.repeat(values, counts), probabilities).tolist()
    cdf = np.cumsum(pmf)
    fitted = [
        float(values[min(int(np.searchsorted(cdf, q)), values.size - 1)]) for q in probabilities
    ]
    log_likelihood = float((counts * np.log(np.maximum(pmf, 1e-300))).sum())
    return Candidate(
        name,
        spec,
        mean,
        parameters,
        log_likelihood,
        statistic,
        p_value,
        "chi-square",
        (observed, fitted),
    )


def _binned_chi_square(
    values: np.ndarray, counts: np.ndarray, pmf: np.ndarray, parameters: int
) -> tuple[float, float]:
    """Chi-square of the counts of each value, the upper tail pooled into the last bin and
    bins of fewer than 5 expected merged upward."""
    total = counts.sum()
    expected = pmf * total
    expected[-1] += max(0.0, total - expected.sum())  # the tail beyond the largest value
    observed, wanted = [], []
    bucket_o = bucket_e = 0.0
    for o, e in zip(counts, expected, strict=True):
        bucket_o, bucket_e = bucket_o + o, bucket_e + e
        if bucket_e >= 5:
            observed.append(bucket_o)
            wanted.append(bucket_e)
            bucket_o = bucket_e = 0.0
    if bucket_e > 0 and wanted:
        observed[-1] += bucket_o
        wanted[-1] += bucket_e
    freedom = len(wanted) - 1 - parameters
    if freedom < 1:
        return math.nan, math.nan
    result = stats.chisquare(
        observed, np.asarray(wanted) * sum(observed) / sum(wanted), ddof=parameters
    )
    return float(result.statistic), float(result.pvalue)


def _quantile_points(values: np.ndarray, counts: np.ndarray) -> list[float]:
    return np.quantile(np.repeat(values, counts), np.arange(1, 20) / 20).tolist()


# --- lead times -------------------------------------------------------------------------------
def fit_lead_times(path: Path, skus: list[str]) -> dict[str, Choice]:
    """sku -> its lead time's fit, from a file of purchase orders: columns ``sku``,
    ``ordered`` and ``received`` (timestamps); one row per receipt. Every bad row is one
    problem."""
    import pandas as pd

    label = str(path)
    try:
        frame = (
            pd.read_parquet(path)
            if path.suffix.lower() == ".parquet"
            else pd.read_csv(path, dtype=str, keep_default_na=False)
        )
    except Exception as error:  # noqa: BLE001 - any parser's failure becomes one problem
        raise ScenarioError(
            [Problem(label, None, "", f"cannot read the receipts: {error}")]
        ) from None
    missing = [c for c in ("sku", "ordered", "received") if c not in frame.columns]
    if missing:
        found = ", ".join(map(str, frame.columns))
        raise ScenarioError(
            [Problem(label, 1, c, f"missing column {c!r}; columns found: {found}") for c in missing]
        )
    ordered = pd.to_datetime(frame["ordered"], errors="coerce", format="ISO8601")
    received = pd.to_datetime(frame["received"], errors="coerce", format="ISO8601")
    problems = []
    for column, parsed in (("ordered", ordered), ("received", received)):
        for index in np.flatnonzero(parsed.isna().to_numpy()):
            problems.append(
                Problem(
                    label,
                    int(index) + 2,
                    column,
                    f"{frame[column].iloc[index]!r} is not a "
                    "timestamp; allowed: ISO 8601, e.g. 2025-01-06 08:30",
                )
            )
    hours = ((received - ordered) / pd.Timedelta(hours=1)).to_numpy(dtype=float)
    for index in np.flatnonzero(hours <= 0):
        problems.append(
            Problem(
                label,
                int(index) + 2,
                "received",
                "not after ordered; allowed: a receipt after its purchase order",
            )
        )
    if problems:
        raise ScenarioError(problems)
    out = {}
    for sku in sorted(set(frame["sku"].astype(str))):
        times = hours[frame["sku"].astype(str).to_numpy() == sku]
        if times.size >= 3:
            out[sku] = _lead_time_choice(times)
    return out


def _lead_time_choice(times: np.ndarray) -> Choice:
    candidates = []
    probabilities = np.arange(1, 20) / 20
    observed = np.quantile(times, probabilities).tolist()
    if times.std() > 0:
        for name, law in (("gamma", stats.gamma), ("lognormal", stats.lognorm)):
            shape, _, scale = law.fit(times, floc=0)
            frozen = law(shape, loc=0, scale=scale)
            mean, sd = float(frozen.mean()), float(frozen.std())
            if not 1e-6 < sd / mean < 1e3:
                continue
            test = stats.kstest(times, frozen.cdf)
            candidates.append(
                Candidate(
                    name,
                    {"dist": name, "mean": f"{_round(mean, 5)}h", "sd": f"{_round(sd, 5)}h"},
                    mean,
                    2,
                    float(frozen.logpdf(times).sum()),
                    float(test.statistic),
                    float(test.pvalue),
                    "Kolmogorov-Smirnov",
                    (observed, frozen.ppf(probabilities).tolist()),
                )
            )
    values, counts = np.unique(np.round(times, 3), return_counts=True)
    candidates.append(
        Candidate(
            "empirical",
            {
                "dist": "empirical",
                "values": [f"{v:g}h" for v in values],
                "weights": counts.tolist(),
            },
            float(times.mean()),
            max(1, values.size - 1),
            -math.inf if times.std() > 0 else 0.0,
            0.0,
            1.0,
            "Kolmogorov-Smirnov",
            (observed, observed),
        )
    )
    candidates.sort(key=lambda c: c.aic)
    return Choice("lead time", candidates)
