"""servsim.optimize: the answer theory gives, any executor, resume, infeasibility, frontier."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

import servsim
from servsim.experiment.store import read_runs
from servsim.report import style
from servsim.stats import theory
from tests.sweep_helpers import assert_same_table

ARRIVAL_RATE = 2.0  # orders an hour, one unit each
LEAD_TIME = 2.0  # hours: lead-time demand 4 units
SERVICE_MEAN = 1.0  # hours per order, exponential
FILL_TARGET = 0.92
WAIT_TARGET = 0.2  # hours

# Poisson demand, base stock S with a constant lead time, c clerks with exponential service:
# the fill rate is P(lead-time demand <= S - 1) and the wait is Erlang C's. Holding stock and
# clerks both cost money, so the cheapest (S, c) meeting both targets is the smallest of each.
KNOWN: dict[str, Any] = {
    "name": "base stock and clerks",
    "time_unit": "hours",
    "horizon": 400,
    "warmup": 50,
    "replications": 3,
    "seed": 3,
    "products": [{"sku": "A", "unit_cost": 10, "price": 15}],
    "demand": {"arrivals": {"process": "poisson", "rate": ARRIVAL_RATE}, "mix": {"A": 1.0}},
    "stocking": {
        "stockout": "backorder",
        "items": {"A": {"policy": "base_stock", "S": 10, "lead_time": LEAD_TIME}},
    },
    "processing": {"staff": 3, "time": {"dist": "exponential", "mean": SERVICE_MEAN}},
    "delivery": {"promise": 24, "modes": {"standard": {"transit": 0}}, "default": "standard"},
    "costs": {"holding_rate": 8.76, "staff_wage": 1.0},
}


def search(**changes: Any) -> dict[str, Any]:
    """An optimizer's experiment over KNOWN: S from 2 to 20, 3 to 6 clerks."""
    document: dict[str, Any] = {
        "scenario": copy.deepcopy(KNOWN),
        "parameters": {
            "stocking.items.A.S": {"range": [2, 20], "integer": True},
            "processing.staff": {"range": [3, 6], "integer": True},
        },
        "standards": {
            "unit_fill_rate": f">= {FILL_TARGET}",
            "processing_wait": f"<= {WAIT_TARGET}",
        },
        "objectives": {"cost": "cost_total"},
        "search": {"budget": 200, "replications": {"min": 3, "max": 10}, "final_check": 6},
        "seed": 3,
    }
    document.update(copy.deepcopy(changes))  # tests may change their copy, never SMALL
    return document


def smallest(values: range, meets: Any) -> int:
    return next(value for value in values if meets(value))


def test_finds_the_cheapest_stock_and_staff_that_theory_gives() -> None:
    lead_time_demand = ARRIVAL_RATE * LEAD_TIME

    def fill(stock: int) -> float:
        return theory.base_stock_poisson(stock, lead_time_demand)["unit_fill_rate"]

    def wait(staff: int) -> float:
        return theory.mmc_mean_wait(ARRIVAL_RATE, 1 / SERVICE_MEAN, staff)

    stock = smallest(range(2, 21), lambda s: fill(s) >= FILL_TARGET)
    staff = smallest(range(3, 7), lambda c: wait(c) <= WAIT_TARGET)
    # The test is only fair if the answer is not a coin toss: both sides of each boundary are
    # well clear of the target (theory: fill 0.889 / 0.949, wait 0.44 / 0.087).
    assert fill(stock) - FILL_TARGET > 0.02 and FILL_TARGET - fill(stock - 1) > 0.02
    assert WAIT_TARGET - wait(staff) > 0.1 and wait(staff - 1) - WAIT_TARGET > 0.2

    result = servsim.optimize(search(), workers=1)

    assert result.winner is not None, result.message()
    assert result.winner.parameters == {"stocking.items.A.S": stock, "processing.staff": staff}
    assert "missed" not in result.winner.checks.values()
    assert result.winner.kpis.at["unit_fill_rate", "n"] == 6  # the fresh final check
    assert result.stop_reason.startswith("converged")
    assert result.runs_spent <= result.grid_runs / 3
    assert len(result.runs) == result.runs_spent
    fresh = result.runs[result.runs["replication"] >= 1_000_000]
    assert set(fresh["point"]) == {result.winner.point} and len(fresh) == 6


SMALL = {
    "parameters": {
        "stocking.items.A.S": {"range": [4, 12], "integer": True},
        "processing.staff": {"range": [3, 5], "integer": True},
        "horizon": [200],
    },
    "search": {"budget": 60, "replications": {"min": 2, "max": 4}, "final_check": 3},
}
TINY = {**SMALL, "search": {"budget": 30, "replications": {"min": 2, "max": 3}, "final_check": 2}}


def test_the_answer_is_the_same_on_any_executor() -> None:
    serial = servsim.optimize(search(**TINY), workers=1)
    processes = servsim.optimize(search(**TINY), executor="processes", workers=2, chunk=1)
    assert serial.winner is not None and processes.winner is not None
    assert serial.winner.parameters == processes.winner.parameters
    assert serial.runs_spent == processes.runs_spent
    assert_same_table(serial.runs, processes.runs)


def test_a_stopped_search_resumes_without_running_its_runs_again(tmp_path: Path) -> None:
    whole = servsim.optimize(search(**TINY), workers=1)

    def stop_after_ten(done: int, total: int) -> None:
        if done >= 10:
            raise KeyboardInterrupt

    folder = tmp_path / "results"
    with pytest.raises(KeyboardInterrupt):
        servsim.optimize(search(**TINY), workers=1, out=folder, progress=stop_after_ten, chunk=4)
    stored = sum(len(part) for part in read_runs(folder))
    assert stored >= 10
    with pytest.raises(servsim.ScenarioError, match="--resume"):
        servsim.optimize(search(**TINY), workers=1, out=folder)
    totals: list[int] = []
    resumed = servsim.optimize(
        search(**TINY),
        workers=1,
        out=folder,
        resume=True,
        progress=lambda done, total: totals.append(total),
    )
    assert resumed.winner is not None and whole.winner is not None
    assert resumed.winner.parameters == whole.winner.parameters
    assert_same_table(resumed.runs, whole.runs)
    assert max(totals) == whole.runs_spent - stored  # only the missing runs were run
    assert (folder / "summary.parquet").is_file()


def test_infeasible_standards_name_the_closest_point_and_the_shortfall() -> None:
    document = search(**SMALL)
    document["parameters"]["stocking.items.A.S"] = {"range": [4, 7], "integer": True}
    del document["parameters"]["horizon"]  # 400 hours: the fill rate near its steady state
    document["standards"] = {"unit_fill_rate": ">= 0.95", "processing_wait": "<= 0.2"}
    result = servsim.optimize(document, workers=1)
    assert result.winner is None
    assert result.stop_reason.startswith("infeasible")
    assert result.closest is not None
    # The most stock allowed, and the fewest clerks that meet the wait (the cheapest).
    assert result.closest.parameters == {"stocking.items.A.S": 7, "processing.staff": 4}
    message = result.message()
    assert message.startswith(
        "no point meets every standard; the closest is stocking.items.A.S = 7, "
        "processing.staff = 4:"
    )
    assert "unit_fill_rate >= 0.95: " in message and "misses it by" in message
    assert "processing_wait <= 0.2: met" in message
    fill = theory.base_stock_poisson(7, ARRIVAL_RATE * LEAD_TIME)["unit_fill_rate"]  # 0.889
    misses = result.closest.misses.loc["unit_fill_rate >= 0.95"]
    assert misses["by"] == pytest.approx(0.95 - misses["mean"])
    assert misses["by"] == pytest.approx(0.95 - fill, abs=0.03)


def test_frontier_mode_traces_the_frontier_with_fewer_runs_than_a_grid() -> None:
    document = search(**SMALL)
    document["scenario"]["delivery"]["promise"] = 1.5  # waiting for stock or a clerk is late
    document["objectives"] = {"cost": "cost_total", "satisfaction": "on_time_rate"}
    result = servsim.optimize(document, workers=1, frontier=True)
    assert result.frontier is not None and len(result.frontier) >= 2
    assert result.runs_spent < result.grid_runs
    costs = result.frontier.loc[result.frontier["status"] == "efficient", "cost_total_mean"]
    satisfaction = result.frontier.loc[costs.index, "on_time_rate_mean"]
    assert satisfaction.is_monotonic_increasing  # cheapest first: each costs more, serves better


def test_a_search_folder_makes_a_decision_review_report(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from servsim.cli import main

    folder = tmp_path / "results"
    found = servsim.optimize(search(**TINY), workers=1, out=folder)
    assert found.winner is not None
    result = CliRunner().invoke(main, ["report", str(folder)])
    assert result.exit_code == 0, result.output
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert "Recommended" in page and "Service standards per policy" in page
    # beside the search runs' figures, the winner's fresh replications: the final check
    assert "recommended: final check" in page
    assert f"ran it again on {found.winner.kpis.at['cost_total', 'n']:.0f} fresh" in page
    fresh = found.winner.kpis.loc["cost_total"]
    assert style.format_interval("cost_total", *fresh[["mean", "lo", "hi"]]) in page
