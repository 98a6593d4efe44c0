"""Loading scenario files: valid files load, and every mistake names its file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from servsim.core.errors import Problem, ScenarioError
from servsim.scenario import Constant, Gamma, Scenario, load_scenario

BASE = """\
name: Web shop, standard service
time_unit: hours
horizon: 120d
warmup: 10d
replications: 10
seed: 7
products:
  - {sku: A, unit_cost: 20, price: 35}
  - {sku: B, unit_cost: 50, price: 80}
demand:
  arrivals: {process: poisson, rate: 12}
  mix: {A: 0.7, B: 0.3}
  quantity: {dist: poisson, mean: 1.2, min: 1}
stocking:
  stockout: backorder
  items:
    A: {policy: base_stock, S: 40, lead_time: 48h}
    B: {policy: sS, s: 10, S: 60, lead_time: {dist: gamma, mean: 3d, sd: 1d}}
processing:
  staff: 3
  time: {dist: exponential, mean: 0.12h}
delivery:
  promise: 48h
  modes:
    standard: {transit: {dist: lognormal, mean: 24h, sd: 6h}, cost_per_shipment: 6}
  default: standard
costs:
  holding_rate: 0.25
  order_cost: 40
  backorder_penalty: 2
  lost_sale_penalty: 10
  staff_wage: 30
"""


def write(tmp_path: Path, text: str, name: str = "scenario.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def edited(old: str, new: str, text: str = BASE) -> str:
    """The base document with one piece of text replaced (which must be there)."""
    assert old in text, old
    return text.replace(old, new, 1)


def only_problem(path: Path) -> Problem:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert len(caught.value.problems) == 1, str(caught.value)
    return caught.value.problems[0]


def problem_at(path: Path, dotted: str) -> Problem:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    matching = [problem for problem in caught.value.problems if problem.path == dotted]
    assert matching, str(caught.value)
    return matching[0]


def assert_problem(problem: Problem, file: Path | None, line: int | None, path: str, *words: str):
    assert problem.file == (None if file is None else str(file))
    assert problem.line == line
    assert problem.path == path
    said = f"{problem.message} ({problem.note})" if problem.note else problem.message
    for word in words:
        assert word in said, said


# --- one mistake each ---------------------------------------------------------------------------
@pytest.mark.parametrize("rate", ["-1", "0"])
def test_rate_must_be_positive(tmp_path: Path, rate: str) -> None:
    path = write(tmp_path, edited("rate: 12", f"rate: {rate}"))
    problem = only_problem(path)
    assert_problem(problem, path, 11, "demand.arrivals.rate", "must be > 0", f"got {rate}")
    assert str(problem) == f"{path}:11: demand.arrivals.rate: must be > 0, got {rate}"


def test_missing_required_key_is_located_at_its_section(tmp_path: Path) -> None:
    path = write(tmp_path, edited("  time: {dist: exponential, mean: 0.12h}\n", ""))
    assert_problem(only_problem(path), path, 19, "processing.time", "required key is missing")


def test_processing_needs_staff_or_shifts(tmp_path: Path) -> None:
    path = write(tmp_path, edited("  staff: 3\n", ""))
    assert_problem(only_problem(path), path, 19, "processing", "either staff", "or shifts")


def test_text_where_a_number_belongs(tmp_path: Path) -> None:
    path = write(tmp_path, edited("price: 80", "price: abc"))
    problem = only_problem(path)
    assert_problem(problem, path, 9, "products.1.price", "expected a number", "'abc'")


def test_unknown_policy_lists_the_policies(tmp_path: Path) -> None:
    path = write(tmp_path, edited("policy: base_stock", "policy: minmax"))
    problem = only_problem(path)
    assert_problem(problem, path, 17, "stocking.items.A", "unknown policy 'minmax'", "base_stock")
    assert "function-" not in str(problem)


def test_unknown_distribution_lists_the_distributions(tmp_path: Path) -> None:
    path = write(tmp_path, edited("dist: exponential", "dist: cauchy"))
    problem = only_problem(path)
    assert_problem(problem, path, 21, "processing.time", "'cauchy'", "exponential", "gamma")


def test_mix_names_a_sku_that_is_not_a_product(tmp_path: Path) -> None:
    path = write(tmp_path, edited("mix: {A: 0.7, B: 0.3}", "mix: {A: 0.7, C: 0.3}"))
    problem = only_problem(path)
    assert_problem(problem, path, 12, "demand.mix", "C is not a product", "A, B")


def test_mix_weights_must_sum_to_one(tmp_path: Path) -> None:
    path = write(tmp_path, edited("mix: {A: 0.7, B: 0.3}", "mix: {A: 0.7, B: 0.4}"))
    assert_problem(only_problem(path), path, 12, "demand.mix", "sum to 1", "1.1")


def test_order_up_to_below_reorder_point(tmp_path: Path) -> None:
    path = write(tmp_path, edited("s: 10, S: 60", "s: 10, S: 5"))
    problem = only_problem(path)
    assert_problem(problem, path, 18, "stocking.items.B", "S (5) must be greater than s (10)")
    assert "sS" not in problem.path


def test_duration_without_a_valid_unit(tmp_path: Path) -> None:
    path = write(tmp_path, edited("lead_time: 48h", "lead_time: 36x"))
    problem = only_problem(path)
    assert_problem(problem, path, 17, "stocking.items.A.lead_time", "'36x'", "36h", "2d")
    assert not problem.message.startswith("Value error")


def test_duration_parameter_without_a_valid_unit_points_at_the_parameter(tmp_path: Path) -> None:
    path = write(tmp_path, edited("mean: 3d", "mean: 3x"))
    problem = only_problem(path)
    assert_problem(problem, path, 18, "stocking.items.B.lead_time.mean", "'3x'")


def test_unknown_key_suggests_the_intended_one(tmp_path: Path) -> None:
    path = write(tmp_path, edited("rate: 12", "ratee: 12"))
    problem = problem_at(path, "demand.arrivals.ratee")
    assert_problem(
        problem,
        path,
        11,
        "demand.arrivals.ratee",
        "unknown key 'ratee'",
        "did you mean 'rate'",
        "allowed keys here: process, rate",
    )
    assert "poisson" not in problem.path


def test_negative_order_up_to_names_the_key_as_written(tmp_path: Path) -> None:
    path = write(tmp_path, edited("S: 40", "S: -5"))
    problem = only_problem(path)
    assert str(problem) == f"{path}:17: stocking.items.A.S: must be >= 0, got -5"


def test_unknown_time_unit_is_reported_cleanly(tmp_path: Path) -> None:
    path = write(tmp_path, edited("time_unit: hours", "time_unit: weeks"))
    assert_problem(only_problem(path), path, 2, "time_unit", "'weeks'", "hours, days")


def test_missing_time_unit_is_reported_cleanly(tmp_path: Path) -> None:
    path = write(tmp_path, edited("time_unit: hours\n", ""))
    assert_problem(only_problem(path), path, 1, "time_unit", "required key is missing")


def test_key_given_twice(tmp_path: Path) -> None:
    path = write(tmp_path, edited("  staff: 3\n", "  staff: 3\n  staff: 4\n"))
    assert_problem(only_problem(path), path, 21, "processing.staff", "twice", "line 20")


# --- files that are not scenarios ---------------------------------------------------------------
def test_file_that_is_not_yaml(tmp_path: Path) -> None:
    path = write(tmp_path, "name: shop\n\ttime_unit: hours\n")
    assert_problem(only_problem(path), path, 2, "", "not valid YAML", "tabs")


def test_file_with_unclosed_brackets(tmp_path: Path) -> None:
    path = write(tmp_path, "name: shop\nproducts: [A, B\ntime_unit: hours\n")
    assert_problem(only_problem(path), path, 3, "", "not valid YAML", "line 2")


def test_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    path = write(tmp_path, "- name: shop\n- time_unit: hours\n")
    assert_problem(only_problem(path), path, 1, "", "top level must be a mapping", "got a list")


@pytest.mark.parametrize("text", ["", "# nothing but a comment\n"])
def test_empty_file(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, text)
    assert_problem(only_problem(path), path, None, "", "empty", "time_unit")


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "no_such_scenario.yaml"
    problem = only_problem(path)
    assert_problem(problem, path, None, "", "file not found")
    assert str(problem) == f"{path}: file not found"


# --- several problems at once -------------------------------------------------------------------
def test_every_problem_is_reported_in_file_order(tmp_path: Path) -> None:
    text = edited("price: 80", "price: abc", edited("  staff: 3\n", "  staff: 0\n"))
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    problems = caught.value.problems
    assert [(p.line, p.path) for p in problems] == [
        (9, "products.1.price"),
        (20, "processing.staff"),
    ]
    assert str(caught.value).splitlines() == [str(p) for p in problems]


def test_mapping_source_reports_without_file_or_line() -> None:
    document = yaml.safe_load(BASE)
    document["demand"]["arrivals"]["rate"] = -1
    with pytest.raises(ScenarioError) as caught:
        load_scenario(document)
    assert_problem(caught.value.problems[0], None, None, "demand.arrivals.rate", "must be > 0")
    assert str(caught.value) == "demand.arrivals.rate: must be > 0, got -1"


# --- valid files --------------------------------------------------------------------------------
def test_valid_file_loads(tmp_path: Path) -> None:
    path = write(tmp_path, BASE)
    scenario = load_scenario(path)
    assert scenario.name == "Web shop, standard service"
    assert scenario.skus == ["A", "B"]
    assert scenario.processing is not None and scenario.processing.staff == 3
    assert scenario.stocking is not None
    assert scenario.stocking.items["B"].reorder_point == 10
    assert scenario.costs.order_cost == 40
    assert scenario.source_path == path
    assert load_scenario(yaml.safe_load(BASE)) == scenario
    assert load_scenario(str(path)) == scenario


@pytest.mark.parametrize(("time_unit", "hours"), [("hours", 1.0), ("days", 24.0)])
def test_durations_convert_to_the_time_unit(tmp_path: Path, time_unit: str, hours: float) -> None:
    path = write(tmp_path, edited("time_unit: hours", f"time_unit: {time_unit}"))
    scenario = load_scenario(path)
    assert scenario.horizon == pytest.approx(120 * 24 / hours)
    assert scenario.warmup == pytest.approx(10 * 24 / hours)
    assert scenario.delivery.promise == pytest.approx(48 / hours)
    assert scenario.stocking is not None
    lead_time_a = scenario.stocking.items["A"].lead_time
    assert isinstance(lead_time_a, Constant)
    assert lead_time_a.value == pytest.approx(48 / hours)
    lead_time_b = scenario.stocking.items["B"].lead_time
    assert isinstance(lead_time_b, Gamma)
    assert lead_time_b.mean == pytest.approx(3 * 24 / hours)
    assert lead_time_b.sd == pytest.approx(24 / hours)


def test_scenario_is_immutable(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, BASE))
    with pytest.raises(ValidationError):
        scenario.seed = 8  # type: ignore[misc]
    assert scenario.processing is not None
    with pytest.raises(ValidationError):
        scenario.processing.staff = 4  # type: ignore[misc]
    assert scenario.seed == 7


# --- overrides ----------------------------------------------------------------------------------
def test_overrides_return_a_new_scenario(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, BASE))
    changed = scenario.with_overrides(
        {
            "processing.staff": 5,
            "stocking.items.A.S": 55,
            "delivery.promise": "24h",
            "products.0.price": 40,
        }
    )
    assert isinstance(changed, Scenario)
    assert changed is not scenario
    assert changed.processing is not None and changed.processing.staff == 5
    assert changed.stocking is not None and changed.stocking.items["A"].order_up_to == 55
    assert changed.delivery.promise == 24.0
    assert changed.product("A").price == 40
    assert changed.source_path == scenario.source_path
    assert scenario.processing is not None and scenario.processing.staff == 3
    assert scenario.stocking is not None and scenario.stocking.items["A"].order_up_to == 40
    assert scenario.delivery.promise == 48.0
    assert scenario.product("A").price == 35
    assert scenario.with_overrides({}) == scenario


def test_override_adds_a_section_absent_from_the_file(tmp_path: Path) -> None:
    text = BASE[: BASE.index("costs:")]
    scenario = load_scenario(write(tmp_path, text))
    assert scenario.costs.order_cost == 0
    assert scenario.with_overrides({"costs.order_cost": 25}).costs.order_cost == 25


def test_override_of_time_unit_converts_every_duration_again(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, BASE))
    assert scenario.with_overrides({"time_unit": "days"}).delivery.promise == 2.0


def test_unknown_override_path(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, BASE))
    with pytest.raises(ScenarioError) as caught:
        scenario.with_overrides({"processing.stafff": 4})
    problem = caught.value.problems[0]
    assert_problem(
        problem,
        None,
        None,
        "processing.stafff",
        "unknown key 'stafff'",
        "staff, shifts, overtime, time",
        "'staff'",
    )


def test_override_past_the_end_of_a_list(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, BASE))
    with pytest.raises(ScenarioError) as caught:
        scenario.with_overrides({"products.2.price": 4})
    assert_problem(caught.value.problems[0], None, None, "products.2.price", "entries 0 to 1")


def test_invalid_override_value(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, BASE))
    with pytest.raises(ScenarioError) as caught:
        scenario.with_overrides({"processing.staff": 0})
    assert_problem(caught.value.problems[0], None, None, "processing.staff", "must be >= 1", "0")


def test_override_that_breaks_a_section_rule_keeps_the_file_line(tmp_path: Path) -> None:
    path = write(tmp_path, BASE)
    scenario = load_scenario(path)
    with pytest.raises(ScenarioError) as caught:
        scenario.with_overrides({"stocking.items.B.S": 5})
    problem = caught.value.problems[0]
    assert_problem(problem, path, 18, "stocking.items.B", "S (5)", "stocking.items.B.S = 5")


def test_yes_is_not_a_staff_count(tmp_path: Path) -> None:
    """Regression: YAML's `yes` was silently read as 1 clerk."""
    path = write(tmp_path, edited("staff: 3", "staff: yes"))
    assert_problem(only_problem(path), path, 20, "processing.staff", "whole number", "true")
