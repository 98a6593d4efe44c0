"""Every experiment in experiments/ loads and sweeps (shortened: fewer days and replications)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

import servsim

ROOT = Path(__file__).resolve().parent.parent
EXPERIMENTS = sorted((ROOT / "experiments").glob("*.yaml"))
SHORT = {"hours": {"horizon": "20d", "warmup": "5d"}, "days": {"horizon": "60d", "warmup": "15d"}}
"""By time unit: long enough for a few replenishment cycles, short enough for the test suite."""


def shortened(path: Path) -> dict[str, Any]:
    """The experiment with its scenario inline, on a short horizon, with few replications."""
    document = yaml.safe_load(path.read_text())
    scenario = yaml.safe_load((path.parent / document["scenario"]).read_text())
    document["scenario"] = {**scenario, **SHORT[scenario["time_unit"]]}
    replications = document.get("replications")
    if isinstance(replications, dict):
        document["replications"] = {**replications, "min": 2, "max": 3}
    else:
        document["replications"] = 2
    document.pop("out", None)
    return document


def test_there_are_examples_for_each_example_scenario() -> None:
    scenarios = {yaml.safe_load(path.read_text())["scenario"] for path in EXPERIMENTS}
    assert "../scenarios/webshop.yaml" in scenarios
    assert "../scenarios/b2b_distributor.yaml" in scenarios


@pytest.mark.parametrize("path", EXPERIMENTS, ids=[path.stem for path in EXPERIMENTS])
def test_example_experiment_runs(path: Path) -> None:
    experiment = servsim.load_experiment(path)  # as written: every point is a valid scenario
    assert experiment.out_folder is not None
    assert experiment.out_folder.parent == ROOT / "results"
    results = servsim.sweep(servsim.load_experiment(shortened(path)), workers=2)
    summary = results.summary
    assert len(summary) >= 2
    assert summary[f"{experiment.objectives.cost}_mean"].notna().all()
    assert len(results.frontier()) >= 1
    if experiment.standards_to_meet:
        checks = results.check()
        assert set(checks.columns) >= {str(s) for s in experiment.standard_list}


def test_the_readme_experiment_example_is_valid() -> None:
    readme = (ROOT / "README.md").read_text()
    start = readme.index("name: Web shop, staff and stock\nscenario:")
    document = yaml.safe_load(readme[start : readme.index("```", start)])
    document["scenario"] = str(ROOT / "scenarios" / "webshop.yaml")
    experiment = servsim.load_experiment(document)
    assert len(servsim.experiment.design.plan(experiment)) == 18
    assert [str(standard) for standard in experiment.standard_list] == [
        "otif >= 0.9",
        "cycle_p95 <= 60",
    ]
