"""The space the optimizer searches: a lattice of each parameter's values, and its neighbourhoods.

A point of the lattice is a tuple of indices (one per searched parameter); its id, used as the
point number in the results store, is its rank in the whole lattice, so it never depends on
the order in which the search happened to try points.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from servsim.experiment.design import latin_hypercube

Index = tuple[int, ...]

_START_STREAM = zlib.crc32(b"search start")
"""Keeps the first design's random numbers apart from any run's (which use the same seed)."""

MOST_CANDIDATES = 20_000
"""A lattice larger than this is searched through a sample of its points, drawn each round."""


@dataclass(frozen=True)
class Lattice:
    """Every combination of the searched parameters' values, with the fixed ones alongside."""

    values: Mapping[str, Sequence[Any]]
    fixed: Mapping[str, Any] = field(default_factory=dict)

    @property
    def names(self) -> tuple[str, ...]:
        """The searched parameters, in the order written."""
        return tuple(self.values)

    @property
    def shape(self) -> tuple[int, ...]:
        """Number of values of each searched parameter."""
        return tuple(len(options) for options in self.values.values())

    @property
    def size(self) -> int:
        """Number of points: what a grid of the same resolution would run."""
        return int(np.prod(self.shape, dtype=np.int64))

    def point_id(self, index: Index) -> int:
        """The point's number: its rank in the lattice (row-major)."""
        return int(np.ravel_multi_index(index, self.shape))

    def index_of(self, point: int) -> Index:
        """The indices of point number ``point``."""
        return tuple(int(i) for i in np.unravel_index(point, self.shape))

    def parameters(self, index: Index) -> dict[str, Any]:
        """The searched parameters' values at ``index``."""
        return {name: self.values[name][i] for name, i in zip(self.names, index, strict=True)}

    def overrides(self, index: Index) -> dict[str, Any]:
        """Every parameter's value at ``index``, fixed ones included: what the scenario gets."""
        return {**self.fixed, **self.parameters(index)}

    def coordinates(self, indices: Iterable[Index]) -> np.ndarray:
        """Points scaled into the unit cube, one row each: the surrogate's inputs."""
        spans = np.maximum(np.asarray(self.shape, dtype=float) - 1, 1)
        rows = np.asarray(list(indices), dtype=float).reshape(-1, len(self.shape))
        return rows / spans

    def bisections(
        self, index: Index, blocked: Callable[[Index], bool]
    ) -> list[tuple[Index, Index]]:
        """Along each parameter, each way: the next point, and the point halfway to the first
        blocked one (or past the end); only where some point lies between."""
        found = []
        for axis, size in enumerate(self.shape):
            for direction in (-1, 1):
                barrier = -1 if direction < 0 else size
                position = index[axis] + direction
                while 0 <= position < size:
                    if blocked(_moved(index, axis, position)):
                        barrier = position
                        break
                    position += direction
                if abs(barrier - index[axis]) >= 2:
                    step = _moved(index, axis, index[axis] + direction)
                    found.append((step, _moved(index, axis, (barrier + index[axis]) // 2)))
        return found

    def start(self, count: int, seed: int) -> list[Index]:
        """A Latin hypercube of ``count`` points (fewer when two fall on the same point)."""
        rng = np.random.default_rng([seed, _START_STREAM])
        return list(dict.fromkeys(latin_hypercube(self.shape, count, rng)))

    def candidates(self, seed: int, round_number: int) -> list[Index]:
        """Every point, or for a large lattice a sample of them drawn anew each round."""
        if self.size <= MOST_CANDIDATES:
            flat = np.arange(self.size)
        else:
            rng = np.random.default_rng([seed, _START_STREAM, round_number])
            flat = np.unique(rng.integers(0, self.size, MOST_CANDIDATES))
        return [
            tuple(int(i) for i in row)
            for row in np.column_stack(np.unravel_index(flat, self.shape))
        ]


def _moved(index: Index, axis: int, position: int) -> Index:
    return (*index[:axis], position, *index[axis + 1 :])
