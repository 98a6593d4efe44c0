"""How a scenario writes a distribution: a bare number (a constant) or ``{dist: NAME, ...}``
of a known name; in a distribution of durations, parameters with units (``36h``); in one of
quantities, whole numbers of units, at least 1.

The distributions themselves are in :mod:`servsim.scenario.distribution_families`.
"""

from __future__ import annotations

from typing import Annotated, Any, NoReturn

from pydantic import Field, ValidationInfo
from pydantic.functional_validators import BeforeValidator

from servsim.core.units import parse_duration
from servsim.core.validation import CrossChecks, refuse
from servsim.scenario.distribution_families import (
    Constant,
    Empirical,
    Exponential,
    Gamma,
    Geometric,
    Lognormal,
    NegativeBinomial,
    Normal,
    Poisson,
    Triangular,
    Uniform,
    Weibull,
)
from servsim.scenario.distribution_spec import DistributionSpec
from servsim.scenario.fields import bounded_duration

DISTRIBUTION_NAMES = (
    "constant",
    "exponential",
    "uniform",
    "triangular",
    "normal",
    "lognormal",
    "gamma",
    "weibull",
    "poisson",
    "negative_binomial",
    "geometric",
    "empirical",
)


def _bare_number_is_constant(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return {"dist": "constant", "value": value}
    return value


def _tag_must_be_known(value: Any) -> Any:
    if isinstance(value, dict):
        name = value.get("dist")
        if name is None:
            raise ValueError(
                "a distribution needs 'dist:' (one of " + ", ".join(DISTRIBUTION_NAMES) + ")"
                " or is a bare number"
            )
        if name not in DISTRIBUTION_NAMES:
            raise ValueError(
                f"unknown distribution {name!r}; allowed: " + ", ".join(DISTRIBUTION_NAMES)
            )
    return value


_Union = Annotated[
    Constant
    | Exponential
    | Uniform
    | Triangular
    | Normal
    | Lognormal
    | Gamma
    | Weibull
    | Poisson
    | NegativeBinomial
    | Geometric
    | Empirical,
    Field(discriminator="dist"),
]

Distribution = Annotated[
    _Union, BeforeValidator(_tag_must_be_known), BeforeValidator(_bare_number_is_constant)
]
"""Any distribution; a bare number is a constant."""

_DURATION_KEYS = ("value", "mean", "sd", "low", "mode", "high", "min", "max")


def _durations_to_numbers(value: Any, info: ValidationInfo) -> Any:
    """Convert ``36h``-style parameters to numbers in the scenario's time unit, each 0 or
    between a millisecond and a hundred years."""
    time_unit = (info.context or {}).get("time_unit", "hours")
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        try:
            number = bounded_duration(parse_duration(value, time_unit), info)
        except ValueError as error:
            if isinstance(value, str):
                raise
            _raise_at("value", error, top=True)
        return {"dist": "constant", "value": number}
    if isinstance(value, dict):
        converted = dict(value)
        for key in _DURATION_KEYS:
            if _is_duration(converted.get(key)):
                try:
                    converted[key] = bounded_duration(
                        parse_duration(converted[key], time_unit), info
                    )
                except ValueError as error:
                    _raise_at(key, error)
        if isinstance(converted.get("values"), list):
            values = converted["values"] = list(converted["values"])
            for index, written in enumerate(values):
                if _is_duration(written):
                    try:
                        values[index] = bounded_duration(parse_duration(written, time_unit), info)
                    except ValueError as error:
                        _raise_at(("values", index), error)
        return converted
    return value


def _is_duration(value: Any) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def _raise_at(key: str | tuple[str | int, ...], error: ValueError, top: bool = False) -> NoReturn:
    """A parameter's value is not a duration: say so at the parameter's own place (``top``:
    the distribution is the bare number itself)."""
    checks = CrossChecks("distribution")
    checks.add(() if top else (key,) if isinstance(key, str) else key, str(error))
    checks.raise_any()
    raise error  # pragma: no cover - raise_any raised


DurationDistribution = Annotated[Distribution, BeforeValidator(_durations_to_numbers)]
"""A distribution of durations; parameters may carry units (``{dist: gamma, mean: 3d, sd: 1d}``)."""


def _must_be_whole_numbers(value: Any) -> Any:
    spec: DistributionSpec = value
    if isinstance(spec, Poisson | NegativeBinomial | Geometric):
        return spec
    if isinstance(spec, Constant) and float(spec.value).is_integer() and spec.value >= 1:
        return spec
    if isinstance(spec, Empirical) and all(float(v).is_integer() and v >= 1 for v in spec.values):
        return spec
    refuse(
        "a quantity must be a whole number >= 1, {dist: poisson, mean: .., min: ..}, "
        "{dist: negative_binomial, mean: .., sd: .., min: ..}, {dist: geometric, mean: ..}, "
        "or {dist: empirical, values: [whole numbers >= 1], weights: [..]}"
    )
    return spec


def _poisson_quantity_needs_min(value: Any) -> Any:
    if isinstance(value, Poisson | NegativeBinomial) and (value.min is None or value.min < 1):
        name = "Poisson" if isinstance(value, Poisson) else "negative binomial"
        refuse(f"a {name} quantity needs min: 1 (or more): orders of 0 units do not exist")
    return value


from pydantic.functional_validators import AfterValidator  # noqa: E402

QuantityDistribution = Annotated[
    Distribution,
    AfterValidator(_must_be_whole_numbers),
    AfterValidator(_poisson_quantity_needs_min),
]
"""A distribution of whole unit counts >= 1."""
