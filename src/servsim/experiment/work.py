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
"""Chunks each worker gets at least: progress is shown, and an interruption loses work, a
chunk at a time."""

LARGEST_CHUNK = 50
"""Runs per chunk at most: bounds what an interruption loses and how late progress is shown."""

SHARE_PER_WORKER = 2
"""Toward the end a chunk takes at most 1 / (SHARE_PER_WORKER x workers) of the runs still
to hand out (guided self-scheduling), the last ones single runs, so no worker is left with a
long chunk while the others have finished."""


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


def chunk_sizes(runs: int, workers: int) -> list[int]:
    """Runs per chunk, in the order they are handed out: a few chunks per worker, none too
    large, shrinking toward the end to single runs."""
    workers = max(workers, 1)
    most = max(1, min(LARGEST_CHUNK, math.ceil(runs / (workers * CHUNKS_PER_WORKER))))
    sizes = []
    left = runs
    while left > 0:
        size = max(1, min(most, math.ceil(left / (SHARE_PER_WORKER * workers))))
        sizes.append(size)
        left -= size
    return sizes


def chunked(
    tasks: Sequence[Task],
    scenarios: Mapping[int, Scenario],
    sizes: Sequence[int],
    by_segment: tuple[tuple[str, str], ...] = (),
) -> list[Chunk]:
    """Split ``tasks`` (in order) into chunks of ``sizes`` (the last size repeats while tasks
    are left), each with only the scenarios it needs."""
    chunks = []
    start = 0
    index = 0
    while start < len(tasks):
        size = sizes[min(index, len(sizes) - 1)]
        part = tuple(tasks[start : start + size])
        points = dict.fromkeys(task.point for task in part)
        chunks.append(Chunk(part, {point: scenarios[point] for point in points}, by_segment))
        start += size
        index += 1
    return chunks
