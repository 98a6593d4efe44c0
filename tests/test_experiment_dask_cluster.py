"""A real Dask cluster: a `dask scheduler` and two `dask worker` processes on 127.0.0.1.

The sweep goes through the scheduler's address, one worker is killed part way, and the table
is still the serial one, bit for bit.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import servsim
from tests.sweep_helpers import assert_same_table, write_experiment

STARTUP_SECONDS = 60


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a process and everything it started (its own process group)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _start(arguments: list[str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as output:
        return subprocess.Popen(
            [sys.executable, "-m", *arguments],
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped with all its children
        )


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[tuple[str, list[subprocess.Popen[bytes]]]]:
    """A scheduler and two single-threaded workers; always stopped, whatever the test does."""
    pytest.importorskip("distributed")
    from distributed import Client

    scheduler_file = tmp_path / "scheduler.json"
    processes = [
        _start(
            [
                "distributed.cli.dask_scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--no-dashboard",
                "--scheduler-file",
                str(scheduler_file),
            ],
            tmp_path / "scheduler.log",
        )
    ]
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not scheduler_file.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        address = json.loads(scheduler_file.read_text())["address"]
        for number in range(2):
            processes.append(
                _start(
                    [
                        "distributed.cli.dask_worker",
                        address,
                        "--host",
                        "127.0.0.1",
                        "--nthreads",
                        "1",
                        "--nworkers",
                        "1",
                        "--no-dashboard",
                        "--name",
                        f"worker-{number}",
                    ],
                    tmp_path / f"worker-{number}.log",
                )
            )
        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=STARTUP_SECONDS)
        yield address, processes
    finally:
        for process in reversed(processes):
            _stop(process)


def test_a_sweep_on_a_dask_scheduler_survives_a_dead_worker(
    cluster: tuple[str, list[subprocess.Popen[bytes]]], tmp_path: Path
) -> None:
    address, processes = cluster
    path = write_experiment(tmp_path)
    serial = servsim.sweep(path, executor="serial", out=tmp_path / "serial")
    killed = []

    def kill_a_worker_after_the_first_chunk(done: int, total: int) -> None:
        if not killed:
            os.killpg(processes[2].pid, signal.SIGKILL)  # the worker and its nanny: gone
            killed.append(done)

    on_cluster = servsim.sweep(
        path,
        client=address,
        chunk=2,
        out=tmp_path / "cluster",
        progress=kill_a_worker_after_the_first_chunk,
    )
    assert killed and killed[0] < len(serial.runs)
    assert processes[2].wait(timeout=10) is not None
    assert_same_table(on_cluster.runs, serial.runs)
    assert_same_table(on_cluster.summary, serial.summary)
