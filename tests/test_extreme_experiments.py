"""Experiments and searches at the extremes: bounded with a clear message, before any run.

Huge designs and replications, ranges of a billion steps, lattices of 10^10 points, half-width
goals of 1e-300, budgets that cannot hold the final check, and results folders that cannot be
written: each is one located line, exit 2, and nothing is simulated first.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import servsim
from servsim.core.errors import ScenarioError
from servsim.scenario.workload import MOST_RUNS
from servsim.search.schema import load_search
from tests.conftest import SMALL_SHOP
from tests.hostile_helpers import assert_clean_refusal, invoke, returns
from tests.sweep_helpers import write_experiment

SHORT_SHOP = SMALL_SHOP.replace("horizon: 10d", "horizon: 3d")
SWEEP = "scenario: shop.yaml\nparameters:\n  processing.staff: [1, 2]\nreplications: 2\n"
SEARCH = (
    "scenario: shop.yaml\nparameters:\n  stocking.items.A.S: {range: [40, 120], integer: true}\n"
    "standards: {otif: {at_least: 0.5}}\n"
)

SWEEPS = {
    "lhs of 1e9 points": (SWEEP + "design: {method: lhs, n: 1000000000}\n", 5, "design.n"),
    "random of 1e12 points": (
        SWEEP + "design: {method: random, n: 1000000000000}\n",
        5,
        "design.n",
    ),
    "1e30 replications": (SWEEP.replace("replications: 2", "replications: 1.0e+30"), 4, ""),
    "grid of 10^10 points": (
        SWEEP.replace(
            "processing.staff: [1, 2]",
            "processing.staff: {range: [1, 100000], step: 1}\n"
            "  stocking.items.A.S: {range: [1, 100000], step: 1}",
        ),
        2,
        "10,000,000,000 combinations",
    ),
    "a billion steps": (
        SWEEP.replace("processing.staff: [1, 2]", "delivery.promise: {range: [1, 48], step: 1e-9}"),
        3,
        "at most 100,000",
    ),
    "40,000 runs": (SWEEP.replace("replications: 2", "replications: 20000"), 4, "--allow-large"),
}


@pytest.mark.parametrize("case", sorted(SWEEPS), ids=sorted(SWEEPS))
def test_an_oversized_sweep_is_refused_at_its_line(case: str, tmp_path: Path) -> None:
    text, line, words = SWEEPS[case]
    experiment = write_experiment(tmp_path, text, SHORT_SHOP)
    lines = assert_clean_refusal(returns(lambda: invoke("sweep", experiment)), words)
    assert lines[0].startswith(f"{experiment}:{line}:"), lines
    assert not (tmp_path / "results").exists()


def test_a_large_sweep_loads_when_allowed(tmp_path: Path) -> None:
    text = SWEEP.replace("replications: 2", f"replications: {MOST_RUNS}")
    experiment = write_experiment(tmp_path, text, SHORT_SHOP)
    with pytest.raises(ScenarioError, match="allow_large=True"):
        servsim.load_experiment(experiment)
    loaded = servsim.load_experiment(experiment, allow_large=True)
    assert loaded.planned_runs()[0] == 2 * MOST_RUNS


def test_a_half_width_goal_of_1e_300_stops_at_the_most_replications(tmp_path: Path) -> None:
    goal = "until_halfwidth: {cost_per_order: 1e-300}"
    text = SWEEP.replace("replications: 2", f"replications: {{min: 2, max: 5, {goal}}}")
    results = servsim.sweep(write_experiment(tmp_path, text, SHORT_SHOP), executor="serial")
    assert results.summary["runs"].tolist() == [5, 5]


SEARCHES = {
    "start of 1e9 points": (SEARCH + "search: {start: 1000000000}\n", 5, "search.start"),
    "step of 1e-9": (
        SEARCH.replace("{range: [40, 120], integer: true}", "{range: [40, 120], step: 1e-9}"),
        3,
        "values; at most 100,000",
    ),
    "budget of 1": (SEARCH + "search: {budget: 1}\n", 5, "must be at least 13"),
    "final check of 1e30": (SEARCH + "search: {final_check: 1.0e+30}\n", 5, "final_check"),
    "budget beyond the runs allowed": (
        SEARCH + "search: {budget: 30000}\n",
        5,
        "--allow-large",
    ),
}


@pytest.mark.parametrize("case", sorted(SEARCHES), ids=sorted(SEARCHES))
def test_an_oversized_search_is_refused_at_its_line(case: str, tmp_path: Path) -> None:
    text, line, words = SEARCHES[case]
    experiment = write_experiment(tmp_path, text, SHORT_SHOP)
    lines = assert_clean_refusal(returns(lambda: invoke("optimize", experiment)), words)
    assert lines[0].startswith(f"{experiment}:{line}:"), lines


def test_a_lattice_of_10_to_the_10_points_loads_at_once(tmp_path: Path) -> None:
    """Two ranges of [1, 100000] step 1 hung at load: every value was a scenario to check."""
    text = SEARCH.replace(
        "stocking.items.A.S: {range: [40, 120], integer: true}",
        "stocking.items.A.S: {range: [1, 100000], integer: true}\n"
        "  stocking.items.B.S: {range: [61, 100000], integer: true}",
    )
    experiment = returns(lambda: load_search(write_experiment(tmp_path, text, SHORT_SHOP)))
    assert [len(values) for values in experiment.searched.values()] == [100_000, 99_940]


UNWRITABLE = {
    "under /proc": ("/proc/servsim-results", "cannot make the folder"),
    "a 300-character name": ("x" * 300, "300 bytes long"),
    "a NUL in the name": ('"res\\0ults"', "NUL"),
    "below a file": ("shop.yaml/results", "is a file, so no folder can be made below it"),
}


@pytest.mark.parametrize("case", sorted(UNWRITABLE), ids=sorted(UNWRITABLE))
@pytest.mark.parametrize("command", ["sweep", "optimize"])
def test_an_unwritable_out_folder_is_refused_at_the_out_line_before_any_run(
    case: str, command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, words = UNWRITABLE[case]
    text = (SWEEP if command == "sweep" else SEARCH) + f"out: {out}\n"
    experiment = write_experiment(tmp_path, text, SHORT_SHOP)
    monkeypatch.setattr("servsim.experiment.batches.make_executor", _no_runs)
    lines = assert_clean_refusal(invoke(command, experiment), words)
    out_line = text.count("\n")
    assert lines[0].startswith(f"{experiment}:{out_line}: out: "), lines


def _no_runs(*args: object) -> None:
    raise AssertionError("an executor was made for a folder that cannot hold the results")


ON_THE_COMMAND_LINE = sorted(case for case in UNWRITABLE if "NUL" not in case)
"""A shell cannot pass a NUL in an argument."""


@pytest.mark.parametrize("case", ON_THE_COMMAND_LINE, ids=ON_THE_COMMAND_LINE)
def test_run_out_is_checked_before_simulating(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, words = UNWRITABLE[case]
    (tmp_path / "shop.yaml").write_text(SHORT_SHOP, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("servsim.run.simulate.simulate", _no_runs)  # imported when run runs
    given = out.strip('"')
    lines = assert_clean_refusal(invoke("run", "shop.yaml", "--out", given), words, "(--out)")
    assert lines[0].startswith(given[:40])


def test_names_the_file_system_cannot_look_up_are_one_line(tmp_path: Path) -> None:
    long = "x" * 300
    text = f"scenario: {long}.yaml\nparameters: {{processing.staff: [1, 2]}}\n"
    assert_clean_refusal(invoke("sweep", write_experiment(tmp_path, text)), "cannot be read")
    assert_clean_refusal(invoke("report", tmp_path / long), "no such folder")
    assert_clean_refusal(invoke("validate", tmp_path / f"{long}.yaml"), "File name too long")
