"""Issue 14, the example items (20, 21): examples that do not mislead, and numbers quoted in
the README and the docs that a script writes, never a hand."""

from __future__ import annotations

import importlib.util
import re

import pytest
import yaml

import servsim
from servsim.report.sweep_report import _description
from tests.conftest import ROOT

EXPERIMENTS = ROOT / "experiments"
SCENARIOS = ROOT / "scenarios"
GENERATED = ROOT / "docs" / "tutorials" / "generated"
README = ROOT / "README.md"


def _script():
    spec = importlib.util.spec_from_file_location(
        "example_numbers", ROOT / "scripts" / "example_numbers.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- item 20: the garden experiment says what it isolates ----------------------------------
def test_issue14_item20_garden_experiment_says_what_it_isolates():
    path = EXPERIMENTS / "garden_service_levels.yaml"
    experiment = servsim.load_experiment(path)
    varied = set(experiment.parameters)
    # it varies the households' promise and one stock level: not a level as a whole ...
    assert varied == {"tiers.basic", "stocking.items.MOWER.S"}
    assert not any(name.startswith(("processing", "support", "notices")) for name in varied)
    # ... so its name, its description and the report say so plainly
    assert "alone" in experiment.title and "basic staffing and stock" in experiment.title
    assert "Isolates" in experiment.description
    assert "Not a comparison of the service levels" in experiment.description
    shown = _description({"experiment_text": path.read_text(encoding="utf-8")})
    assert shown.startswith("Isolates the households' promise")


def test_issue14_item20_no_experiment_claims_service_levels_it_does_not_sweep():
    """An experiment named for service levels must vary what a level is made of (promise,
    staffing and stock), or be named for what it isolates."""
    for path in sorted(EXPERIMENTS.glob("*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))  # sweeps and searches
        if "service level" not in str(document.get("name", "")).lower():
            continue
        varied = " ".join(document["parameters"])
        assert "processing" in varied and "stocking" in varied and "tiers" in varied, path


def test_issue14_item20_the_report_shows_the_description_first():
    text = "name: x\ndescription: Isolates the promise.\nscenario: s.yaml\n"
    assert _description({"experiment_text": text}) == "Isolates the promise."
    assert _description({"experiment_text": "name: x\n"}) == ""
    assert _description({}) == ""


# --- item 21: believable businesses ---------------------------------------------------------
def _short(path, **changes):
    scenario = servsim.load_scenario(path)
    return scenario.with_overrides({"horizon": "70d", "warmup": "14d", **changes})


def test_issue14_item21_b2b_clerks_work_shifts_not_round_the_clock():
    text = (SCENARIOS / "b2b_distributor.yaml").read_text(encoding="utf-8")
    assert "no shifts" not in text and "clerks work around the clock" not in text
    scenario = servsim.load_scenario(SCENARIOS / "b2b_distributor.yaml")
    assert scenario.processing.staff is None and scenario.processing.shifts
    weekly = sum(
        shift.staff * (shift.end - shift.start) * len(shift.days)
        for shift in scenario.processing.shifts
    )
    assert weekly < 0.5 * 168 * 5  # far fewer paid hours than five clerks round the clock
    kpis = servsim.simulate(_short(SCENARIOS / "b2b_distributor.yaml"), replications=2).kpis
    labour = (kpis["cost_processing_labour"] + kpis["cost_overtime"]) / kpis["cost_total"]
    assert (labour < 0.3).all(), labour  # it was 49% of the cost with round-the-clock clerks
    assert (kpis["profit_per_order"] > 0).all()  # a business that earns on its orders


def test_issue14_item21_b2b_experiment_sweeps_the_shift():
    experiment = servsim.load_experiment(EXPERIMENTS / "b2b_stock_levels.yaml")
    assert "processing.shifts.0.staff" in experiment.parameters
    assert "processing.staff" not in experiment.parameters


@pytest.mark.parametrize("name", ["webshop", "b2b_distributor"])
def test_issue14_item21_no_sku_reordered_on_every_customer_order(name):
    """With a cost per purchase order, no sku is bought one customer order at a time."""
    scenario = servsim.load_scenario(SCENARIOS / f"{name}.yaml")
    if scenario.costs.order_cost > 0:
        fast = [sku for sku, item in scenario.stocking.items.items() if item.policy == "base_stock"]
        mix = yaml.safe_load((SCENARIOS / f"{name}.yaml").read_text())["demand"]["mix"]
        # base stock is kept for slow, dear items only (a few percent of the orders)
        assert all(mix[sku] <= 0.05 for sku in fast), fast
    kpis = servsim.simulate(_short(SCENARIOS / f"{name}.yaml"), replications=2).kpis
    share = kpis["cost_ordering"] / kpis["cost_total"]
    assert (share < 0.05).all(), share  # the web shop's was 29%: 28 of its 96.88 per order


def test_issue14_item21_webshop_a_is_bought_in_lots_near_the_economic_quantity():
    scenario = servsim.load_scenario(SCENARIOS / "webshop.yaml")
    item = scenario.stocking.items["A"]
    assert item.policy == "rQ"
    yearly = 12 * 0.7 * 1.2 / (1 - 2.718281828**-1.2) * 24 * 365
    economic = (2 * scenario.costs.order_cost * yearly / (0.25 * 20)) ** 0.5
    assert 0.8 * economic <= item.batch_size <= 1.2 * economic


# --- item 21: the numbers quoted are generated ----------------------------------------------
def test_issue14_item21_readme_quotes_the_generated_run():
    readme = README.read_text(encoding="utf-8")
    excerpt = (GENERATED / "webshop_run.txt").read_text(encoding="utf-8")
    start, end = _script().RUN_MARKERS
    block = readme.split(start, 1)[1].split(end, 1)[0]
    assert block == f"\n```\n{excerpt}```\n"
    orders = (GENERATED / "webshop_orders.md").read_text(encoding="utf-8")
    quoted = readme.split("<!-- generated: orders -->", 1)[1].split("<!-- end -->", 1)[0]
    assert f"about {quoted} orders" in orders


def test_issue14_item21_first_scenario_includes_not_types_its_numbers():
    page = (ROOT / "docs" / "tutorials" / "first-scenario.md").read_text(encoding="utf-8")
    assert "{literalinclude} generated/webshop_run.txt" in page
    assert "{include} generated/webshop_orders.md" in page
    assert not re.search(r"│ \w+ +│ +[\d.,%-]+ │", page)  # no KPI row typed into the page
    assert "35,000" not in page
    # the YAML it shows is the web shop of the repository (the same stock policies)
    shown = yaml.safe_load(page.split("```yaml\n", 1)[1].split("```", 1)[0])
    repository = yaml.safe_load((SCENARIOS / "webshop.yaml").read_text(encoding="utf-8"))
    assert shown["stocking"]["items"] == repository["stocking"]["items"]


def test_issue14_item21_quoted_order_count_is_current():
    """One replication of the web shop as the file has it: the orders the docs quote."""
    sentence = (GENERATED / "webshop_orders.md").read_text(encoding="utf-8")
    each = float(re.search(r"about ([\d,]+) orders", sentence).group(1).replace(",", ""))
    scenario = servsim.load_scenario(SCENARIOS / "webshop.yaml")
    results = servsim.simulate(scenario, replications=1, seed=scenario.seed)
    assert abs(len(results.orders) - each) <= 0.03 * each
    counted = float(re.search(r", ([\d,]+) of them", sentence).group(1).replace(",", ""))
    assert abs(results.orders["counted"].sum() - counted) <= 0.03 * counted
