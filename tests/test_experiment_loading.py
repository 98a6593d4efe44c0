"""Experiment files: what a valid one gives, and a clear file:line error for each bad one."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import servsim
from servsim.cli import main
from servsim.core.kpi_columns import DURATIONS, KPI_NAMES, RATES
from servsim.experiment.schema import Experiment
from servsim.kpis.metrics import compute_kpis
from servsim.model import run_replication
from tests.conftest import SMALL_SHOP
from tests.sweep_helpers import SMALL_SWEEP, write_experiment

PARAMETER_LINE = 5  # the line of stocking.items.A.S in SMALL_SWEEP


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(arg) for arg in args], prog_name="servsim")


def test_a_valid_file_loads_with_paths_relative_to_it(tmp_path: Path) -> None:
    path = write_experiment(tmp_path / "plans")
    experiment = servsim.load_experiment(path)
    assert isinstance(experiment, Experiment)
    assert experiment.base_scenario.name == "Small test shop"
    assert experiment.base_scenario.source_path == tmp_path / "plans" / "shop.yaml"
    assert experiment.out_folder == tmp_path / "plans" / "results"
    assert experiment.parameter_values == {
        "processing.staff": (1, 2),
        "stocking.items.A.S": (40, 80, 120),
        "delivery.promise": ("24h", "48h"),
    }
    assert experiment.run_seed == 5
    assert experiment.replications == 3
    assert [str(standard) for standard in experiment.standard_list] == ["otif >= 0.5"]
    assert experiment.text == SMALL_SWEEP


def test_defaults_seed_from_the_scenario_and_objectives(tmp_path: Path) -> None:
    write_experiment(tmp_path)
    experiment = servsim.load_experiment(
        {"scenario": tmp_path / "shop.yaml", "parameters": {"processing.staff": [1, 2]}}
    )
    assert experiment.run_seed == 11  # the scenario's
    assert experiment.objectives.cost == "cost_per_order"
    assert experiment.objectives.satisfaction == "satisfaction_mean"
    assert experiment.out_folder is None
    assert experiment.replications == 10


def test_kpi_names_are_the_columns_of_a_run() -> None:
    scenario = servsim.load_scenario(__import__("yaml").safe_load(SMALL_SHOP))
    kpis = compute_kpis(run_replication(scenario, 0), scenario)
    assert set(KPI_NAMES) == set(kpis)


def test_rates_and_durations_are_kpis_and_every_rate_is_listed() -> None:
    assert set(KPI_NAMES) >= RATES | DURATIONS
    assert not RATES & DURATIONS
    named_as_rates = {kpi for kpi in KPI_NAMES if kpi.endswith(("_rate", "_share"))}
    assert named_as_rates <= RATES  # a new rate KPI must be listed, or it reads as a number


def test_a_standard_must_be_readable(tmp_path: Path) -> None:
    text = SMALL_SWEEP.replace("{otif: {at_least: 0.5}}", "{otif: 'about 0.9'}")
    with pytest.raises(servsim.ScenarioError, match="standards.otif: expected a comparison"):
        servsim.load_experiment(write_experiment(tmp_path, text))


# Each bad file: what to replace in SMALL_SWEEP, the line of the error, and words of the message.
A_RANGE = "stocking.items.A.S: {range: [40, 120], step: 40}"
BAD_FILES = {
    "unknown dotted path": (
        A_RANGE,
        "stocking.items.A.SS: [40, 80]",
        5,
        "parameters.stocking.items.A.SS: unknown key 'SS' (did you mean 'S'?)",
    ),
    "empty range": (
        A_RANGE,
        "stocking.items.A.S: {range: [], step: 40}",
        5,
        "parameters.stocking.items.A.S.range: the range is empty",
    ),
    "range with hi below lo": (
        A_RANGE,
        "stocking.items.A.S: {range: [120, 40], step: 40}",
        5,
        "the range is empty: highest (40) is below lowest (120)",
    ),
    "step 0": (
        A_RANGE,
        "stocking.items.A.S: {range: [40, 120], step: 0}",
        5,
        "parameters.stocking.items.A.S.step: must be > 0, got 0",
    ),
    "negative step": (
        A_RANGE,
        "stocking.items.A.S: {range: [40, 120], step: -40}",
        5,
        "parameters.stocking.items.A.S.step: must be > 0, got -40",
    ),
    "value the scenario rejects": (
        A_RANGE,
        "stocking.items.A.S: [40, -3]",
        5,
        "parameters.stocking.items.A.S: must be >= 0, got -3",
    ),
    "duration the scenario rejects": (
        "delivery.promise: {values: [24h, 48h]}",
        "delivery.promise:\n    values:\n      - 24h\n      - soon",
        9,
        "parameters.delivery.promise: expected a duration",
    ),
    "combination the scenario rejects": (
        A_RANGE,
        "stocking.items.B.s: [60, 200]",
        5,
        "stocking.items.B: S (150) must be greater than s (200)",
    ),
    "unknown objective KPI": (
        "cost: cost_per_order",
        "cost: cost_per_ordr",
        10,
        "objectives.cost: unknown KPI 'cost_per_ordr' (did you mean 'cost_per_order'?)",
    ),
    "unknown design": ("design: grid", "design: sobol", 7, "design: unknown method 'sobol'"),
    "lhs without n": ("design: grid", "design: lhs", 7, "lhs needs a number of points"),
    "unknown key": ("seed: 5", "sed: 5", 9, "unknown key 'sed' (did you mean 'seed'?)"),
    "adaptive max below min": (
        "replications: 3",
        "replications: {min: 5, max: 3, until_halfwidth: {otif: 0.01}}",
        8,
        "replications.max: must be at least min (5), got 3",
    ),
    "missing scenario file": (
        "scenario: shop.yaml",
        "scenario: shops.yaml",
        2,
        "scenario: scenario file",
    ),
    "a parameter that is not a list": (
        A_RANGE,
        "stocking.items.A.S: 40",
        5,
        "expected a list of values",
    ),
}


@pytest.mark.parametrize("case", list(BAD_FILES), ids=list(BAD_FILES))
def test_bad_experiment_file_exits_2_with_file_and_line(case: str, tmp_path: Path) -> None:
    old, new, line, words = BAD_FILES[case]
    assert old in SMALL_SWEEP
    path = write_experiment(tmp_path, SMALL_SWEEP.replace(old, new))
    result = invoke("sweep", path, "--workers", "1")
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output + result.stderr
    assert f"{path}:{line}: " in result.stderr, result.stderr
    assert words in result.stderr, result.stderr
    assert not (tmp_path / "results").exists()  # nothing started


def test_a_bad_scenario_is_reported_in_its_own_file(tmp_path: Path) -> None:
    path = write_experiment(tmp_path, scenario=SMALL_SHOP.replace("rate: 2", "rate: -2"))
    result = invoke("sweep", path)
    assert result.exit_code == 2
    assert f"{tmp_path / 'shop.yaml'}:" in result.stderr
    assert "demand.arrivals.rate: must be > 0, got -2" in result.stderr


def test_an_empty_experiment_file_says_what_is_needed(tmp_path: Path) -> None:
    path = write_experiment(tmp_path, "")
    result = invoke("sweep", path)
    assert result.exit_code == 2
    assert "the file is empty; an experiment needs at least: scenario, parameters" in result.stderr
