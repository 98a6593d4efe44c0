"""Frontier mode: trace the efficient frontier of cost against satisfaction without a full grid.

Round by round, the surrogates of cost and satisfaction predict every untried point; the points
predicted to be dominated by no point tried (cheaper, or more satisfying, than every tried
point as good on the other axis) are run, those that would extend the frontier most first.
Efficient points whose intervals the replications cannot tell apart from another frontier
point get more replications. It stops when no untried point is predicted to extend the
frontier, or the budget is spent.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from servsim.core.kpi_columns import lower_is_better
from servsim.experiment.adaptive import replications_wanted
from servsim.experiment.frontier import EFFICIENT, frontier
from servsim.experiment.tables import summarize_points
from servsim.search.result import OptimizeResult
from servsim.search.runs import SearchRuns
from servsim.search.surrogate import fitted

WORTH = 0.02
"""A point is worth trying when predicted to beat every tried point by this share of the
range of cost or of satisfaction seen so far (less is within the noise of a few runs)."""


class FrontierSearch:
    """The search for the points no other point beats on both cost and satisfaction."""

    def __init__(self, runs: SearchRuns) -> None:
        self.runs = runs
        self.lattice = runs.lattice
        self.evidence = runs.evidence
        self.settings = runs.experiment.search
        self.cost = runs.experiment.objectives.cost
        self.sign = 1.0 if lower_is_better(self.cost) else -1.0
        """The economic objective as a cost: a profit is traced as a cost of minus itself."""
        self.satisfaction = runs.experiment.objectives.satisfaction
        self.round = 0

    def run(self) -> str:
        """Search until done; the reason it stopped."""
        start = self.lattice.start(self.runs.experiment.start_points, self.runs.seed)
        least = self.settings.replications.min
        wanted = {self.lattice.point_id(i): least for i in start if self.runs.admissible(i)}
        while wanted:
            left = self.settings.budget - self.runs.spent
            tasks = []
            for point in sorted(wanted, key=lambda p: (self.evidence.count(p) == 0, p)):
                more = self.runs.tasks({point: wanted[point]})
                if len(more) <= left:
                    tasks += more
                    left -= len(more)
            if not tasks:
                return f"budget: {self.runs.spent} runs spent of {self.settings.budget}"
            self.runs.run(tasks)
            self.round += 1
            wanted = self.top_ups()
            for point in self.proposals():
                wanted.setdefault(point, least)
        return "converged: no untried point is predicted to extend the frontier"

    def _means(self, point: int) -> tuple[float, float]:
        """(cost, or minus profit; satisfaction) of a point's search runs."""
        cost = self.sign * self.evidence.mean(point, self.cost)
        return cost, self.evidence.mean(point, self.satisfaction)

    def top_ups(self) -> dict[int, int]:
        """More replications for frontier points whose cost the intervals cannot pin down
        against their frontier neighbours' (paired differences, common random numbers)."""
        table = self.summary()
        on_frontier = frontier(table, self.cost, self.satisfaction)
        efficient = [int(p) for p in on_frontier.loc[on_frontier["status"] == EFFICIENT, "point"]]
        most = self.settings.replications.max
        wanted: dict[int, int] = {}
        for left, right in zip(efficient, efficient[1:], strict=False):
            for point, other in ((left, right), (right, left)):
                count = self.evidence.count(point)
                if count >= most or self.evidence.separated(point, other, self.cost):
                    continue
                difference = self.evidence.difference(point, other, self.cost)
                goal = max(abs(float(difference.mean())), 1e-12)
                frame = difference.to_frame()
                more = replications_wanted(
                    frame, {self.cost: goal}, most, self.runs.experiment.confidence
                )
                if more > count:
                    wanted[point] = max(wanted.get(point, 0), more)
        return wanted

    def proposals(self) -> list[int]:
        """Untried points predicted to extend the frontier, those extending it most first."""
        tried = sorted(self.evidence.points)
        untried = [
            index
            for index in self.lattice.candidates(self.runs.seed, self.round)
            if self.lattice.point_id(index) not in set(tried)
        ]
        if not untried:
            return []
        surrogate = fitted(self.evidence, self.lattice, tried, [self.cost, self.satisfaction])
        guesses = surrogate.predict(self.lattice.coordinates(untried))
        known = np.array([self._means(point) for point in tried])
        spans = np.ptp(known, axis=0)
        spans[~(spans > 0)] = 1.0
        # By how much each untried point escapes domination by every tried point (> 0: it does).
        cheaper = (known[None, :, 0] - self.sign * guesses[self.cost][:, None]) / spans[0]
        happier = (guesses[self.satisfaction][:, None] - known[None, :, 1]) / spans[1]
        margin = np.nanmin(np.maximum(cheaper, happier), axis=1)
        order = sorted(
            (index for index, gain in zip(untried, margin, strict=True) if gain > WORTH),
            key=lambda index: (-margin[untried.index(index)], self.lattice.point_id(index)),
        )
        return self.runs.pick(order, self.settings.batch)

    def summary(self) -> pd.DataFrame:
        """Per point tried: parameters, runs, KPI_mean/lo/hi/n of the search runs."""
        experiment = self.runs.experiment
        return summarize_points(
            self.runs.table(), list(experiment.parameters), experiment.confidence
        )


def trace_frontier(runs: SearchRuns, folder: Path | None) -> OptimizeResult:
    """Run frontier mode and hand back its frontier, with the runs a grid would have needed."""
    search = FrontierSearch(runs)
    reason = search.run()
    points = search.summary()
    experiment = runs.experiment
    points["verdict"] = ""
    return OptimizeResult(
        winner=None,
        runners_up=points.iloc[0:0],
        points=points,
        runs=runs.table(),
        runs_spent=runs.spent,
        grid_runs=runs.lattice.size * experiment.search.replications.min,
        stop_reason=reason,
        parameters=runs.lattice.names,
        standards=tuple(str(standard) for standard in experiment.standard_list),
        cost=search.cost,
        satisfaction=search.satisfaction,
        frontier=frontier(points, search.cost, search.satisfaction),
        folder=folder,
    )
