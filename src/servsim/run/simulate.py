"""Simulate a scenario's replications: the notebook's and ``servsim run``'s entry point."""

from __future__ import annotations

import pandas as pd

from servsim.run.measure import measured_run
from servsim.run.results import Results
from servsim.scenario.fields import MOST_REPLICATIONS, MOST_SEED
from servsim.scenario.schema import Scenario
from servsim.scenario.workload import check_scenario


def simulate(
    scenario: Scenario,
    replications: int | None = None,
    seed: int | None = None,
    allow_large: bool = False,
) -> Results:
    """Run ``replications`` independent replications (default: the scenario's) with ``seed``.

    Replication k of seed s always sees the same random numbers, so the same call gives the
    same results, and two scenarios run with one seed share their demand (common random
    numbers). A run of more than ``servsim.scenario.workload.MOST_EVENTS`` expected orders is
    refused (ScenarioError) before it starts, unless ``allow_large``.
    """
    count = scenario.replications if replications is None else replications
    if count < 1:
        raise ValueError(f"replications must be at least 1, got {count}")
    if count > MOST_REPLICATIONS:
        raise ValueError(f"replications must be at most {MOST_REPLICATIONS:,}, got {count}")
    run_seed = scenario.seed if seed is None else seed
    if not 0 <= run_seed <= MOST_SEED:
        raise ValueError(f"a seed is 0 to 2^63 - 1, got {run_seed}")
    check_scenario(scenario, count, allow_large)
    logs, rows = [], []
    for replication in range(count):
        log, kpis = measured_run(scenario, replication, run_seed)
        logs.append(log)
        rows.append({"replication": replication, "seed": run_seed, **kpis})
    return Results(scenario=scenario, seed=run_seed, logs=logs, kpis=pd.DataFrame(rows))
