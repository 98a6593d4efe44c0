"""Reading experiment files: YAML in, a validated Experiment out, or every problem with its line.

Every point's values are applied to the scenario here, at load time, so a sweep never starts
with a parameter the scenario does not have or a value its schema rejects.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import Any

from servsim.core.errors import Problem, ScenarioError, line_of, show, sorted_by_line
from servsim.core.validation import problems_from_errors, validate_all
from servsim.experiment.schema import Experiment, ListedValues
from servsim.scenario.documents import parse_document, plain, validate_document
from servsim.scenario.loading import load_scenario
from servsim.scenario.reading import read_text
from servsim.scenario.schema import Scenario
from servsim.scenario.standards import unknown_segment
from servsim.scenario.workload import check_events, check_runs, expected_events

Lines = dict[tuple[str | int, ...], int]

MOST_POINT_PROBLEMS = 10
"""Combinations the scenario rejects that are reported one by one; the rest are counted."""


def load_experiment(
    source: str | os.PathLike[str] | Mapping[str, Any],
    kind: type[Experiment] = Experiment,
    allow_large: bool = False,
    overrides: Mapping[str, Any] | None = None,
) -> Experiment:
    """Load an experiment from a YAML file or a mapping, reporting all its problems at once.

    ``overrides`` replace top-level keys of the file (the command line's ``--seed`` and
    ``--replications``) before anything is checked, so the work bounds see them too.

    ``kind`` is the schema to validate with (a subclass of Experiment, such as the optimizer's).
    More runs, or more expected orders, than ``servsim.scenario.workload`` allows are refused
    before the points are checked (which takes a while per point) unless ``allow_large``.
    """
    if isinstance(source, Mapping):
        document: Any = {key: _as_written(value) for key, value in source.items()}
        document.update(overrides or {})
        return _validate(document, None, {}, Path("."), None, kind=kind, allow_large=allow_large)
    path = Path(source)
    text = read_text(path, "experiment")  # read once: the manifest keeps what was validated
    document, lines, problems = parse_document(text, str(source), Experiment)
    if overrides and isinstance(document, dict):
        document = {**document, **overrides}
        given = " ".join(f"--{key} {value}" for key, value in overrides.items())
        text += f"\n# overridden on the command line: {given}\n"  # the manifest says so
    return _validate(
        document, str(source), lines, path.parent, text, path, problems, kind, allow_large
    )


def _as_written(value: Any) -> Any:
    """A value of a mapping as a file would hold it: paths as text, scenarios kept as they are."""
    if isinstance(value, Scenario):
        return value
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return plain(value)


def _validate(
    document: Any,
    file: str | None,
    lines: Lines,
    folder: Path,
    text: str | None,
    source_path: Path | None = None,
    problems: list[Problem] | None = None,
    kind: type[Experiment] = Experiment,
    allow_large: bool = False,
) -> Experiment:
    """Every problem of the file at once: its schema's, then, on what the schema lets
    through (leniently, when it has problems), the checks against its scenario; the checks of
    whole points (every combination, the runs and orders they ask for) when all else holds."""
    found = list(problems or [])
    if not isinstance(document, dict):
        got = "a list" if isinstance(document, list) else f"the value {show(document)}"
        found.append(Problem(file, lines.get(()), "", f"expected a mapping of keys, got {got}"))
        raise ScenarioError(found)
    checked = validate_all(kind, document)
    found += problems_from_errors(checked.errors, kind, document, file=file, lines=lines)
    experiment = checked.model if checked.model is not None else checked.lenient
    if experiment is None:
        raise ScenarioError(sorted_by_line(found))
    try:
        base = _base_scenario(experiment.scenario, file, lines, folder)
    except ScenarioError as error:
        raise ScenarioError(sorted_by_line([*found, *error.problems])) from None
    experiment._base = base
    experiment._source_path = source_path
    experiment._text = text
    experiment._folder = folder
    experiment._lines = dict(lines)
    valid = not found  # else the experiment is the lenient one: its plan may not hold
    checks = [_check_segments]
    if valid:  # too many runs are refused before any value is applied to the scenario
        checks.append(partial(_check_workload, allow_large=allow_large))
    # a lenient experiment's values: a sample of each (a list may hold 100,000)
    troubled = _troubled_parameters(experiment, found)
    checks.append(partial(_check_values, skip=troubled, sample=not valid))
    for check in checks:
        try:
            check(experiment, file, lines)
        except ScenarioError as error:
            found += error.problems
            if getattr(check, "func", None) is _check_workload:
                break  # the values of a design too large are not applied one by one
    if found:
        raise ScenarioError(sorted_by_line(list(dict.fromkeys(found))))
    # combinations and orders, of an experiment valid as a whole: each point is built
    _check_points(experiment, file, lines)
    _check_events(experiment, file, lines, allow_large)
    return experiment


def _check_workload(
    experiment: Experiment, file: str | None, lines: Lines, allow_large: bool
) -> None:
    """Refuse more runs than ``servsim.scenario.workload`` allows, before anything is built."""
    runs, how, key = experiment.planned_runs()
    check_runs(runs, allow_large, file, line_of(key, lines), ".".join(key), how)


def _troubled_parameters(experiment: Experiment, found: list[Problem]) -> set[str]:
    """The parameters a problem found is about (their values are not checked further)."""
    return {
        name
        for name in experiment.parameters
        for problem in found
        if problem.path == f"parameters.{name}" or problem.path.startswith(f"parameters.{name}.")
    }


def _base_scenario(
    written: str | dict[str, Any] | Scenario, file: str | None, lines: Lines, folder: Path
) -> Scenario:
    """The scenario the experiment names: a file next to it, or one written inline."""
    if isinstance(written, Scenario):
        return written
    if isinstance(written, dict):
        inner = {key[1:]: line for key, line in lines.items() if key[:1] == ("scenario",)}
        return validate_document(written, Scenario, file=file, lines=inner)
    path = Path(os.path.normpath(folder / written))
    try:
        where = "is a folder" if path.is_dir() else None if path.exists() else "does not exist"
    except OSError as error:  # a name too long for the file system
        where = f"cannot be read ({error.strerror})"
    if where is not None:  # anything else there (a FIFO, a device) the reader refuses
        raise ScenarioError(
            [
                Problem(
                    file,
                    line_of(("scenario",), lines),
                    "scenario",
                    f"scenario file {str(path)[:200]!r} {where} (paths are relative to the "
                    "experiment file)",
                )
            ]
        )
    return load_scenario(path)


def _value_line(experiment: Experiment, name: str, index: int, lines: Lines) -> int | None:
    """The line a parameter's value is written on (the parameter's line for a range)."""
    listed = isinstance(experiment.parameters[name], ListedValues)
    candidates = [("parameters", name, index), ("parameters", name, "values", index)]
    for candidate in candidates if listed else []:
        if candidate in lines:
            return lines[candidate]
    return line_of(("parameters", name), lines)


def _check_segments(experiment: Experiment, file: str | None, lines: Lines) -> None:
    """Per-segment standards name segments of the scenario."""
    segments = list(experiment.base_scenario.demand.segments)
    problems = []
    for name in experiment.standards.segments:
        unknown = unknown_segment(name, segments)
        if unknown is not None:
            path = ("standards", "segments", name)
            problems.append(Problem(file, line_of(path, lines), ".".join(path), unknown))
    if problems:
        raise ScenarioError(problems)


def _check_values(
    experiment: Experiment,
    file: str | None,
    lines: Lines,
    skip: set[str] | frozenset[str] = frozenset(),
    sample: bool = False,
) -> None:
    """Apply each value of each parameter alone: unknown paths and rejected values, located;
    and values the scenario reads alike (``24`` and ``'24h'``), which would run one point
    twice. A range is checked at its ends and evenly between (a whole range of a search may
    hold 100,000 values, each a scenario to validate), and so is a list when ``sample``.
    Parameters in ``skip`` already have a problem of their own."""
    base = experiment.base_scenario
    problems: dict[Problem, None] = {}
    for name, form in experiment.parameters.items():
        if name in skip:
            continue
        values = form.values()
        read: dict[str, int] = {}
        for index in _indices_to_check(experiment, name, len(values), sample):
            line = _value_line(experiment, name, index, lines)
            try:
                scenario = base.with_overrides({name: values[index]})
            except ScenarioError as error:
                for problem in error.problems:
                    located = Problem(file, line, f"parameters.{name}", _message(problem, name))
                    problems.setdefault(located)
                continue
            as_read = _as_read(scenario)
            if as_read in read:
                first = values[read[as_read]]
                message = (
                    f"{show(values[index])} is the value {show(first)} again, as the scenario "
                    "reads it; list each value once"
                )
                problems.setdefault(Problem(file, line, f"parameters.{name}", message))
            read.setdefault(as_read, index)
    if problems:
        raise ScenarioError(sorted_by_line(problems))


MOST_RANGE_CHECKS = 25
"""Values of a range applied to the scenario one by one at load time: its ends, its second
value (a fractional step shows there) and values evenly between."""


def _indices_to_check(
    experiment: Experiment, name: str, count: int, sample: bool = False
) -> list[int]:
    listed = isinstance(experiment.parameters[name], ListedValues) and not sample
    if listed or count <= MOST_RANGE_CHECKS:
        return list(range(count))
    between = {
        round(i * (count - 1) / (MOST_RANGE_CHECKS - 2)) for i in range(MOST_RANGE_CHECKS - 1)
    }
    return sorted(between | {1})


def _as_read(scenario: Scenario) -> str:
    """The scenario as validated (units converted, shorthands expanded), as text: two values
    of a parameter are the same value when they make the same scenario."""
    return json.dumps(scenario.model_dump(mode="json", by_alias=True), sort_keys=True, default=str)


def _check_events(experiment: Experiment, file: str | None, lines: Lines, allow: bool) -> None:
    """The expected orders of every run the experiment may ask for, refused when too many."""
    runs, how, key = experiment.planned_runs()
    points = experiment.points_to_check()
    each = [expected_events(experiment.point_scenario(p.id, p.overrides)) for p in points]
    if not each:
        return
    replications = experiment.replications
    if replications is None:  # a search: its points are not known yet, so its dearest corner
        total = max(each) * runs
    else:
        most = replications if isinstance(replications, int) else replications.max
        total = sum(each) * most
    check_events(total, how, allow, file, line_of(key, lines), ".".join(key))


def _message(problem: Problem, name: str) -> str:
    """The scenario's complaint, with its own path when that is not the parameter's."""
    if problem.path == name or not problem.path:
        return problem.message
    return f"{problem.path}: {problem.message}"


def _check_points(experiment: Experiment, file: str | None, lines: Lines) -> None:
    """Apply every point's values together (cross-checks such as s below S); keep the scenarios."""
    problems: list[Problem] = []
    rejected = 0
    for point in experiment.points_to_check():
        try:
            experiment.point_scenario(point.id, point.overrides)
        except ScenarioError as error:
            rejected += 1
            if rejected > MOST_POINT_PROBLEMS:
                continue
            values = ", ".join(f"{name} = {show(value)}" for name, value in point.overrides.items())
            for problem in error.problems:
                name = _closest_parameter(problem.path, point.overrides)
                line = line_of(("parameters", name) if name else ("parameters",), lines)
                message = f"with {values}: {_message(problem, '')}"  # the overrides said once
                path = f"parameters.{name}" if name else "parameters"
                problems.append(Problem(file, line, path, message))
    if rejected > MOST_POINT_PROBLEMS:
        problems.append(
            Problem(
                file,
                line_of(("parameters",), lines),
                "parameters",
                f"{rejected - MOST_POINT_PROBLEMS} more combinations are rejected as well",
            )
        )
    if problems:
        raise ScenarioError(problems)


def _closest_parameter(path: str, overrides: Mapping[str, Any]) -> str | None:
    """The parameter a problem is about: the one whose path contains it, or lies within it."""
    for name in overrides:
        if path == name or path.startswith(f"{name}.") or name.startswith(f"{path}."):
            return name
    return None
