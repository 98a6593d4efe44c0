"""Running a sweep: plan the runs, send them to an executor in chunks, store each chunk, summarize.

Replications come in rounds: every point's first (or only) replications, then, for adaptive
replications, more for the points whose half-widths are still too wide.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from servsim.core.version import __version__
from servsim.experiment.adaptive import replications_wanted
from servsim.experiment.batches import Batches, Progress, stored_batches
from servsim.experiment.design import Point, Task, plan, tasks
from servsim.experiment.executors import Executor
from servsim.experiment.loading import load_experiment
from servsim.experiment.results import SweepResults
from servsim.experiment.schema import AdaptiveReplications, Experiment
from servsim.experiment.tables import column_converter, runs_table, summarize_points
from servsim.scenario.schema import Scenario
from servsim.stats.standards import by_segment

if TYPE_CHECKING:
    from distributed import Client


def sweep(
    experiment: Experiment | str | os.PathLike[str] | Mapping[str, Any],
    workers: int | None = None,
    client: Client | str | None = None,
    executor: Executor | str | None = None,
    resume: bool = False,
    force: bool = False,
    progress: Progress | None = None,
    out: str | os.PathLike[str] | None = None,
    chunk: int | None = None,
    allow_large: bool = False,
) -> SweepResults:
    """Run every point's replications and summarize them; results are the same on any executor.

    ``executor``: "serial", "processes" (the default: ``workers`` processes, every core when
    None) or "dask" (``client``: a dask Client or a scheduler address; none: a LocalCluster of
    ``workers``). ``out`` (default: the experiment's ``out:``) is the results folder; without
    one nothing is written. ``chunk`` sets the runs per chunk (default: chunks that shrink
    toward the end, so the workers finish together).
    ``allow_large`` lets a file or mapping ask for more work than ``servsim.scenario.workload``
    bounds (a loaded experiment was bounded when it was loaded).
    """
    if not isinstance(experiment, Experiment):
        experiment = load_experiment(experiment, allow_large=allow_large)
    points = plan(experiment)
    folder = Path(out) if out is not None else experiment.out_folder
    described = manifest(experiment, points)
    execution = (executor, workers, client, resume, force, progress, chunk)
    measured = by_segment(experiment.standard_list)
    named_at = out_line(experiment) if folder == experiment.out_folder else None
    with stored_batches(
        folder, described, *execution, by_segment=measured, named_at=named_at
    ) as batches:
        rounds = _Rounds(experiment, points, batches)
        counts = rounds.run()
    results_store = batches.store
    parameters = list(experiment.parameters)
    runs = runs_table(rounds.frames, counts)
    summary = summarize_points(runs, parameters, experiment.confidence)
    if results_store is not None:
        results_store.manifest["replications_per_point"] = [counts[point.id] for point in points]
        results_store.manifest["runs"] = len(runs)
        results_store.finish(summary)
    return SweepResults(
        runs=runs,
        summary=summary,
        parameters=tuple(parameters),
        cost=experiment.objectives.cost,
        satisfaction=experiment.objectives.satisfaction,
        standards=experiment.standards_to_meet,
        confidence=experiment.confidence,
        folder=folder,
    )


class _Rounds:
    """The runs of one sweep, round after round, with what is already done."""

    def __init__(
        self,
        experiment: Experiment,
        points: Sequence[Point],
        batches: Batches,
    ) -> None:
        self.experiment = experiment
        self.points = points
        self.batches = batches
        self.overrides = {point.id: point.overrides for point in points}
        self.converters = {
            name: column_converter(values) for name, values in experiment.parameter_values.items()
        }
        self.frames: list[pd.DataFrame] = []
        self.goals = list(getattr(experiment.replications, "until_halfwidth", {}))
        self.done: dict[int, dict[int, dict[str, float]]] = {point.id: {} for point in points}
        for frame in batches.store.completed if batches.store else []:
            self._note(frame)

    def run(self) -> dict[int, int]:
        """Run every round; the number of replications each point ends with."""
        replications = self.experiment.replications
        first = replications.min if isinstance(replications, AdaptiveReplications) else replications
        counts = {point.id: first for point in self.points}
        active = list(self.points)
        while active:
            self._execute(
                [
                    task
                    for point in active
                    for task in tasks([point], counts[point.id], self.experiment.run_seed)
                    if task.replication not in self.done[point.id]
                ]
            )
            if not isinstance(replications, AdaptiveReplications):
                break
            growing = []
            for point in active:
                wanted = self._wanted(point.id, counts[point.id], replications)
                if wanted > counts[point.id]:
                    counts[point.id] = wanted
                    growing.append(point)
            active = growing
        return counts

    def _wanted(self, point: int, count: int, replications: AdaptiveReplications) -> int:
        goals = replications.until_halfwidth
        values = pd.DataFrame([self.done[point][replication] for replication in range(count)])
        return replications_wanted(values, goals, replications.max, self.experiment.confidence)

    def _execute(self, needed: list[Task]) -> None:
        scenarios = self._scenarios_of(needed)
        for frame in self.batches.run(needed, scenarios, self.overrides, self.converters):
            self._note(frame)

    def _note(self, frame: pd.DataFrame) -> None:
        self.frames.append(frame)
        columns = ["point", "replication", *self.goals]
        for point, replication, *values in frame[columns].itertuples(index=False):
            kpis = dict(zip(self.goals, values, strict=True))
            self.done.setdefault(int(point), {})[int(replication)] = kpis

    def _scenarios_of(self, needed: list[Task]) -> dict[int, Scenario]:
        points = dict.fromkeys(task.point for task in needed)
        return {
            point: self.experiment.point_scenario(point, self.overrides[point]) for point in points
        }


def manifest(experiment: Experiment, points: Sequence[Point]) -> dict[str, Any]:
    """What the results folder records about its sweep; ``plan_hash`` identifies its runs."""
    base = experiment.base_scenario
    scenario_hash = content_hash(base.model_dump(mode="json"))
    seed = experiment.run_seed
    overrides = [point.overrides for point in points]
    source = experiment.source_path
    return {
        "name": experiment.title,
        "experiment_file": None if source is None else str(source.resolve()),
        "experiment_text": experiment.text,
        "scenario_file": None if base.source_path is None else str(base.source_path.resolve()),
        "scenario_hash": scenario_hash,
        "plan_hash": content_hash({"scenario": scenario_hash, "seed": seed, "points": overrides}),
        "servsim_version": __version__,
        "seed": seed,
        "parameters": list(experiment.parameters),
        "points": len(points),
        "design": experiment.design.model_dump(),
        "replications": experiment.replications
        if isinstance(experiment.replications, int)
        else experiment.replications.model_dump(),
        "objectives": experiment.objectives.model_dump(),
        "standards": experiment.standards_to_meet,
        "confidence": experiment.confidence,
    }


def out_line(experiment: Experiment) -> tuple[str | None, int | None]:
    """The experiment file and the line of its ``out:`` (for a problem with the folder)."""
    source = experiment.source_path
    return (None if source is None else str(source)), experiment._lines.get(("out",))


def content_hash(value: Any) -> str:
    """A stable digest of a JSON-able value: identifies a scenario or a plan of runs."""
    text = json.dumps(value, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
