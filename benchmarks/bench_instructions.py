"""Instructions per order of a scenario, counted by callgrind: the code's cost, whatever the
machine's speed or load.

Not a test: run it by hand (it needs valgrind: Debian's package ``valgrind``).

    python benchmarks/bench_instructions.py                       # garden_exceptional
    python benchmarks/bench_instructions.py --scenario webshop-bare --horizons 20d 40d
    python benchmarks/bench_instructions.py --set '{"complaints": null, "returns": null}'

It runs one replication (no warm-up, KPIs included) at each of two horizons under
``valgrind --tool=callgrind`` with ``PYTHONHASHSEED=0``, both at once (one per core), and
prints the difference in instructions over the difference in orders: what one more order costs,
without the interpreter's start, the imports and what a run sets up once (the imports' objects
are frozen, so the garbage collector's passes count only the run's own; the package is
byte-compiled first). The same code counts the same to 0.2% and a change that alters nothing
moves it by up to 0.8%, where the wall clock of a shared machine swings by a third: read
differences under 1% as noise, and check ``scripts/fingerprints.py`` before believing a drop
(a model that changed counts differently too). ``--set`` overrides fields (dotted names, as
``Scenario.with_overrides``) to see what a part of the model costs.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_kernel import SCENARIOS, VARIANTS  # noqa: E402  (the scenarios measured alike)


def child(name: str, horizon: str, overrides: dict[str, object]) -> None:
    """Run the replication and print its number of orders (under callgrind). The objects of
    the imports are frozen first: a collection of the garbage collector then traverses the
    run's objects only, so what this script imports (or a heap left differently by an older
    commit) does not count in every collection of a longer run."""
    import gc

    import servsim
    from servsim.kpis.metrics import compute_kpis
    from servsim.model import run_replication

    scenario = servsim.load_scenario(SCENARIOS[name])
    gc.collect()
    gc.freeze()
    changes = {**VARIANTS.get(name, {}), "horizon": horizon, "warmup": 0, **overrides}
    scenario = scenario.with_overrides(changes)
    log = run_replication(scenario, replication=0)
    compute_kpis(log, scenario)
    print(len(log.tables.orders))


def counted(name: str, horizons: list[str], overrides: str) -> list[tuple[int, int]]:
    """(orders, instructions) of a run at each horizon, counted at once. The package is
    byte-compiled first: a module changed since its last import would otherwise be compiled
    by one run and not the other, a few million instructions of difference that no order
    made."""
    import compileall

    import servsim

    compileall.compile_dir(Path(servsim.__file__).parent, quiet=1)
    environment = {**os.environ, "PYTHONHASHSEED": "0"}
    with tempfile.TemporaryDirectory() as folder:
        runs = [
            subprocess.Popen(
                [
                    "setarch",  # no address randomisation: the same layout, the same count
                    os.uname().machine,
                    "--addr-no-randomize",
                    "valgrind",
                    "--tool=callgrind",
                    f"--callgrind-out-file={folder}/callgrind.{horizon}",
                    sys.executable,
                    __file__,
                    "--child",
                    horizon,
                    "--scenario",
                    name,
                    "--set",
                    overrides,
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=environment,
            )
            for horizon in horizons
        ]
        results = []
        for run in runs:
            out, err = run.communicate()
            if run.returncode:
                raise SystemExit(f"the run failed:\n{err[-2000:]}")
            total = re.search(r"Collected : (\d+)", err)
            if total is None:
                raise SystemExit(f"callgrind printed no count:\n{err[-2000:]}")
            results.append((int(out.split()[-1]), int(total.group(1))))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", choices=list(SCENARIOS), default="garden")
    parser.add_argument(
        "--horizons", nargs=2, default=["30d", "60d"], help="two run lengths (default 30d 60d)"
    )
    parser.add_argument("--set", default="{}", help="overrides as JSON: {dotted.field: value}")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        child(arguments.scenario, arguments.child, json.loads(arguments.set))
        return
    (short_orders, short), (long_orders, long) = counted(
        arguments.scenario, arguments.horizons, arguments.set
    )
    if long_orders <= short_orders:
        raise SystemExit("the longer horizon placed no more orders: give two further apart")
    print(
        f"{arguments.scenario}: {short_orders:,} and {long_orders:,} orders, "
        f"{short / 1e6:,.1f}M and {long / 1e6:,.1f}M instructions: "
        f"{(long - short) / (long_orders - short_orders):,.0f} instructions per order"
    )


if __name__ == "__main__":
    main()
