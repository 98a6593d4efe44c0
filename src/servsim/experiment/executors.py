"""Where runs happen: in this process, in local worker processes, or on a Dask cluster.

Each executor maps a function over items and hands back (item, result) pairs as they complete;
the order of completion never matters, because results are sorted before they are stored.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import (
    FIRST_COMPLETED,
    Future,
    ProcessPoolExecutor,
    wait,
)
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from servsim.core.errors import Problem, ScenarioError

if TYPE_CHECKING:
    from distributed import Client, LocalCluster

Item = TypeVar("Item")
Result = TypeVar("Result")


class Executor(Protocol):
    """Runs work somewhere; ``workers`` says how many items it can work on at once."""

    workers: int

    def map_unordered(
        self, function: Callable[[Item], Result], items: Sequence[Item]
    ) -> Iterator[tuple[Item, Result]]:
        """Apply ``function`` to every item; yield each item with its result as it completes."""
        ...

    def close(self) -> None:
        """Release the workers (cancelling what has not started)."""
        ...


class SerialExecutor:
    """Everything in this process, one item after another: simplest to debug."""

    workers = 1

    def map_unordered(
        self, function: Callable[[Item], Result], items: Sequence[Item]
    ) -> Iterator[tuple[Item, Result]]:
        """Apply ``function`` to each item in turn."""
        for item in items:
            yield item, function(item)

    def close(self) -> None:
        """Nothing to release."""

    def __repr__(self) -> str:
        return "SerialExecutor()"


class ProcessExecutor:
    """Local worker processes (every core by default); a pool whose worker died is replaced."""

    def __init__(self, workers: int | None = None, restarts: int = 3) -> None:
        self.workers = workers or os.cpu_count() or 1
        self.restarts = restarts
        self._pool: ProcessPoolExecutor | None = None

    def _running_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers, initializer=exit_with_parent, initargs=(os.getpid(),)
            )
        return self._pool

    def map_unordered(
        self, function: Callable[[Item], Result], items: Sequence[Item]
    ) -> Iterator[tuple[Item, Result]]:
        """Apply ``function`` in the pool; items lost with a dead worker are sent again."""
        missing = dict(enumerate(items))
        restarts = 0
        while missing:
            pool = self._running_pool()
            futures: dict[Future[Result], int] = {
                pool.submit(function, item): key for key, item in missing.items()
            }
            try:
                yield from _as_completed(futures, missing)
            except BrokenProcessPool:
                restarts += 1
                self._discard_pool()
                if restarts > self.restarts:
                    raise RuntimeError(
                        f"worker processes died {restarts} times; giving up "
                        f"({len(missing)} items not done)"
                    ) from None
            finally:
                for future in futures:
                    future.cancel()

    def _discard_pool(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def close(self) -> None:
        """Stop the workers once the items already running are done."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __repr__(self) -> str:
        return f"ProcessExecutor(workers={self.workers})"


PARENT_POLL = 0.5
"""Seconds between a worker's checks that the process that started it is alive."""


def exit_with_parent(parent: int) -> None:
    """In a worker process: exit as soon as ``parent`` (the sweep's process) is gone.

    A parent killed with SIGKILL cannot stop its pool, and the workers would keep computing
    runs nobody will store. A daemon thread notices within PARENT_POLL seconds, whatever the
    worker is doing (a run is Python code, which lets the thread in), and ends the process.
    """
    if os.name != "posix":  # pragma: no cover - os.kill(pid, 0) would signal on Windows
        return
    started_by = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(PARENT_POLL)
            if os.getppid() != started_by or not _alive(parent):
                os._exit(1)

    threading.Thread(target=watch, name="servsim-exit-with-parent", daemon=True).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - alive, another user's (a reused pid)
        return True
    return True


def _as_completed(
    futures: dict[Future[Result], int], missing: dict[int, Any]
) -> Iterator[tuple[Any, Result]]:
    """Yield finished futures' items and results; results already in survive a broken pool."""
    waiting = set(futures)
    while waiting:
        done, waiting = wait(waiting, return_when=FIRST_COMPLETED)
        broken = None
        for future in done:
            error = future.exception()
            if isinstance(error, BrokenProcessPool):
                broken = error
                continue
            key = futures[future]
            result = future.result()
            yield missing.pop(key), result
        if broken is not None:
            for future in list(waiting):
                if future.done() and future.exception() is None:
                    key = futures[future]
                    yield missing.pop(key), future.result()
            raise broken


QUIET_WORKERS = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.worker.memory.monitor-interval": "1s",
    # Dask sets MALLOC_TRIM_THRESHOLD_=65536 in its workers, so glibc hands memory back to
    # the system after every large free; a run allocates and frees its log arrays over and
    # over, and paid for it with page faults (runs took 15-20% longer than in a plain process)
    "distributed.nanny.pre-spawn-environ": {
        "OMP_NUM_THREADS": 1,
        "MKL_NUM_THREADS": 1,
        "OPENBLAS_NUM_THREADS": 1,
    },
}
"""Dask settings for the workers servsim starts itself: runs hold the GIL for seconds, and
every wake-up of a worker's event loop (the profiler every 10 ms, the blocked-loop tick every
20 ms, the memory monitor every 100 ms) takes it from them.

Where it can, the LocalCluster forks its workers from this process instead of spawning fresh
interpreters: a forked worker starts with servsim, numpy and pandas already imported, so two
workers are up in 0.2 s instead of 3-3.5 s (about 8% of a 200-run sweep on two cores)."""


class DaskExecutor:
    """A Dask cluster: an existing scheduler (client or address) or a LocalCluster started here.

    Dask itself sends the work of a worker that died to another worker.
    """

    def __init__(
        self,
        client: Client | str | None = None,
        workers: int | None = None,
        connect_timeout: str = "10s",
    ) -> None:
        from distributed import Client

        self._cluster: LocalCluster | None = None
        self._own_client = not isinstance(client, Client)
        if isinstance(client, Client):
            self.client = client
        elif isinstance(client, str):
            try:
                self.client = Client(client, timeout=connect_timeout)
            except (OSError, ValueError) as error:
                message = f"cannot reach the Dask scheduler at {client} ({error}); is it running?"
                raise ScenarioError([Problem(None, None, "", message)]) from None
        else:
            self._cluster = _local_cluster(workers or os.cpu_count() or 1)
            self.client = Client(self._cluster)
        self.workers = workers or max(1, sum(self.client.nthreads().values()))

    def map_unordered(
        self, function: Callable[[Item], Result], items: Sequence[Item]
    ) -> Iterator[tuple[Item, Result]]:
        """Submit every item; yield them as the cluster finishes them."""
        from distributed import as_completed

        waiting = list(items)
        futures = [self.client.submit(function, item, pure=False) for item in waiting]
        index = {future.key: position for position, future in enumerate(futures)}
        try:
            for future in as_completed(futures):
                yield waiting[index[future.key]], future.result()
        finally:
            self.client.cancel([future for future in futures if not future.done()])

    def close(self) -> None:
        """Disconnect; a LocalCluster started here is shut down."""
        if self._own_client:
            self.client.close()
        if self._cluster is not None:
            self._cluster.close()

    def __repr__(self) -> str:
        return f"DaskExecutor({self.client.scheduler.address}, workers={self.workers})"


def make_executor(
    executor: Executor | str | None = None,
    workers: int | None = None,
    client: Client | str | None = None,
) -> Executor:
    """The executor asked for: an instance as is, or by name: serial, processes, dask."""
    if executor is not None and not isinstance(executor, str):
        return executor
    if executor is None:
        executor = "dask" if client is not None else "serial" if workers == 1 else "processes"
    if executor == "serial":
        return SerialExecutor()
    if executor == "processes":
        return ProcessExecutor(workers)
    if executor == "dask":
        return DaskExecutor(client, workers)
    raise ValueError(f"unknown executor {executor!r}; allowed: serial, processes, dask")


def _local_cluster(workers: int) -> LocalCluster:
    """A LocalCluster of single-threaded worker processes, quiet, forked where possible."""
    import dask
    from distributed import LocalCluster

    settings = dict(QUIET_WORKERS)
    if _can_fork():
        settings["distributed.worker.multiprocessing-method"] = "fork"
    with dask.config.set(settings), _ctrl_c_left_to_this_process():
        return LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.CRITICAL,  # a worker that loses its scheduler as a stopped
            # sweep shuts the cluster down logs a 30-line ERROR; failed runs reach us anyway
        )


@contextmanager
def _ctrl_c_left_to_this_process() -> Iterator[None]:
    """Start worker processes that ignore Ctrl-C: the terminal sends SIGINT to every process
    of the command, and each Dask worker would print its own traceback (about 45 lines); this
    process alone stops the sweep, says what is kept, and shuts the cluster down.

    A forked worker keeps the handler that only notes the signal; a spawned one inherits an
    ignored SIGINT (Python keeps a SIGINT its parent ignores). A Ctrl-C while the cluster
    starts is noted and raised here once it has started, so it is never lost.
    """
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set signal handlers; workers then behave as before
        return
    noted: list[int] = []

    def note(signum: int, frame: Any) -> None:
        noted.append(signum)

    previous = signal.signal(signal.SIGINT, note if _can_fork() else signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if noted:
        raise KeyboardInterrupt


def _can_fork() -> bool:
    """Fork on Linux; macOS's system libraries are not safe to use after a fork."""
    return sys.platform.startswith("linux")
