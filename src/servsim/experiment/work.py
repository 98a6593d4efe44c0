"""The unit of work an executor ships: a chunk of runs, each turned into one KPI row.

Several runs travel together so that short runs are not dominated by the cost of sending them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from servsim.experiment.design import Task
from servsim.run.measure import measured_run
from servsim.scenario.schema import Scenario

CHUNKS_PER_WORKER = 8
"""Chunks each worker gets per round at least: keeps every worker busy to the end."""

LARGEST_CHUNK = 50
"""Runs per chunk at most: bounds what an interruption loses and how late progress is shown."""


@dataclass(frozen=True)
class Chunk:
    """Runs to do together, with the scenario of every point they touch."""

    tasks: tuple[Task, ...]
    scenarios: Mapping[int, Scenario]
    by_segment: tuple[tuple[str, str], ...] = ()
    """(segment, KPI) pairs to measure besides the overall KPIs: per-segment standards."""


def run_chunk(chunk: Chunk) -> list[dict[str, float]]:
    """Run every task of the chunk: one row per run (point, replication, seed and the KPIs,
    then a column ``kpi[segment]`` per pair of ``by_segment``)."""
    rows = []
    for task in chunk.tasks:
        scenario = chunk.scenarios[task.point]
        _, kpis = measured_run(scenario, task.replication, task.seed, chunk.by_segment)
        rows.append(
            {"point": task.point, "replication": task.replication, "seed": task.seed, **kpis}
        )
    return rows


def chunk_size(runs: int, workers: int) -> int:
    """Runs per chunk: a few chunks per worker, none too large."""
    if runs <= 0:
        return 1
    return max(1, min(LARGEST_CHUNK, math.ceil(runs / (max(workers, 1) * CHUNKS_PER_WORKER))))


def chunked(
    tasks: Sequence[Task],
    scenarios: Mapping[int, Scenario],
    size: int,
    by_segment: tuple[tuple[str, str], ...] = (),
) -> list[Chunk]:
    """Split ``tasks`` (in order) into chunks of ``size``, each with only the scenarios it needs."""
    chunks = []
    for start in range(0, len(tasks), size):
        part = tuple(tasks[start : start + size])
        points = dict.fromkeys(task.point for task in part)
        chunks.append(Chunk(part, {point: scenarios[point] for point in points}, by_segment))
    return chunks
