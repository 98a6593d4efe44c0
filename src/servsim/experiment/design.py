"""Planning a sweep: the points of a design and the runs (tasks) they need, as pure functions.

Common random numbers: a run's seed depends only on the experiment's seed and the replication
number, so replication k of every point sees the same demand.
"""

from __future__ import annotations

import itertools
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from scipy.stats import qmc

_DESIGN_STREAM = zlib.crc32(b"design")
"""Keeps the design's random numbers apart from any run's (which use the same seed)."""


@dataclass(frozen=True)
class Point:
    """One combination of parameter values: its id and the overrides it applies."""

    id: int
    overrides: dict[str, Any]


@dataclass(frozen=True, order=True)
class Task:
    """One run: replication ``replication`` of point ``point`` with random seed ``seed``."""

    point: int
    replication: int
    seed: int


class Design(Protocol):
    """How an experiment combines its parameters' values: ``grid``, ``lhs`` or ``random``."""

    @property
    def method(self) -> str: ...


class Planned(Protocol):
    """What planning needs of an experiment: the values, the design and the seed."""

    @property
    def parameter_values(self) -> dict[str, tuple[Any, ...]]: ...

    @property
    def design(self) -> Design: ...

    @property
    def run_seed(self) -> int: ...


def plan(experiment: Planned) -> list[Point]:
    """The design's points, numbered from 0; a combination drawn twice is kept once."""
    values = experiment.parameter_values
    design = experiment.design
    sizes = [len(options) for options in values.values()]
    if design.method == "grid":
        choices = list(itertools.product(*[range(size) for size in sizes]))
    elif design.method == "lhs":
        choices = latin_hypercube(sizes, design.n, _rng(experiment))  # type: ignore[attr-defined]
    elif design.method == "random":
        choices = random_choices(sizes, design.n, _rng(experiment))  # type: ignore[attr-defined]
    else:  # pragma: no cover - the schema admits no other design
        raise TypeError(f"unknown design {design!r}")
    unique = list(dict.fromkeys(choices))
    names = list(values)
    return [
        Point(
            point_id,
            {name: values[name][index] for name, index in zip(names, choice, strict=True)},
        )
        for point_id, choice in enumerate(unique)
    ]


def _rng(experiment: Planned) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([experiment.run_seed, _DESIGN_STREAM]))


def latin_hypercube(
    sizes: Sequence[int], n: int, rng: np.random.Generator
) -> list[tuple[int, ...]]:
    """``n`` points; on each axis, each of ``n`` equal strata of [0, 1) holds exactly one point
    (scipy's Latin hypercube), mapped onto the axis's values, so with ``n`` equal to the number
    of values every value is used exactly once."""
    unit = qmc.LatinHypercube(d=len(sizes), seed=rng).random(n)
    shape = np.asarray(sizes)
    indices = np.minimum((unit * shape).astype(int), shape - 1)
    return [tuple(int(i) for i in row) for row in indices]


def random_choices(sizes: Sequence[int], n: int, rng: np.random.Generator) -> list[tuple[int, ...]]:
    """``n`` points, each axis's value drawn uniformly and independently."""
    columns = [rng.integers(0, size, n) for size in sizes]
    return [tuple(int(column[row]) for column in columns) for row in range(n)]


def tasks(points: Iterable[Point], replications: int | Iterable[int], seed: int) -> list[Task]:
    """The runs of ``points``: each replication (a count, or the replication numbers) of each."""
    numbers = range(replications) if isinstance(replications, int) else list(replications)
    return [Task(point.id, replication, seed) for point in points for replication in numbers]
