"""``servsim.optimize``: the search, on the sweep's executors and results store, resumable.

Every run the search asks for is stored the moment its chunk completes; ``resume`` replays the
search from its first round, taking the stored runs instead of running them again.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from servsim.core.version import __version__
from servsim.experiment.batches import Progress, stored_batches
from servsim.experiment.executors import Executor
from servsim.experiment.sweep import content_hash, out_line
from servsim.search.cheapest import ConstrainedSearch
from servsim.search.frontier import trace_frontier
from servsim.search.result import OptimizeResult, conclude
from servsim.search.runs import SearchRuns
from servsim.search.schema import SearchExperiment, load_search
from servsim.stats.standards import by_segment

if TYPE_CHECKING:
    from distributed import Client


def optimize(
    experiment: SearchExperiment | str | os.PathLike[str] | Mapping[str, Any],
    workers: int | None = None,
    client: Client | str | None = None,
    executor: Executor | str | None = None,
    resume: bool = False,
    force: bool = False,
    progress: Progress | None = None,
    out: str | os.PathLike[str] | None = None,
    chunk: int | None = None,
    frontier: bool = False,
    allow_large: bool = False,
) -> OptimizeResult:
    """The cheapest point meeting every standard (or, with ``frontier``, the efficient frontier).

    Takes an optimizer's experiment (file, mapping or loaded); runs go to the same executors
    as :func:`servsim.sweep` (``executor``, ``workers``, ``client``) and, when there is an
    ``out`` folder (default: the file's ``out:``), to its results store: ``resume`` keeps the
    runs already there, ``force`` replaces them. The answer is the same on any executor.
    ``allow_large`` lets a file or mapping ask for more work than ``servsim.scenario.workload``
    bounds.
    """
    if not isinstance(experiment, SearchExperiment):
        experiment = load_search(experiment, allow_large=allow_large)
    folder = Path(out) if out is not None else experiment.out_folder
    described = search_manifest(experiment, frontier)
    execution = (executor, workers, client, resume, force, progress, chunk)
    measured = by_segment(experiment.standard_list)
    named_at = out_line(experiment) if folder == experiment.out_folder else None
    with stored_batches(
        folder, described, *execution, by_segment=measured, named_at=named_at
    ) as batches:
        results_store = batches.store
        runs = SearchRuns(experiment, batches, results_store.completed if results_store else [])
        if frontier:
            result = trace_frontier(runs, folder)
        else:
            search = ConstrainedSearch(runs)
            reason = search.run()
            best = search.best()
            if best is not None:
                search.final_check(best)
            result = conclude(search, reason, folder)
    if results_store is not None:
        results_store.manifest.update(
            runs=result.runs_spent,
            stop_reason=result.stop_reason,
            winner=None if result.winner is None else result.winner.parameters,
        )
        results_store.finish(result.points)
    return result


def search_manifest(experiment: SearchExperiment, frontier: bool) -> dict[str, Any]:
    """What the results folder records; ``plan_hash`` identifies the search (budget aside, so a
    resumed search may be given more runs)."""
    base = experiment.base_scenario
    scenario_hash = content_hash(base.model_dump(mode="json"))
    search = experiment.search.model_dump()
    identity = {
        "scenario": scenario_hash,
        "seed": experiment.run_seed,
        "parameters": experiment.parameter_values,
        "search": {key: value for key, value in search.items() if key != "budget"},
        "standards": experiment.standards_to_meet,
        "objectives": experiment.objectives.model_dump(),
        "confidence": experiment.confidence,
        "mode": "frontier" if frontier else "optimize",
    }
    source = experiment.source_path
    return {
        "name": experiment.title,
        "mode": identity["mode"],
        "experiment_file": None if source is None else str(source.resolve()),
        "experiment_text": experiment.text,
        "scenario_file": None if base.source_path is None else str(base.source_path.resolve()),
        "scenario_hash": scenario_hash,
        "plan_hash": content_hash(identity),
        "servsim_version": __version__,
        "seed": experiment.run_seed,
        "parameters": list(experiment.parameters),
        "search": search,
        "objectives": experiment.objectives.model_dump(),
        "standards": experiment.standards_to_meet,
        "confidence": experiment.confidence,
    }
