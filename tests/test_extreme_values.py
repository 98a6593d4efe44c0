"""Values that used to validate and then crash, hang or lie: each is now a load error.

Every number is finite and bounded by what a business could reach (in the shared field types
and the distributions' parameters); a run's expected orders are bounded unless the planner
allows a large run; seeds are any 64-bit value and stored exactly; work finished after a
shift's end is paid overtime, so utilisation is at most 1; swept values are compared as the
scenario reads them.
"""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

import servsim
from servsim.core.errors import ScenarioError
from servsim.kpis.labour import busy_clerk_time, overtime_clerk_time, scheduled_clerk_time
from servsim.scenario.fields import MOST_SEED
from servsim.scenario.workload import MOST_EVENTS, check_scenario, expected_events
from tests.conftest import SMALL_SHOP
from tests.hostile_helpers import assert_clean_refusal, invoke
from tests.sweep_helpers import write_experiment

SHOP: dict[str, Any] = yaml.safe_load(SMALL_SHOP)


def _shop(**changes: Any) -> dict[str, Any]:
    """The small shop with dotted paths set (``"processing.staff": 3``)."""
    document = copy.deepcopy(SHOP)
    for dotted, value in changes.items():
        keys = dotted.split("__")
        node = document
        for key in keys[:-1]:
            node = node[int(key)] if isinstance(node, list) else node.setdefault(key, {})
        if isinstance(node, list):
            node[int(keys[-1])] = value
        else:
            node[keys[-1]] = value
    return document


GAMMA = {"dist": "gamma", "mean": 0.3, "sd": 1e-300}
REFUSED: dict[str, tuple[dict[str, Any], str, str]] = {
    "horizon .inf": ({"horizon": math.inf}, "horizon", "finite"),
    "horizon 1e400h": ({"horizon": "1e400h"}, "horizon", "finite"),
    "horizon 1000 years": ({"horizon": "52200w"}, "horizon", "at most 100 years"),
    "rate .inf": ({"demand__arrivals__rate": math.inf}, "demand.arrivals.rate", "finite"),
    "rate 1e300": ({"demand__arrivals__rate": 1e300}, "demand.arrivals.rate", "at most"),
    "staff 10^30": ({"processing__staff": 10**30}, "processing.staff", "at most 100,000"),
    "quantity 1e300": ({"demand__quantity": 1e300}, "demand.quantity", "at most"),
    "S 10^30": ({"stocking__items__A__S": 10**30}, "stocking.items.A.S", "at most"),
    "seed 2^70": ({"seed": 2**70}, "seed", "2^63 - 1"),
    "seed -1": ({"seed": -1}, "seed", "2^63 - 1"),
    "trend .inf": (
        {"demand__arrivals__profile": {"trend": math.inf}},
        "demand.arrivals.profile.trend",
        "finite",
    ),
    "uniform high .inf": (
        {"processing__time": {"dist": "uniform", "low": 0, "high": math.inf}},
        "processing.time.high",
        "finite",
    ),
    "poisson mean 1e300": (
        {"demand__quantity": {"dist": "poisson", "mean": 1e300, "min": 1}},
        "demand.quantity.mean",
        "at most",
    ),
    "gamma sd 1e-300": ({"processing__time": GAMMA}, "processing.time.sd", "millisecond"),
    "gamma sd a billionth": (
        {"stocking__items__B__lead_time": {"dist": "gamma", "mean": 48, "sd": 1e-6}},
        "stocking.items.B.lead_time",
        "times the mean",
    ),
    "NaN in a profile": (
        {"demand__arrivals__profile": {"hour_of_day": [math.nan] + [1] * 23}},
        "demand.arrivals.profile.hour_of_day.0",
        "finite",
    ),
    "NaN in empirical values": (
        {"processing__time": {"dist": "empirical", "values": [0.1, math.nan]}},
        "processing.time.values.1",
        "finite",
    ),
    "NaN in empirical weights": (
        {"processing__time": {"dist": "empirical", "values": [0.1, 0.2], "weights": [1, math.nan]}},
        "processing.time.weights.1",
        "finite",
    ),
    "NaN target": (
        {"standards": {"otif": {"at_least": math.nan}}},
        "standards.otif",
        "finite",
    ),
    "infinite target": ({"standards": {"otif": ">= 1e400"}}, "standards.otif", "finite"),
    "unit_cost .inf": ({"products__0__unit_cost": math.inf}, "products.0.unit_cost", "finite"),
    "price 1e300": ({"products__0__price": 1e300}, "products.0.price", "at most"),
    "wage .nan": ({"costs__staff_wage": math.nan}, "costs.staff_wage", "finite"),
}


@pytest.mark.parametrize("case", sorted(REFUSED), ids=sorted(REFUSED))
def test_an_extreme_value_is_a_load_error_at_its_field(case: str, tmp_path: Path) -> None:
    changes, path, words = REFUSED[case]
    with pytest.raises(ScenarioError) as caught:
        servsim.load_scenario(_shop(**changes))
    paths = [problem.path for problem in caught.value.problems]
    assert any(p.startswith(path) or path.startswith(p) for p in paths if p), (paths, case)
    assert words in str(caught.value), str(caught.value)
    # the same in a file: one line, located, exit 2
    file = tmp_path / "shop.yaml"
    file.write_text(yaml.safe_dump(_shop(**changes), sort_keys=False), encoding="utf-8")
    lines = assert_clean_refusal(invoke("validate", file), str(file), words, most_lines=3)
    assert all(line.split(":")[1].strip().isdigit() for line in lines), lines  # file:line:


def test_the_bad_results_of_the_issue_are_load_errors() -> None:
    """avg_on_hand = -9.1e18 (S: 10^30), cost_total = NaN (unit_cost: .inf) and a utilisation
    of 28.77 (NaN in an empirical processing time) came out of runs that exited 0."""
    for changes in (
        {"stocking__items__A__S": 10**30},
        {"products__0__unit_cost": math.inf},
        {"processing__time": {"dist": "empirical", "values": [0.1, math.nan]}},
    ):
        with pytest.raises(ScenarioError):
            servsim.load_scenario(_shop(**changes))


def test_the_largest_values_a_business_reaches_still_run() -> None:
    scenario = servsim.load_scenario(
        _shop(
            horizon="2d",
            warmup=0,
            replications=1,
            seed=MOST_SEED,
            products__0__unit_cost=1e9,
            stocking__items__A__S=10**9,
            processing__staff=100_000,
        )
    )
    kpis = servsim.simulate(scenario).kpis.iloc[0]
    assert kpis["avg_on_hand"] > 10**8 and math.isfinite(kpis["cost_total"])
    assert kpis["seed"] == MOST_SEED


def test_a_run_of_too_many_orders_is_refused_unless_allowed(tmp_path: Path) -> None:
    document = _shop(horizon="100w", replications=10)
    document["demand"]["arrivals"]["rate"] = 10_000
    document["demand"]["customers"] = "none"  # 7.2 million customers would be refused first
    scenario = servsim.load_scenario(document)
    assert expected_events(scenario) * 10 > MOST_EVENTS
    with pytest.raises(ScenarioError, match="allow-large"):
        servsim.simulate(scenario)
    check_scenario(scenario, 10, allow_large=True)  # allowed: the check lets it through
    file = tmp_path / "busy.yaml"
    file.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    for command in ("validate", "run"):
        lines = assert_clean_refusal(invoke(command, file), f"{file}:3: horizon", "--allow-large")
        assert "orders" in lines[0]
    assert invoke("validate", file, "--allow-large").exit_code == 0


def test_a_seed_up_to_2_63_minus_1_is_stored_exactly(tmp_path: Path) -> None:
    shop = SMALL_SHOP.replace("seed: 11", f"seed: {MOST_SEED}").replace(
        "horizon: 10d", "horizon: 2d"
    )
    (tmp_path / "shop.yaml").write_text(shop, encoding="utf-8")
    result = invoke("run", tmp_path / "shop.yaml", "--out", tmp_path / "run")
    assert result.exit_code == 0, result.output + result.stderr
    assert pd.read_parquet(tmp_path / "run" / "kpis.parquet")["seed"].tolist() == [MOST_SEED] * 2
    assert json.loads((tmp_path / "run" / "run.json").read_text())["seed"] == MOST_SEED
    experiment = write_experiment(
        tmp_path / "sweep",
        "scenario: shop.yaml\nparameters: {processing.staff: [1, 2]}\nreplications: 2\n"
        f"seed: {MOST_SEED}\nout: results\n",
        scenario=shop,
    )
    results = servsim.sweep(experiment, executor="serial")
    manifest = json.loads((tmp_path / "sweep" / "results" / "manifest.json").read_text())
    assert manifest["seed"] == MOST_SEED
    assert results.runs["seed"].tolist() == [MOST_SEED] * 4
    stored = servsim.SweepResults.from_folder(tmp_path / "sweep" / "results")
    assert stored.runs["seed"].dtype == np.int64 and (stored.runs["seed"] == MOST_SEED).all()
    assert invoke("run", tmp_path / "shop.yaml", "--seed", str(2**63)).exit_code == 2


def _busy_beyond_schedule(log: Any) -> float:
    """Clerk-time beyond the schedule, by brute force: at every moment something changes,
    busy clerks minus scheduled ones, held until the next moment."""
    start, end = log.processing_intervals()
    schedule = log.staff_on_duty
    moments = sorted({*start, *end, *schedule["time"], log.warmup, log.horizon})
    moments = [t for t in moments if log.warmup <= t <= log.horizon]
    total = 0.0
    for left, right in zip(moments, moments[1:], strict=False):
        middle = (left + right) / 2
        busy = int(((start <= middle) & (end > middle)).sum())
        on = schedule["staff"][schedule["time"] <= middle].iloc[-1]
        total += max(0, busy - on) * (right - left)
    return total


def test_work_in_hand_at_a_shift_end_is_paid_overtime_and_utilisation_stays_at_most_1() -> None:
    """Mon-Fri 8-17 and a 1-hour mean pick time gave staff_utilisation = 1.217 and
    cost_overtime = 0: the hour finished after 17:00 was counted but not paid."""
    processing = {
        "shifts": [
            {"days": ["mon", "tue", "wed", "thu", "fri"], "start": 8, "end": 17, "staff": 3}
        ],
        "time": {"dist": "exponential", "mean": "1h"},
    }
    for overtime in (None, {"limit": "1h", "wage": 45}):
        document = _shop(horizon="3w", warmup="1w", replications=2, processing=processing)
        document["demand"]["arrivals"]["rate"] = 2.5  # more work than the shifts can do
        document["demand"]["customers"] = "none"
        if overtime is not None:
            document["processing"]["overtime"] = overtime
        results = servsim.simulate(servsim.load_scenario(document))
        wage = 45 if overtime else SHOP["costs"]["staff_wage"]
        for log, (_, kpis) in zip(results.logs, results.kpis.iterrows(), strict=True):
            scheduled = scheduled_clerk_time(log)
            beyond = _busy_beyond_schedule(log)
            assert beyond > 1  # clerk-hours: work was finished after the shifts' ends
            assert overtime_clerk_time(log) == pytest.approx(beyond)
            assert kpis["cost_overtime"] == pytest.approx(wage * beyond)
            assert kpis["staff_utilisation"] <= 1.0
            within = (busy_clerk_time(log) - beyond) / scheduled
            assert kpis["staff_utilisation"] == pytest.approx(within)
            assert kpis["cost_processing_labour"] == pytest.approx(
                SHOP["costs"]["staff_wage"] * scheduled
            )


def test_warmup_beyond_the_horizon_is_reported_at_the_warmup_line(tmp_path: Path) -> None:
    file = tmp_path / "shop.yaml"
    file.write_text(SMALL_SHOP.replace("warmup: 1d", "warmup: 3d").replace("10d", "2d"))
    lines = assert_clean_refusal(invoke("validate", file), "must be shorter than horizon")
    assert lines[0].startswith(f"{file}:4: warmup:")


@pytest.mark.parametrize(
    ("parameter", "values", "said"),
    [
        ("processing.staff", "[2, '2']", "'2' is the value 2 again"),
        ("delivery.promise", "[24, 24h]", "'24h' is the value 24 again"),
        ("delivery.promise", "[1d, 24h, 48h]", "'24h' is the value '1d' again"),
        ("processing.staff", "[2, 2.0]", "listed twice"),
    ],
)
def test_swept_values_the_scenario_reads_alike_are_one_value(
    tmp_path: Path, parameter: str, values: str, said: str
) -> None:
    text = f"scenario: shop.yaml\nparameters:\n  {parameter}: {values}\nreplications: 2\n"
    experiment = write_experiment(tmp_path, text)
    lines = assert_clean_refusal(invoke("sweep", experiment), said, "list each value once")
    assert lines[0].startswith(f"{experiment}:3: parameters.{parameter}:")


def test_distinct_values_of_a_shorthand_section_are_not_duplicates(tmp_path: Path) -> None:
    """The one-segment ``demand:`` is read into ``segments: {all: ..}``: its values still differ."""
    text = (
        "scenario: shop.yaml\nparameters:\n  demand.arrivals.rate: [1, 2, 1.5]\nreplications: 2\n"
    )
    assert len(servsim.load_experiment(write_experiment(tmp_path, text)).points_to_check()) == 3


def test_a_customer_base_too_large_to_follow_one_by_one_is_refused() -> None:
    """The base defaults to rate x order_interval: a rate of 10,000 an hour is 7.2 million
    customers, each with lists of its own."""
    document = _shop()
    document["demand"]["arrivals"]["rate"] = 10_000
    with pytest.raises(ScenarioError, match="7,200,000 customers at the start"):
        servsim.load_scenario(document)
    document["demand"]["customers"] = {"relationship": {"frequency": 20, "start": 0}}
    document["demand"]["arrivals"]["rate"] = 1
    scenario = servsim.load_scenario(document)  # candidates at e^20 times the rate: refused
    with pytest.raises(ScenarioError, match="allow-large"):
        servsim.simulate(scenario)


@pytest.mark.parametrize("in_arrays", [True, False], ids=["in arrays", "by events"])
@pytest.mark.parametrize(
    "overrides",
    [{"demand.customers": "none"}, {}, {"demand.customers": "none", "stocking": None}],
    ids=["fixed demand", "customer base", "no stocking"],
)
def test_regression_a_run_without_any_order_gives_its_kpis(in_arrays, overrides) -> None:
    """A horizon too short for any order (a valid scenario) crashed building the order table;
    every valid input terminates: no order, no KPI crash, every table empty."""
    from servsim.kpis.metrics import compute_kpis
    from servsim.model.streams import RandomStreams
    from servsim.model.world import World

    scenario = servsim.load_scenario(yaml.safe_load(SMALL_SHOP)).with_overrides(
        {"horizon": 0.0001, "warmup": 0, **overrides}
    )
    log = World(scenario, RandomStreams(scenario.seed, 0), in_arrays=in_arrays).run()
    assert len(log.orders) == len(log.lines) == len(log.shipments) == 0
    kpis = compute_kpis(log, scenario)
    assert kpis["orders"] == 0
