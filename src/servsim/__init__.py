"""servsim: service-level trade-off simulation for logistics.

>>> import servsim
>>> scenario = servsim.load_scenario("scenarios/webshop.yaml")
>>> results = servsim.simulate(scenario, replications=5)
>>> results.summary()
>>> sweep = servsim.sweep("experiments/webshop_staff_and_stock.yaml", workers=2)
>>> sweep.frontier()

The package is laid out in layers, each importing only from those below it:
``cli`` > ``report`` > ``search`` (the optimizer) > ``experiment`` (sweeps) > ``run``
(simulate, Results) > ``kpis`` > ``model`` (the SimPy kernel) > ``scenario`` > ``policies`` and
``stats`` > ``core``. Importing ``servsim`` loads none of them: each name below is imported on
first use, so the command line starts at once.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from servsim import report
    from servsim.core.errors import ScenarioError
    from servsim.core.version import __version__
    from servsim.experiment.loading import load_experiment
    from servsim.experiment.results import SweepResults
    from servsim.experiment.sweep import sweep
    from servsim.run.results import Results
    from servsim.run.simulate import simulate
    from servsim.scenario.loading import load_scenario
    from servsim.scenario.schema import Scenario
    from servsim.search.optimizer import optimize
    from servsim.search.result import OptimizeResult
    from servsim.search.schema import load_search
    from servsim.stats import theory

_PUBLIC = {
    "OptimizeResult": "servsim.search.result",
    "Results": "servsim.run.results",
    "Scenario": "servsim.scenario.schema",
    "ScenarioError": "servsim.core.errors",
    "__version__": "servsim.core.version",
    "SweepResults": "servsim.experiment.results",
    "load_experiment": "servsim.experiment.loading",
    "load_scenario": "servsim.scenario.loading",
    "load_search": "servsim.search.schema",
    "optimize": "servsim.search.optimizer",
    "simulate": "servsim.run.simulate",
    "sweep": "servsim.experiment.sweep",
}
"""Public name -> the module that defines it."""

_MODULES = {"report": "servsim.report", "theory": "servsim.stats.theory"}
"""Modules reachable as ``servsim.<name>`` (``servsim.report.write_report``, ``from servsim
import theory``), imported on first use too."""

__all__ = [
    "OptimizeResult",
    "Results",
    "Scenario",
    "ScenarioError",
    "SweepResults",
    "__version__",
    "load_experiment",
    "load_scenario",
    "load_search",
    "optimize",
    "report",
    "simulate",
    "sweep",
    "theory",
]


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use (PEP 562)."""
    if name in _PUBLIC:
        value = getattr(importlib.import_module(_PUBLIC[name]), name)
    elif name in _MODULES:
        value = importlib.import_module(_MODULES[name])
    else:
        raise AttributeError(f"module 'servsim' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_PUBLIC, *_MODULES])
