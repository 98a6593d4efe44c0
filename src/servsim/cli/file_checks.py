"""A file loaded as the command given it would load it, and refused in one line naming the
right command when it is the other kind (an experiment given to run, a scenario to sweep)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, NoReturn

from servsim.cli.output import fail


def kind_of(file: Path) -> tuple[str | None, set[str]]:
    """Whether ``file`` reads as a scenario or an experiment (None: cannot tell; the loader
    then says what is wrong), and its top-level keys."""
    from servsim.cli.kinds import file_kind

    return file_kind(file)


def not_a_scenario(file: Path, keys: set[str], allow_large: bool) -> NoReturn:
    """Refuse an experiment given to run: in one line naming the command, once the file is
    known to load as an experiment (else its own problems, as validate gives them)."""
    command = "optimize" if "search" in keys else "sweep"
    load_as_experiment(file, keys, allow_large)
    fail(
        f"{file}: is an experiment file (it has parameters:), not a scenario; "
        f"run it with: servsim {command} {file}"
    )


def not_an_experiment(file: Path, command: str, kind: str | None, keys: set[str]) -> None:
    """Refuse a scenario given to sweep or optimize (once it loads as one: else its own
    problems, as validate gives them), and a search given to sweep."""
    if kind == "scenario":
        from servsim.core.errors import ScenarioError
        from servsim.scenario.loading import load_scenario

        try:
            load_scenario(file)
        except ScenarioError as error:
            fail(str(error))
        fail(
            f"{file}: is a scenario file (it has products: and demand:), not an experiment; "
            f"simulate it with: servsim run {file}"
        )
    if command == "sweep" and kind == "experiment" and "search" in keys:
        fail(
            f"{file}: is an optimizer's experiment (it has a search: section), not a sweep; "
            f"run it with: servsim optimize {file}"
        )


def load_as_experiment(file: Path, keys: set[str], allow_large: bool) -> Any:
    """The experiment of ``file``, as sweep (or, with a search: section, optimize) loads it;
    its problems exit 2."""
    from servsim.core.errors import ScenarioError

    try:
        if "search" in keys:
            from servsim.search.schema import load_search

            return load_search(file, allow_large=allow_large)
        from servsim.experiment.loading import load_experiment

        return load_experiment(file, allow_large=allow_large)
    except ScenarioError as error:
        fail(str(error))
