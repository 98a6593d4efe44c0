"""The optimizer's runs: asked for by point and replication count, run or taken from the store.

A resumed search replays its decisions from the start: each round asks for the same runs as
before, those already in the results store are taken from it, and only the missing ones are
run. The search's state is a pure function of the runs it asked for, in the order asked, so
the replay reaches exactly the state the interrupted search had, whatever the executor.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from servsim.core.errors import ScenarioError
from servsim.experiment.batches import Batches
from servsim.experiment.design import Task
from servsim.experiment.tables import KEYS, column_converter, runs_table
from servsim.search.evidence import FRESH, Evidence
from servsim.search.lattice import Index, Lattice
from servsim.search.schema import SearchExperiment

SPREAD = 0.25
"""Points picked by the surrogate in one round lie at least this far apart (unit cube)."""


class SearchRuns:
    """Every run the search asked for, with what they say (``evidence``) and what they cost."""

    def __init__(
        self, experiment: SearchExperiment, batches: Batches, stored: Iterable[pd.DataFrame]
    ) -> None:
        self.experiment = experiment
        self.lattice = Lattice(experiment.searched, experiment.fixed)
        self.batches = batches
        self.evidence = Evidence(experiment.confidence)
        self.rejected: set[int] = set()
        self.spent = 0
        self.overrides: dict[int, dict[str, Any]] = {}
        self.converters = {
            name: column_converter(values) for name, values in experiment.parameter_values.items()
        }
        self._frames: list[pd.DataFrame] = [frame for frame in stored if len(frame)]
        self._stored: dict[tuple[int, int], Mapping[str, float]] = {}
        for frame in self._frames:
            self._stored.update(self._kpi_rows(frame))
        self._asked: set[tuple[int, int]] = set()

    @property
    def seed(self) -> int:
        """The seed of every run (common random numbers across points)."""
        return self.experiment.run_seed

    def admissible(self, index: Index) -> bool:
        """Whether the scenario accepts the point's values together (s below S and the like)."""
        point = self.lattice.point_id(index)
        if point in self.rejected:
            return False
        try:
            self.experiment.point_scenario(point, self.lattice.overrides(index))
        except ScenarioError:
            self.rejected.add(point)
            return False
        self.overrides[point] = self.lattice.overrides(index)
        return True

    def pick(self, order: Iterable[Index], batch: int, chosen: Iterable[Index] = ()) -> list[int]:
        """Up to ``batch`` points: ``chosen``, then those of ``order`` the scenario accepts that
        lie at least ``SPREAD`` from every point picked (one round's points spread out)."""
        picked = list(chosen)[:batch]
        for index in order:
            if len(picked) >= batch:
                break
            if picked:
                here = self.lattice.coordinates([index])
                distance = np.linalg.norm(self.lattice.coordinates(picked) - here, axis=1)
                if distance.min() < SPREAD:
                    continue
            if self.admissible(index):
                picked.append(index)
        return [self.lattice.point_id(index) for index in picked]

    def tasks(self, wanted: Mapping[int, int], fresh: bool = False) -> list[Task]:
        """The runs still missing for each point to have its wanted number of replications."""
        first = FRESH if fresh else 0
        have = {point: self._count(point, fresh) for point in wanted}
        return [
            Task(point, first + replication, self.seed)
            for point in sorted(wanted)
            for replication in range(have[point], wanted[point])
        ]

    def _count(self, point: int, fresh: bool) -> int:
        runs = self.evidence.runs.get(point, {})
        return sum(1 for replication in runs if (replication >= FRESH) == fresh)

    def run(self, tasks: list[Task]) -> None:
        """Run (or take from the store) every task, then note them all in task order."""
        needed = [task for task in tasks if (task.point, task.replication) not in self._stored]
        scenarios = {
            point: self.experiment.point_scenario(point, self.overrides[point])
            for point in dict.fromkeys(task.point for task in needed)
        }
        for frame in self.batches.run(needed, scenarios, self.overrides, self.converters):
            self._frames.append(frame)
            self._stored.update(self._kpi_rows(frame))
        for task in tasks:
            key = (task.point, task.replication)
            self.evidence.add(task.point, task.replication, self._stored[key])
            self._asked.add(key)
        self.spent += len(tasks)

    def _kpi_rows(self, frame: pd.DataFrame) -> dict[tuple[int, int], Mapping[str, float]]:
        skip = {*KEYS, *self.converters}
        kpis = [column for column in frame.columns if column not in skip]
        rows = {}
        for record in frame[["point", "replication", *kpis]].to_dict("records"):
            key = (int(record.pop("point")), int(record.pop("replication")))
            rows[key] = record
        return rows

    def table(self) -> pd.DataFrame:
        """Every run the search asked for, sorted by (point, replication)."""
        runs = runs_table(self._frames)
        if runs.empty:
            return runs
        asked = pd.MultiIndex.from_frame(runs[["point", "replication"]]).isin(list(self._asked))
        return runs[asked].reset_index(drop=True)
