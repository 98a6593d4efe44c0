"""The cheapest policy that meets every standard: a sequential design over the parameter lattice.

Round by round: a Latin hypercube to start; then a smoothed spline of each KPI's means over
the points tried (``surrogate``) proposes the points predicted cheaper than the best so far
and still meeting the standards, and a bisection along each parameter from the best point
toward cheaper values ends with its cheaper neighbours tried (so the answer is checked
against the boundary of the standards, not taken from the spline's word). Every point gets a
few replications, with common random numbers; more go to the points whose standards are
unclear and that could be cheaper than the best, and to points whose cost the paired
intervals cannot separate from the best's. The search stops when
nothing cheaper is left to try or the budget is spent; the winner then gets fresh
replications (new random numbers) to report its figures and confirm its standards.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from servsim.core.kpi_columns import lower_is_better
from servsim.experiment.adaptive import replications_wanted
from servsim.experiment.design import Task
from servsim.search.evidence import MET, UNCLEAR, shortfall
from servsim.search.lattice import Index
from servsim.search.runs import SearchRuns
from servsim.search.surrogate import fitted
from servsim.stats.standards import Standard

CLOSE = 1e-6
"""Relative distance below which a mean counts as on its target (its replications then go
to the most allowed)."""

MOST_ROUNDS = 1_000
"""A safety stop: each round runs something, so the budget ends a search long before this."""


class ConstrainedSearch:
    """The search for the cheapest point meeting every standard (state: the runs asked for)."""

    def __init__(self, runs: SearchRuns) -> None:
        self.runs = runs
        self.experiment = runs.experiment
        self.lattice = runs.lattice
        self.evidence = runs.evidence
        self.standards: list[Standard] = self.experiment.standard_list
        self.cost = self.experiment.objectives.cost
        self.sign = 1.0 if lower_is_better(self.cost) else -1.0
        """The economic objective as a cost: a profit is searched as a cost of minus itself."""
        self.settings = self.experiment.search
        self.round = 0

    # --- the loop ------------------------------------------------------------------------
    def run(self) -> str:
        """Search until done; the reason it stopped."""
        replications = self.settings.replications
        start = self.lattice.start(self.experiment.start_points, self.runs.seed)
        wanted = {
            self.lattice.point_id(index): replications.min
            for index in start
            if self.runs.admissible(index)
        }
        while self.round < MOST_ROUNDS:
            if not wanted:
                return self._done_reason()
            tasks = self._affordable(wanted)
            if not tasks:
                return self._budget_reason()
            self.runs.run(tasks)
            self.round += 1
            wanted = self.top_ups()
            for point in self.proposals():
                wanted.setdefault(point, replications.min)
        return f"stopped after {MOST_ROUNDS} rounds"

    def _affordable(self, wanted: dict[int, int]) -> list[Task]:
        """The runs wanted that the budget allows (final check kept back), top-ups first."""
        left = self.settings.budget - self.settings.final_check - self.runs.spent
        chosen = []
        fresh_points = sorted(p for p in wanted if not self.evidence.count(p))
        for point in [*sorted(p for p in wanted if self.evidence.count(p)), *fresh_points]:
            tasks = self.runs.tasks({point: wanted[point]})
            if len(tasks) <= left:
                chosen += tasks
                left -= len(tasks)
        return chosen

    def final_check(self, point: int) -> None:
        """Fresh replications of the winner: its figures and a confirmation of its standards."""
        self.runs.run(self.runs.tasks({point: self.settings.final_check}, fresh=True))

    # --- what the runs say ---------------------------------------------------------------
    def best(self) -> int | None:
        """The point of lowest mean cost among those meeting every standard for sure."""
        meeting = [p for p in self.evidence.points if self._verdict(p) == MET]
        costs = [(self._cost(p), p) for p in meeting if not math.isnan(self._cost(p))]
        return min(costs)[1] if costs else None

    def closest(self) -> int | None:
        """The point whose means miss the standards by least (cheapest first among equals)."""
        points = self.evidence.points
        if not points:
            return None
        return min(points, key=lambda p: (self._shortfall(p), self._cost(p), p))

    def _verdict(self, point: int) -> str:
        return self.evidence.verdict(point, self.standards)

    def _cost(self, point: int) -> float:
        """The point's mean cost (minus its mean profit)."""
        return self.sign * self.evidence.mean(point, self.cost)

    def _shortfall(self, point: int) -> float:
        return self.evidence.shortfall(point, self.standards)

    def could_be_cheaper(self, point: int, best: int | None) -> bool:
        """Whether the point's cost is below the best's, or not separable from it."""
        if best is None or point == best:
            return best is None
        if self._cost(point) < self._cost(best):
            return True
        return not self.evidence.separated(point, best, self.cost)

    # --- more replications where it is close ---------------------------------------------
    def top_ups(self) -> dict[int, int]:
        """Replications wanted for points near a standard's target or near the best's cost."""
        best = self.best()
        most = self.settings.replications.max
        confidence = self.experiment.confidence
        wanted: dict[int, int] = {}
        for point in self.evidence.points:
            count = self.evidence.count(point)
            if count >= most or point == best:
                continue
            verdict = self._verdict(point)
            more = count
            if verdict == UNCLEAR and self.could_be_cheaper(point, best):
                goals = self._unclear_goals(point)
                frame = self.evidence.frame(point)[list(goals)]
                more = replications_wanted(frame, goals, most, confidence)
            elif verdict == MET and best is not None and self.could_be_cheaper(point, best):
                difference = self.evidence.difference(point, best, self.cost)
                goal = max(abs(float(difference.mean())), CLOSE * abs(self._cost(best)), 1e-12)
                more = replications_wanted(
                    difference.to_frame(), {self.cost: goal}, most, confidence
                )
                wanted[best] = max(wanted.get(best, 0), more)
            if more > count:
                wanted[point] = more
        if best is not None and wanted.get(best, 0) <= self.evidence.count(best):
            wanted.pop(best, None)
        return wanted

    def _unclear_goals(self, point: int) -> dict[str, float]:
        """Per KPI of an unclear standard: the half-width that would settle it."""
        summary = self.evidence.summary(point)
        goals: dict[str, float] = {}
        for standard in self.standards:
            column = standard.column
            lo, hi = float(summary.at[column, "lo"]), float(summary.at[column, "hi"])
            if standard.status(lo, hi) != UNCLEAR:
                continue
            mean = float(summary.at[column, "mean"])
            distance = abs(mean - standard.target) if not math.isnan(mean) else 0.0
            goal = max(distance, CLOSE * (abs(standard.target) or 1.0))
            goals[column] = min(goals.get(column, goal), goal)
        return goals

    # --- where to look next --------------------------------------------------------------
    def proposals(self) -> list[int]:
        """New points for the next round, most promising first (at most ``batch``).

        First, along each parameter, the point halfway from the best (or, with nothing meeting
        the standards yet, the closest) to the nearest point tried that way: a bisection that
        ends with the best's cheaper neighbours tried. Then the points the surrogate predicts
        cheapest among those meeting the standards (or closest to meeting them), spread out.
        """
        tried = set(self.evidence.points)
        best = self.best()
        anchor = best if best is not None else self.closest()
        if anchor is None:
            return []
        lines = self.lattice.bisections(
            self.lattice.index_of(anchor),
            lambda index: self.lattice.point_id(index) in tried | self.runs.rejected,
        )
        untried = [
            index
            for index in self.lattice.candidates(self.runs.seed, self.round)
            if self.lattice.point_id(index) not in tried
        ]
        steps = [step for step, _ in lines]
        predicted = self._predict(tried, [*steps, *(middle for _, middle in lines), *untried])
        if best is not None:
            ceiling = self._cost(best)
            line = [middle for step, middle in lines if predicted[step][1] < ceiling]
            wide = [i for i in untried if predicted[i][0] == 0 and predicted[i][1] < ceiling]
            line.sort(key=lambda i: predicted[i][1:])
            wide.sort(key=lambda i: predicted[i][1:])
        else:
            missing = self._shortfall(anchor)
            line = sorted(
                (middle for step, middle in lines if predicted[step][0] < missing),
                key=lambda i: predicted[i],
            )
            wide = sorted(
                (i for i in untried if predicted[i][0] < missing), key=predicted.__getitem__
            )
        chosen = dict.fromkeys(index for index in line if self.runs.admissible(index))
        return self.runs.pick(wide, self.settings.batch, chosen)

    def _predict(
        self, tried: set[int], indices: Sequence[Index]
    ) -> dict[Index, tuple[float, float, int]]:
        """Per index: predicted (shortfall, cost, point id), the order in which to try them."""
        if not indices:
            return {}
        kpis = list(dict.fromkeys([self.cost, *(s.column for s in self.standards)]))
        surrogate = fitted(self.evidence, self.lattice, sorted(tried), kpis)
        columns = [standard.column for standard in self.standards]
        spreads = {column: self.evidence.spread(column) for column in columns}
        guesses = surrogate.predict(self.lattice.coordinates(indices))
        found = {}
        for row, index in enumerate(indices):
            missing = sum(
                shortfall(standard, float(guesses[standard.column][row])) / spreads[standard.column]
                for standard in self.standards
            )
            cost = self.sign * float(guesses[self.cost][row])
            found[index] = (missing, cost, self.lattice.point_id(index))
        return found

    # --- why it stopped --------------------------------------------------------------------
    def _budget_reason(self) -> str:
        return (
            f"budget: {self.runs.spent} runs spent of {self.settings.budget} "
            f"({self.settings.final_check} kept for the final check)"
        )

    def _done_reason(self) -> str:
        everything = len(self.evidence.points) + len(self.runs.rejected) >= self.lattice.size
        if self.best() is not None:
            if everything:
                return "converged: every point was tried"
            return (
                "converged: the winner's cheaper neighbours miss a standard or cost no less, "
                "and the surrogate predicts no cheaper point that meets every standard"
            )
        if everything:
            return "infeasible: every point was tried and none meets every standard"
        return (
            "infeasible: no point tried meets every standard, and the surrogate predicts none "
            "closer than the closest tried"
        )
