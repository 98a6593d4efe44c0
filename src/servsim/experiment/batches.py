"""Sending runs to an executor in chunks and storing each chunk the moment it completes.

Shared by the sweep and the optimizer: both plan tasks, and both need every completed run kept
in the results store (so ``--resume`` skips it) and counted for the progress bar.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from servsim.experiment.design import Task
from servsim.experiment.executors import Executor, make_executor
from servsim.experiment.store import ResultsStore
from servsim.experiment.tables import runs_frame
from servsim.experiment.work import chunk_size, chunked, run_chunk
from servsim.scenario.schema import Scenario

if TYPE_CHECKING:
    from distributed import Client

Progress = Callable[[int, int], None]
"""Called with (runs done, runs to do) so far: as each batch starts, after each chunk."""


class Batches:
    """Runs batches of tasks on one executor, storing and counting every completed chunk."""

    def __init__(
        self,
        runner: Executor,
        results_store: ResultsStore | None,
        progress: Progress | None = None,
        chunk: int | None = None,
        by_segment: tuple[tuple[str, str], ...] = (),
    ) -> None:
        self.runner = runner
        self.store = results_store
        self.progress = progress
        self.chunk = chunk
        self.by_segment = by_segment
        """(segment, KPI) pairs every run also measures: the per-segment standards'."""
        self.finished = 0
        self.planned = 0

    def run(
        self,
        needed: Sequence[Task],
        scenarios: Mapping[int, Scenario],
        overrides: Mapping[int, Mapping[str, Any]],
        converters: Mapping[str, Callable[[Any], Any]],
    ) -> Iterator[pd.DataFrame]:
        """Run ``needed``; yield each completed chunk's runs (already stored), in any order."""
        if not needed:
            return
        self.planned += len(needed)
        self._report()
        size = self.chunk or chunk_size(len(needed), self.runner.workers)
        chunks = chunked(needed, scenarios, size, self.by_segment)
        results = self.runner.map_unordered(run_chunk, chunks)
        try:
            for _, rows in results:
                frame = runs_frame(rows, overrides, converters)
                if self.store is not None:
                    self.store.append(frame)
                self.finished += len(frame)
                self._report()
                yield frame
        finally:
            close = getattr(results, "close", None)
            if close is not None:
                close()

    def _report(self) -> None:
        if self.progress is not None:
            self.progress(self.finished, self.planned)


@contextmanager
def stored_batches(
    folder: Path | None,
    manifest: dict[str, Any],
    executor: Executor | str | None,
    workers: int | None,
    client: Client | str | None,
    resume: bool,
    force: bool,
    progress: Progress | None,
    chunk: int | None,
    by_segment: tuple[tuple[str, str], ...] = (),
) -> Iterator[Batches]:
    """Batches on the executor asked for, stored in ``folder`` (when there is one).

    The folder is checked before any worker starts, so a refused folder costs nothing; an
    executor made here (asked for by name or by default) is closed here, whatever happens.
    """
    if folder is not None:
        ResultsStore.check(folder, manifest, resume, force)
    runner = make_executor(executor, workers, client)
    try:
        results_store = ResultsStore.open(folder, manifest, resume, force) if folder else None
        yield Batches(runner, results_store, progress, chunk, by_segment)
    finally:
        if executor is None or isinstance(executor, str):
            runner.close()
