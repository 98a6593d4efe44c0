"""Executors: every item once, whatever the order, and a dead worker's items sent again."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from servsim.experiment.executors import (
    DaskExecutor,
    ProcessExecutor,
    SerialExecutor,
    make_executor,
)
from servsim.experiment.work import LARGEST_CHUNK, chunk_sizes


def square(number: int) -> int:
    return number * number


def die_once(item: tuple[int, str]) -> int:
    """Kill the worker process the first time item 3 comes, as a crashed machine would."""
    number, marker = item
    if number == 3 and not os.path.exists(marker):
        Path(marker).write_text("died here once")
        os._exit(1)
    return number * number


def always_die(item: int) -> int:
    os._exit(1)


def test_serial_executor_maps_in_order() -> None:
    assert list(SerialExecutor().map_unordered(square, [1, 2, 3])) == [(1, 1), (2, 4), (3, 9)]


def test_process_executor_returns_every_item_once() -> None:
    executor = ProcessExecutor(workers=2)
    try:
        results = dict(executor.map_unordered(square, list(range(20))))
    finally:
        executor.close()
    assert results == {number: number * number for number in range(20)}


def test_a_worker_that_dies_mid_run_has_its_items_sent_again(tmp_path: Path) -> None:
    marker = str(tmp_path / "died")
    items = [(number, marker) for number in range(8)]
    executor = ProcessExecutor(workers=2)
    try:
        results = list(executor.map_unordered(die_once, items))
    finally:
        executor.close()
    assert os.path.exists(marker)  # a worker really died
    assert sorted(number for (number, _), _ in results) == list(range(8))  # each item once
    assert all(result == number * number for (number, _), result in results)


def servsim_imported(_: object = None) -> bool:
    return "servsim.experiment.work" in sys.modules


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux")
def test_a_local_dask_cluster_forks_workers_that_have_servsim_imported_and_replaces_the_dead(
    tmp_path: Path,
) -> None:
    executor = DaskExecutor(workers=2)
    try:
        before = executor.client.run(servsim_imported)
        parents = set(executor.client.run(os.getppid).values())
        marker = str(tmp_path / "died")
        items = [(number, marker) for number in range(8)]
        results = list(executor.map_unordered(die_once, items))
        executor.client.wait_for_workers(2, timeout=60)  # the nanny started a new one
        after = executor.client.run(square, 7)
    finally:
        executor.close()
    assert list(before.values()) == [True, True]  # forked from here: nothing to import
    assert parents == {os.getpid()}
    assert os.path.exists(marker)  # a worker really died; its replacement is spawned fresh
    assert sorted(number for (number, _), _ in results) == list(range(8))
    assert all(result == number * number for (number, _), result in results)
    assert list(after.values()) == [49, 49]


def test_workers_that_keep_dying_end_in_a_clear_error() -> None:
    executor = ProcessExecutor(workers=1, restarts=1)
    try:
        with pytest.raises(RuntimeError, match="worker processes died 2 times"):
            list(executor.map_unordered(always_die, [1, 2]))
    finally:
        executor.close()


def test_executors_by_name() -> None:
    assert isinstance(make_executor("serial"), SerialExecutor)
    assert isinstance(make_executor(None, workers=1), SerialExecutor)
    processes = make_executor(None, workers=3)
    assert isinstance(processes, ProcessExecutor) and processes.workers == 3
    assert make_executor(None).workers == (os.cpu_count() or 1)
    with pytest.raises(ValueError, match="allowed: serial, processes, dask"):
        make_executor("threads")


@pytest.mark.parametrize(
    ("runs", "workers", "first"), [(1, 2, 1), (36, 2, 3), (200, 2, 13), (10_000, 8, 50)]
)
def test_chunks_are_a_few_per_worker_and_shrink_toward_the_end(
    runs: int, workers: int, first: int
) -> None:
    sizes = chunk_sizes(runs, workers)
    assert sum(sizes) == runs
    assert sizes[0] == first  # a few chunks per worker, none above LARGEST_CHUNK
    assert max(sizes) <= LARGEST_CHUNK
    assert sizes == sorted(sizes, reverse=True)
    assert sizes[-1] == 1  # the last chunk is one run: no worker waits long for another


BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
KPIS_OF_A_LONG_RUN = """
import json, servsim
from servsim.kpis.metrics import compute_kpis
from servsim.model import run_replication
scenario = servsim.load_scenario("scenarios/webshop.yaml").with_overrides(
    {"horizon": "30d", "warmup": "2d", "processing.staff": 2, "delivery.promise": "24h"}
)
kpis = compute_kpis(run_replication(scenario, 0, seed=1), scenario)
print(json.dumps({name: repr(value) for name, value in kpis.items()}))
"""


def test_kpis_do_not_depend_on_how_many_threads_blas_may_use() -> None:
    """Dask workers allow BLAS one thread; a long np.dot split over two differs in its last bits.

    Regression: cost_holding differed between a Dask cluster and local processes.
    """
    root = Path(__file__).resolve().parent.parent
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", KPIS_OF_A_LONG_RUN],
            cwd=root,
            env={**os.environ, **{name: threads for name in BLAS_THREADS}},
            stdout=subprocess.PIPE,
            text=True,
        )
        for threads in ("1", "2")
    ]
    one, two = (json.loads(process.communicate(timeout=120)[0]) for process in processes)
    assert one == two
