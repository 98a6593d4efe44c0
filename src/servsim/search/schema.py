"""The optimizer's experiment file: parameter bounds, a run budget, replications per candidate.

It is the experiment schema (scenario, parameters as dotted paths, seed, objectives, standards,
confidence, out) with bounds instead of swept values and a ``search:`` section instead of a
design. Bounds are validated here; :func:`load_search` then checks them against the scenario.
"""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BeforeValidator, Discriminator, Field, Tag, field_validator, model_validator

from servsim.core.errors import Problem, ScenarioError, line_of, show
from servsim.core.validation import CrossChecks, refuse
from servsim.experiment.design import Point
from servsim.experiment.loading import load_experiment
from servsim.experiment.schema import (
    MOST_VALUES,
    Count,
    Experiment,
    Frozen,
    ListedValues,
    Number,
    ReplicationRange,
    parameter_form,
    said_count,
    steps_between,
)
from servsim.scenario.fields import MOST_REPLICATIONS

MOST_BUDGET = 1_000_000
"""Runs of one search at most (and MOST_RUNS without allow_large)."""

MOST_START = 10_000
"""Points of the first design, and of one round, at most."""

MOST_LATTICE = 10**15
"""Points of the lattice at most: each point's number must fit a 64-bit integer."""

CONTINUOUS_STEPS = 50
"""A continuous parameter without ``step:`` is searched on this many steps of its range."""


class Bounds(Frozen):
    """``{range: [lo, hi], integer: true}``: the values the optimizer may choose between.

    The search runs on a lattice: whole numbers for an integer parameter (or every ``step``),
    else ``step`` (default: the range over 50) from ``lo`` to ``hi``.
    """

    range: list[Number] = Field(description="[lowest, highest] value")
    integer: bool = Field(default=False, description="whole numbers only")
    step: Number | None = Field(default=None, description="resolution of the search, > 0")

    @field_validator("range")
    @classmethod
    def _two_ends(cls, ends: list[int | float]) -> list[int | float]:
        if len(ends) != 2:
            refuse(f"expected [lowest, highest], got {len(ends)} numbers")
        elif not all(math.isfinite(end) for end in ends):
            refuse("the bounds must be finite numbers")
        elif ends[1] <= ends[0]:
            refuse(
                f"the lowest bound ({show(ends[0])}) must be below the highest ({show(ends[1])}); "
                "a parameter with one value is written as a list: [value]"
            )
        return ends

    @field_validator("step")
    @classmethod
    def _positive(cls, step: int | float | None) -> int | float | None:
        if step is not None and (not step > 0 or not math.isfinite(step)):
            refuse(f"must be > 0, got {show(step)}")
        return step

    @model_validator(mode="after")
    def _whole_when_integer(self) -> Bounds:
        if self.integer:
            for name, number in (("lowest bound", self.range[0]), ("highest bound", self.range[1])):
                if float(number) != math.floor(number):
                    refuse(
                        f"the bounds of an integer parameter must be whole numbers, but the {name} "
                        f"is {show(number)}; round it, or drop integer: for a continuous parameter"
                    )
            if self.step is not None and float(self.step) != math.floor(self.step):
                refuse(f"an integer parameter needs a whole step, got {show(self.step)}")
        count = self._count()
        if count > MOST_VALUES:  # counted, not listed: a step of 1e-9 would list a billion
            raise ValueError(  # a guard: never waived
                f"{said_count(count)} values; at most {MOST_VALUES:,} allowed: a coarser step"
            )
        return self

    def _count(self) -> float:
        """Values of the lattice (inf when too many to count)."""
        lowest, highest = self.range
        if self.integer:
            step = int(self.step or 1)
            steps, off_step = divmod(int(highest) - int(lowest), step)
            return steps + 1 + (off_step > 0)  # the highest bound is always a value
        spacing = (highest - lowest) / CONTINUOUS_STEPS if self.step is None else self.step
        return steps_between(lowest, highest, spacing) + 1

    def values(self) -> tuple[int | float, ...]:
        """The lattice the search runs on, lowest first; ``hi`` is always included."""
        lowest, highest = self.range
        if self.integer:
            whole = list(range(int(lowest), int(highest) + 1, int(self.step or 1)))
            return tuple(whole if whole[-1] == int(highest) else [*whole, int(highest)])
        spacing = (highest - lowest) / CONTINUOUS_STEPS if self.step is None else float(self.step)
        count = math.floor((highest - lowest) / spacing + 1e-9)
        found = [round(float(lowest + index * spacing), 12) for index in range(count + 1)]
        return tuple(found if math.isclose(found[-1], highest) else [*found, float(highest)])


SearchParameter = Annotated[
    Annotated[Bounds, Tag("stepped range")] | Annotated[ListedValues, Tag("listed values")],
    Discriminator(
        parameter_form,
        custom_error_type="parameter_form",
        custom_error_message=(
            "expected bounds {range: [lo, hi], integer: true}, or values to choose between "
            "[a, b, c] ([a]: fixed for the whole search)"
        ),
    ),
]


class SearchReplications(ReplicationRange):
    """Replications per candidate: ``min`` first, more (up to ``max``) where it is close."""

    min: Count = Field(
        default=3,
        ge=2,
        le=MOST_REPLICATIONS,
        description="replications every candidate gets first (2 to 100,000)",
    )
    max: Count = Field(
        default=12,
        ge=2,
        le=MOST_REPLICATIONS,
        description="replications a candidate gets at most (2 to 100,000)",
    )


def _replications_form(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return {"min": value, "max": value}
    return value


class Search(Frozen):
    """How the optimizer spends its runs."""

    budget: Count = Field(
        default=400,
        ge=1,
        le=MOST_BUDGET,
        description="runs at most, final check included (at most 1,000,000)",
    )
    start: Count | None = Field(
        default=None,
        ge=2,
        le=MOST_START,
        description="points of the first (Latin hypercube) design (2 to 10,000)",
    )
    batch: Count = Field(
        default=4, ge=1, le=MOST_START, description="new points tried per round at most"
    )
    replications: Annotated[SearchReplications, BeforeValidator(_replications_form)] = (
        SearchReplications()
    )
    final_check: Count = Field(
        default=10,
        ge=2,
        le=MOST_REPLICATIONS,
        description="fresh replications (new random numbers) of the winner (2 to 100,000)",
    )

    @model_validator(mode="after")
    def _budget_leaves_room(self) -> Search:
        """A budget that cannot run one candidate and the final check would end with nothing."""
        least = self.replications.min + self.final_check
        if self.budget < least:
            checks = CrossChecks("search")
            checks.add(
                ("budget",),
                f"must be at least {least:,} (one candidate's {self.replications.min} "
                f"replications and the final check's {self.final_check:,}), got {self.budget:,}",
            )
            checks.raise_any(self)
        return self


def _no_design(value: Any) -> Any:
    if value is not None:
        raise ValueError(
            "not used by servsim optimize, which chooses its own points; remove it "
            "(or run the file with servsim sweep)"
        )
    return value


def _no_replications(value: Any) -> Any:
    if value is not None:
        raise ValueError("the optimizer's replications go in search: {replications: {min, max}}")
    return value


class SearchExperiment(Experiment):
    """An experiment for ``servsim optimize``: bounds, standards as constraints, a budget."""

    parameters: dict[str, SearchParameter] = Field(  # type: ignore[assignment]
        min_length=1, description="dotted paths into the scenario and their bounds or values"
    )
    design: Annotated[None, BeforeValidator(_no_design)] = None  # type: ignore[assignment]
    replications: Annotated[None, BeforeValidator(_no_replications)] = None  # type: ignore[assignment]
    search: Search = Search()

    @model_validator(mode="after")
    def _lattice_not_too_large(self) -> SearchExperiment:
        counts = [len(values) for values in self.searched.values()]
        if math.prod(counts) > MOST_LATTICE:
            checks = CrossChecks("search")
            checks.add(
                ("parameters",),
                f"a lattice of {math.prod(counts):.3g} points ({' x '.join(map(str, counts))} "
                f"values); at most {MOST_LATTICE:.0e}: coarser steps or fewer parameters",
            )
            checks.raise_any()  # a guard: never waived
        return self

    def planned_runs(self) -> tuple[int, str, tuple[str, ...]]:
        """The most runs of the search: its budget."""
        return self.search.budget, "the search's budget", ("search", "budget")

    @property
    def searched(self) -> dict[str, tuple[Any, ...]]:
        """The parameters the search chooses (more than one value), with their lattices."""
        return {name: values for name, values in self.parameter_values.items() if len(values) > 1}

    @property
    def fixed(self) -> dict[str, Any]:
        """The parameters set to one value for the whole search."""
        return {
            name: values[0] for name, values in self.parameter_values.items() if len(values) == 1
        }

    @property
    def start_points(self) -> int:
        """Points of the first design: as written, else three per searched parameter, plus two."""
        return self.search.start or 3 * len(self.searched) + 2

    def points_to_check(self) -> list[Point]:
        """Only the corners of the box: the whole lattice may hold millions of points."""
        searched = self.searched
        ends = [(values[0], values[-1]) for values in searched.values()]
        corners = [dict(zip(searched, corner, strict=True)) for corner in itertools.product(*ends)]
        return [Point(-1 - index, {**self.fixed, **c}) for index, c in enumerate(corners)]


def load_search(
    source: str | os.PathLike[str] | Mapping[str, Any],
    allow_large: bool = False,
    overrides: Mapping[str, Any] | None = None,
) -> SearchExperiment:
    """Load an optimizer's experiment file (or mapping); every problem with its file and line.

    A budget of more runs, or more expected orders, than ``servsim.scenario.workload`` allows
    is refused unless ``allow_large``. ``overrides`` replace top-level keys (``--seed``).
    """
    try:
        experiment = load_experiment(
            source, kind=SearchExperiment, allow_large=allow_large, overrides=overrides
        )
    except ScenarioError as error:
        raise ScenarioError(_one_per_parameter(error.problems)) from None
    assert isinstance(experiment, SearchExperiment)
    file = None if isinstance(source, Mapping) else str(source)
    problems = _integer_problems(experiment, file)
    if not experiment.searched:
        problems.append(
            Problem(
                file,
                line_of(("parameters",), experiment._lines),
                "parameters",
                "nothing to search: give at least one parameter bounds {range: [lo, hi]} "
                "or several values",
            )
        )
    if problems:
        raise ScenarioError(problems)
    return experiment


def _one_per_parameter(problems: list[Problem]) -> list[Problem]:
    """A range's values rejected one by one, said once, with a hint for whole-number fields."""
    first: list[Problem] = []
    repeats: dict[tuple[int | None, str], int] = {}
    for problem in problems:
        key = (problem.line, problem.path)
        if key in repeats and problem.path.startswith("parameters."):
            repeats[key] += 1
            continue
        repeats.setdefault(key, 0)
        first.append(problem)
    said = []
    for problem in first:
        more = repeats[(problem.line, problem.path)]
        message = problem.message
        if more:
            message += f" (and {more} more values of the range)"
            if "whole number" in problem.message:
                message += "; the scenario takes whole numbers here: add integer: true"
        said.append(Problem(problem.file, problem.line, problem.path, message))
    return said


def _integer_problems(experiment: SearchExperiment, file: str | None) -> list[Problem]:
    """``integer: true`` on a field the scenario holds as a fraction or a section."""
    problems = []
    base = experiment.base_scenario
    document = base._source if base._source is not None else base.model_dump(by_alias=True)
    for name, form in experiment.parameters.items():
        if not (isinstance(form, Bounds) and form.integer):
            continue
        written = _value_at(document, name)
        fraction = isinstance(written, float) and not written.is_integer()
        if fraction or isinstance(written, dict | list):
            problems.append(
                Problem(
                    file,
                    line_of(("parameters", name, "integer"), experiment._lines),
                    f"parameters.{name}.integer",
                    f"integer: true, but the scenario holds {show(written)} there, not a whole "
                    "number; drop integer: to search it as a continuous parameter",
                )
            )
    return problems


def _value_at(document: Any, path: str) -> Any:
    """The value written at a dotted path of a scenario document (None when absent)."""
    node = document
    for key in path.split("."):
        if isinstance(node, dict):
            node = node.get(key, node.get(int(key)) if key.lstrip("-").isdigit() else None)
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            return None
    return node
