"""Sending runs to an executor in chunks and storing each chunk the moment it completes.

Shared by the sweep and the optimizer: both plan tasks, and both need every completed run kept
in the results store (so ``--resume`` skips it) and counted for the progress bar.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from filelock import FileLock, Timeout

from servsim.core.errors import Problem, ScenarioError
from servsim.core.folders import folder_problem
from servsim.experiment.design import Task
from servsim.experiment.executors import Executor, make_executor
from servsim.experiment.store import LOCK, ResultsStore
from servsim.experiment.tables import runs_frame
from servsim.experiment.work import chunk_sizes, chunked, run_chunk
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
        sizes = [self.chunk] if self.chunk else chunk_sizes(len(needed), self.runner.workers)
        chunks = chunked(needed, scenarios, sizes, self.by_segment)
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
    named_at: tuple[str | None, int | None] | None = None,
) -> Iterator[Batches]:
    """Batches on the executor asked for, stored in ``folder`` (when there is one).

    The folder is checked before any worker starts, so a refused folder costs nothing: that
    it can be written, that no other sweep writes it now (an OS lock held to the end, released
    by the system if this process dies), and what it holds. An executor made here (asked for
    by name or by default) is closed here, whatever happens. ``named_at`` (file, line) is where
    the experiment file names the folder, for a problem with it.
    """
    with ExitStack() as stack:
        if folder is not None:
            stack.enter_context(writing(folder, named_at))
            ResultsStore.check(folder, manifest, resume, force)
        runner = make_executor(executor, workers, client)
        if executor is None or isinstance(executor, str):
            stack.callback(runner.close)
        results_store = ResultsStore.open(folder, manifest, resume, force) if folder else None
        yield Batches(runner, results_store, progress, chunk, by_segment)


@contextmanager
def writing(folder: Path, named_at: tuple[str | None, int | None] | None = None) -> Iterator[None]:
    """Hold the results folder for one writer: checked writable, then locked (an OS file
    lock); a second writer is refused in one line."""
    problem = folder_problem(folder)
    if problem is not None:
        if named_at is not None:  # the experiment file's out: line, and the folder it names
            file, line = named_at
            raise ScenarioError([Problem(file, line, "out", f"{str(folder)[:80]!r}: {problem}")])
        raise ScenarioError([Problem(str(folder)[:200], None, "", problem)])
    lock = FileLock(folder / LOCK, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        message = (
            "another servsim sweep or search is writing to this folder now; wait for it to "
            "finish, or choose another out: (--out)"
        )
        raise ScenarioError([Problem(str(folder), None, "", message)]) from None
    try:
        yield
    finally:
        lock.release()
