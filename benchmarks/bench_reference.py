"""servsim against a hand-written SimPy model of the same order flow, back to back.

Not a test: run it by hand on an idle machine.

    python benchmarks/bench_reference.py --reference PATH/simpy_reference.py
    python benchmarks/bench_reference.py --orders 1000000 --repeat 3 --reference ...

``benchmarks/reference_flow.yaml`` is the yardstick's flow written as a servsim scenario
(Poisson orders of one unit, base stock 30 with a constant 2 h lead time, three FIFO clerks,
lognormal transit). Each round runs servsim (``servsim.simulate``-equivalent: build, run, log
and every KPI) and then, when ``--reference`` names it, the hand-written model, each in a fresh
process so peak memory is its own; rounds alternate so both see the same machine. It prints
orders per second of each, their ratio (servsim / reference: 1.0 or more is as fast), the mean
cycle time of each (they must agree: the same flow) and peak memory per order.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "benchmarks" / "reference_flow.yaml"


def measure(orders: int, seed: int) -> dict[str, float]:
    """One replication of about ``orders`` orders in this process, KPIs included."""
    import servsim
    from servsim.kpis.metrics import compute_kpis
    from servsim.model import run_replication

    base = servsim.load_scenario(SCENARIO)
    rate = base.demand.segments[next(iter(base.demand.segments))].arrivals.rate
    scenario = base.with_overrides({"horizon": orders / rate, "seed": seed})
    began = time.perf_counter()
    log = run_replication(scenario, replication=0)
    kpis = compute_kpis(log, scenario)
    seconds = time.perf_counter() - began
    count = len(log.orders)
    return {
        "orders": count,
        "seconds": seconds,
        "orders_per_s": count / seconds,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "mean_cycle_h": float(kpis["cycle_mean"]),
    }


def child(command: list[str]) -> dict[str, float]:
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="rounds; medians are shown")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reference", type=Path, help="the hand-written SimPy model's script")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        print(json.dumps(measure(arguments.orders, arguments.seed)))
        return
    ours = [sys.executable, __file__, "--child", "--orders", str(arguments.orders)]
    ours += ["--seed", str(arguments.seed)]
    rounds: dict[str, list[dict[str, float]]] = {"servsim": [], "reference": []}
    for _ in range(arguments.repeat):
        rounds["servsim"].append(child(ours))
        if arguments.reference is not None:
            theirs = [sys.executable, str(arguments.reference), "--orders", str(arguments.orders)]
            rounds["reference"].append(child([*theirs, "--seed", str(arguments.seed)]))
    medians = {}
    for name, runs in rounds.items():
        if not runs:
            continue
        speed = statistics.median(run["orders_per_s"] for run in runs)
        peak = statistics.median(run["peak_mb"] for run in runs)
        medians[name] = speed
        print(
            f"{name:9} {speed:>10,.0f} orders/s (rounds {min(r['orders_per_s'] for r in runs):,.0f}"
            f"-{max(r['orders_per_s'] for r in runs):,.0f}), mean cycle "
            f"{runs[0]['mean_cycle_h']:.3f} h, peak {peak:,.0f} MB "
            f"({peak * 1048576 / runs[0]['orders']:,.0f} B/order)"
        )
    if "reference" in medians:
        print(f"ratio servsim / reference: {medians['servsim'] / medians['reference']:.2f}")


if __name__ == "__main__":
    main()
