"""Regression tests for issue 14, items 2, 5, 7 and 16: targets within a KPI's range,
intervals within it, NaN for what a scenario does not model, every problem of a file at once."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from click.testing import CliRunner

import servsim
from servsim.cli import main
from servsim.core.catalogue import CATALOGUE
from servsim.core.errors import Problem, ScenarioError
from servsim.stats.standards import parse_standard
from tests.conftest import SMALL_SHOP
from tests.sweep_helpers import SMALL_SWEEP, write_experiment


def line_of(text: str, piece: str) -> int:
    """The 1-based line of the first line of ``text`` that contains ``piece``."""
    return next(n for n, line in enumerate(text.splitlines(), 1) if piece in line)


def problems_of(load, path: Path) -> list[Problem]:  # type: ignore[no-untyped-def]
    with pytest.raises(ScenarioError) as caught:
        load(path)
    return caught.value.problems


def write(tmp_path: Path, text: str, name: str = "shop.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- item 2: a target outside what its KPI can be -------------------------------------------
def test_issue14_item2_percentage_written_as_number(tmp_path: Path) -> None:
    text = SMALL_SHOP + 'standards:\n  otif: ">= 95"\n  cycle_p95: "<= 48h"\n'
    file = write(tmp_path, text)
    (problem,) = problems_of(servsim.load_scenario, file)
    assert (problem.file, problem.line, problem.path) == (
        str(file),
        line_of(text, '">= 95"'),
        "standards.otif",
    )
    assert "95%" in problem.message and "0.95" in problem.message, problem.message
    assert "0 to 1" in problem.message, problem.message
    # written with % it is the same target, and valid
    ok = servsim.load_scenario(write(tmp_path, text.replace('">= 95"', '">= 95%"')))
    assert ok.standards.all[0].target == pytest.approx(0.95)


def test_issue14_item2_experiment_target_as_number(tmp_path: Path) -> None:
    text = SMALL_SWEEP.replace("{otif: {at_least: 0.5}}", "{otif: {at_least: 95}}")
    file = write_experiment(tmp_path, text)
    (problem,) = problems_of(servsim.load_experiment, file)
    assert (problem.line, problem.path) == (line_of(text, "at_least: 95"), "standards.otif")
    assert "95%" in problem.message and "0.95" in problem.message, problem.message


def test_issue14_item2_cli_exits_2_with_one_line(tmp_path: Path) -> None:
    text = SMALL_SWEEP.replace("{otif: {at_least: 0.5}}", "{otif: {at_least: 95}}")
    file = write_experiment(tmp_path, text)
    result = CliRunner().invoke(main, ["sweep", str(file)], prog_name="servsim")
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    assert lines[0].startswith(f"{file}:{line_of(text, 'at_least: 95')}: standards.otif: ")


@pytest.mark.parametrize("kpi", CATALOGUE, ids=lambda kpi: kpi.name)
def test_issue14_item2_every_target_outside_the_range_is_refused(kpi) -> None:  # type: ignore[no-untyped-def]
    lowest, highest = kpi.lowest, kpi.highest
    if math.isfinite(lowest):
        with pytest.raises(ValueError, match="outside what"):
            parse_standard(kpi.name, f">= {lowest - 0.5}")
        with pytest.raises(ValueError, match="never be met"):
            parse_standard(kpi.name, f"< {lowest}")
        assert parse_standard(kpi.name, f">= {lowest}").target == lowest
    if math.isfinite(highest):
        with pytest.raises(ValueError, match="outside what"):
            parse_standard(kpi.name, {"at_most": highest + 0.5})
        with pytest.raises(ValueError, match="never be met"):
            parse_standard(kpi.name, f"> {highest}")
        assert parse_standard(kpi.name, f"<= {highest}").target == highest
    if not (math.isfinite(lowest) or math.isfinite(highest)):  # a profit: any target
        assert parse_standard(kpi.name, ">= -1e9").target == -1e9
