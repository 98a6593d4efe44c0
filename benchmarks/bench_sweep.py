"""Wall time and speed-up of a sweep of 200 short runs: serial, local processes, Dask.

Not a test: run it by hand on an idle machine.

    python benchmarks/bench_sweep.py                       # 20 points x 10 replications
    python benchmarks/bench_sweep.py --workers 4 --horizon 60d
    python benchmarks/bench_sweep.py --repeat 3     # three interleaved rounds; medians

The sweep is the web shop with ``--horizon`` days (a few thousand orders a run), 20 points of
staff x stock x promise, 10 replications each. Every executor runs in a fresh process; the
figures are the wall time of ``servsim.sweep`` end to end (starting the workers included) and,
for Dask, also with a cluster already started and warm (servsim imported on the workers), as a
long-lived cluster would be. CPU is the processor time of the executor's whole process tree
(interpreter start and imports included): it shows what an executor costs beyond the runs even
when the machine's wall clock wanders. Every executor must give the same table: its hash is
printed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MODES = ("serial", "processes", "dask", "dask-warm")


def experiment(horizon: str) -> dict[str, Any]:
    """20 points x 10 replications = 200 runs of the web shop, shortened."""
    import servsim

    scenario = servsim.load_scenario(ROOT / "scenarios" / "webshop.yaml").with_overrides(
        {"horizon": horizon, "warmup": "2d"}
    )
    return {
        "name": "benchmark sweep",
        "scenario": scenario,
        "parameters": {
            "processing.staff": [2, 3, 4, 5, 6],
            "stocking.items.A.r": [640, 740],
            "delivery.promise": ["24h", "48h"],
        },
        "replications": 10,
        "seed": 1,
    }


def measure(mode: str, workers: int, horizon: str) -> dict[str, Any]:
    """Time one sweep in this process with the executor named by ``mode``."""
    import servsim
    from servsim.experiment.executors import DaskExecutor

    sweep = servsim.load_experiment(experiment(horizon))
    started = time.perf_counter()
    if mode == "dask-warm":
        executor = DaskExecutor(workers=workers)
        executor.client.run(lambda: __import__("servsim.experiment.work"))  # warm the workers
        started = time.perf_counter()
        results = servsim.sweep(sweep, executor=executor)
        seconds = time.perf_counter() - started
        executor.close()
    else:
        results = servsim.sweep(sweep, executor=mode, workers=workers)
        seconds = time.perf_counter() - started
    table = results.runs.to_csv(index=False).encode()
    return {
        "mode": mode,
        "runs": len(results.runs),
        "seconds": seconds,
        "table_hash": hashlib.sha256(table).hexdigest()[:16],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--horizon", default="30d", help="simulated time of each run")
    parser.add_argument(
        "--repeat", type=int, default=1, help="rounds of every executor, interleaved; medians"
    )
    parser.add_argument("--mode", choices=MODES, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.mode:  # a child: measure one mode and report it as JSON
        print(json.dumps(measure(arguments.mode, arguments.workers, arguments.horizon)))
        return
    rounds: list[list[dict[str, Any]]] = []
    for _ in range(arguments.repeat):  # interleaved: a slow spell of the machine hits every mode
        rounds.append([])
        for mode in MODES:
            command = [sys.executable, __file__, "--mode", mode]
            command += ["--workers", str(arguments.workers), "--horizon", arguments.horizon]
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            figures = json.loads(output.strip().splitlines()[-1])
            # CPU of the child and every process it started (reaped): what the work cost,
            # whatever share of the machine the rest of the world left it
            figures["cpu"] = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
            rounds[-1].append(figures)
    figures = rounds[0]
    print(f"{figures[0]['runs']} runs of {arguments.horizon}, {arguments.workers} workers")
    print(f"{'executor':<12}{'wall time':>12}{'speed-up':>10}{'CPU':>9}  per round  table")
    for index, mode in enumerate(MODES):
        seconds = [round_[index]["seconds"] for round_ in rounds]
        speed_ups = [round_[0]["seconds"] / round_[index]["seconds"] for round_ in rounds]
        cpu = statistics.median(round_[index]["cpu"] for round_ in rounds)
        each = " ".join(f"{value:.2f}" for value in speed_ups)
        print(
            f"{mode:<12}{statistics.median(seconds):>11.2f}s"
            f"{statistics.median(speed_ups):>9.2f}x{cpu:>8.1f}s  {each}  "
            f"{rounds[0][index]['table_hash']}"
        )
    figures = [figure for round_ in rounds for figure in round_]
    if len({figure["table_hash"] for figure in figures}) != 1:
        sys.exit("the executors gave different tables")


if __name__ == "__main__":
    main()
