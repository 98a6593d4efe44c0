"""Shared pieces of the experiment tests: a small shop and a small sweep over it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tests.conftest import SMALL_SHOP

# 2 x 3 x 2 = 12 points, 3 replications each: 36 runs of the small shop, well under a second.
SMALL_SWEEP = """\
name: small sweep
scenario: shop.yaml
parameters:
  processing.staff: [1, 2]
  stocking.items.A.S: {range: [40, 120], step: 40}
  delivery.promise: {values: [24h, 48h]}
design: grid
replications: 3
seed: 5
objectives: {cost: cost_per_order, satisfaction: satisfaction_mean}
standards: {otif: {at_least: 0.5}}
out: results
"""


def write_experiment(folder: Path, text: str = SMALL_SWEEP, scenario: str = SMALL_SHOP) -> Path:
    """An experiment file and its scenario (``shop.yaml``) in ``folder``; the experiment's path."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "shop.yaml").write_text(scenario, encoding="utf-8")
    path = folder / "experiment.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def assert_same_table(left: pd.DataFrame, right: pd.DataFrame) -> None:
    """Identical, bit for bit: same columns, dtypes, order and values (NaN where NaN)."""
    pd.testing.assert_frame_equal(left, right, check_exact=True)
    assert left.equals(right)
