"""Scenarios: the typed schema, loading from YAML with file:line errors, and dotted overrides."""

from servsim.core.errors import Problem, ScenarioError
from servsim.scenario.distribution_families import (
    Constant,
    Empirical,
    Exponential,
    Gamma,
    Lognormal,
    Normal,
    Poisson,
    Triangular,
    Uniform,
)
from servsim.scenario.distributions import (
    DISTRIBUTION_NAMES,
    Distribution,
    DurationDistribution,
    QuantityDistribution,
)
from servsim.scenario.loading import load_scenario
from servsim.scenario.schema import Scenario

__all__ = [
    "DISTRIBUTION_NAMES",
    "Constant",
    "Distribution",
    "DurationDistribution",
    "Empirical",
    "Exponential",
    "Gamma",
    "Lognormal",
    "Normal",
    "Poisson",
    "Problem",
    "QuantityDistribution",
    "Scenario",
    "ScenarioError",
    "Triangular",
    "Uniform",
    "load_scenario",
]
