"""The callback arrival stream (one-line orders with nothing else to decide) gives exactly the
results of the SimPy process it replaces: same events in the same sequence."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import servsim
from servsim.model import run_replication
from servsim.model.streams import RandomStreams
from servsim.model.world import World

ROOT = Path(__file__).resolve().parent.parent


def _bare(path: Path, segments: bool = False, **overrides: object):  # type: ignore[no-untyped-def]
    """The scenario without customer bases (a fixed stream of demand), shortened."""
    scenario = servsim.load_scenario(path)
    changes: dict[str, object] = {"horizon": min(scenario.horizon, 1500.0), **overrides}
    for name in scenario.demand.segments if segments else ():
        changes[f"demand.segments.{name}.customers"] = "none"
    return scenario.with_overrides(changes)


@pytest.mark.parametrize(
    "scenario",
    [
        _bare(ROOT / "benchmarks" / "reference_flow.yaml"),
        _bare(ROOT / "benchmarks" / "reference_flow.yaml", **{"stocking.stockout": "lost"}),
        _bare(ROOT / "scenarios" / "webshop.yaml", **{"demand.customers": "none"}),
    ],
    ids=["reference-flow", "lost-sales", "webshop"],
)
def test_callback_arrivals_give_the_process_streams_results(scenario, monkeypatch) -> None:
    fast = run_replication(scenario, 0)
    assert len(fast.orders) > 1000
    monkeypatch.setattr(World, "_plain", lambda self, segment, stream: False)
    slow = run_replication(scenario, 0)
    for table in ("orders", "lines", "shipments", "stock_levels", "replenishments"):
        pd.testing.assert_frame_equal(getattr(fast, table), getattr(slow, table))


def test_the_callback_stream_is_used_for_a_bare_single_line_segment(monkeypatch) -> None:
    from servsim.model import plain_arrivals

    started = []
    real = plain_arrivals.start
    monkeypatch.setattr(
        plain_arrivals, "start", lambda *arguments: started.append(1) or real(*arguments)
    )
    reference = _bare(ROOT / "benchmarks" / "reference_flow.yaml")
    run_replication(reference, 0)
    assert started == []  # a flow without feedback: computed in arrays, no event at all
    World(reference, RandomStreams(reference.seed, 0), in_arrays=False).run()
    assert started == [1]
    run_replication(
        servsim.load_scenario(ROOT / "scenarios" / "webshop.yaml").with_overrides(
            {"horizon": 400.0}
        ),
        0,
    )
    assert started == [1]  # customer bases: the process stream
