"""Fingerprints of every example's results: proof that a refactor changed no number.

Runs each scenario in scenarios/ (3 replications, its own seed) and prints a SHA-256 of its
KPI table, of its per-segment and per-sku KPI tables and of its order log, each written as CSV
with every digit. Run it before and after a change that must not move any figure:

    python scripts/fingerprints.py > before.txt   # ... change ...
    python scripts/fingerprints.py | diff before.txt -
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

import pandas as pd

import servsim

ROOT = Path(__file__).resolve().parent.parent


def digest(frame: pd.DataFrame) -> str:
    """A SHA-256 of a table's CSV text, every float written with 17 significant digits."""
    text = frame.to_csv(index=False, float_format="%.17g")
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def fingerprints(path: Path, replications: int) -> dict[str, str]:
    scenario = servsim.load_scenario(path)
    results = servsim.simulate(scenario, replications=replications)
    return {
        "kpis": digest(results.kpis),
        "by_segment": digest(results.kpis_by("segment")),
        "by_sku": digest(results.kpis_by("sku")),
        "orders": digest(results.orders),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=3)
    parser.add_argument("scenarios", nargs="*", type=Path)
    arguments = parser.parse_args()
    paths = arguments.scenarios or sorted((ROOT / "scenarios").glob("*.yaml"))
    for path in paths:
        for table, value in fingerprints(path, arguments.replications).items():
            print(f"{path.stem:24} {table:10} {value}")


if __name__ == "__main__":
    main()
