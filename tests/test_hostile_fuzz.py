"""Property: whatever a mutated example file holds, servsim answers cleanly and never lies.

Each example is the example scenarios and experiment files with one to three mutations: a
value replaced by a hostile one (infinite, NaN, huge, tiny, of the wrong kind), a key deleted
or added, a number scaled, and sometimes the text itself cut or spiked with a control
character. servsim must exit 0 or 2 without a traceback, return (a hang fails the test), and
for every scenario that validates, a short run's KPIs must be finite (or NaN: nothing to
measure) and inside what their kind allows. Derandomized, with a modest number of examples.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import servsim
from servsim.core.errors import ScenarioError
from servsim.experiment.schema import Experiment
from servsim.scenario.workload import expected_events
from servsim.search.schema import load_search
from tests.hostile_helpers import invoke, kpis_out_of_range, returns

ROOT = Path(__file__).resolve().parent.parent
SCENARIO_FILES = sorted((ROOT / "scenarios").glob("*.yaml"))
EXPERIMENT_FILES = sorted((ROOT / "experiments").glob("*.yaml"))

HOSTILE: list[Any] = [
    0,
    -1,
    1,
    2,
    0.5,
    1e-300,
    1e300,
    -1e300,
    math.inf,
    -math.inf,
    math.nan,
    10**30,
    2**63,
    2**70,
    "",
    "x",
    "24h",
    "1e400h",
    "-5d",
    ">= 150%",
    "\x07",
    [],
    {},
    None,
    True,
    [math.nan, 1],
    {"dist": "gamma", "mean": 1, "sd": 1e-300},
    {"dist": "poisson", "mean": 1e300, "min": 1},
    {"dist": "uniform", "low": 0, "high": math.inf},
    {"at_least": math.nan},
]
PLAUSIBLE: list[Any] = [0, 1, 2, 3, 0.5, 0.99, 10, 100, 1000, 0.001, "2d", "30min", 10**5, 10**9]
"""Values a planner might write: they keep many mutants valid, so they run."""
SCALES = [0, -1, 1e-9, 0.5, 2, 10, 100, 1e6, 1e12]
TEXT_SPIKES = ["\x07", "\x00", "\t", "{", "&a ", "*a", "<<: *a\n", "'"]


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path] if path else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*path, index))
    return found


def _parent(document: Any, path: tuple[Any, ...]) -> Any:
    node = document
    for key in path[:-1]:
        node = node[key]
    return node


@st.composite
def mutated(draw: st.DrawFn, files: list[Path]) -> tuple[Path, str]:
    """An example file's text after one to three mutations of its data, sometimes of its text."""
    path = draw(st.sampled_from(files))
    document = copy.deepcopy(yaml.safe_load(path.read_text(encoding="utf-8")))
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(document)
        where = paths[draw(st.integers(0, len(paths) - 1))]
        parent = _parent(document, where)
        action = draw(st.sampled_from(["replace", "replace", "delete", "add", "scale"]))
        if action == "replace":
            values = draw(st.sampled_from([HOSTILE, PLAUSIBLE]))
            parent[where[-1]] = copy.deepcopy(draw(st.sampled_from(values)))
        elif action == "delete" and isinstance(parent, dict):
            del parent[where[-1]]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.sampled_from(["extra", "horizon", "dist", "seed"]))] = draw(
                st.sampled_from(HOSTILE[:16])
            )
        elif action == "scale" and isinstance(parent[where[-1]], int | float):
            value = parent[where[-1]] * draw(st.sampled_from(SCALES))
            parent[where[-1]] = int(value) if isinstance(parent[where[-1]], int) else value
    text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
    if draw(st.integers(0, 4)) == 0:
        cut = draw(st.integers(0, len(text)))
        text = text[:cut] + draw(st.sampled_from(TEXT_SPIKES)) + text[cut:]
    return path, text


SMALL_RUN = 100_000
"""Expected orders of a run short enough for a property test (larger: the work bound's tests)."""


def _short_run_kpis(path: Path) -> list[dict[str, Any]]:
    """The KPIs of one replication of a day and a half, or [] when servsim refuses the run."""
    try:
        scenario = servsim.load_scenario(path).with_overrides(
            {"horizon": "36h", "warmup": 0, "replications": 1}
        )
        if expected_events(scenario) > SMALL_RUN:
            return []
        results = servsim.simulate(scenario)
    except ScenarioError:
        return []
    return results.kpis.to_dict("records")


@settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(case=mutated(SCENARIO_FILES))
def test_a_mutated_scenario_is_answered_cleanly_and_runs_in_range(
    case: tuple[Path, str], tmp_path: Path
) -> None:
    source, text = case
    path = tmp_path / source.name
    path.write_text(text, encoding="utf-8")
    result = returns(lambda: invoke("validate", path))
    assert result.exit_code in (0, 2), (result.exit_code, result.output, result.exception)
    assert "Traceback" not in result.output + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)
    if result.exit_code == 2:
        assert result.stderr.strip() and str(path) in result.stderr
        return
    for kpis in returns(lambda: _short_run_kpis(path)):
        assert not kpis_out_of_range(kpis), kpis_out_of_range(kpis)


def _load(path: Path) -> Any:
    loader = load_search if "cheapest" in path.name else servsim.load_experiment
    try:
        return loader(path)
    except ScenarioError as error:
        assert str(error).strip()
        return error


@settings(
    max_examples=30,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(case=mutated(EXPERIMENT_FILES))
def test_a_mutated_experiment_loads_or_is_refused_cleanly(
    case: tuple[Path, str], tmp_path: Path
) -> None:
    source, text = case
    scenarios = tmp_path / "scenarios"
    scenarios.mkdir(exist_ok=True)
    for scenario in SCENARIO_FILES:
        (scenarios / scenario.name).write_text(scenario.read_text(encoding="utf-8"))
    path = tmp_path / "experiments" / source.name
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    outcome = returns(lambda: _load(path))
    assert isinstance(outcome, Experiment | ScenarioError)


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=[path.stem for path in SCENARIO_FILES])
def test_every_example_runs_in_range(path: Path) -> None:
    """The property's base case: the examples themselves."""
    for kpis in _short_run_kpis(path):
        assert not kpis_out_of_range(kpis), kpis_out_of_range(kpis)
