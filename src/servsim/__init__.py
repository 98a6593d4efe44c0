"""servsim: service-level trade-off simulation for logistics.

>>> import servsim
>>> scenario = servsim.load_scenario("scenarios/webshop.yaml")
>>> results = servsim.simulate(scenario, replications=5)
>>> results.summary()
>>> sweep = servsim.sweep("experiments/webshop_staff_and_stock.yaml", workers=2)
>>> sweep.frontier()
"""

from importlib.metadata import PackageNotFoundError, version

from servsim.errors import ScenarioError
from servsim.experiment.loading import load_experiment
from servsim.experiment.optimizer import optimize
from servsim.experiment.optimum import OptimizeResult
from servsim.experiment.results import SweepResults
from servsim.experiment.search_schema import load_search
from servsim.experiment.sweep import sweep
from servsim.runner import Results, simulate
from servsim.scenario.loading import load_scenario
from servsim.scenario.schema import Scenario

try:
    __version__ = version("servsim")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0+unknown"

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
    "simulate",
    "sweep",
]
