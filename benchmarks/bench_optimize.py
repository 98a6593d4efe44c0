"""The optimizer against a full grid of the same resolution: runs spent and answer quality.

Not a test: run it by hand (a few minutes on 2 cores).

    python benchmarks/bench_optimize.py                    # experiments/webshop_cheapest.yaml
    python benchmarks/bench_optimize.py --horizon 30d      # shorter runs, quicker

The grid runs every point of the optimizer's lattice with the optimizer's minimum number of
replications (the same seeds: replication k of a point is the same run in both), then takes
the cheapest point meeting every standard for sure. The optimizer's answer is "the same within
the confidence interval" when it is the grid's point, or when its cost interval (fresh
replications) overlaps the grid's best point's and the grid does not find it missing a
standard. Frontier mode is compared with the grid's frontier the same way: how many of the
grid's efficient points it found, or found one indistinguishable from.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import pandas as pd

import servsim
from servsim.experiment.frontier import EFFICIENT
from servsim.search.schema import SearchExperiment

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "experiments" / "webshop_cheapest.yaml"


def grid_of(experiment: SearchExperiment) -> servsim.experiment.schema.Experiment:
    """The sweep of every lattice point with the search's minimum replications."""
    return servsim.load_experiment(
        {
            "scenario": experiment.base_scenario,
            "parameters": {
                name: list(values) for name, values in experiment.parameter_values.items()
            },
            "replications": experiment.search.replications.min,
            "seed": experiment.run_seed,
            "objectives": experiment.objectives.model_dump(),
            "standards": experiment.standards_to_meet,
            "confidence": experiment.confidence,
        }
    )


def load(horizon: str | None) -> SearchExperiment:
    """The example, kept in memory (no results folder), with its runs shortened if asked."""
    experiment = servsim.load_search(EXAMPLE)
    document: dict[str, Any] = {
        key: value
        for key, value in experiment.model_dump(exclude_none=True).items()
        if key not in ("out", "design", "replications")
    }
    scenario = experiment.base_scenario
    document["scenario"] = (
        scenario if horizon is None else scenario.with_overrides({"horizon": horizon})
    )
    return servsim.load_search(document)


def interval(row: pd.Series | pd.DataFrame, kpi: str) -> tuple[float, float, float]:
    if isinstance(row, pd.DataFrame):  # a per-KPI summary (rows: KPIs)
        return tuple(float(row.at[kpi, key]) for key in ("mean", "lo", "hi"))  # type: ignore[return-value]
    return tuple(float(row[f"{kpi}_{key}"]) for key in ("mean", "lo", "hi"))  # type: ignore[return-value]


def covered(row: pd.Series, found: pd.DataFrame, cost: str, satisfaction: str) -> bool:
    """Whether a grid point's cost and satisfaction intervals overlap a traced frontier point's."""
    overlaps = pd.Series(True, index=found.index)
    for kpi in (cost, satisfaction):
        overlaps &= (found[f"{kpi}_lo"] <= row[f"{kpi}_hi"]) & (
            row[f"{kpi}_lo"] <= found[f"{kpi}_hi"]
        )
    return bool(overlaps.any())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--horizon", default=None, help="simulated time of each run (default: the scenario's)"
    )
    arguments = parser.parse_args()
    experiment = load(arguments.horizon)
    cost = experiment.objectives.cost
    names = list(experiment.searched)

    started = time.perf_counter()
    result = servsim.optimize(experiment, workers=arguments.workers, out=None)
    optimizer_seconds = time.perf_counter() - started
    started = time.perf_counter()
    grid = servsim.sweep(grid_of(experiment), workers=arguments.workers)
    grid_seconds = time.perf_counter() - started
    started = time.perf_counter()
    traced = servsim.optimize(experiment, workers=arguments.workers, out=None, frontier=True)
    frontier_seconds = time.perf_counter() - started

    sizes = " x ".join(str(len(values)) for values in experiment.searched.values())
    print(f"{experiment.title}: {sizes} points")
    print(f"standards: {', '.join(str(s) for s in experiment.standard_list)}; cost: {cost}")
    print(f"{'':<10}{'runs':>6}{'share':>8}{'seconds':>9}  answer")
    best = grid.best()
    grid_answer = "none" if best is None else ", ".join(f"{n} = {best[n]}" for n in names)
    print(f"{'grid':<10}{len(grid.runs):>6}{1:>8.0%}{grid_seconds:>9.1f}  {grid_answer}")
    if result.winner is None:
        print(f"{'optimizer':<10}{result.runs_spent:>6}  no answer: {result.message()}")
        return
    winner = result.winner
    share = result.runs_spent / len(grid.runs)
    answer = ", ".join(f"{n} = {v}" for n, v in winner.parameters.items())
    print(
        f"{'optimizer':<10}{result.runs_spent:>6}{share:>8.0%}{optimizer_seconds:>9.1f}  {answer}"
    )
    print(f"  stopped: {result.stop_reason}")
    mean, lo, hi = interval(winner.kpis, cost)
    print(f"  optimizer winner {cost}: {mean:.3f} ({lo:.3f} .. {hi:.3f}), fresh replications")
    if best is not None:
        grid_mean, grid_lo, grid_hi = interval(best, cost)
        print(f"  grid best        {cost}: {grid_mean:.3f} ({grid_lo:.3f} .. {grid_hi:.3f})")
        at_winner = grid.summary[(grid.summary[names] == pd.Series(winner.parameters)).all(axis=1)]
        checks = grid.check().loc[at_winner.index].drop(columns=["point", "all_met"]).iloc[0]
        same = all(best[n] == v for n, v in winner.parameters.items())
        overlap = lo <= grid_hi and grid_lo <= hi and "missed" not in set(checks)
        verdict = "the same point" if same else "within the interval" if overlap else "DIFFERENT"
        print(f"  answer: {verdict}; the grid at the optimizer's winner: {dict(checks)}")

    efficient = grid.frontier(indistinguishable=False)
    found = traced.frontier if traced.frontier is not None else grid.summary.iloc[0:0]
    hits = sum(
        covered(row, found, cost, experiment.objectives.satisfaction)
        for _, row in efficient.iterrows()
    )
    share = traced.runs_spent / len(grid.runs)
    print(
        f"frontier  {traced.runs_spent:>6}{share:>8.0%}{frontier_seconds:>9.1f}  "
        f"{(traced.frontier['status'] == EFFICIENT).sum() if traced.frontier is not None else 0} "
        f"efficient points; {hits} of the grid's {len(efficient)} efficient points on its "
        "frontier or within the intervals of one of its points"
    )
    print(f"  stopped: {traced.stop_reason}")


if __name__ == "__main__":
    main()
