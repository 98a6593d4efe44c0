"""Optimizer files: bad bounds located by file and line; `servsim optimize` and its exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import servsim
from servsim.cli import main
from tests.sweep_helpers import write_experiment

# A small search over the small shop: 4 stock levels x 2 staff, a short horizon.
GOOD = """\
name: small search
scenario: shop.yaml
parameters:
  stocking.items.A.S: {range: [40, 100], integer: true, step: 20}
  processing.staff: {range: [1, 2], integer: true}
  horizon: [5d]
search: {budget: 30, replications: {min: 2, max: 3}, final_check: 2}
seed: 5
standards: {unit_fill_rate: ">= 0.5"}
out: results
"""


def problems(tmp_path: Path, text: str) -> list[str]:
    path = write_experiment(tmp_path, text)
    with pytest.raises(servsim.ScenarioError) as caught:
        servsim.load_search(path)
    return [str(problem) for problem in caught.value.problems]


def test_bad_bounds_are_named_with_their_line(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        """\
scenario: shop.yaml
parameters:
  stocking.items.A.S: {range: [80, 40], integer: true}
  processing.staff: {range: [1, two], integer: true}
  delivery.promise: {range: [24.5, 48], integer: true}
  stocking.items.B.S: {range: [100, 200], step: 0}
""",
    )
    file = str(tmp_path / "experiment.yaml")
    assert found[0] == (
        f"{file}:3: parameters.stocking.items.A.S.range: the lowest bound (80) must be below "
        "the highest (40); a parameter with one value is written as a list: [value]"
    )
    assert any(p.startswith(f"{file}:4: parameters.processing.staff.range.1: ") for p in found)
    assert any("'two'" in p for p in found)
    assert (
        f"{file}:5: parameters.delivery.promise: the bounds of an integer parameter must be whole "
        "numbers, but the lowest bound is 24.5; round it, or drop integer: for a continuous "
        "parameter"
    ) in found
    assert f"{file}:6: parameters.stocking.items.B.S.step: must be > 0, got 0" in found


def test_the_integer_flag_must_fit_the_field(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        """\
scenario: shop.yaml
parameters:
  costs.holding_rate:
    range: [0, 2]
    integer: true
""",
    )
    assert found == [
        f"{tmp_path / 'experiment.yaml'}:5: parameters.costs.holding_rate.integer: integer: "
        "true, but the scenario holds 0.25 there, not a whole number; drop integer: to search "
        "it as a continuous parameter"
    ]


def test_a_continuous_range_on_a_whole_number_field_is_said_once(tmp_path: Path) -> None:
    found = problems(
        tmp_path, "scenario: shop.yaml\nparameters:\n  processing.staff: {range: [1, 4]}\n"
    )
    assert len(found) == 1
    assert found[0].startswith(f"{tmp_path / 'experiment.yaml'}:3: parameters.processing.staff: ")
    assert found[0].endswith("the scenario takes whole numbers here: add integer: true")


def test_a_design_is_refused_in_an_optimizer_file(tmp_path: Path) -> None:
    found = problems(tmp_path, GOOD.replace("seed: 5", "seed: 5\ndesign: grid"))
    assert found == [
        f"{tmp_path / 'experiment.yaml'}:9: design: not used by servsim optimize, which chooses "
        "its own points; remove it (or run the file with servsim sweep)"
    ]


def test_cli_prints_the_winner_and_exits_0(tmp_path: Path) -> None:
    path = write_experiment(tmp_path, GOOD)
    result = CliRunner().invoke(main, ["optimize", str(path), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "the cheapest point meeting every standard" in result.output
    assert "stopped:" in result.output
    assert (tmp_path / "results" / "manifest.json").is_file()
    again = CliRunner().invoke(main, ["optimize", str(path), "--workers", "1"])
    assert again.exit_code == 2 and "--resume" in again.output
    resumed = CliRunner().invoke(main, ["optimize", str(path), "--workers", "1", "--resume"])
    assert resumed.exit_code == 0, resumed.output


def test_cli_exits_1_with_the_closest_point_when_nothing_meets_the_standards(
    tmp_path: Path,
) -> None:
    # a possible target no point meets: every unit from the shelf (1.5 would be refused)
    path = write_experiment(tmp_path, GOOD.replace('">= 0.5"', '">= 1"'))
    result = CliRunner().invoke(main, ["optimize", str(path), "--workers", "1"])
    assert result.exit_code == 1, result.output
    assert "no point meets every standard; the closest is stocking.items.A.S = 100" in result.output
    assert "unit_fill_rate >= 1" in result.output and "misses it by" in result.output


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--resume", "--force"], "choose one"),
        (["--scheduler", "tcp://x:1", "--local-cluster"], "choose one cluster"),
    ],
)
def test_cli_exits_2_on_conflicting_options(
    tmp_path: Path, arguments: list[str], message: str
) -> None:
    path = write_experiment(tmp_path, GOOD)
    result = CliRunner().invoke(main, ["optimize", str(path), *arguments])
    assert result.exit_code == 2 and message in result.output


def test_cli_exits_2_on_a_bad_file(tmp_path: Path) -> None:
    path = write_experiment(tmp_path, GOOD.replace("[40, 100]", "[100, 40]"))
    result = CliRunner().invoke(main, ["optimize", str(path)])
    assert result.exit_code == 2
    assert f"{path}:4: parameters.stocking.items.A.S.range: the lowest bound" in result.output
    assert "Traceback" not in result.output
