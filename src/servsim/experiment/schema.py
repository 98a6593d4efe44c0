"""The typed experiment file: a base scenario, the parameters to sweep, the design, replications.

Validated once at load time (frozen, unknown keys are errors), like the scenario schema. The
loader (``experiment/loading.py``) then checks every parameter against the scenario itself.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    field_validator,
    model_validator,
)

from servsim.core.errors import show
from servsim.core.kpi_columns import kpi_of, lower_is_better
from servsim.core.validation import CrossChecks, refuse
from servsim.experiment.design import Point, plan
from servsim.scenario.fields import MOST_REPLICATIONS, Count, Number, Seed
from servsim.scenario.schema import Scenario
from servsim.scenario.standards import SegmentKpiName, ServiceStandards
from servsim.stats.standards import Standard, known_kpi, parse_standards, read_comparison

MOST_VALUES = 100_000
"""More values than this in one range is surely a mistaken step."""

MOST_POINTS = 1_000_000
"""Points of a design at most (a grid's combinations, an lhs or random design's n): each is
checked against the scenario at load time; the work a sweep may do is bounded further, by
``servsim.run.work``, unless the planner allows a large one."""

NOT_PARAMETERS = {
    "seed": "the experiment's own seed: sets the random numbers",
    "replications": "the experiment's replications: sets how many runs each point gets",
}


class Frozen(BaseModel):
    """A part of an experiment file: immutable, finite, and unknown keys (typos) are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


KpiName = Annotated[str, AfterValidator(known_kpi)]
"""The name of a KPI column, as in the KPI catalogue and the results tables."""


# --- parameters: the values each dotted path takes ------------------------------------------
def steps_between(lowest: float, highest: float, step: float) -> float:
    """How many values lie on the steps from lowest to highest (inf when too many to count)."""
    spans = (highest - lowest) / step
    if not math.isfinite(spans) or spans > 1e15:
        return math.inf
    return math.floor(spans + 1e-9) + 1


def said_count(count: float) -> str:
    """A count for a message: 1,234 or "more than 10^15"."""
    return f"{count:,.0f}" if math.isfinite(count) else "more than 10^15"


class SteppedRange(Frozen):
    """``{range: [lo, hi], step: s}``: lo, lo + s, ... up to hi (included when on a step)."""

    range: list[Number] = Field(description="[lowest, highest] value")
    step: Number = Field(description="distance between values, > 0")

    @field_validator("range")
    @classmethod
    def _two_ends(cls, ends: list[int | float]) -> list[int | float]:
        if not ends:
            refuse("the range is empty: write [lowest, highest]")
        elif len(ends) != 2:
            refuse(f"expected [lowest, highest], got {len(ends)} numbers")
        elif not all(math.isfinite(end) for end in ends):
            refuse("the ends must be finite numbers")
        elif ends[1] < ends[0]:
            refuse(
                f"the range is empty: highest ({show(ends[1])}) is below lowest ({show(ends[0])})"
            )
        return ends

    @field_validator("step")
    @classmethod
    def _positive(cls, step: int | float) -> int | float:
        if not step > 0 or not math.isfinite(step):
            refuse(f"must be > 0, got {show(step)}")
        return step

    @model_validator(mode="after")
    def _not_too_many(self) -> SteppedRange:
        lowest, highest = self.range
        count = steps_between(lowest, highest, self.step)
        if count > MOST_VALUES:
            checks = CrossChecks("range")
            checks.add(
                ("step",),
                f"{said_count(count)} values from {show(lowest)} to {show(highest)} by "
                f"{show(self.step)}; at most {MOST_VALUES:,} allowed",
            )
            checks.raise_any()  # a guard: never waived
        return self

    def _count(self) -> int:
        lowest, highest = self.range
        return int(steps_between(lowest, highest, self.step))

    def values(self) -> tuple[int | float, ...]:
        """The values on the steps; whole numbers stay whole when every bound is whole."""
        lowest = self.range[0]
        if all(isinstance(number, int) for number in (*self.range, self.step)):
            return tuple(int(lowest + index * self.step) for index in range(self._count()))
        return tuple(round(float(lowest + index * self.step), 12) for index in range(self._count()))


class ListedValues(Frozen):
    """``[a, b, c]`` or ``{values: [a, b, c]}``: exactly these values, in this order."""

    values_: list[Any] = Field(alias="values", min_length=1)

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False
    )

    @model_validator(mode="before")
    @classmethod
    def _bare_list(cls, data: Any) -> Any:
        return {"values": data} if isinstance(data, list) else data

    @field_validator("values_")
    @classmethod
    def _each_once(cls, values: list[Any]) -> list[Any]:
        for position, value in enumerate(values):
            if value in values[:position]:
                refuse(f"{show(value)} is listed twice; list each value once")
        return values

    def values(self) -> tuple[Any, ...]:
        """The values as listed."""
        return tuple(self.values_)


def parameter_form(value: Any) -> str | None:
    """Which form a parameter is written in: a range (stepped, or the optimizer's bounds) or
    listed values."""
    if isinstance(value, Frozen) and hasattr(value, "range"):
        return "stepped range"
    if isinstance(value, dict) and "range" in value:
        return "stepped range"
    if isinstance(value, ListedValues | list | dict):
        return "listed values"
    return None


Parameter = Annotated[
    Annotated[SteppedRange, Tag("stepped range")] | Annotated[ListedValues, Tag("listed values")],
    Discriminator(
        parameter_form,
        custom_error_type="parameter_form",
        custom_error_message=(
            "expected a list of values [a, b], {values: [a, b]} or {range: [lo, hi], step: s}"
        ),
    ),
]


# --- design ----------------------------------------------------------------------------------
class Grid(Frozen):
    """Every combination of the parameters' values."""

    method: Literal["grid"] = "grid"


class LatinHypercube(Frozen):
    """``n`` points, each parameter's values spread evenly over them (Latin hypercube)."""

    method: Literal["lhs"]
    n: Count = Field(ge=1, le=MOST_POINTS, description="number of points (at most 1,000,000)")


class RandomDesign(Frozen):
    """``n`` points, each parameter's value drawn at random."""

    method: Literal["random"]
    n: Count = Field(ge=1, le=MOST_POINTS, description="number of points (at most 1,000,000)")


def _design_word(value: Any) -> Any:
    if value in ("lhs", "random"):
        raise ValueError(f"{value} needs a number of points: write {{method: {value}, n: 20}}")
    return {"method": value} if isinstance(value, str) else value


Design = Annotated[
    Grid | LatinHypercube | RandomDesign,
    Field(discriminator="method"),
    BeforeValidator(_design_word),
]


# --- replications ----------------------------------------------------------------------------
class ReplicationRange(Frozen):
    """``min`` replications per point first (two at least: an interval needs them), ``max``
    at most."""

    min: Count = Field(
        ge=2,
        le=MOST_REPLICATIONS,
        description="replications every point gets first (2 to 100,000)",
    )
    max: Count = Field(
        ge=2, le=MOST_REPLICATIONS, description="replications a point gets at most (<= 100,000)"
    )

    @model_validator(mode="after")
    def _min_below_max(self) -> ReplicationRange:
        if self.max < self.min:
            checks = CrossChecks("replications")
            checks.add(("max",), f"must be at least min ({self.min}), got {self.max}")
            checks.raise_any(self)
        return self


class AdaptiveReplications(ReplicationRange):
    """Replicate each point until every named KPI's half-width is at most its target."""

    until_halfwidth: dict[KpiName, Annotated[float, Field(gt=0)]] = Field(
        min_length=1, description="KPI: largest acceptable confidence half-width"
    )


def _replications_form(value: Any) -> str:
    return "adaptive" if isinstance(value, dict | AdaptiveReplications) else "fixed"


Replications = Annotated[
    Annotated[Count, Field(ge=1, le=MOST_REPLICATIONS), Tag("fixed")]
    | Annotated[AdaptiveReplications, Tag("adaptive")],
    Discriminator(_replications_form),
]


# --- objectives and standards ----------------------------------------------------------------
def _profit_is_the_economic_objective(data: Any) -> Any:
    if isinstance(data, dict) and "profit" in data:
        if "cost" in data:
            raise ValueError(
                "give cost (to lower) or profit (to raise) as the economic objective, not both"
            )
        data = {("cost" if key == "profit" else key): value for key, value in data.items()}
    return data


def _economic(name: str) -> str:
    if kpi_of(name) is not None and kpi_of(name).better == "neither":  # type: ignore[union-attr]
        refuse(
            f"{name} is neither better higher nor lower: choose a cost to lower (cost_per_order) "
            "or a profit to raise (profit: profit_per_order)"
        )
    return name


class Objectives(Frozen):
    """The two axes of the frontier: the economic one, a cost to lower (``cost:``) or a profit to
    raise (``profit:``, e.g. ``profit_per_order``), and a satisfaction to raise."""

    cost: Annotated[KpiName, AfterValidator(_economic)] = Field(
        default="cost_per_order",
        description="the KPI to lower (written cost:) or, written profit:, the KPI to raise",
    )
    satisfaction: KpiName = "satisfaction_mean"

    @model_validator(mode="before")
    @classmethod
    def _either_cost_or_profit(cls, data: Any) -> Any:
        return _profit_is_the_economic_objective(data)

    @property
    def raised(self) -> bool:
        """Whether the economic objective is one to raise (a profit)."""
        return not lower_is_better(self.cost)


def _readable_standard(written: Any) -> Any:
    suffix = read_comparison(written)[2]
    if suffix not in ("", "%"):
        refuse(
            f"an experiment's targets take no time unit ({suffix}): write the number in the "
            "scenario's time unit (or leave standards out to use the scenario's own)"
        )
    return written


ExperimentTarget = Annotated[Any, AfterValidator(_readable_standard)]


class ExperimentStandards(ServiceStandards):
    """The scenario's form of standards (overall targets beside ``segments:``), without time
    units: an experiment is read before its scenario, so targets are in the scenario's unit."""

    overall: dict[KpiName, ExperimentTarget] = Field(default_factory=dict)
    segments: dict[str, dict[SegmentKpiName, ExperimentTarget]] = Field(
        default_factory=dict, description="segment -> {kpi: target}"
    )


# --- the experiment --------------------------------------------------------------------------
class Experiment(Frozen):
    """A validated experiment. Build one with :func:`servsim.load_experiment`."""

    name: str = ""
    description: str = ""
    scenario: str | dict[str, Any] | Scenario = Field(
        description="scenario file (relative to the experiment file) or the scenario itself"
    )
    parameters: dict[str, Parameter] = Field(
        min_length=1, description="dotted paths into the scenario and their values"
    )
    design: Design = Grid()
    replications: Replications = 10
    seed: Seed | None = Field(default=None, description="random seed: 0 to 2^63 - 1")
    objectives: Objectives = Objectives()
    standards: ExperimentStandards = ExperimentStandards()
    confidence: float = Field(default=0.95, gt=0, lt=1)
    out: str | None = Field(default=None, description="results folder (relative to the file)")

    _base: Scenario | None = PrivateAttr(default=None)
    _source_path: Path | None = PrivateAttr(default=None)
    _text: str | None = PrivateAttr(default=None)
    _folder: Path = PrivateAttr(default=Path("."))
    _lines: dict[tuple[str | int, ...], int] = PrivateAttr(default_factory=dict)
    _point_scenarios: dict[int, Scenario] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _grid_not_too_large(self) -> Experiment:
        if isinstance(self.design, Grid):
            counts = [len(values) for values in self.parameter_values.values()]
            if math.prod(counts) > MOST_POINTS:
                checks = CrossChecks("experiment")
                checks.add(
                    ("parameters",),
                    f"{math.prod(counts):,} combinations ({' x '.join(map(str, counts))} values)"
                    f"; a grid has at most {MOST_POINTS:,} points: fewer values, or a sample "
                    "of them with design: {method: lhs, n: 100}",
                )
                checks.raise_any()  # a guard: never waived
        return self

    def planned_runs(self) -> tuple[int, str, tuple[str, ...]]:
        """The most runs the experiment may ask for, how they add up, and the key that sets
        them (where a refusal is located)."""
        design = self.design
        counts = [len(values) for values in self.parameter_values.values()]
        points = math.prod(counts) if isinstance(design, Grid) else design.n
        replications = self.replications
        most = replications if isinstance(replications, int) else replications.max
        each = "" if isinstance(replications, int) else "up to "
        return points * most, f"{points:,} points x {each}{most:,} replications", ("replications",)

    @field_validator("parameters")
    @classmethod
    def _sweepable(cls, parameters: dict[str, Any]) -> dict[str, Any]:
        for name in parameters:
            if name in NOT_PARAMETERS:
                refuse(f"{name}: cannot be swept, it is {NOT_PARAMETERS[name]}")
        return parameters

    @property
    def base_scenario(self) -> Scenario:
        """The scenario every point starts from."""
        if self._base is None:
            raise RuntimeError("load experiments with servsim.load_experiment")
        return self._base

    @property
    def source_path(self) -> Path | None:
        """The experiment file, if it came from one."""
        return self._source_path

    @property
    def text(self) -> str | None:
        """The experiment file as written, kept for the results' manifest."""
        return self._text

    @property
    def run_seed(self) -> int:
        """The seed of every run (the scenario's when the experiment names none)."""
        return self.base_scenario.seed if self.seed is None else self.seed

    @property
    def title(self) -> str:
        """The experiment's name, else its file's, else its scenario's."""
        if self.name:
            return self.name
        return self._source_path.stem if self._source_path else self.base_scenario.name

    @property
    def out_folder(self) -> Path | None:
        """The results folder, relative paths taken from the experiment file's folder."""
        return None if self.out is None else Path(os.path.normpath(self._folder / self.out))

    @property
    def parameter_values(self) -> dict[str, tuple[Any, ...]]:
        """Each parameter's values, in the order written."""
        return {name: form.values() for name, form in self.parameters.items()}

    @property
    def standards_to_meet(self) -> dict[str, Any]:
        """The experiment's standards, else its scenario's (targets in the scenario's time
        unit), as ``{kpi: target, "kpi[segment]": target}``."""
        return self.standards.flat or self.base_scenario.standards.flat

    @property
    def standard_list(self) -> list[Standard]:
        """The standards to meet, parsed."""
        return parse_standards(self.standards_to_meet)

    def points_to_check(self) -> list[Point]:
        """The combinations applied to the scenario at load time: every point of the design."""
        return plan(self)

    def point_scenario(self, point: int, overrides: dict[str, Any]) -> Scenario:
        """The base scenario with point ``point``'s values set (validated once, then kept)."""
        if point not in self._point_scenarios:
            self._point_scenarios[point] = self.base_scenario.with_overrides(overrides)
        return self._point_scenarios[point]
