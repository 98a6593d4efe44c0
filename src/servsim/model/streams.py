"""Named random streams: one generator per source of randomness, derived from (seed, replication).

A stream's seed depends only on the run's seed, the replication number and the stream's name,
so adding a stream never shifts another and every policy sees the same demand in replication k
(common random numbers).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from itertools import chain, islice, repeat
from operator import methodcaller

import numpy as np

from servsim.scenario.distribution_families import Constant

BLOCK_SIZE = 4096
"""Variates drawn per numpy call: large enough to amortise the call, small enough to stay cached."""


class RandomStreams:
    """Independent, reproducible numpy generators keyed by name."""

    def __init__(self, seed: int, replication: int) -> None:
        self.seed = seed
        self.replication = replication

    def generator(self, name: str) -> np.random.Generator:
        """A fresh generator for ``name``; the same name always gives the same sequence."""
        key = (self.replication, zlib.crc32(name.encode()))
        return np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=key))

    def draws(self, name: str, distribution: object) -> Iterator[float]:
        """An endless iterator of variates of ``distribution``, drawn in numpy blocks."""
        if isinstance(distribution, Constant):
            return repeat(distribution.value)
        blocks = _numpy_blocks(self.generator(name), distribution)
        # a chain of C iterators, so a ``next`` costs no generator resumption (the model
        # takes millions of them)
        return chain.from_iterable(map(methodcaller("tolist"), blocks))

    def variates(self, name: str, distribution: object, count: int) -> np.ndarray:
        """The first ``count`` variates ``draws(name, distribution)`` gives, as one array
        (the same blocks, so the same bits): for a flow computed in arrays."""
        if isinstance(distribution, Constant):
            return np.full(count, float(distribution.value))
        blocks = islice(_numpy_blocks(self.generator(name), distribution), -(-count // BLOCK_SIZE))
        return np.concatenate([*blocks, np.empty(0)])[:count].astype(float, copy=False)


def _numpy_blocks(rng: np.random.Generator, distribution: object) -> Iterator[np.ndarray]:
    """Blocks of ``BLOCK_SIZE`` variates, one after another: what every stream draws."""
    return map(distribution.sample, repeat(rng), repeat(BLOCK_SIZE))  # type: ignore[attr-defined]
