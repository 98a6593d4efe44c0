"""How much work a command will do, known before it starts, and the bound a planner may raise.

Every field of a file has its own bound, but values that are each plausible multiply: a
million orders an hour over a year, ten thousand points of ten replications each. The work is
estimated from the scenario (expected orders and stock reviews) and refused in one located
line above a bound that takes minutes to an hour on one core; ``--allow-large``
(``allow_large=True``) lifts it for the planner who means it.
"""

from __future__ import annotations

from statistics import fmean

from servsim.core.errors import Problem, ScenarioError, line_of
from servsim.core.units import HOURS_PER_TIME_UNIT, HOURS_PER_YEAR
from servsim.scenario.demand import customer_base
from servsim.scenario.schema import Scenario
from servsim.scenario.stocking import ForecastItem, PeriodicReviewItem

MOST_EVENTS = 50_000_000
"""Expected orders (and stock reviews) over all the runs of one command, without
``allow_large``: 10 to 40 minutes on one core at 20,000-90,000 orders a second."""

MOST_RUNS = 20_000
"""Runs of one sweep or search (points times replications), without ``allow_large``."""

ALLOW = "add --allow-large (allow_large=True) if you mean it"


def expected_events(scenario: Scenario) -> float:
    """The orders (candidate orders, for a finite customer base) and periodic stock reviews
    one replication is expected to simulate: rates x profile x horizon."""
    horizon = scenario.horizon
    hours = horizon * HOURS_PER_TIME_UNIT[scenario.time_unit]
    events = 0.0
    for segment in scenario.demand.segments.values():
        arrivals = segment.arrivals
        factor = 1.0
        if arrivals is not None and arrivals.profile is not None:
            profile = arrivals.profile
            for values in (profile.hour_of_day, profile.day_of_week, profile.month_of_year):
                if values is not None:
                    factor *= fmean(values)
            factor *= max(0.0, 1 + profile.trend * hours / HOURS_PER_YEAR / 2)
        base = customer_base(segment)
        if base is not None:  # candidates come at the full market's rate, at full trust
            rate = segment.order_rate
            factor *= base.most(rate) / base.customers_at_start(rate)
            factor *= base.relationship.rate_factor(1.0)
        events += segment.order_rate * segment.credit_pull * factor * horizon
    for item in scenario.stocking.items.values() if scenario.stocking else []:
        if isinstance(item, PeriodicReviewItem | ForecastItem):
            events += horizon / item.review
    return events


def check_events(
    total: float, how: str, allow_large: bool, file: str | None, line: int | None, path: str
) -> None:
    """ScenarioError when ``total`` expected events (``how`` says how they add up) exceed
    MOST_EVENTS, unless ``allow_large``."""
    if total > MOST_EVENTS and not allow_large:
        raise ScenarioError(
            [
                Problem(
                    file,
                    line,
                    path,
                    f"about {total:,.0f} orders to simulate ({how}, from the arrival rates over "
                    f"the horizon); servsim simulates at most {MOST_EVENTS:,} without being "
                    f"told: shorten the horizon, check the rates, or {ALLOW}",
                )
            ]
        )


def check_scenario(scenario: Scenario, replications: int, allow_large: bool) -> None:
    """The work of ``replications`` runs of ``scenario``, refused at its horizon when large."""
    per_run = expected_events(scenario)
    source = scenario.source_path
    check_events(
        per_run * replications,
        f"{replications:,} replications of about {per_run:,.0f}",
        allow_large,
        None if source is None else str(source),
        line_of(("horizon",), scenario._lines) if scenario._lines else None,
        "horizon",
    )


def check_runs(
    runs: int, allow_large: bool, file: str | None, line: int | None, path: str, how: str
) -> None:
    """ScenarioError when ``runs`` (``how`` says how they add up) exceed MOST_RUNS."""
    if runs > MOST_RUNS and not allow_large:
        raise ScenarioError(
            [
                Problem(
                    file,
                    line,
                    path,
                    f"{runs:,} runs ({how}); servsim runs at most {MOST_RUNS:,} without being "
                    f"told: fewer points or replications, or {ALLOW}",
                )
            ]
        )
