"""Simulate a scenario's replications: the notebook's and ``servsim run``'s entry point."""

from __future__ import annotations

import pandas as pd

from servsim.run.measure import measured_run
from servsim.run.results import Results
from servsim.scenario.schema import Scenario


def simulate(
    scenario: Scenario, replications: int | None = None, seed: int | None = None
) -> Results:
    """Run ``replications`` independent replications (default: the scenario's) with ``seed``.

    Replication k of seed s always sees the same random numbers, so the same call gives the
    same results, and two scenarios run with one seed share their demand (common random
    numbers).
    """
    count = scenario.replications if replications is None else replications
    if count < 1:
        raise ValueError(f"replications must be at least 1, got {count}")
    run_seed = scenario.seed if seed is None else seed
    logs, rows = [], []
    for replication in range(count):
        log, kpis = measured_run(scenario, replication, run_seed)
        logs.append(log)
        rows.append({"replication": replication, "seed": run_seed, **kpis})
    return Results(scenario=scenario, seed=run_seed, logs=logs, kpis=pd.DataFrame(rows))
