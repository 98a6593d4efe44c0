"""What the optimizer hands back: the winner with its fresh figures, the runners-up it could not
separate from it, the runs it spent and why it stopped, or, when nothing meets the standards,
the closest point and by how much it misses each one."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from servsim.core.errors import show
from servsim.core.formats import format_value
from servsim.experiment.tables import summarize_points
from servsim.search.cheapest import ConstrainedSearch
from servsim.search.evidence import FRESH, MET, UNCLEAR, shortfall
from servsim.stats.standards import Status


@dataclass(frozen=True)
class Winner:
    """The cheapest point meeting every standard, figures from its fresh replications."""

    point: int
    parameters: dict[str, Any]
    kpis: pd.DataFrame = field(repr=False)
    """Per KPI (rows): mean, lo, hi, halfwidth, n over the final check's fresh replications."""
    search_kpis: pd.DataFrame = field(repr=False)
    """The same over the search's replications (on which it was chosen)."""
    checks: dict[str, Status]
    """Each standard met, missed or unclear on the fresh replications."""

    @property
    def confirmed(self) -> bool:
        """Whether the fresh replications meet every standard too."""
        return all(status == MET for status in self.checks.values())


@dataclass(frozen=True)
class Closest:
    """When no point meets every standard: the point that misses them by least."""

    point: int
    parameters: dict[str, Any]
    misses: pd.DataFrame
    """Per standard: mean, lo, hi, status, and by how much the mean misses (0 when it meets)."""


@dataclass(frozen=True)
class OptimizeResult:
    """The answer of :func:`servsim.optimize`."""

    winner: Winner | None
    runners_up: pd.DataFrame = field(repr=False)
    """Points the intervals cannot separate from the winner: parameters, cost, verdict, why."""
    points: pd.DataFrame = field(repr=False)
    """Every point tried: parameters, runs, KPI_mean/lo/hi/n (search runs), verdict."""
    runs: pd.DataFrame = field(repr=False)
    """Every run: point, replication, seed, parameters, KPIs (final check: replication >= 1e6)."""
    runs_spent: int
    grid_runs: int
    """What a grid of the same resolution would run: lattice points x minimum replications."""
    stop_reason: str
    parameters: tuple[str, ...]
    standards: tuple[str, ...]
    cost: str
    satisfaction: str
    closest: Closest | None = None
    frontier: pd.DataFrame | None = field(default=None, repr=False)
    """Frontier mode: the efficient points (and those indistinguishable from them)."""
    folder: Path | None = None

    @property
    def feasible(self) -> bool:
        """Whether some point meets every standard."""
        return self.winner is not None

    def message(self) -> str:
        """One paragraph a planner can act on when no point meets the standards."""
        if self.closest is None:
            return "no point was run"
        where = ", ".join(f"{name} = {show(v)}" for name, v in self.closest.parameters.items())
        lines = [f"no point meets every standard; the closest is {where}:"]
        for standard, row in self.closest.misses.iterrows():
            kpi = str(standard).split(" ")[0]
            figure = f"{format_value(kpi, row['mean'])} ({format_value(kpi, row['lo'])} .. "
            figure += f"{format_value(kpi, row['hi'])})"
            if row["status"] == MET:
                lines.append(f"  {standard}: met, {figure}")
            elif row["by"] > 0:
                verb = "misses" if row["status"] != UNCLEAR else "may miss"
                by = format_value(kpi, row["by"])
                lines.append(f"  {standard}: {figure} {verb} it by {by}")
            else:
                lines.append(f"  {standard}: {figure} unclear: the interval straddles the target")
        return "\n".join(lines)


def conclude(search: ConstrainedSearch, reason: str, folder: Path | None) -> OptimizeResult:
    """The result of a finished search (after the winner's final check, if there is one)."""
    experiment = search.experiment
    evidence = search.evidence
    lattice = search.lattice
    runs = search.runs.table()
    search_runs = runs[runs["replication"] < FRESH]
    points = summarize_points(search_runs, list(experiment.parameters), experiment.confidence)
    points["verdict"] = [evidence.verdict(int(p), search.standards) for p in points["point"]]
    best = search.best()
    winner = None
    if best is not None:
        winner = Winner(
            point=best,
            parameters=lattice.parameters(lattice.index_of(best)),
            kpis=evidence.summary(best, fresh=True),
            search_kpis=evidence.summary(best),
            checks=evidence.statuses(best, search.standards, fresh=True),
        )
    closest_point = None if best is not None else search.closest()
    return OptimizeResult(
        winner=winner,
        runners_up=_runners_up(search, points, best),
        points=points,
        runs=runs,
        runs_spent=search.runs.spent,
        grid_runs=lattice.size * experiment.search.replications.min,
        stop_reason=reason,
        parameters=lattice.names,
        standards=tuple(str(standard) for standard in search.standards),
        cost=search.cost,
        satisfaction=experiment.objectives.satisfaction,
        closest=None if closest_point is None else _closest(search, closest_point),
        folder=folder,
    )


def _runners_up(search: ConstrainedSearch, points: pd.DataFrame, best: int | None) -> pd.DataFrame:
    """Points that meet the standards at a cost not separable from the winner's, and points
    that might meet them (unclear) and cost no more."""
    notes = []
    for point in points["point"]:
        point = int(point)
        if best is None or point == best or not search.could_be_cheaper(point, best):
            notes.append("")
            continue
        verdict = search.evidence.verdict(point, search.standards)
        if verdict == MET:
            notes.append("meets every standard; cost not separable from the winner's")
        elif verdict == UNCLEAR:
            statuses = search.evidence.statuses(point, search.standards)
            unclear = [name for name, status in statuses.items() if status == UNCLEAR]
            runs = search.evidence.count(point)
            notes.append(f"may cost less; unclear after {runs} runs: {', '.join(unclear)}")
        else:
            notes.append("")
    table = points.assign(why=notes)
    table = table[table["why"] != ""]
    cost = search.cost
    columns = ["point", *search.lattice.names, "runs", f"{cost}_mean", f"{cost}_lo", f"{cost}_hi"]
    return table[[*columns, "verdict", "why"]].sort_values([f"{cost}_mean", "point"])


def _closest(search: ConstrainedSearch, point: int) -> Closest:
    summary = search.evidence.summary(point)
    rows = {}
    for standard in search.standards:
        mean, lo, hi = (float(summary.at[standard.column, key]) for key in ("mean", "lo", "hi"))
        by = shortfall(standard, mean)
        rows[str(standard)] = {
            "mean": mean,
            "lo": lo,
            "hi": hi,
            "status": standard.status(lo, hi),
            "by": by if not math.isinf(by) else math.nan,
        }
    return Closest(
        point=point,
        parameters=search.lattice.parameters(search.lattice.index_of(point)),
        misses=pd.DataFrame.from_dict(rows, orient="index"),
    )
