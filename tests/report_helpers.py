"""A small sweep on disk and a small run, shared by the report's tests (a few seconds)."""

from __future__ import annotations

from pathlib import Path

import yaml

import servsim
from tests.conftest import SMALL_SHOP
from tests.sweep_helpers import write_experiment


def swept_folder(folder: Path) -> Path:
    """Run the small 12-point sweep (serially) in ``folder``; its results folder."""
    experiment = write_experiment(folder)
    servsim.sweep(experiment, workers=1)
    return folder / "results"


def small_run(replications: int = 2, standards: str = "") -> servsim.Results:
    """The small shop over five days: quick, and with every level and figure to draw."""
    scenario = servsim.load_scenario(yaml.safe_load(SMALL_SHOP.replace("10d", "5d") + standards))
    return servsim.simulate(scenario, replications=replications, seed=3)
