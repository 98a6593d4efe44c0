"""Planning a sweep: points of grid, Latin hypercube and random designs; runs and their seeds."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import servsim
from servsim.experiment.design import latin_hypercube, plan, tasks
from tests.conftest import SMALL_SHOP


def experiment(parameters: dict[str, Any], **keys: Any) -> servsim.experiment.schema.Experiment:
    """An experiment over the small shop (written inline), with these parameters."""
    import yaml

    document = {"scenario": yaml.safe_load(SMALL_SHOP), "parameters": parameters, "seed": 3}
    return servsim.load_experiment({**document, **keys})


def test_grid_has_every_combination_in_file_order() -> None:
    sweep = experiment(
        {
            "processing.staff": [1, 2, 3],
            "stocking.items.A.S": {"range": [40, 100], "step": 20},
            "delivery.promise": {"values": ["24h", "48h"]},
        }
    )
    points = plan(sweep)
    assert len(points) == 3 * 4 * 2
    assert [point.id for point in points] == list(range(24))
    expected = itertools.product([1, 2, 3], [40, 60, 80, 100], ["24h", "48h"])
    assert [tuple(point.overrides.values()) for point in points] == list(expected)
    assert list(points[0].overrides) == [
        "processing.staff",
        "stocking.items.A.S",
        "delivery.promise",
    ]


@pytest.mark.parametrize(
    ("written", "values"),
    [
        ({"range": [20, 80], "step": 10}, (20, 30, 40, 50, 60, 70, 80)),
        ({"range": [20, 75], "step": 10}, (20, 30, 40, 50, 60, 70)),  # 80 is past the end
        ({"range": [50, 50], "step": 5}, (50,)),
        ({"range": [0.1, 0.3], "step": 0.1}, (0.1, 0.2, 0.3)),  # no 0.30000000000000004
        ({"range": [1, 2], "step": 0.5}, (1.0, 1.5, 2.0)),
        ([3, 1, 2], (3, 1, 2)),
        ({"values": ["36h", "2d"]}, ("36h", "2d")),
    ],
)
def test_parameter_values(written: Any, values: tuple[Any, ...]) -> None:
    name = "processing.time.mean" if isinstance(values[0], str) else "costs.order_cost"
    sweep = experiment({name: written})
    assert sweep.parameter_values[name] == values
    assert [type(value) for value in sweep.parameter_values[name]] == [type(v) for v in values]


def test_latin_hypercube_uses_each_value_once_per_parameter_when_n_is_the_count() -> None:
    sweep = experiment(
        {
            "processing.staff": [1, 2, 3, 4, 5],
            "stocking.items.A.S": {"range": [40, 120], "step": 20},
            "costs.order_cost": [10, 20, 30, 40, 50],
        },
        design={"method": "lhs", "n": 5},
    )
    points = plan(sweep)
    assert len(points) == 5
    for name, values in sweep.parameter_values.items():
        assert sorted(point.overrides[name] for point in points) == sorted(values), name
    # the pairing is random, not the diagonal: some point does not pair the i-th values
    columns = [
        [values.index(p.overrides[n]) for p in points]
        for n, values in sweep.parameter_values.items()
    ]
    assert columns[0] != columns[1] or columns[1] != columns[2]


def test_latin_hypercube_strata_hold_one_point_each() -> None:
    rng = np.random.default_rng(1)
    choices = latin_hypercube([10, 4], 20, rng)
    assert len(choices) == 20
    first = sorted(choice[0] for choice in choices)
    assert first == sorted(list(range(10)) * 2)  # 20 strata over 10 values: each twice
    second = sorted(choice[1] for choice in choices)
    assert second == sorted(list(range(4)) * 5)


def test_random_and_lhs_designs_are_determined_by_the_seed() -> None:
    parameters = {"processing.staff": [1, 2, 3, 4], "costs.order_cost": list(range(10, 200, 10))}
    for design in ({"method": "lhs", "n": 6}, {"method": "random", "n": 6}):
        first = plan(experiment(parameters, design=design))
        again = plan(experiment(parameters, design=design))
        other = plan(experiment(parameters, design=design, seed=4))
        assert first == again
        assert first != other
        assert 1 <= len(first) <= 6
        overrides = [tuple(point.overrides.items()) for point in first]
        assert len(set(overrides)) == len(overrides)  # a combination drawn twice is kept once


def test_random_design_stays_among_the_values() -> None:
    parameters = {"processing.staff": [1, 2, 3], "delivery.promise": ["24h", "48h"]}
    points = plan(experiment(parameters, design={"method": "random", "n": 30}))
    for point in points:
        assert point.overrides["processing.staff"] in (1, 2, 3)
        assert point.overrides["delivery.promise"] in ("24h", "48h")


def test_run_seeds_depend_only_on_the_experiment_seed_and_replication() -> None:
    """Common random numbers: replication k of every point runs with the same seed."""
    sweep = experiment({"processing.staff": [1, 2, 3]}, seed=17)
    runs = tasks(plan(sweep), 4, sweep.run_seed)
    assert len(runs) == 12
    assert {task.seed for task in runs} == {17}
    assert [(task.point, task.replication) for task in runs[:5]] == [
        (0, 0),
        (0, 1),
        (0, 2),
        (0, 3),
        (1, 0),
    ]
    assert [task.replication for task in tasks(plan(sweep)[:1], [4, 5], 17)] == [4, 5]


def test_replication_k_of_every_point_sees_the_same_demand(tmp_path: Path) -> None:
    """Staff changes processing only: the orders placed are the same at every point."""
    sweep = experiment({"processing.staff": [1, 3]}, replications=2)
    results = servsim.sweep(sweep, executor="serial")
    runs = results.runs.set_index(["point", "replication"])
    assert runs.loc[(0, 0), "orders"] == runs.loc[(1, 0), "orders"]
    assert runs.loc[(0, 1), "orders"] == runs.loc[(1, 1), "orders"]
    assert runs.loc[(0, 0), "orders"] != runs.loc[(0, 1), "orders"]
    assert runs.loc[(0, 0), "processing_wait"] > runs.loc[(1, 0), "processing_wait"]
