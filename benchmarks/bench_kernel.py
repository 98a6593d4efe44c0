"""Orders simulated per second on the example scenarios, and peak memory.

Not a test: run it by hand on an idle machine.

    python benchmarks/bench_kernel.py                 # 1,000,000 orders, both scenarios
    python benchmarks/bench_kernel.py --orders 250000 500000 1000000   # linearity
    python benchmarks/bench_kernel.py --scenario garden --repeat 5      # one scenario, 5 runs
    python benchmarks/bench_kernel.py --history       # a replayed history against Poisson
    python benchmarks/bench_kernel.py --scenario webshop --horizon 5d --orders 150000
                                                      # short runs: milliseconds per run

For each scenario (the simple web shop, and the richest example: garden_exceptional) and
size it simulates one replication with the horizon stretched to hold that many orders (no
warm-up) or, for a scenario whose customers may defect (a stretched horizon would empty its
customer base), as many replications as written as it takes to reach that many; it
reports wall time of the kernel (build + run + log), of the KPIs, orders per
second, and peak memory of a fresh process: the median of ``--repeat`` runs. With
``--horizon`` every replication runs that long (no warm-up), as a sweep's short runs do, and
the milliseconds of the kernel and of the KPIs per replication are printed too.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = {
    "webshop": ROOT / "scenarios" / "webshop.yaml",
    # the web shop's demand as a fixed stream (customers: none): the yardstick of
    # orders per second and bytes per order, stretched to any size
    "webshop-bare": ROOT / "scenarios" / "webshop.yaml",
    # the richest example: two segments with tiers, an hourly profile, multi-line orders,
    # shift calendars (event-driven clerk pool), two carrier modes with damage, and after the
    # sale: notices, complaints, returns, installation, warranty, customer bases that defect
    "garden": ROOT / "scenarios" / "garden_exceptional.yaml",
    # a central DC and three regional warehouses: echelons, transshipment, legs, a supplier
    # that is sometimes late
    "network": ROOT / "scenarios" / "network.yaml",
    # the same demand, customers and carrier served from one stock point (the yardstick of
    # the network's speed)
    "network-one": ROOT / "scenarios" / "network.yaml",
}
ONE_LOCATION = {
    "network": None,
    "stocking.items": {
        "A": {"policy": "base_stock", "S": 170, "lead_time": "7d"},
        "B": {"policy": "base_stock", "S": 80, "lead_time": "7d"},
    },
}
"""network-one: the network example without its network."""
VARIANTS: dict[str, dict[str, object]] = {
    "network-one": ONE_LOCATION,
    "webshop-bare": {"demand.customers": "none"},
}
"""Scenarios measured as another with overrides."""


def measure(orders: int, name: str, horizon: str | None = None) -> dict[str, float]:
    """Simulate about ``orders`` orders in this process and time each step (``horizon``:
    replications that long, as many as it takes)."""
    import servsim
    from servsim.kpis.metrics import compute_kpis
    from servsim.model import run_replication

    base = servsim.load_scenario(SCENARIOS[name])
    if name in VARIANTS:
        base = base.with_overrides(VARIANTS[name])
    from servsim.scenario.demand import customer_base

    segments = base.demand.segments.values()
    if horizon is not None:
        scenario, replications = (
            base.with_overrides({"horizon": horizon, "warmup": 0}),
            range(10**6),
        )
    elif any(customer_base(segment) is not None for segment in segments):
        scenario, replications = base, range(10**6)
    else:
        stretched = orders / sum(segment.arrivals.rate for segment in segments)
        scenario, replications = base.with_overrides({"horizon": stretched, "warmup": 0}), range(1)
    count, kernel, kpis, runs = 0, 0.0, 0.0, 0
    for replication in replications:
        runs += 1
        started = time.perf_counter()
        log = run_replication(scenario, replication=replication)
        simulated = time.perf_counter()
        compute_kpis(log, scenario)
        kernel += simulated - started
        kpis += time.perf_counter() - simulated
        count += len(log.tables.orders)  # the table: a DataFrame only when asked for
        if count >= orders:
            break
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "orders": count,
        "kernel_seconds": kernel,
        "kpi_seconds": kpis,
        "orders_per_second": count / kernel,
        "orders_per_second_with_kpis": count / (kernel + kpis),
        "peak_memory_mib": peak_kib / 1024,
        "runs": runs,
    }


def measure_history(orders: int, folder: Path) -> dict[str, float]:
    """Replay a history of about ``orders`` single-line orders through the web shop, and the
    web shop's Poisson stream of the same size (both fixed streams: no customer base): kernel
    seconds of each (``history`` and ``poisson``) and the seconds to load the history (read
    the Parquet file, parse, group into orders)."""
    import numpy as np
    import pandas as pd

    import servsim
    from servsim.model import run_replication

    base = servsim.load_scenario(SCENARIOS["webshop"])
    rate = 12.0
    horizon = orders / rate
    rng = np.random.default_rng(1)
    hours = np.sort(rng.uniform(0, horizon, orders))
    frame = pd.DataFrame(
        {
            "placed": pd.Timestamp("2024-01-01") + pd.to_timedelta(hours, unit="h"),
            "order": np.arange(orders),
            "sku": np.where(rng.uniform(size=orders) < 0.7, "A", "B"),
            "quantity": rng.poisson(1.2, orders).clip(1),
        }
    )
    path = folder / "orders.parquet"
    frame.to_parquet(path)
    document = base.model_dump(mode="json", by_alias=True)
    document["demand"] = {"history": str(path)}
    document.update(horizon=float(np.floor(horizon / 24) * 24), warmup=0, replications=1)
    started = time.perf_counter()
    replayed = servsim.load_scenario(_written(document, folder))
    loading = time.perf_counter() - started
    # the Poisson stream as a fixed stream too (customers: none), as a history is
    poisson = base.with_overrides(
        {"horizon": replayed.horizon, "warmup": 0, "demand.customers": "none"}
    )
    timings = {"load_seconds": loading}
    for name, scenario in (("history", replayed), ("poisson", poisson)):
        started = time.perf_counter()
        log = run_replication(scenario, replication=0)
        timings[f"{name}_seconds"] = time.perf_counter() - started
        timings[f"{name}_orders"] = len(log.orders)
    return timings


def _written(document: dict[str, object], folder: Path) -> Path:
    import yaml

    path = folder / "scenario.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--repeat", type=int, default=3, help="runs per size; the median is shown")
    parser.add_argument("--scenario", choices=list(SCENARIOS), nargs="+", default=list(SCENARIOS))
    parser.add_argument("--horizon", help="replications of this length (5d): short runs")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--history", action="store_true", help="replay a history of --orders lines vs Poisson"
    )
    arguments = parser.parse_args()
    if arguments.history:
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            row = measure_history(arguments.orders[0], Path(folder))
        print(
            f"history of {row['history_orders']:,.0f} orders: loaded in "
            f"{row['load_seconds']:.2f} s, replayed in {row['history_seconds']:.2f} s; "
            "Poisson stream of "
            f"{row['poisson_orders']:,.0f} orders: {row['poisson_seconds']:.2f} s"
        )
        return
    if arguments.child:
        print(json.dumps(measure(arguments.orders[0], arguments.scenario[0], arguments.horizon)))
        return
    print(
        f"{'scenario':>12} {'orders':>10} {'kernel s':>9} {'KPIs s':>7} {'orders/s':>10} "
        f"{'with KPIs':>10} {'peak MiB':>9} {'B/order':>8} {'us/order':>9}"
    )
    for name in arguments.scenario:
        for size in arguments.orders:
            row = _median_run(name, size, arguments.repeat, arguments.horizon)
            print(
                f"{name:>12} {row['orders']:>10,} {row['kernel_seconds']:>9.2f} "
                f"{row['kpi_seconds']:>7.2f} {row['orders_per_second']:>10,.0f} "
                f"{row['orders_per_second_with_kpis']:>10,.0f} "
                f"{row['peak_memory_mib']:>9.0f} "
                f"{row['peak_memory_mib'] * 2**20 / row['orders']:>8,.0f} "
                f"{1e6 / row['orders_per_second']:>9.2f}"
            )
            if arguments.horizon:
                print(
                    f"{'':>12} {row['runs']:,} runs of {arguments.horizon}: kernel "
                    f"{1e3 * row['kernel_seconds'] / row['runs']:.1f} ms, KPIs "
                    f"{1e3 * row['kpi_seconds'] / row['runs']:.2f} ms per run"
                )


def _median_run(name: str, size: int, repeat: int, horizon: str | None) -> dict[str, float]:
    """The run with the median kernel time; each in a fresh process, so peak memory is its own."""
    command = [sys.executable, __file__, "--child", "--orders", str(size), "--scenario", name]
    command += ["--horizon", horizon] if horizon else []
    runs = [
        json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
        for _ in range(repeat)
    ]
    return sorted(runs, key=lambda run: run["kernel_seconds"])[len(runs) // 2]


if __name__ == "__main__":
    main()
