"""``servsim validate``: a scenario or experiment file checked as the command that runs it
would load it, every problem explained (exit 2), else one line saying what it holds."""

from __future__ import annotations

from pathlib import Path

import click

from servsim.cli.file_checks import kind_of, load_as_experiment
from servsim.cli.output import console, fail
from servsim.cli.running import allow_large_option


@click.command()
@click.argument("file", type=click.Path(path_type=Path))
@allow_large_option
def validate(file: Path, allow_large: bool) -> None:
    """Check a scenario or experiment FILE and explain every problem (exit code 2 if any).

    An experiment file (one with parameters:) is checked as servsim sweep, or with a search:
    section as servsim optimize, would load it: its scenario, every point and the work asked.
    """
    from servsim.core.errors import ScenarioError

    kind, keys = kind_of(file)
    if kind == "experiment":
        _validate_experiment(file, keys, allow_large)
        return
    from servsim.scenario.loading import load_scenario
    from servsim.scenario.workload import check_scenario

    try:
        scenario = load_scenario(file)
        check_scenario(scenario, scenario.replications, allow_large)
    except ScenarioError as error:
        fail(str(error))
    console.print(
        f"{file}: valid scenario '{scenario.name}': {len(scenario.products)} products, "
        f"horizon {scenario.horizon:g} {scenario.time_unit}, {scenario.replications} replications",
        markup=False,
        soft_wrap=True,  # one line, whatever the width: tools read it
    )


def _validate_experiment(file: Path, keys: set[str], allow_large: bool) -> None:
    searched = "search" in keys
    experiment = load_as_experiment(file, keys, allow_large)
    runs, how, _ = experiment.planned_runs()
    what = "optimizer experiment" if searched else "experiment"
    command = "optimize" if searched else "sweep"
    console.print(
        f"{file}: valid {what} '{experiment.title}': {len(experiment.parameters)} parameters, "
        f"at most {runs:,} runs ({how}); run it with: servsim {command} {file}",
        markup=False,
        soft_wrap=True,  # one line, whatever the width: tools read it
    )
