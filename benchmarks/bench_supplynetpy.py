"""servsim against SupplyNetPy 0.5.1 on SupplyNetPy's simplest network, back to back.

Not a test: run it by hand on an idle machine.

    python benchmarks/bench_supplynetpy.py                 # ten years, 3 alternating rounds
    python benchmarks/bench_supplynetpy.py --days 365 --repeat 5

SupplyNetPy is not a dependency of servsim: the first run makes its own virtual environment
(``benchmarks/.supplynetpy-venv``, ``pip install supplynetpy==0.5.1``) and runs
``benchmarks/supplynetpy_model.py`` there. servsim runs ``benchmarks/supplynetpy_retailer.yaml``,
the same model (one retailer, (s, S) = (40, 100), 2-day lead time, lost sales, 20 orders a
day), build, run and every KPI included. Each side runs in a fresh process, alternating. It
prints orders per second of each, the ratio, and the unit fill rate of each (the same model:
they must agree within noise).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
VENV = HERE / ".supplynetpy-venv"
PYTHON = VENV / "bin" / "python"
SCENARIO = HERE / "supplynetpy_retailer.yaml"


def ensure_supplynetpy() -> None:
    """SupplyNetPy in its own virtual environment, made once."""
    if PYTHON.exists():
        return
    subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    pip = [str(PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "supplynetpy==0.5.1"], check=True)


def measure(days: float, seed: int) -> dict[str, float]:
    """servsim's side, in this process."""
    import servsim
    from servsim.kpis.metrics import compute_kpis
    from servsim.model import run_replication

    scenario = servsim.load_scenario(SCENARIO).with_overrides({"horizon": days, "seed": seed})
    began = time.perf_counter()
    log = run_replication(scenario, replication=0)
    kpis = compute_kpis(log, scenario)
    seconds = time.perf_counter() - began
    return {"orders": len(log.orders), "seconds": seconds, "fill": float(kpis["unit_fill_rate"])}


def child(command: list[str]) -> dict[str, float]:
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, default=3650.0)
    parser.add_argument("--repeat", type=int, default=3, help="rounds; medians are shown")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        print(json.dumps(measure(arguments.days, arguments.seed)))
        return
    ensure_supplynetpy()
    ours = [sys.executable, __file__, "--child", "--days", str(arguments.days)]
    theirs = [str(PYTHON), str(HERE / "supplynetpy_model.py"), str(arguments.days)]
    rounds: dict[str, list[dict[str, float]]] = {"servsim": [], "SupplyNetPy": []}
    for round_ in range(arguments.repeat):
        seed = str(arguments.seed + round_)
        rounds["servsim"].append(child([*ours, "--seed", seed]))
        rounds["SupplyNetPy"].append(child([*theirs, seed]))
    speed = {}
    for name, runs in rounds.items():
        speeds = [run["orders"] / run["seconds"] for run in runs]
        speed[name] = statistics.median(speeds)
        fill = statistics.fmean(run["fill"] for run in runs)
        print(
            f"{name:12} {speed[name]:>10,.0f} orders/s (rounds {min(speeds):,.0f}-"
            f"{max(speeds):,.0f}), unit fill rate {fill:.4f}"
        )
    print(f"ratio servsim / SupplyNetPy: {speed['servsim'] / speed['SupplyNetPy']:.1f}")


if __name__ == "__main__":
    main()
